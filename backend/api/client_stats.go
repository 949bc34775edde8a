package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/concierge-console/concierge/backend/stats"
)

// Stats returns today's live queue statistics (Q10).
func (c *Client) Stats(ctx context.Context) (stats.Snapshot, error) {
	var out stats.Snapshot
	return out, c.do(ctx, http.MethodGet, "/stats", nil, &out)
}

// CallReport returns the call report of the days from..to, YYYY-MM-DD, to
// included (A3; supervisors).
func (c *Client) CallReport(ctx context.Context, from, to string) (stats.Report, error) {
	var out stats.Report
	q := url.Values{"from": {from}, "to": {to}}
	return out, c.do(ctx, http.MethodGet, "/reports/calls?"+q.Encode(), nil, &out)
}

// maxReportCSV bounds a CSV report: 92 days of a few dozen queues is far less.
const maxReportCSV = 16 << 20

// CallReportCSV returns the same report as CSV text.
func (c *Client) CallReportCSV(ctx context.Context, from, to string) (string, error) {
	q := url.Values{"from": {from}, "to": {to}, "format": {"csv"}}
	path := "/reports/calls?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/"+Version+path, nil)
	if err != nil {
		return "", fmt.Errorf("GET %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token())
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("switchboard unreachable: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e Error
		if json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&e) != nil || e.Error == "" {
			e.Error = resp.Status
		}
		return "", &StatusError{Status: resp.StatusCode, Code: e.Code, Msg: e.Error}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxReportCSV))
	if err != nil {
		return "", fmt.Errorf("read report: %w", err)
	}
	return string(b), nil
}
