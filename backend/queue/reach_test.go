package queue

import "testing"

// TestUnreachableIsNoRejection: an offer that found no phone to ring puts the
// call back without marking the attendant as a rejecter, pauses them so the
// engine does not ring nobody in a loop, and resumes them once reachable.
func TestUnreachableIsNoRejection(t *testing.T) {
	e, rec, _ := newEngine(t)
	login(e, "ann")
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	rec.expect(t, offered("c1", "ann"))

	e.OfferUnreachable("c1", "ann")
	rec.expect(t) // not offered again at once
	if c := findCall(t, e, "c1"); len(c.RejectedBy) != 0 || c.OfferedTo != "" {
		t.Fatalf("after an unreachable offer: %+v", c)
	}
	if a := findAttendant(t, e, "ann"); !a.Unreachable {
		t.Fatalf("ann not paused: %+v", a)
	}
	must(t, e.Enqueue(Call{ID: "c2", QueueID: "q"}))
	login(e, "bob")
	rec.expect(t, offered("c1", "bob"))

	e.SetReachable("ann", true)
	rec.expect(t, offered("c2", "ann"))
	if a := findAttendant(t, e, "ann"); a.Unreachable {
		t.Fatalf("ann still paused: %+v", a)
	}
	e.OfferUnreachable("c2", "bob") // stale: c2 rings ann
	if c := findCall(t, e, "c2"); c.OfferedTo != "ann" {
		t.Fatalf("stale report changed the offer: %+v", c)
	}
}

// TestUnreachableAtLoginWaitsForRegistration: an attendant who logs in
// paused is offered nothing until reachable, and a reservation they hold
// ends when their phone cannot be rung, so others serve the call.
func TestUnreachableAtLoginWaitsForRegistration(t *testing.T) {
	e, rec, _ := newEngine(t)
	e.Login(Attendant{Username: "ann", Available: true, Unreachable: true})
	e.SetReachable("nobody", true) // a phone registering before its console logs in
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	rec.expect(t)

	e.SetReachable("ann", true)
	rec.expect(t, offered("c1", "ann"))
	must(t, e.Reserve("c1", "ann"))
	e.OfferUnreachable("c1", "ann")
	login(e, "bob")
	rec.expect(t, offered("c1", "bob"))
	if c := findCall(t, e, "c1"); c.ReservedBy != "" || len(c.RejectedBy) != 0 {
		t.Fatalf("after an unreachable reserved offer: %+v", c)
	}
}
