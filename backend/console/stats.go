package console

import (
	"context"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/stats"
)

// Statistics (Q10) and call reports (A3). The switchboard computes both; the
// live figures then follow on the event stream as "stats:updated" events.

// Stats returns today's live queue statistics.
func (c *Console) Stats(ctx context.Context) (stats.Snapshot, error) {
	cl, _, err := c.api()
	if err != nil {
		return stats.Snapshot{}, err
	}
	s, err := cl.Stats(ctx)
	return s, unwrap(err)
}

// CallReport returns the call report of the days from..to (YYYY-MM-DD, to
// included). Supervisors only: the switchboard refuses others.
func (c *Console) CallReport(ctx context.Context, from, to string) (stats.Report, error) {
	cl, _, err := c.api()
	if err != nil {
		return stats.Report{}, err
	}
	r, err := cl.CallReport(ctx, from, to)
	return r, unwrap(err)
}

// CallReportCSV returns the same report as CSV text, for the user to save.
func (c *Console) CallReportCSV(ctx context.Context, from, to string) (string, error) {
	cl, _, err := c.api()
	if err != nil {
		return "", err
	}
	s, err := cl.CallReportCSV(ctx, from, to)
	return s, unwrap(err)
}

// Stats forwards the switchboard's live statistics to the front-end.
func (f *follower) Stats(s stats.Snapshot) {
	f.c.emit.Emit("stats:updated", s)
}

var _ api.StatsHandler = (*follower)(nil)
