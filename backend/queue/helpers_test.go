package queue

import (
	"errors"
	"io"
	"log/slog"
	"maps"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// record is one call the engine made to its Offerer.
type record struct {
	Cancel bool
	CallID string
	User   string
	Pickup bool
}

func offered(callID, user string) record   { return record{CallID: callID, User: user} }
func picked(callID, user string) record    { return record{CallID: callID, User: user, Pickup: true} }
func cancelled(callID, user string) record { return record{Cancel: true, CallID: callID, User: user} }

// recorder is an Offerer that records what it is asked to do. onOffer, if
// set, runs inside Offer, as a SIP layer reacting at once would.
type recorder struct {
	mu      sync.Mutex
	log     []record
	onOffer func(Call, Attendant, bool)
}

func (r *recorder) Offer(c Call, to Attendant, pickup bool) {
	r.mu.Lock()
	r.log = append(r.log, record{CallID: c.ID, User: to.Username, Pickup: pickup})
	f := r.onOffer
	r.mu.Unlock()
	if f != nil {
		f(c, to, pickup)
	}
}

func (r *recorder) CancelOffer(callID, username string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, record{Cancel: true, CallID: callID, User: username})
}

// take returns what was recorded since the last take.
func (r *recorder) take() []record {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.log
	r.log = nil
	return l
}

// expect checks the Offerer calls since the last take.
func (r *recorder) expect(t *testing.T, want ...record) {
	t.Helper()
	got := r.take()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("offerer calls:\n got %+v\nwant %+v", got, want)
	}
}

// clock is a fake clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newEngine returns an engine with a recorder, a fake clock and one queue
// "q" that handles everything, closed when the test ends.
func newEngine(t testing.TB, opts ...Option) (*Engine, *recorder, *clock) {
	t.Helper()
	rec, clk := &recorder{}, newClock()
	e := New(rec, append([]Option{WithClock(clk.Now), WithLogger(quiet)}, opts...)...)
	t.Cleanup(e.Close)
	e.AddQueue(QueueConfig{ID: "q", Name: "Reception"})
	return e, rec, clk
}

// login logs an available attendant in, idle since the clock's now.
func login(e *Engine, user string, queues ...string) {
	e.Login(Attendant{Username: user, Name: user, Extension: "1" + user, Queues: queues, Available: true})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustErr(t testing.TB, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
}

// findCall returns the call as a snapshot shows it.
func findCall(t testing.TB, e *Engine, id string) Call {
	t.Helper()
	for _, q := range e.Snapshot().Queues {
		for _, c := range q.Calls {
			if c.ID == id {
				return c
			}
		}
	}
	t.Fatalf("call %s not queued", id)
	return Call{}
}

func findAttendant(t testing.TB, e *Engine, user string) Attendant {
	t.Helper()
	for _, a := range e.Snapshot().Attendants {
		if a.Username == user {
			return a
		}
	}
	t.Fatalf("attendant %s not logged in", user)
	return Attendant{}
}

// mirror is a client's copy of the engine state, built the way a console
// builds it: a snapshot, then events applied in order.
type mirror struct {
	seq        uint64
	queues     map[string]QueueConfig
	calls      map[string]Call
	attendants map[string]Attendant
}

func newMirror(s Snapshot) *mirror {
	m := &mirror{seq: s.Seq, queues: map[string]QueueConfig{}, calls: map[string]Call{}, attendants: map[string]Attendant{}}
	for _, q := range s.Queues {
		m.queues[q.ID] = QueueConfig{ID: q.ID, Name: q.Name, Priority: q.Priority, Mode: q.Mode, StateInfo: q.StateInfo, ServiceGoal: q.ServiceGoal}
		for _, c := range q.Calls {
			m.calls[c.ID] = c
		}
	}
	for _, a := range s.Attendants {
		m.attendants[a.Username] = a
	}
	return m
}

// apply applies one event, failing on a gap or a duplicate.
func (m *mirror) apply(t testing.TB, ev Event) {
	t.Helper()
	if ev.Seq != m.seq+1 {
		t.Fatalf("event %d (%s) after %d", ev.Seq, ev.Type, m.seq)
	}
	m.seq = ev.Seq
	if ev.Queue != nil {
		m.queues[ev.Queue.ID] = *ev.Queue
	}
	if ev.Call != nil {
		switch ev.Type {
		case EventCallTaken, EventCallAbandoned, EventCallForwarded:
			delete(m.calls, ev.Call.ID)
		default:
			m.calls[ev.Call.ID] = *ev.Call
		}
	}
	if ev.Attendant != nil {
		if ev.Type == EventAttendantLeft {
			delete(m.attendants, ev.Attendant.Username)
		} else {
			m.attendants[ev.Attendant.Username] = *ev.Attendant
		}
	}
}

// drain applies every event already delivered to s.
func (m *mirror) drain(t testing.TB, s *Subscription) {
	t.Helper()
	for {
		select {
		case ev, ok := <-s.C:
			if !ok {
				return
			}
			m.apply(t, ev)
		default:
			return
		}
	}
}

// check fails unless the mirror equals the engine's snapshot.
func (m *mirror) check(t testing.TB, s Snapshot) {
	t.Helper()
	want := newMirror(s)
	if m.seq != want.seq {
		t.Fatalf("mirror at seq %d, snapshot at %d", m.seq, want.seq)
	}
	if !maps.EqualFunc(m.calls, want.calls, func(a, b Call) bool { return reflect.DeepEqual(a, b) }) {
		t.Fatalf("mirrored calls differ:\n got %+v\nwant %+v", m.calls, want.calls)
	}
	if !maps.EqualFunc(m.attendants, want.attendants, func(a, b Attendant) bool { return reflect.DeepEqual(a, b) }) {
		t.Fatalf("mirrored attendants differ:\n got %+v\nwant %+v", m.attendants, want.attendants)
	}
	if !maps.Equal(m.queues, want.queues) {
		t.Fatalf("mirrored queues differ:\n got %+v\nwant %+v", m.queues, want.queues)
	}
}
