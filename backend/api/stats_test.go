package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/stats"
	"github.com/concierge-console/concierge/backend/store"
)

func newStatsRig(t *testing.T) *rig {
	t.Helper()
	st, sb := newRigBackend(t, rigUser{"anna", store.RoleAttendant}, rigUser{"sue", store.RoleSupervisor})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	qs := stats.New(sb, st)
	<-qs.Run(ctx)
	srv := httptest.NewTLSServer(NewServer(st, sb, WithOfflineGrace(50*time.Millisecond), WithStats(qs)).Handler())
	t.Cleanup(srv.Close)
	return &rig{srv: srv, sb: sb, store: st}
}

func TestStatsLiveAndPushed(t *testing.T) {
	r := newStatsRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := r.client().Stats(ctx); status(err) != http.StatusUnauthorized {
		t.Fatalf("stats without a session: %v", err)
	}
	anna := r.login(t, "anna", "")
	conn, _, err := dialEvents(ctx, anna, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if err := r.sb.Enqueue(queue.Call{ID: "c1", QueueID: "reception", CallerNumber: "+33100"}); err != nil {
		t.Fatal(err)
	}
	// The stream pushes the figures after a change, outside the event sequence.
	for {
		var m StreamMessage
		if err := readJSON(ctx, conn, &m); err != nil {
			t.Fatal(err)
		}
		if m.Kind == "stats" && len(m.Stats.Queues) == 1 && m.Stats.Queues[0].Waiting == 1 {
			break
		}
	}
	if _, err := r.sb.Abandon("c1"); err != nil {
		t.Fatal(err)
	}
	for {
		s, err := anna.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if q := s.Queues[0]; q.Abandoned == 1 {
			if q.ID != "reception" || q.Name != "Reception" || q.Offered != 1 || q.Waiting != 0 || q.ServiceLevel == nil || *q.ServiceLevel != 0 {
				t.Fatalf("after the caller hung up: %+v", q)
			}
			break
		}
		time.Sleep(10 * time.Millisecond) // the figures follow the engine's stream
	}
}

func TestReportsNeedSupervisor(t *testing.T) {
	r := newStatsRig(t)
	ctx := context.Background()
	day := time.Now().Format(time.DateOnly)
	if _, err := r.store.AddHistory(store.HistoryEntry{CallID: "c1", Direction: "in", QueueID: "reception", Attendant: "anna", Outcome: "answered",
		Started: time.Now().Add(-time.Minute), AnsweredAt: time.Now().Add(-50 * time.Second), Ended: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.client().CallReport(ctx, day, day); status(err) != http.StatusUnauthorized {
		t.Fatalf("report without a session: %v", err)
	}
	if _, err := r.login(t, "anna", "").CallReport(ctx, day, day); status(err) != http.StatusForbidden {
		t.Fatalf("report as attendant: %v", err)
	}
	sue := r.login(t, "sue", "")
	rep, err := sue.CallReport(ctx, day, day)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 1 || rep.Rows[0].QueueName != "Reception" || rep.Rows[0].Answered != 1 || rep.Attendants[0].Name != "Anna" {
		t.Fatalf("report: %+v", rep)
	}
	csv, err := sue.CallReportCSV(ctx, day, day)
	if err != nil {
		t.Fatal(err)
	}
	if want := day + ",reception,Reception,1,1,0,10.0,10,100.0\n"; !strings.HasSuffix(csv, want) || !strings.HasPrefix(csv, "day,queue_id,") {
		t.Fatalf("csv:\n%s", csv)
	}
	_, err = sue.CallReportCSV(ctx, "2026-01-01", "2026-12-31")
	if status(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "at most 92") {
		t.Fatalf("a year: %v", err)
	}
}
