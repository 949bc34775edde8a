package queue

import (
	"testing"
	"time"
)

// TestReservation checks Q6: the call waits for its attendant, ahead of
// everything else, even a VIP and even after a rejection.
func TestReservation(t *testing.T) {
	e, rec, clk := newEngine(t)
	login(e, "ann")
	clk.Advance(time.Second)
	login(e, "bob")
	must(t, e.Enqueue(Call{ID: "a1", QueueID: "q"}))
	must(t, e.Enqueue(Call{ID: "b1", QueueID: "q"}))
	rec.expect(t, offered("a1", "ann"), offered("b1", "bob"))
	for _, a := range [][2]string{{"a1", "ann"}, {"b1", "bob"}} {
		_, err := e.Answered(a[0], a[1])
		must(t, err)
	}

	must(t, e.Enqueue(Call{ID: "vip", QueueID: "q", VIP: true}))
	must(t, e.Enqueue(Call{ID: "mine", QueueID: "q"}))
	must(t, e.Reserve("mine", "ann"))
	must(t, e.Reserve("mine", "ann")) // idempotent
	mustErr(t, e.Reserve("mine", "bob"), ErrReserved)
	mustErr(t, e.Reserve("mine", "nobody"), ErrUnknownAttendant)
	mustErr(t, e.Reserve("nothing", "ann"), ErrNotFound)
	if c := findCall(t, e, "mine"); c.ReservedBy != "ann" {
		t.Fatalf("reserved by %q", c.ReservedBy)
	}

	// bob is free first but may not have ann's call.
	clk.Advance(time.Second)
	e.Release("bob")
	rec.expect(t, offered("vip", "bob"))
	must(t, e.Reject("vip", "bob"))
	rec.expect(t, cancelled("vip", "bob"))

	must(t, e.Reserve("vip", "bob")) // an explicit wish overrides his rejection
	rec.expect(t, offered("vip", "bob"))
	e.Release("ann")
	rec.expect(t, offered("mine", "ann"))

	// Refusing a reserved call ends the reservation.
	must(t, e.Reject("mine", "ann"))
	rec.expect(t, cancelled("mine", "ann"))
	if c := findCall(t, e, "mine"); c.ReservedBy != "" {
		t.Fatalf("reservation kept after reject: %+v", c)
	}
}

// TestReservationEndsOnLogout: the call goes back to normal distribution.
func TestReservationEndsOnLogout(t *testing.T) {
	e, rec, _ := newEngine(t)
	e.Login(Attendant{Username: "ann"})
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	must(t, e.Reserve("c1", "ann"))
	login(e, "bob")
	rec.expect(t)
	e.Logout("ann")
	rec.expect(t, offered("c1", "bob"))

	must(t, e.Unreserve("c1", "bob"))
	mustErr(t, e.Unreserve("nothing", "bob"), ErrNotFound)
}

// TestRequeueRecall checks W14's return to the queue: the timer restarts,
// the call is flagged, and a recall can go straight back to its attendant.
func TestRequeueRecall(t *testing.T) {
	e, rec, clk := newEngine(t)
	login(e, "ann")
	login(e, "bob")
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q", Note: "wants sales"}))
	rec.take()
	must(t, e.Reject("c1", "ann"))
	rec.expect(t, cancelled("c1", "ann"), offered("c1", "bob"))
	c, err := e.Answered("c1", "bob")
	must(t, err)

	clk.Advance(time.Minute)
	c.ReservedBy = "bob"
	must(t, e.Requeue(c, true))
	got := findCall(t, e, "c1")
	if !got.Recall || !got.EnteredAt.Equal(clk.Now()) || len(got.RejectedBy) != 0 || got.Note != "wants sales" {
		t.Fatalf("recalled call %+v", got)
	}
	rec.expect(t) // reserved for bob, who is still on a call
	e.Release("bob")
	rec.expect(t, offered("c1", "bob"))
}

// TestEnqueueChecks covers bad input.
func TestEnqueueChecks(t *testing.T) {
	e, _, clk := newEngine(t)
	mustErr(t, e.Enqueue(Call{ID: "c1", QueueID: "nope"}), ErrNotFound)
	mustErr(t, e.Enqueue(Call{QueueID: "q"}), ErrInvalid)
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q", OfferedTo: "ann", ReservedBy: "ghost"}))
	mustErr(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}), ErrExists)
	mustErr(t, e.Requeue(Call{ID: "c1", QueueID: "q"}, false), ErrExists)
	c := findCall(t, e, "c1")
	if c.OfferedTo != "" || c.ReservedBy != "" || !c.EnteredAt.Equal(clk.Now()) {
		t.Fatalf("enqueued %+v", c)
	}
}

// TestSetNote checks W13: the note is shared through the event stream.
func TestSetNote(t *testing.T) {
	e, _, _ := newEngine(t)
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	sub := e.Subscribe(e.Snapshot().Seq)
	defer sub.Close()
	must(t, e.SetNote("c1", "calls back about invoice 42"))
	ev := <-sub.C
	if ev.Type != EventCallUpdated || ev.Call.Note != "calls back about invoice 42" || ev.Reason != ReasonNote {
		t.Fatalf("event %+v", ev)
	}
	mustErr(t, e.SetNote("c2", "x"), ErrNotFound)
}

// TestNamelessIgnored: an empty username or queue ID would alias "no
// reservation" and "no queue"; the engine refuses them.
func TestNamelessIgnored(t *testing.T) {
	e, _, _ := newEngine(t)
	e.Login(Attendant{Available: true})
	e.AddQueue(QueueConfig{Name: "nameless"})
	if s := e.Snapshot(); len(s.Attendants) != 0 || len(s.Queues) != 1 {
		t.Fatalf("snapshot %+v", s)
	}
	mustErr(t, e.Enqueue(Call{ID: "c1"}), ErrNotFound)
}

// TestUnreserveWithdrawsItsOffer: an offer that only a reservation allowed
// (the attendant had rejected the call) stops when the reservation does.
func TestUnreserveWithdrawsItsOffer(t *testing.T) {
	e, rec, _ := newEngine(t)
	login(e, "ann")
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	must(t, e.Reject("c1", "ann"))
	rec.take()
	must(t, e.Reserve("c1", "ann"))
	rec.expect(t, offered("c1", "ann"))
	must(t, e.Unreserve("c1", "ann"))
	rec.expect(t, cancelled("c1", "ann"))
	if c := findCall(t, e, "c1"); c.OfferedTo != "" || c.ReservedBy != "" {
		t.Fatalf("after unreserve: %+v", c)
	}
}
