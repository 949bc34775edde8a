package queue

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestConcurrentStress runs random operations from many goroutines while an
// Offerer answers or refuses from its own goroutines, as the SIP layer will.
// Under -race it checks the locking; at the end the event stream must still
// rebuild the exact state.
func TestConcurrentStress(t *testing.T) {
	e, rec, _ := newEngine(t, WithSubscriberBuffer(1<<20))
	sub := e.Subscribe(0)
	defer sub.Close()
	m := newMirror(*sub.Snapshot)

	var sip sync.WaitGroup
	rec.onOffer = func(c Call, to Attendant, pickup bool) {
		sip.Go(func() {
			if rand.IntN(3) == 0 {
				e.OfferFailed(c.ID, to.Username, "busy")
				return
			}
			if _, err := e.Answered(c.ID, to.Username); err == nil {
				e.Release(to.Username)
			}
		})
	}
	users := []string{"ann", "bob", "cat", "dan", "eve"}
	var ops sync.WaitGroup
	for g := range 8 {
		ops.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for i := range 400 {
				callID := fmt.Sprint("c", r.IntN(20))
				user := users[r.IntN(len(users))]
				switch r.IntN(9) {
				case 0, 1:
					_ = e.Enqueue(Call{ID: fmt.Sprint("g", g, "-", i), QueueID: "q", VIP: r.IntN(5) == 0})
					_ = e.Enqueue(Call{ID: callID, QueueID: "q"})
				case 2:
					_, _ = e.Abandon(callID)
				case 3:
					login(e, user)
				case 4:
					e.Logout(user)
				case 5:
					_ = e.SetAvailable(user, r.IntN(2) == 0)
				case 6:
					_, _ = e.Pickup(callID, user)
				case 7:
					_ = e.Reserve(callID, user)
				case 8:
					_ = e.Reject(callID, user)
				}
			}
		})
	}
	ops.Wait()
	sip.Wait()
	m.drain(t, sub)
	m.check(t, e.Snapshot())
	if sub.Lagged() {
		t.Fatal("lagged with a huge buffer")
	}
}
