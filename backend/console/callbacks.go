package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/callbacks"
)

// Callback requests (W15) live on the switchboard, shared by every console:
// they are read live, never from the local cache, and each change anyone
// makes reaches the front-end as a "callbacks:changed" event. Offline, the
// calls fail with ErrOffline.

// Callbacks lists the open callback requests and those done this week, newest first.
func (c *Console) Callbacks(ctx context.Context) ([]callbacks.Callback, error) {
	cl, _, err := c.api()
	if err != nil {
		return nil, err
	}
	out, err := cl.Callbacks(ctx)
	if out == nil && err == nil {
		out = []callbacks.Callback{}
	}
	return out, unwrap(err)
}

// CreateCallback takes a callback request; the switchboard e-mails it when it can.
func (c *Console) CreateCallback(ctx context.Context, req callbacks.Request) (callbacks.Callback, error) {
	cl, _, err := c.api()
	if err != nil {
		return callbacks.Callback{}, err
	}
	out, err := cl.CreateCallback(ctx, req)
	return out, unwrap(err)
}

// CallbackDone marks a callback request done.
func (c *Console) CallbackDone(ctx context.Context, id string) (callbacks.Callback, error) {
	cl, _, err := c.api()
	if err != nil {
		return callbacks.Callback{}, err
	}
	out, err := cl.CallbackDone(ctx, id)
	return out, unwrap(err)
}

// CallbackReopen opens a done callback request again.
func (c *Console) CallbackReopen(ctx context.Context, id string) (callbacks.Callback, error) {
	cl, _, err := c.api()
	if err != nil {
		return callbacks.Callback{}, err
	}
	out, err := cl.CallbackReopen(ctx, id)
	return out, unwrap(err)
}

// errNotMailAdmin is what the UI shows when a non-administrator reaches the mail settings.
var errNotMailAdmin = errors.New("only administrators can set the mail server")

// mailCall is adminCall with the mail server's refusal message.
func mailCall[T any](c *Console, f func(*api.Client) (T, error)) (T, error) {
	cl, _, err := c.api()
	if err != nil {
		var zero T
		return zero, err
	}
	out, err := f(cl)
	if se := (*api.StatusError)(nil); errors.As(err, &se) && se.Status == http.StatusForbidden {
		return out, fmt.Errorf("%w (%s)", errNotMailAdmin, se.Msg)
	}
	return out, unwrap(err)
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
