package queue

import (
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestRejectIsNeverReofferedButCanBePickedUp checks W7 and Q5.
func TestRejectIsNeverReofferedButCanBePickedUp(t *testing.T) {
	e, rec, clk := newEngine(t)
	login(e, "ann")
	clk.Advance(time.Second)
	login(e, "bob")
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	rec.expect(t, offered("c1", "ann"))

	must(t, e.Reject("c1", "ann"))
	rec.expect(t, cancelled("c1", "ann"), offered("c1", "bob"))
	e.OfferFailed("c1", "bob", "busy")
	rec.expect(t)
	if c := findCall(t, e, "c1"); c.OfferedTo != "" || !slices.Equal(c.RejectedBy, []string{"ann", "bob"}) {
		t.Fatalf("after two refusals: %+v", c)
	}
	mustErr(t, e.Reject("c1", "ann"), ErrNotOffered)

	// New calls still reach them; c1 never does.
	must(t, e.Enqueue(Call{ID: "c2", QueueID: "q"}))
	rec.expect(t, offered("c2", "ann"))
	must(t, e.Reject("c2", "ann"))
	rec.expect(t, cancelled("c2", "ann"), offered("c2", "bob"))

	// ann changes her mind and picks c1 up directly.
	c, err := e.Pickup("c1", "ann")
	must(t, err)
	if c.OfferedTo != "ann" {
		t.Fatalf("picked up call offered to %q", c.OfferedTo)
	}
	rec.expect(t, picked("c1", "ann"))
	c, err = e.Answered("c1", "ann")
	must(t, err)
	if c.ID != "c1" || !slices.Equal(c.RejectedBy, []string{"ann", "bob"}) {
		t.Fatalf("answered %+v", c)
	}
}

// TestPickupFailureIsNotARejection: a failed pickup (the attendant's phone
// was busy) does not bar the call from them.
func TestPickupFailureIsNotARejection(t *testing.T) {
	e, rec, _ := newEngine(t)
	e.Login(Attendant{Username: "ann"})
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	_, err := e.Pickup("c1", "ann")
	must(t, err)
	rec.expect(t, picked("c1", "ann"))
	e.OfferFailed("c1", "ann", "busy")
	if c := findCall(t, e, "c1"); len(c.RejectedBy) != 0 || c.OfferedTo != "" {
		t.Fatalf("after failed pickup: %+v", c)
	}
	must(t, e.SetAvailable("ann", true))
	rec.expect(t, offered("c1", "ann"))
}

// TestPickupTakesOverAnotherOffer: the attendant who was rung is released
// and gets the next call.
func TestPickupTakesOverAnotherOffer(t *testing.T) {
	e, rec, _ := newEngine(t)
	login(e, "bob")
	e.Login(Attendant{Username: "ann"})
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	must(t, e.Enqueue(Call{ID: "c2", QueueID: "q"}))
	rec.expect(t, offered("c1", "bob"))

	_, err := e.Pickup("c1", "ann")
	must(t, err)
	rec.expect(t, cancelled("c1", "bob"), picked("c1", "ann"), offered("c2", "bob"))
	_, err = e.Pickup("c1", "bob")
	mustErr(t, err, ErrTaken)
	_, err = e.Answered("c1", "bob")
	mustErr(t, err, ErrTaken)
	if c := findCall(t, e, "c1"); len(c.RejectedBy) != 0 {
		t.Fatalf("bob marked as refusing: %+v", c)
	}
	// Picking up while rung for another call returns that call to the queue.
	_, err = e.Pickup("c1", "ann") // a second click changes nothing
	must(t, err)
	rec.expect(t)
	_, err = e.Pickup("c2", "ann")
	must(t, err)
	rec.expect(t, cancelled("c2", "bob"), cancelled("c1", "ann"), picked("c2", "ann"), offered("c1", "bob"))
}

// TestConcurrentPickup: two attendants pick up the same call at once;
// exactly one wins, exactly once.
func TestConcurrentPickup(t *testing.T) {
	for i := range 300 {
		e, rec, _ := newEngine(t)
		login(e, "cat") // the call is ringing for cat when the pickups race
		e.Login(Attendant{Username: "ann"})
		e.Login(Attendant{Username: "bob"})
		must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
		rec.take()

		var (
			start sync.WaitGroup
			done  sync.WaitGroup
			errs  = map[string]error{}
			mu    sync.Mutex
		)
		start.Add(1)
		for _, user := range []string{"ann", "bob"} {
			done.Go(func() {
				start.Wait()
				_, err := e.Pickup("c1", user)
				if err == nil {
					_, err = e.Answered("c1", user)
				}
				mu.Lock()
				errs[user] = err
				mu.Unlock()
			})
		}
		start.Done()
		done.Wait()

		winner, loser := "ann", "bob"
		if errs["ann"] != nil {
			winner, loser = loser, winner
		}
		if errs[winner] != nil {
			t.Fatalf("iteration %d: no winner: %v", i, errs)
		}
		mustErr(t, errs[loser], ErrTaken)
		rec.expect(t, cancelled("c1", "cat"), picked("c1", winner))
		e.Close()
	}
}

// TestOfferTimeout: an unanswered offer is withdrawn after the timeout and
// the call moves on; a late answer is refused.
func TestOfferTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		e := New(rec, WithLogger(quiet), WithOfferTimeout(20*time.Second))
		defer e.Close()
		e.AddQueue(QueueConfig{ID: "q"})
		login(e, "ann")
		time.Sleep(time.Second)
		login(e, "bob")
		must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
		rec.expect(t, offered("c1", "ann"))

		time.Sleep(19 * time.Second)
		synctest.Wait()
		rec.expect(t)
		time.Sleep(time.Second)
		synctest.Wait()
		rec.expect(t, cancelled("c1", "ann"), offered("c1", "bob"))
		_, err := e.Answered("c1", "ann")
		mustErr(t, err, ErrNotOffered)

		// An answered offer's timer is stopped.
		_, err = e.Answered("c1", "bob")
		must(t, err)
		time.Sleep(time.Minute)
		synctest.Wait()
		rec.expect(t)
	})
}

// TestTimeoutAfterRepickIsNotStale: the timer of an ended offer does not
// touch a later offer of the same call to the same attendant.
func TestTimeoutAfterRepickIsNotStale(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		e := New(rec, WithLogger(quiet), WithOfferTimeout(20*time.Second))
		defer e.Close()
		e.AddQueue(QueueConfig{ID: "q"})
		login(e, "ann")
		must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
		time.Sleep(10 * time.Second)
		must(t, e.Reject("c1", "ann"))
		_, err := e.Pickup("c1", "ann")
		must(t, err)
		rec.take()
		time.Sleep(15 * time.Second) // the first offer's deadline passes
		synctest.Wait()
		rec.expect(t)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		rec.expect(t, cancelled("c1", "ann"))
	})
}

// TestLogoutReturnsOfferedCall: the call goes back without counting as a
// rejection, and moves on to the next attendant.
func TestLogoutReturnsOfferedCall(t *testing.T) {
	e, rec, clk := newEngine(t)
	login(e, "ann")
	clk.Advance(time.Second)
	login(e, "bob")
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	rec.expect(t, offered("c1", "ann"))
	sub := e.Subscribe(e.Snapshot().Seq)
	defer sub.Close()

	e.Logout("ann")
	rec.expect(t, cancelled("c1", "ann"), offered("c1", "bob"))
	if c := findCall(t, e, "c1"); len(c.RejectedBy) != 0 {
		t.Fatalf("logout counted as rejection: %+v", c)
	}
	var types []string
	for range 3 {
		types = append(types, (<-sub.C).Type)
	}
	if want := []string{EventCallUpdated, EventAttendantLeft, EventCallOffered}; !slices.Equal(types, want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	_, err := e.Answered("c1", "ann")
	mustErr(t, err, ErrNotOffered)
	mustErr(t, e.SetAvailable("ann", true), ErrUnknownAttendant)
}

// TestAnsweredExactlyOnce covers the answers that must fail.
func TestAnsweredExactlyOnce(t *testing.T) {
	e, rec, _ := newEngine(t)
	login(e, "ann")
	e.Login(Attendant{Username: "bob"})
	must(t, e.Enqueue(Call{ID: "gone", QueueID: "q"}))
	rec.expect(t, offered("gone", "ann"))

	c, err := e.Abandon("gone")
	must(t, err)
	if c.ID != "gone" {
		t.Fatalf("abandoned %+v", c)
	}
	rec.expect(t, cancelled("gone", "ann"))
	_, err = e.Answered("gone", "ann")
	mustErr(t, err, ErrNotFound)
	_, err = e.Abandon("gone")
	mustErr(t, err, ErrNotFound)

	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	_, err = e.Answered("c1", "bob")
	mustErr(t, err, ErrNotOffered)
	_, err = e.Answered("c1", "ann")
	must(t, err)
	_, err = e.Answered("c1", "ann")
	mustErr(t, err, ErrTaken)
	_, err = e.Pickup("c1", "bob")
	mustErr(t, err, ErrTaken)
	_, err = e.Answered("never", "ann")
	mustErr(t, err, ErrNotFound)
}

// TestReentrantOfferer: the SIP layer may answer or refuse from inside Offer
// without deadlock, and the effects follow in order.
func TestReentrantOfferer(t *testing.T) {
	e, rec, _ := newEngine(t)
	var answered []string
	rec.onOffer = func(c Call, to Attendant, _ bool) {
		if to.Username == "ann" {
			e.OfferFailed(c.ID, to.Username, "busy")
			return
		}
		if _, err := e.Answered(c.ID, to.Username); err != nil {
			t.Errorf("answer from inside Offer: %v", err)
		}
		answered = append(answered, c.ID)
	}
	login(e, "ann")
	login(e, "bob")
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	rec.expect(t, offered("c1", "ann"), offered("c1", "bob"))
	if !slices.Equal(answered, []string{"c1"}) || !findAttendant(t, e, "bob").OnCall {
		t.Fatalf("answered %v", answered)
	}
}
