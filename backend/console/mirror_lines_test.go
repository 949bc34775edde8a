package console

import (
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
)

// The mirror keeps the switchboard's lines (workspace, parked) from the snapshot and
// line events, so a reloaded UI gets them from Queue.Snapshot.
func TestMirrorLines(t *testing.T) {
	m := NewMirror()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m.Reset(queue.Snapshot{Seq: 3, Lines: []queue.Line{{ID: "a", State: queue.LineActive, StartedAt: t0}}})
	m.Apply(queue.Event{Seq: 4, Type: queue.EventLineUpdated, Line: &queue.Line{ID: "b", State: queue.LineParked, StartedAt: t0.Add(-time.Second)}})
	m.Apply(queue.Event{Seq: 5, Type: queue.EventLineUpdated, Line: &queue.Line{ID: "a", State: queue.LineHeld, StartedAt: t0}})
	s := m.Snapshot()
	if s.Seq != 5 || len(s.Lines) != 2 || s.Lines[0].ID != "b" || s.Lines[1].State != queue.LineHeld {
		t.Fatalf("snapshot = %+v", s)
	}
	m.Apply(queue.Event{Seq: 6, Type: queue.EventLineEnded, Line: &queue.Line{ID: "a"}, Reason: "busy"})
	if s := m.Snapshot(); len(s.Lines) != 1 || s.Lines[0].ID != "b" {
		t.Fatalf("after line.ended: %+v", s.Lines)
	}
	m.Reset(queue.Snapshot{Seq: 9})
	if s := m.Snapshot(); s.Lines == nil || len(s.Lines) != 0 {
		t.Fatalf("after reset: %#v; want an empty list", s.Lines)
	}
}
