package app

import (
	"context"

	"github.com/concierge-console/concierge/backend/callbacks"
	"github.com/concierge-console/concierge/backend/console"
)

// Callbacks is the callback requests (W15) taken when the person a caller
// wants is busy, shared by every console. Changes by anyone follow as
// "callbacks:changed" events carrying the changed request; after a
// reconnect, List again. The mail settings are for administrators.
type Callbacks struct {
	ctx context.Context
	c   *console.Console
}

// List returns the open requests and those done in the last 7 days, newest first.
func (b *Callbacks) List() ([]callbacks.Callback, error) { return b.c.Callbacks(b.ctx) }

// Create takes a callback request; the switchboard e-mails it when it can.
func (b *Callbacks) Create(req callbacks.Request) (callbacks.Callback, error) {
	return b.c.CreateCallback(b.ctx, req)
}

// Done marks a request done.
func (b *Callbacks) Done(id string) (callbacks.Callback, error) { return b.c.CallbackDone(b.ctx, id) }

// Reopen opens a done request again.
func (b *Callbacks) Reopen(id string) (callbacks.Callback, error) {
	return b.c.CallbackReopen(b.ctx, id)
}

// MailSettings returns the mail server settings, never the password (administrators).
func (b *Callbacks) MailSettings() (callbacks.MailSettings, error) { return b.c.MailSettings(b.ctx) }

// SaveMailSettings replaces the mail server settings; an empty password
// keeps the stored one (administrators).
func (b *Callbacks) SaveMailSettings(s callbacks.MailSettingsUpdate) (callbacks.MailSettings, error) {
	return b.c.SaveMailSettings(b.ctx, s)
}

// TestMail sends a test e-mail to to with the saved settings (administrators).
func (b *Callbacks) TestMail(to string) (callbacks.MailTest, error) { return b.c.TestMail(b.ctx, to) }
