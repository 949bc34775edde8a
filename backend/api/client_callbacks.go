package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/concierge-console/concierge/backend/callbacks"
)

// Callbacks lists the open callback requests and those done this week, newest first (W15).
func (c *Client) Callbacks(ctx context.Context) ([]callbacks.Callback, error) {
	var out []callbacks.Callback
	return out, c.do(ctx, http.MethodGet, "/callbacks", nil, &out)
}

// CreateCallback takes a callback request; the switchboard e-mails it when it can.
func (c *Client) CreateCallback(ctx context.Context, in callbacks.Request) (callbacks.Callback, error) {
	var out callbacks.Callback
	return out, c.do(ctx, http.MethodPost, "/callbacks", in, &out)
}

// CallbackDone marks a callback request done.
func (c *Client) CallbackDone(ctx context.Context, id string) (callbacks.Callback, error) {
	var out callbacks.Callback
	return out, c.do(ctx, http.MethodPost, "/callbacks/"+url.PathEscape(id)+"/done", nil, &out)
}

// CallbackReopen opens a done callback request again.
func (c *Client) CallbackReopen(ctx context.Context, id string) (callbacks.Callback, error) {
	var out callbacks.Callback
	return out, c.do(ctx, http.MethodPost, "/callbacks/"+url.PathEscape(id)+"/reopen", nil, &out)
}

// MailSettings returns the mail server settings (administrators; never the password).
func (c *Client) MailSettings(ctx context.Context) (callbacks.MailSettings, error) {
	var out callbacks.MailSettings
	return out, c.do(ctx, http.MethodGet, "/admin/mail", nil, &out)
}

// SaveMailSettings replaces the mail server settings; an empty password keeps the stored one.
func (c *Client) SaveMailSettings(ctx context.Context, in callbacks.MailSettingsUpdate) (callbacks.MailSettings, error) {
	var out callbacks.MailSettings
	return out, c.do(ctx, http.MethodPut, "/admin/mail", in, &out)
}

// TestMail sends a test e-mail to to with the saved settings.
func (c *Client) TestMail(ctx context.Context, to string) (callbacks.MailTest, error) {
	var out callbacks.MailTest
	return out, c.do(ctx, http.MethodPost, "/admin/mail/test", MailTestRequest{To: to}, &out)
}
