package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/stats"
)

// Q10 + A3 with a real SIP caller: while they wait the live figures show
// them; once they hang up unanswered the call counts as abandoned, in the
// live figures, after a restart (rebuilt from the history), and in the report.
func TestStatsOfAnAbandonedCallSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, "stats-pw")
	ctx := context.Background()
	c := signIn(ctx, t, s, "admin", "stats-pw")
	out := placeCall(t, s, "0611223344", 2000)
	waitStats(t, c, out, func(q stats.QueueStats) bool { return q.Waiting == 1 && q.OldestEnteredAt != nil })
	q := waitStats(t, c, out, func(q stats.QueueStats) bool { return q.Abandoned == 1 })
	if q.Offered != 1 || q.Answered != 0 || q.Waiting != 0 || q.ServiceLevel == nil || *q.ServiceLevel != 0 {
		t.Fatalf("after the caller hung up: %+v", q)
	}

	s.Close()
	s = start(t, dir, "")
	defer s.Close()
	c = signIn(ctx, t, s, "admin", "stats-pw")
	snap, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if q := snap.Queues[0]; q.Offered != 1 || q.Abandoned != 1 {
		t.Fatalf("after a restart: %+v", q)
	}
	csv, err := c.CallReportCSV(ctx, snap.Day, snap.Day)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv, "\n"+snap.Day+",reception,") || !strings.HasSuffix(csv, ",1,0,1,0.0,0,0.0\n") {
		t.Fatalf("report:\n%s", csv)
	}
}

// waitStats polls the live figures of the first queue until ok.
func waitStats(t *testing.T, c *api.Client, sipp *strings.Builder, ok func(stats.QueueStats) bool) stats.QueueStats {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		snap, err := c.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Queues) > 0 && ok(snap.Queues[0]) {
			return snap.Queues[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("statistics never matched: %+v; sipp said:\n%s", snap.Queues, sipp)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
