package queue

import (
	"testing"
	"time"
)

// Lines travel in the ordered stream: line.updated replaces, line.ended removes, a
// snapshot carries the current ones, and a replayed subscription sees the same events.
func TestLinesInStreamAndSnapshot(t *testing.T) {
	e := New(&recorder{}, WithLogger(quiet))
	defer e.Close()
	sub := e.Subscribe(0)
	defer sub.Close()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e.SetLine(Line{ID: "b", CallID: "b", Attendant: "anna", State: LineActive, Direction: LineIn, StartedAt: t0.Add(time.Second)})
	e.SetLine(Line{ID: "a", CallID: "a", Attendant: "anna", State: LineActive, Direction: LineIn, StartedAt: t0})
	e.SetLine(Line{ID: "a", CallID: "a", Attendant: "anna", State: LineHeld, Direction: LineIn, StartedAt: t0})
	e.EndLine("b", "busy")
	e.EndLine("b", "again") // already gone: no event

	var got []Event
	for range 4 {
		select {
		case ev := <-sub.C:
			got = append(got, ev)
		case <-time.After(time.Second):
			t.Fatalf("got %d events; want 4", len(got))
		}
	}
	want := []struct{ typ, id, state, reason string }{
		{EventLineUpdated, "b", LineActive, ""}, {EventLineUpdated, "a", LineActive, ""},
		{EventLineUpdated, "a", LineHeld, ""}, {EventLineEnded, "b", LineActive, "busy"},
	}
	for i, w := range want {
		ev := got[i]
		if ev.Type != w.typ || ev.Line == nil || ev.Line.ID != w.id || ev.Line.State != w.state || ev.Reason != w.reason {
			t.Errorf("event %d = %s %+v %q; want %+v", i, ev.Type, ev.Line, ev.Reason, w)
		}
	}
	select {
	case ev := <-sub.C:
		t.Errorf("unexpected event %s", ev.Type)
	default:
	}
	snap := e.Snapshot()
	if len(snap.Lines) != 1 || snap.Lines[0].ID != "a" || snap.Lines[0].State != LineHeld {
		t.Errorf("snapshot lines = %+v", snap.Lines)
	}
	replay := e.Subscribe(got[1].Seq)
	defer replay.Close()
	if replay.Snapshot != nil || len(replay.C) != 2 {
		t.Errorf("replay after seq %d: snapshot %v, %d events; want 2 events", got[1].Seq, replay.Snapshot != nil, len(replay.C))
	}
}

// Occupy keeps an attendant on an outgoing or retrieved call out of distribution.
func TestOccupyWithholdsOffers(t *testing.T) {
	r := &recorder{}
	e := New(r, WithLogger(quiet))
	defer e.Close()
	e.AddQueue(QueueConfig{ID: "q"})
	e.Login(Attendant{Username: "anna", Available: true})
	e.Occupy("anna")
	e.Occupy("nobody") // not logged in: ignored
	if err := e.Enqueue(Call{ID: "c1", QueueID: "q"}); err != nil {
		t.Fatal(err)
	}
	r.expect(t)
	e.Release("anna")
	r.expect(t, offered("c1", "anna"))
}
