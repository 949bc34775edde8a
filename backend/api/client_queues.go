package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/concierge-console/concierge/backend/queue"
)

// QueueSettings lists the stored queues and whether they differ from those the
// switchboard runs with (administrators only).
func (c *Client) QueueSettings(ctx context.Context) (QueueSettingsList, error) {
	var out QueueSettingsList
	return out, c.do(ctx, http.MethodGet, "/admin/queues", nil, &out)
}

// CreateQueue adds a queue; it takes calls from the switchboard's next start.
func (c *Client) CreateQueue(ctx context.Context, req QueueRequest) (QueueSaved, error) {
	var out QueueSaved
	return out, c.do(ctx, http.MethodPost, "/admin/queues", req, &out)
}

// SaveQueue replaces the queue req.ID.
func (c *Client) SaveQueue(ctx context.Context, req QueueRequest) (QueueSaved, error) {
	var out QueueSaved
	return out, c.do(ctx, http.MethodPut, "/admin/queues/"+url.PathEscape(req.ID), req, &out)
}

// DeleteQueue removes a queue.
func (c *Client) DeleteQueue(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/admin/queues/"+url.PathEscape(id), nil, nil)
}

// SetQueueMode opens, closes or puts a queue in emergency (supervisors, Q9).
func (c *Client) SetQueueMode(ctx context.Context, id string, mode queue.Mode) (QueueMode, error) {
	var out QueueMode
	return out, c.do(ctx, http.MethodPut, "/queues/"+url.PathEscape(id)+"/mode", ModeRequest{Mode: mode}, &out)
}
