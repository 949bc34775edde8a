package api

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// ContactCalendar returns a contact's events overlapping [from, to) (D2).
func (c *Client) ContactCalendar(ctx context.Context, id string, from, to time.Time) (Schedule, error) {
	var out Schedule
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
	return out, c.do(ctx, http.MethodGet, "/contacts/"+url.PathEscape(id)+"/calendar?"+q.Encode(), nil, &out)
}

// CalendarSettings returns the calendar source settings (administrators).
func (c *Client) CalendarSettings(ctx context.Context) (CalendarSettings, error) {
	var out CalendarSettings
	return out, c.do(ctx, http.MethodGet, "/admin/calendar", nil, &out)
}

// SaveCalendarSettings replaces the calendar source settings; an empty
// password keeps the stored one.
func (c *Client) SaveCalendarSettings(ctx context.Context, in CalendarSettingsUpdate) (CalendarSettings, error) {
	var out CalendarSettings
	return out, c.do(ctx, http.MethodPut, "/admin/calendar", in, &out)
}

// TestCalendar reads today's events of the person with this e-mail with the
// saved settings.
func (c *Client) TestCalendar(ctx context.Context, email string) (CalendarTest, error) {
	var out CalendarTest
	return out, c.do(ctx, http.MethodPost, "/admin/calendar/test", CalendarTestRequest{Email: email}, &out)
}
