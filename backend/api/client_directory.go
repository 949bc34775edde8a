package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/concierge-console/concierge/backend/directory"
)

// HistoryDestinations lists where calls from number were transferred to
// before, most recent first (C5).
func (c *Client) HistoryDestinations(ctx context.Context, number string, limit int) ([]Destination, error) {
	var out []Destination
	q := url.Values{"number": {number}, "limit": {strconv.Itoa(limit)}}
	return out, c.do(ctx, http.MethodGet, "/history/destinations?"+q.Encode(), nil, &out)
}

// LDAPSettings returns the LDAP sync settings and status (administrators).
func (c *Client) LDAPSettings(ctx context.Context) (LDAPSettings, error) {
	var out LDAPSettings
	return out, c.do(ctx, http.MethodGet, "/directory/ldap", nil, &out)
}

// SaveLDAPSettings replaces the LDAP sync settings (administrators).
func (c *Client) SaveLDAPSettings(ctx context.Context, in LDAPSettingsUpdate) (LDAPSettings, error) {
	var out LDAPSettings
	return out, c.do(ctx, http.MethodPut, "/directory/ldap", in, &out)
}

// SyncLDAP runs an LDAP sync now and returns the settings with its outcome.
func (c *Client) SyncLDAP(ctx context.Context) (LDAPSettings, error) {
	var out LDAPSettings
	return out, c.do(ctx, http.MethodPost, "/directory/ldap/sync", nil, &out)
}

// ImportContacts uploads a CSV or vCard file (format "csv" or "vcard").
func (c *Client) ImportContacts(ctx context.Context, format string, file []byte) (directory.ImportReport, error) {
	var rep directory.ImportReport
	resp, err := c.raw(ctx, http.MethodPost, "/contacts/import?format="+url.QueryEscape(format), bytes.NewReader(file))
	if err != nil {
		return rep, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return rep, fmt.Errorf("decode import report: %w", err)
	}
	return rep, nil
}

// maxExport bounds a downloaded export held in memory by the console.
const maxExport = 512 << 20

// ExportContacts downloads the directory as CSV or vCard.
func (c *Client) ExportContacts(ctx context.Context, format string) ([]byte, error) {
	resp, err := c.raw(ctx, http.MethodGet, "/contacts/export?format="+url.QueryEscape(format), nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxExport))
	if err != nil {
		return nil, fmt.Errorf("download export: %w", err)
	}
	return b, nil
}

// raw sends a request with a body that is not JSON and returns the response
// for a status below 300; the caller closes its body.
func (c *Client) raw(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/api/"+Version+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if t := c.Token(); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("switchboard unreachable: %w", err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		var e Error
		if json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&e) != nil || e.Error == "" {
			e.Error = resp.Status
		}
		return nil, &StatusError{Status: resp.StatusCode, Code: e.Code, Msg: e.Error}
	}
	return resp, nil
}
