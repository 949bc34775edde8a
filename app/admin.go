package app

import (
	"context"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/console"
	"github.com/concierge-console/concierge/backend/queue"
)

// Admin is the management views' data (L2, A2, A4): user accounts and
// queues. The switchboard refuses it to anyone but administrators.
type Admin struct {
	ctx context.Context
	c   *console.Console
}

// Queues lists the stored queues; RestartRequired tells that they differ
// from those the switchboard runs with.
func (a *Admin) Queues() (api.QueueSettingsList, error) { return a.c.AdminQueues(a.ctx) }

// CreateQueue adds a queue; it takes calls from the switchboard's next start.
func (a *Admin) CreateQueue(q api.QueueRequest) (api.QueueSaved, error) {
	return a.c.SaveQueue(a.ctx, q, true)
}

// UpdateQueue replaces the queue q.ID.
func (a *Admin) UpdateQueue(q api.QueueRequest) (api.QueueSaved, error) {
	return a.c.SaveQueue(a.ctx, q, false)
}

// SetQueueMode opens, closes or puts a queue in emergency (supervisors, Q9):
// mode is "auto", "open", "closed" or "emergency".
func (a *Admin) SetQueueMode(id, mode string) (api.QueueMode, error) {
	return a.c.SetQueueMode(a.ctx, id, queue.Mode(mode))
}

// DeleteQueue removes a queue and returns those left.
func (a *Admin) DeleteQueue(id string) (api.QueueSettingsList, error) {
	return a.c.DeleteQueue(a.ctx, id)
}

// Users lists the user accounts.
func (a *Admin) Users() ([]api.User, error) {
	out, err := a.c.Users(a.ctx)
	if out == nil && err == nil {
		out = []api.User{}
	}
	return out, err
}

// CreateUser adds an account.
func (a *Admin) CreateUser(u api.UserRequest) (api.User, error) { return a.c.SaveUser(a.ctx, u, true) }

// UpdateUser replaces the account u.Username; an empty password keeps the
// current one.
func (a *Admin) UpdateUser(u api.UserRequest) (api.User, error) { return a.c.SaveUser(a.ctx, u, false) }

// DeleteUser removes an account.
func (a *Admin) DeleteUser(username string) error { return a.c.DeleteUser(a.ctx, username) }
