// Package queue is the switchboard's queue engine (ACD): it holds the calls
// waiting in every queue and the logged-in attendants, decides which call is
// offered to which attendant, and publishes every change as an ordered event
// stream that consoles mirror (snapshot + events).
//
// It is pure logic: no SIP, no I/O. The SIP layer implements Offerer to ring
// attendants and reports back through Answered, OfferFailed and friends.
package queue

import (
	"cmp"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// Defaults, overridable with options.
const (
	DefaultOfferTimeout     = 20 * time.Second
	DefaultReplay           = 4096
	DefaultSubscriberBuffer = 1024

	// endedMemory is how many departed calls the engine remembers to tell a
	// late Answered "taken" from "caller hung up".
	endedMemory = 4096
)

// Engine is the queue engine. All methods are safe for concurrent use.
type Engine struct {
	offerer      Offerer
	now          func() time.Time
	log          *slog.Logger
	offerTimeout time.Duration
	subBuffer    int

	mu         sync.Mutex
	queues     map[string]*queueState
	queueList  []*queueState // by priority, highest first
	calls      map[string]*entry
	offers     int // pending offers; calls beyond this number are waiting unoffered
	attendants map[string]*attendant
	ended      endedCalls
	free       []*attendant // scratch space for dispatch
	arrivals   uint64
	closed     bool

	seq    uint64
	replay eventRing
	subs   map[*Subscription]struct{}
	lines  map[string]Line // calls handled by attendants, see line.go

	// actions are the Offerer calls decided under the lock, run in order
	// after it is released by whichever goroutine is draining them.
	actions  []func(Offerer)
	draining bool
}

// New returns an engine that rings attendants through o.
func New(o Offerer, opts ...Option) *Engine {
	e := &Engine{
		offerer:      o,
		now:          time.Now,
		log:          slog.Default(),
		offerTimeout: DefaultOfferTimeout,
		subBuffer:    DefaultSubscriberBuffer,
		queues:       make(map[string]*queueState),
		calls:        make(map[string]*entry),
		attendants:   make(map[string]*attendant),
		ended:        newEndedCalls(endedMemory),
		replay:       newEventRing(DefaultReplay),
		subs:         make(map[*Subscription]struct{}),
	}
	for _, opt := range opts {
		opt(e)
	}
	return e
}

// update is how every change happens: f mutates state under the lock,
// distribution then offers whatever it can, and the Offerer calls decided
// meanwhile run after the lock is released, so the SIP layer may call back
// into the engine. They run in decision order even across goroutines: only
// one goroutine drains them at a time, and one that finds another draining
// leaves its actions to it. A re-entrant call from inside Offer therefore
// returns at once and its actions follow.
func (e *Engine) update(f func()) {
	e.mu.Lock()
	f()
	e.dispatch()
	if e.draining {
		e.mu.Unlock()
		return
	}
	e.draining = true
	locked := true
	defer func() { // also when an Offerer panics, so the engine is not wedged
		if !locked {
			e.mu.Lock()
		}
		e.draining = false
		e.mu.Unlock()
	}()
	for len(e.actions) > 0 {
		batch := e.actions
		e.actions = nil
		e.mu.Unlock()
		locked = false
		for _, act := range batch {
			act(e.offerer)
		}
		e.mu.Lock()
		locked = true
	}
}

// dispatch offers waiting calls to free attendants. Reserved calls go first,
// each to its attendant (Q6). Then the calls in service order each go to the
// longest-idle free attendant who handles the queue and has not refused the
// call, so the most urgent call is served first whenever anyone can take it.
//
// It runs after every change, so it skips what cannot match: everything
// when no call waits unoffered, the reservation pass when no free attendant
// has a reservation, and queues no free attendant handles, however many
// calls wait there (a closed queue at night).
func (e *Engine) dispatch() {
	if len(e.calls) == e.offers {
		return // every call is ringing someone already
	}
	free := e.freeAttendants()
	if len(free) == 0 {
		return
	}
	take := func(en *entry, match func(*attendant) bool) {
		if i := slices.IndexFunc(free, match); i >= 0 {
			e.startOffer(en, free[i], false)
			free = slices.Delete(free, i, i+1)
		}
	}
	if slices.ContainsFunc(free, func(a *attendant) bool { return a.reserved > 0 }) {
		for en := range serviceOrder(e.queueList) {
			if en.offer == nil && en.call.ReservedBy != "" {
				take(en, func(a *attendant) bool { return a.Username == en.call.ReservedBy })
				if len(free) == 0 {
					return
				}
			}
		}
	}
	var open []*queueState
	for _, q := range e.queueList {
		if len(q.calls) > 0 && slices.ContainsFunc(free, func(a *attendant) bool { return a.handles(q.cfg.ID) }) {
			open = append(open, q)
		}
	}
	for en := range serviceOrder(open) {
		if en.offer == nil && en.call.ReservedBy == "" {
			take(en, func(a *attendant) bool {
				return a.handles(en.call.QueueID) && !slices.Contains(en.call.RejectedBy, a.Username)
			})
			if len(free) == 0 {
				return
			}
		}
	}
}

// Snapshot is the whole engine state at one point of the event stream.
type Snapshot struct {
	Seq        uint64      `json:"seq"`        // the last event included
	Queues     []Queue     `json:"queues"`     // highest priority first
	Attendants []Attendant `json:"attendants"` // by username
	Lines      []Line      `json:"lines"`      // attendants' calls, oldest first
}

// Snapshot returns the current state. Use Subscribe to get one that an event
// stream continues.
func (e *Engine) Snapshot() Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.snapshot()
}

func (e *Engine) snapshot() Snapshot {
	s := Snapshot{
		Seq:        e.seq,
		Queues:     make([]Queue, len(e.queueList)),
		Attendants: make([]Attendant, 0, len(e.attendants)),
		Lines:      e.lineList(),
	}
	now := e.now()
	for i, q := range e.queueList {
		s.Queues[i] = q.view(now)
	}
	for _, at := range e.attendants {
		s.Attendants = append(s.Attendants, at.Attendant.clone())
	}
	slices.SortFunc(s.Attendants, func(a, b Attendant) int { return cmp.Compare(a.Username, b.Username) })
	return s
}

// Close stops the offer timers and ends every subscription. Pending offers
// are left as they are; the engine should not be used afterwards.
func (e *Engine) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	for _, en := range e.calls {
		if o := en.offer; o != nil && o.timer != nil {
			o.timer.Stop()
		}
		if en.overflow != nil {
			en.overflow.Stop()
		}
	}
	for _, q := range e.queueList {
		if q.boundary != nil {
			q.boundary.Stop()
		}
	}
	for _, s := range slices.Collect(maps.Keys(e.subs)) {
		e.unsubscribe(s)
	}
}
