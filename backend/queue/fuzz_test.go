package queue

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// FuzzEngine drives the engine with random operation sequences and checks
// its invariants after each one. Every three bytes are one operation: what,
// and two operands picking calls, attendants, queues and flags.
func FuzzEngine(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 12 {
		ops := make([]byte, 3*(8+n*8)) // short seeds mutate and minimize fast
		for i := range ops {
			ops[i] = byte(r.UintN(256))
		}
		f.Add(ops)
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		synctest.Test(t, func(t *testing.T) { newFuzzRun(t).run(ops) })
	})
}

const fuzzTimeout = time.Minute

var (
	fuzzUsers  = []string{"ann", "bob", "cat", "dan"}
	fuzzQueues = []string{"low", "high", "mid"}
)

type fuzzRun struct {
	t    *testing.T
	e    *Engine
	rec  *recorder
	sub  *Subscription
	m    *mirror
	snap Snapshot

	ringing map[string]string // callID → user, as the Offerer was told
	pickups map[string]bool   // callID → whether the ringing offer is a pickup
	held    map[string]string // callID → user who answered it
}

func newFuzzRun(t *testing.T) *fuzzRun {
	rec := &recorder{}
	e := New(rec, WithLogger(quiet), WithOfferTimeout(fuzzTimeout), WithReplay(32), WithSubscriberBuffer(8))
	t.Cleanup(e.Close)
	for i, q := range fuzzQueues {
		e.AddQueue(QueueConfig{ID: q, Name: q, Priority: i})
	}
	sub := e.Subscribe(0)
	return &fuzzRun{
		t: t, e: e, rec: rec, sub: sub, m: newMirror(*sub.Snapshot),
		ringing: map[string]string{}, pickups: map[string]bool{}, held: map[string]string{},
	}
}

func (f *fuzzRun) run(ops []byte) {
	for i := 0; i+2 < len(ops); i += 3 {
		f.snap = f.e.Snapshot()
		f.step(ops[i], ops[i+1], ops[i+2])
		synctest.Wait()
		f.check(fmt.Sprintf("op %d (%d %d %d)", i/3, ops[i], ops[i+1], ops[i+2]))
	}
}

func (f *fuzzRun) step(op, x, y byte) {
	e := f.e
	callID := fmt.Sprint("c", x%8)
	user := fuzzUsers[y%4]
	queueID := fuzzQueues[(x/8)%3]
	switch op % 16 {
	case 0:
		err := e.Enqueue(Call{ID: callID, QueueID: queueID, VIP: y&16 != 0, Priority: int(y/32) % 3})
		f.expect(err, f.queued(callID), ErrExists)
		if err == nil {
			delete(f.held, callID)
		}
	case 1:
		_, err := e.Abandon(callID)
		f.expect(err, !f.queued(callID), f.goneErr(callID))
	case 2:
		var queues []string
		for i, q := range fuzzQueues {
			if x&(1<<i) != 0 {
				queues = append(queues, q)
			}
		}
		e.Login(Attendant{Username: user, Queues: queues, Available: x&8 != 0})
	case 3:
		e.Logout(user)
	case 4:
		err := e.SetAvailable(user, x&1 != 0)
		f.expect(err, !f.online(user), ErrUnknownAttendant)
	case 5:
		c, err := e.Answered(callID, user)
		if ok := f.offeredTo(callID) == user; ok != (err == nil) {
			f.t.Fatalf("Answered(%s, %s) = %v; offered to %q", callID, user, err, f.offeredTo(callID))
		}
		if err == nil {
			if c.ID != callID {
				f.t.Fatalf("answered %+v", c)
			}
			if by, ok := f.held[callID]; ok {
				f.t.Fatalf("call %s answered twice: by %s and %s", callID, by, user)
			}
			f.held[callID] = user
			delete(f.ringing, callID)
		}
	case 6:
		e.OfferFailed(callID, user, "busy")
		if f.ringing[callID] == user {
			delete(f.ringing, callID)
		}
	case 7:
		err := e.Reject(callID, user)
		if ok := f.offeredTo(callID) == user; ok != (err == nil) {
			f.t.Fatalf("Reject(%s, %s) = %v; offered to %q", callID, user, err, f.offeredTo(callID))
		}
	case 8:
		_, err := e.Pickup(callID, user)
		if err != nil && f.online(user) && f.queued(callID) && !errors.Is(err, ErrTaken) {
			f.t.Fatalf("Pickup(%s, %s) = %v", callID, user, err)
		}
	case 9:
		_ = e.Reserve(callID, user)
	case 10:
		f.expect(e.SetNote(callID, fmt.Sprint("note ", y)), !f.queued(callID), f.goneErr(callID))
	case 11:
		err := e.Requeue(Call{ID: callID, QueueID: queueID, ReservedBy: user}, y&1 != 0)
		f.expect(err, f.queued(callID), ErrExists)
		if err == nil {
			delete(f.held, callID)
		}
	case 12:
		e.Release(user)
	case 13:
		time.Sleep(fuzzTimeout)
	case 14:
		_ = e.Unreserve(callID, user)
	case 15:
		f.sub.Close()
		f.sub = e.Subscribe(f.m.seq)
		if f.sub.Snapshot != nil {
			f.m = newMirror(*f.sub.Snapshot)
		}
	}
}

// expect checks an error against what the snapshot before the operation
// says it should be.
func (f *fuzzRun) expect(err error, fails bool, want error) {
	f.t.Helper()
	if fails && !errors.Is(err, want) || !fails && err != nil {
		f.t.Fatalf("error %v; want %v: %v", err, want, fails)
	}
}

// goneErr is the error for a call that is not queued: ErrTaken if it was
// answered, else ErrNotFound.
func (f *fuzzRun) goneErr(callID string) error {
	if _, ok := f.held[callID]; ok {
		return ErrTaken
	}
	return ErrNotFound
}

func (f *fuzzRun) find(callID string) (Call, bool) {
	for _, q := range f.snap.Queues {
		for _, c := range q.Calls {
			if c.ID == callID {
				return c, true
			}
		}
	}
	return Call{}, false
}

func (f *fuzzRun) queued(callID string) bool { _, ok := f.find(callID); return ok }

func (f *fuzzRun) offeredTo(callID string) string { c, _ := f.find(callID); return c.OfferedTo }

func (f *fuzzRun) online(user string) bool {
	return slices.ContainsFunc(f.snap.Attendants, func(a Attendant) bool { return a.Username == user })
}

// check verifies the invariants against a fresh snapshot.
func (f *fuzzRun) check(where string) {
	t := f.t
	snap := f.e.Snapshot()

	// The event stream is gap-free and rebuilds the state (seq strictly
	// increasing is checked by mirror.apply). A lagged subscriber resumes.
	f.m.drain(t, f.sub)
	if f.sub.Lagged() {
		f.sub = f.e.Subscribe(f.m.seq)
		if f.sub.Snapshot != nil {
			f.m = newMirror(*f.sub.Snapshot)
		}
		f.m.drain(t, f.sub)
	}
	f.m.check(t, snap)

	// The Offerer was told exactly what the state says is ringing.
	for _, r := range f.rec.take() {
		switch {
		case r.Cancel && f.ringing[r.CallID] != r.User:
			t.Fatalf("%s: cancel of %s to %s, which was not ringing", where, r.CallID, r.User)
		case r.Cancel:
			delete(f.ringing, r.CallID)
		case f.ringing[r.CallID] != "":
			t.Fatalf("%s: %s offered to %s while ringing %s", where, r.CallID, r.User, f.ringing[r.CallID])
		default:
			f.ringing[r.CallID], f.pickups[r.CallID] = r.User, r.Pickup
		}
	}

	attendants := map[string]Attendant{}
	for _, a := range snap.Attendants {
		attendants[a.Username] = a
	}
	seen := map[string]bool{}
	rung := map[string]string{}
	for _, q := range snap.Queues {
		for i, c := range q.Calls {
			// Each call in one place only.
			if seen[c.ID] || c.QueueID != q.ID {
				t.Fatalf("%s: call %s twice or in the wrong queue", where, c.ID)
			}
			seen[c.ID] = true
			if by, ok := f.held[c.ID]; ok {
				t.Fatalf("%s: call %s both queued and held by %s", where, c.ID, by)
			}
			if i > 0 && inQueueBefore(c, q.Calls[i-1]) {
				t.Fatalf("%s: queue %s out of order: %v", where, q.ID, ids(q.Calls))
			}
			if f.ringing[c.ID] != c.OfferedTo {
				t.Fatalf("%s: %s offered to %q, offerer rings %q", where, c.ID, c.OfferedTo, f.ringing[c.ID])
			}
			if c.OfferedTo == "" {
				continue
			}
			// One offer per attendant, to an attendant allowed to have it.
			a, ok := attendants[c.OfferedTo]
			if !ok || rung[a.Username] != "" {
				t.Fatalf("%s: %s offered to %s, offline or already rung for %s", where, c.ID, a.Username, rung[a.Username])
			}
			rung[a.Username] = c.ID
			if !f.pickups[c.ID] && (!a.Available || a.OnCall ||
				slices.Contains(c.RejectedBy, a.Username) && c.ReservedBy != a.Username) {
				t.Fatalf("%s: %s auto-offered to ineligible %+v: %+v", where, c.ID, a, c)
			}
		}
	}
	for id := range f.ringing {
		if !seen[id] {
			t.Fatalf("%s: offerer still rings %s, which left the queue", where, id)
		}
	}

	// The engine's internal books agree with the state.
	if err := f.books(rung); err != nil {
		t.Fatalf("%s: %v", where, err)
	}

	// No call waits while someone free could take it.
	for _, q := range snap.Queues {
		for _, c := range q.Calls {
			if c.OfferedTo != "" {
				continue
			}
			for _, a := range attendants {
				if !a.Available || a.OnCall || rung[a.Username] != "" {
					continue
				}
				eligible := c.ReservedBy == a.Username ||
					c.ReservedBy == "" && a.handles(c.QueueID) && !slices.Contains(c.RejectedBy, a.Username)
				if eligible {
					t.Fatalf("%s: %s waits while %s is free: %+v", where, c.ID, a.Username, c)
				}
			}
		}
	}
}

// books checks the engine's counters against its state. It must not fail
// the test itself: t.Fatal with the lock held would deadlock the cleanup.
func (f *fuzzRun) books(rung map[string]string) error {
	f.e.mu.Lock()
	defer f.e.mu.Unlock()
	for _, at := range f.e.attendants {
		n := 0
		for _, en := range f.e.calls {
			if en.call.ReservedBy == at.Username {
				n++
			}
		}
		if n != at.reserved || (at.offer != nil) != (rung[at.Username] != "") {
			return fmt.Errorf("%s has %d reservations, counted %d; offer %v", at.Username, n, at.reserved, at.offer != nil)
		}
	}
	if f.e.offers != len(rung) {
		return fmt.Errorf("engine counts %d offers, state has %d", f.e.offers, len(rung))
	}
	return nil
}

// inQueueBefore reports whether a should be served before b, which
// precedes it in the same queue.
func inQueueBefore(a, b Call) bool {
	switch {
	case a.VIP != b.VIP:
		return a.VIP
	case a.Priority != b.Priority:
		return a.Priority > b.Priority
	default:
		return a.EnteredAt.Before(b.EnteredAt)
	}
}
