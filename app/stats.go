package app

import (
	"context"

	"github.com/concierge-console/concierge/backend/console"
	"github.com/concierge-console/concierge/backend/stats"
)

// Stats is the wallboard's live queue statistics (Q10) and the supervisors'
// call reports (A3). Changes of the live figures follow as "stats:updated".
type Stats struct {
	ctx context.Context
	c   *console.Console
}

// Today returns today's live statistics.
func (s *Stats) Today() (stats.Snapshot, error) { return s.c.Stats(s.ctx) }

// Report returns the call report of the days from..to (YYYY-MM-DD, included).
func (s *Stats) Report(from, to string) (stats.Report, error) { return s.c.CallReport(s.ctx, from, to) }

// ReportCSV returns the same report as CSV text.
func (s *Stats) ReportCSV(from, to string) (string, error) { return s.c.CallReportCSV(s.ctx, from, to) }
