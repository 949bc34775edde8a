package api

import (
	"context"
	"net/http"
	"net/url"
)

// Consult puts the attendant's caller on hold and calls target on a second line (W9).
func (c *Client) Consult(ctx context.Context, callID, target string) error {
	return c.do(ctx, http.MethodPost, "/calls/"+url.PathEscape(callID)+"/consult", ConsultRequest{Target: target}, nil)
}

// Swap toggles between the caller and the consulted target (W9).
func (c *Client) Swap(ctx context.Context, callID string) error {
	return c.CallAction(ctx, callID, "swap")
}

// CompleteConsult joins the caller and the consulted target (W9).
func (c *Client) CompleteConsult(ctx context.Context, callID string) error {
	return c.CallAction(ctx, callID, "complete")
}

// CancelConsult hangs up the consulted target and returns to the caller (W9).
func (c *Client) CancelConsult(ctx context.Context, callID string) error {
	return c.CallAction(ctx, callID, "cancel-consult")
}

// Park parks the attendant's call for anyone to retrieve (O1).
func (c *Client) Park(ctx context.Context, callID string) error {
	return c.CallAction(ctx, callID, "park")
}

// Retrieve takes a parked call onto the attendant's phone (O1).
func (c *Client) Retrieve(ctx context.Context, callID string) error {
	return c.CallAction(ctx, callID, "retrieve")
}

// Mute drops (or passes again) the attendant's audio to the caller on the switchboard (W11).
func (c *Client) Mute(ctx context.Context, callID string, on bool) error {
	return c.do(ctx, http.MethodPut, "/calls/"+url.PathEscape(callID)+"/mute", MuteRequest{Muted: on}, nil)
}

// Dial calls target for the attendant (W4) and returns the outgoing call's line ID.
func (c *Client) Dial(ctx context.Context, target string) (string, error) {
	var res DialResult
	return res.ID, c.do(ctx, http.MethodPost, "/calls", DialRequest{Target: target}, &res)
}
