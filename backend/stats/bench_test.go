package stats

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

// benchService is a service fed directly (no engine goroutine): 10 queues,
// 50 attendants, 200 calls waiting.
func benchService(b *testing.B) *Service {
	st, err := store.Open(filepath.Join(b.TempDir(), "sb.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, paris)
	s := New(nil, st, WithLocation(paris), WithClock(func() time.Time { return now }))
	s.startDay(now)
	snap := queue.Snapshot{}
	for q := range 10 {
		qq := queue.Queue{ID: fmt.Sprint("q", q), Name: fmt.Sprint("Queue ", q)}
		for c := range 20 {
			qq.Calls = append(qq.Calls, queue.Call{ID: fmt.Sprint("w", q, "-", c), QueueID: qq.ID, EnteredAt: now.Add(-time.Duration(c) * time.Second)})
		}
		snap.Queues = append(snap.Queues, qq)
	}
	for a := range 50 {
		snap.Attendants = append(snap.Attendants, queue.Attendant{Username: fmt.Sprint("a", a), Available: true})
	}
	s.applySnapshot(snap)
	return s
}

// One call's life (queued, offered, taken, its line, ended): the work per
// event the statistics add to the switchboard.
func BenchmarkApplyCallLifecycle(b *testing.B) {
	s := benchService(b)
	at := queue.Attendant{Username: "a1", Available: true, OnCall: true}
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, paris)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := queue.Call{ID: fmt.Sprint("c", i), QueueID: "q3", EnteredAt: t0}
		l := queue.Line{ID: c.ID, CallID: c.ID, Attendant: "a1", Direction: queue.LineIn, State: queue.LineActive}
		s.apply(queue.Event{Type: queue.EventCallQueued, Time: t0, Call: &c})
		c.OfferedTo = "a1"
		s.apply(queue.Event{Type: queue.EventCallOffered, Time: t0, Call: &c, Attendant: &at})
		s.apply(queue.Event{Type: queue.EventCallTaken, Time: t0.Add(5 * time.Second), Call: &c, Attendant: &at, By: "a1"})
		s.apply(queue.Event{Type: queue.EventLineUpdated, Time: t0.Add(5 * time.Second), Line: &l})
		s.apply(queue.Event{Type: queue.EventLineEnded, Time: t0.Add(65 * time.Second), Line: &l})
	}
}

// What GET /stats and every pushed message cost.
func BenchmarkSnapshot(b *testing.B) {
	s := benchService(b)
	b.ReportAllocs()
	for b.Loop() {
		s.Snapshot()
	}
}
