package console

import (
	"context"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/cache"
	"github.com/concierge-console/concierge/backend/directory"
)

// History returns the attendant's recent calls, newest first (O2).
// While the switchboard cannot be reached it is the last one received (local cache).
func (c *Console) History(ctx context.Context) ([]api.HistoryItem, error) {
	save, load := keyed[[]api.HistoryItem](c, cache.KeyHistory)
	return readThrough(c, func(cl *api.Client) ([]api.HistoryItem, error) { return cl.History(ctx) }, save, load)
}

// HistoryDestinations lists where calls from number were transferred before (C5).
func (c *Console) HistoryDestinations(ctx context.Context, number string, limit int) ([]api.Destination, error) {
	cl, _, err := c.api()
	if err != nil {
		return nil, err
	}
	out, err := cl.HistoryDestinations(ctx, number, limit)
	return out, unwrap(err)
}

// ImportContacts imports a CSV or vCard file into the directory (C10).
func (c *Console) ImportContacts(ctx context.Context, format string, file []byte) (directory.ImportReport, error) {
	cl, _, err := c.api()
	if err != nil {
		return directory.ImportReport{}, err
	}
	out, err := cl.ImportContacts(ctx, format, file)
	return out, unwrap(err)
}

// ExportContacts exports the directory as CSV or vCard.
func (c *Console) ExportContacts(ctx context.Context, format string) ([]byte, error) {
	cl, _, err := c.api()
	if err != nil {
		return nil, err
	}
	out, err := cl.ExportContacts(ctx, format)
	return out, unwrap(err)
}

// LDAPSettings returns the LDAP sync settings and status.
func (c *Console) LDAPSettings(ctx context.Context) (api.LDAPSettings, error) {
	cl, _, err := c.api()
	if err != nil {
		return api.LDAPSettings{}, err
	}
	out, err := cl.LDAPSettings(ctx)
	return out, unwrap(err)
}

// SaveLDAPSettings replaces the LDAP sync settings.
func (c *Console) SaveLDAPSettings(ctx context.Context, in api.LDAPSettingsUpdate) (api.LDAPSettings, error) {
	cl, _, err := c.api()
	if err != nil {
		return api.LDAPSettings{}, err
	}
	out, err := cl.SaveLDAPSettings(ctx, in)
	return out, unwrap(err)
}

// SyncLDAP runs an LDAP sync now.
func (c *Console) SyncLDAP(ctx context.Context) (api.LDAPSettings, error) {
	cl, _, err := c.api()
	if err != nil {
		return api.LDAPSettings{}, err
	}
	out, err := cl.SyncLDAP(ctx)
	return out, unwrap(err)
}
