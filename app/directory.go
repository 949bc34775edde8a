package app

import (
	"context"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/console"
	"github.com/concierge-console/concierge/backend/directory"
)

// Import imports a CSV or vCard file's text (format "csv" or "vcard") and
// reports what was created, updated and rejected, line by line (C10).
func (d *Directory) Import(format, content string) (directory.ImportReport, error) {
	return d.c.ImportContacts(d.ctx, format, []byte(content))
}

// Export returns the directory as CSV or vCard text.
func (d *Directory) Export(format string) (string, error) {
	b, err := d.c.ExportContacts(d.ctx, format)
	return string(b), err
}

// LDAPSettings returns the LDAP sync settings (never the password) and the
// last sync's outcome.
func (d *Directory) LDAPSettings() (api.LDAPSettings, error) { return d.c.LDAPSettings(d.ctx) }

// SaveLDAPSettings replaces the LDAP sync settings; a null password keeps the
// stored one.
func (d *Directory) SaveLDAPSettings(in api.LDAPSettingsUpdate) (api.LDAPSettings, error) {
	return d.c.SaveLDAPSettings(d.ctx, in)
}

// SyncLDAP runs an LDAP sync now.
func (d *Directory) SyncLDAP() (api.LDAPSettings, error) { return d.c.SyncLDAP(d.ctx) }

// Calendar returns a contact's events between from and to (RFC 3339, at
// most 14 days apart) with whether they are stale and why (D2).
func (d *Directory) Calendar(id, from, to string) (api.Schedule, error) {
	return d.c.ContactCalendar(d.ctx, id, from, to)
}

// CalendarSettings returns the calendar source settings (never the password).
func (d *Directory) CalendarSettings() (api.CalendarSettings, error) {
	return d.c.CalendarSettings(d.ctx)
}

// SaveCalendarSettings replaces the calendar source settings; an empty
// password keeps the stored one.
func (d *Directory) SaveCalendarSettings(in api.CalendarSettingsUpdate) (api.CalendarSettings, error) {
	return d.c.SaveCalendarSettings(d.ctx, in)
}

// TestCalendar reads today's events of the person with this e-mail with the
// saved settings.
func (d *Directory) TestCalendar(email string) (api.CalendarTest, error) {
	return d.c.TestCalendar(d.ctx, email)
}

// History is the call overview's history (O2, O3) and the recent
// destinations of a caller (C5).
type History struct {
	ctx context.Context
	c   *console.Console
}

// List returns my recent calls, newest first.
func (h *History) List() ([]api.HistoryItem, error) {
	out, err := h.c.History(h.ctx)
	if out == nil && err == nil {
		out = []api.HistoryItem{}
	}
	return out, err
}

// Destinations lists where calls from number were transferred to before.
func (h *History) Destinations(number string) ([]api.Destination, error) {
	out, err := h.c.HistoryDestinations(h.ctx, number, 5)
	if out == nil && err == nil {
		out = []api.Destination{}
	}
	return out, err
}
