package server

import (
	"testing"

	"github.com/concierge-console/concierge/backend/presence"
	"github.com/concierge-console/concierge/backend/queue"
)

// The attendants as the engine reports them light the hub by username and
// extension: available, ringing while a call is offered, busy on a call,
// away when unavailable, and nothing once logged out.
func TestAttendantFeed(t *testing.T) {
	hub := presence.New()
	f := &attendantFeed{hub: hub, known: map[string]queue.Attendant{}, offered: map[string]string{}}
	carol := queue.Attendant{Username: "carol", Extension: "2001", Available: true}
	expect := func(step string, want presence.State) {
		t.Helper()
		for _, k := range []string{"carol", "2001"} {
			if p := hub.Get(k); p.State != want || (want != presence.Unknown && p.Source != "attendant") {
				t.Fatalf("%s: %s = %+v, want %s", step, k, p, want)
			}
		}
	}
	f.apply(queue.Event{Type: queue.EventAttendantUpdated, Attendant: &carol})
	expect("logged in", presence.Available)
	f.apply(queue.Event{Type: queue.EventCallOffered, Call: &queue.Call{ID: "c1", OfferedTo: "carol"}})
	expect("offered", presence.Ringing)
	onCall := carol
	onCall.OnCall = true
	f.apply(queue.Event{Type: queue.EventCallTaken, Call: &queue.Call{ID: "c1"}, Attendant: &onCall})
	expect("answered", presence.Busy)
	f.apply(queue.Event{Type: queue.EventAttendantUpdated, Attendant: &carol})
	expect("hung up", presence.Available)
	away := carol
	away.Available = false
	f.apply(queue.Event{Type: queue.EventAttendantUpdated, Attendant: &away})
	expect("unavailable", presence.Away)
	f.apply(queue.Event{Type: queue.EventAttendantLeft, Attendant: &away})
	expect("logged out", presence.Unknown)
}
