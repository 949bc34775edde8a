package console

import (
	"context"
	"errors"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/callbacks"
)

// Callback requests (W15) live on the switchboard, shared by every console:
// they are read live, never from the local cache, and each change anyone
// makes reaches the front-end as a "callbacks:changed" event. Offline, the
// calls fail with ErrOffline.

// live runs f against the switchboard: ErrOffline offline, the server's
// message for a refusal.
func live[T any](c *Console, f func(*api.Client) (T, error)) (T, error) {
	cl, _, err := c.api()
	if err != nil {
		var zero T
		return zero, err
	}
	out, err := f(cl)
	return out, unwrap(err)
}

// Callbacks lists the open callback requests and those done this week, newest first.
func (c *Console) Callbacks(ctx context.Context) ([]callbacks.Callback, error) {
	out, err := live(c, func(cl *api.Client) ([]callbacks.Callback, error) { return cl.Callbacks(ctx) })
	if out == nil && err == nil {
		out = []callbacks.Callback{}
	}
	return out, err
}

// CreateCallback takes a callback request; the switchboard e-mails it when it can.
func (c *Console) CreateCallback(ctx context.Context, req callbacks.Request) (callbacks.Callback, error) {
	return live(c, func(cl *api.Client) (callbacks.Callback, error) { return cl.CreateCallback(ctx, req) })
}

// CallbackDone marks a callback request done.
func (c *Console) CallbackDone(ctx context.Context, id string) (callbacks.Callback, error) {
	return live(c, func(cl *api.Client) (callbacks.Callback, error) { return cl.CallbackDone(ctx, id) })
}

// CallbackReopen opens a done callback request again.
func (c *Console) CallbackReopen(ctx context.Context, id string) (callbacks.Callback, error) {
	return live(c, func(cl *api.Client) (callbacks.Callback, error) { return cl.CallbackReopen(ctx, id) })
}

// errNotMailAdmin is what the UI shows when a non-administrator reaches the mail settings.
var errNotMailAdmin = errors.New("only administrators can set the mail server")

// mailCall is live with the mail server's refusal message for a non-administrator.
func mailCall[T any](c *Console, f func(*api.Client) (T, error)) (T, error) {
	return refusedAs(c, errNotMailAdmin, f)
}

// MailSettings returns the mail server settings (never the password).
func (c *Console) MailSettings(ctx context.Context) (callbacks.MailSettings, error) {
	return mailCall(c, func(cl *api.Client) (callbacks.MailSettings, error) { return cl.MailSettings(ctx) })
}

// SaveMailSettings replaces the mail server settings; an empty password keeps the stored one.
func (c *Console) SaveMailSettings(ctx context.Context, in callbacks.MailSettingsUpdate) (callbacks.MailSettings, error) {
	return mailCall(c, func(cl *api.Client) (callbacks.MailSettings, error) { return cl.SaveMailSettings(ctx, in) })
}

// TestMail sends a test e-mail to to with the saved settings.
func (c *Console) TestMail(ctx context.Context, to string) (callbacks.MailTest, error) {
	return mailCall(c, func(cl *api.Client) (callbacks.MailTest, error) { return cl.TestMail(ctx, to) })
}

// Callback forwards a changed callback request to the front-end.
func (f *follower) Callback(cb callbacks.Callback) {
	f.c.emit.Emit("callbacks:changed", cb)
}

var _ api.CallbackHandler = (*follower)(nil)
