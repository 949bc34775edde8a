package console

import (
	"context"
	"fmt"
	"time"

	"github.com/concierge-console/concierge/backend/api"
)

// Contacts' calendars (D2) are read live from the switchboard, never from
// the local cache: a schedule from yesterday would mislead. Offline, the
// calls fail with ErrOffline.

// ContactCalendar returns a contact's events overlapping [from, to) (RFC 3339).
func (c *Console) ContactCalendar(ctx context.Context, id, from, to string) (api.Schedule, error) {
	f, err := time.Parse(time.RFC3339, from)
	if err != nil {
		return api.Schedule{}, fmt.Errorf("calendar start %q is not an RFC 3339 time", from)
	}
	t, err := time.Parse(time.RFC3339, to)
	if err != nil {
		return api.Schedule{}, fmt.Errorf("calendar end %q is not an RFC 3339 time", to)
	}
	cl, _, err := c.api()
	if err != nil {
		return api.Schedule{}, err
	}
	out, err := cl.ContactCalendar(ctx, id, f, t)
	return out, unwrap(err)
}

// CalendarSettings returns the calendar source settings (never the password).
func (c *Console) CalendarSettings(ctx context.Context) (api.CalendarSettings, error) {
	return adminCall(c, func(cl *api.Client) (api.CalendarSettings, error) { return cl.CalendarSettings(ctx) })
}

// SaveCalendarSettings replaces the calendar source settings; an empty
// password keeps the stored one.
func (c *Console) SaveCalendarSettings(ctx context.Context, in api.CalendarSettingsUpdate) (api.CalendarSettings, error) {
	return adminCall(c, func(cl *api.Client) (api.CalendarSettings, error) { return cl.SaveCalendarSettings(ctx, in) })
}

// TestCalendar reads today's events of one person with the saved settings.
func (c *Console) TestCalendar(ctx context.Context, email string) (api.CalendarTest, error) {
	return adminCall(c, func(cl *api.Client) (api.CalendarTest, error) { return cl.TestCalendar(ctx, email) })
}
