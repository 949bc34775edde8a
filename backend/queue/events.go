package queue

import (
	"slices"
	"sync/atomic"
	"time"
)

// Event types. Every event carries the new state of what it is about: Call
// and Attendant are complete values that a client mirror replaces its copy
// with. After call.taken and call.abandoned the call is no longer queued;
// after attendant.left the attendant is offline; after call.forwarded the call
// left the queue for the number a rule names (it may come back with a
// call.queued "forward failed").
const (
	EventCallQueued       = "call.queued"       // a call entered a queue (Reason "recall"/"requeue" when it came back)
	EventCallUpdated      = "call.updated"      // note, reservation, or back to waiting after an offer ended (Reason says why)
	EventCallOffered      = "call.offered"      // the call rings Attendant (Reason "pickup"/"reserved" when not plain distribution)
	EventCallTaken        = "call.taken"        // By answered the call; Attendant is now on a call
	EventCallAbandoned    = "call.abandoned"    // the caller hung up
	EventCallForwarded    = "call.forwarded"    // a queue rule sent the call to Target (Reason: closed, emergency, no attendant, overflow)
	EventAttendantUpdated = "attendant.updated" // logged in, availability, on/off a call
	EventAttendantLeft    = "attendant.left"    // logged out
	EventQueueUpdated     = "queue.updated"     // a queue was added or changed; Queue holds its config
)

// Reasons the engine puts in Event.Reason. OfferFailed passes the SIP
// layer's own reason through.
const (
	ReasonRejected    = "rejected"    // the attendant pressed Reject
	ReasonTimeout     = "timeout"     // the offer rang unanswered for the offer timeout
	ReasonLogout      = "logout"      // the offer was withdrawn because the attendant logged out
	ReasonUnavailable = "unavailable" // the offer was withdrawn because the attendant became unavailable
	ReasonPickup      = "pickup"      // a direct pickup: the offer, or the offer it displaced
	ReasonReserved    = "reserved"    // a reservation was made, or the offer fulfils one
	ReasonUnreserved  = "unreserved"  // a reservation was cancelled
	ReasonNote        = "note"        // the note changed
	ReasonRecall      = "recall"      // the call came back as a recall (W14)
	ReasonRequeue     = "requeue"     // the call came back, not as a recall
)

// Event is one change of engine state. Seq numbers are consecutive, so a
// client can tell it missed nothing. The pointed-to values are shared by all
// subscribers and must be treated as read-only.
type Event struct {
	Seq       uint64       `json:"seq"`
	Type      string       `json:"type"`
	Time      time.Time    `json:"time"`
	Call      *Call        `json:"call,omitempty"`
	Attendant *Attendant   `json:"attendant,omitempty"`
	Queue     *QueueConfig `json:"queue,omitempty"`
	Line      *Line        `json:"line,omitempty"` // line.updated, line.ended
	By        string       `json:"by,omitempty"`
	Target    string       `json:"target,omitempty"` // call.forwarded: where to
	Reason    string       `json:"reason,omitempty"`
	// After says where Call now stands in its queue's service order: the ID
	// of the call just before it, or "" when it is first. Set on call.queued,
	// call.updated and call.offered while the call waits, so that mirrors
	// place calls as the engine does instead of copying its rules.
	After *string `json:"after,omitempty"`
}

// Subscription is an ordered stream of events. If Snapshot is set, the
// stream continues it: the first event has Seq Snapshot.Seq+1. C is closed
// by Close, by Engine.Close, or when the subscriber fell too far behind
// (Lagged); then subscribe again with the last Seq received.
type Subscription struct {
	Snapshot *Snapshot
	C        <-chan Event

	e      *Engine
	ch     chan Event
	lagged atomic.Bool
}

// Lagged reports whether C was closed because the subscriber did not keep
// up. The engine never waits for a subscriber.
func (s *Subscription) Lagged() bool { return s.lagged.Load() }

// Close ends the subscription and closes C. It is safe to call more than
// once and after the engine dropped the subscription.
func (s *Subscription) Close() {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.e.unsubscribe(s)
}

// Subscribe starts a stream of events after since, the last Seq the client
// has. With since 0, or when the events after since are no longer in the
// replay ring (or since is from the future, e.g. the server restarted), the
// subscription starts with a Snapshot instead. Either way the stream has no
// gaps and no duplicates.
func (e *Engine) Subscribe(since uint64) *Subscription {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := &Subscription{e: e}
	missed, ok := e.replay.since(since, e.seq)
	if !ok {
		snap := e.snapshot()
		s.Snapshot = &snap
	}
	s.ch = make(chan Event, len(missed)+e.subBuffer)
	for _, ev := range missed {
		s.ch <- ev
	}
	s.C = s.ch
	if e.closed {
		close(s.ch)
		return s
	}
	e.subs[s] = struct{}{}
	return s
}

// publish numbers an event, keeps it for replay and hands it to every
// subscriber. It is called with the lock held and never blocks: a subscriber
// whose buffer is full is dropped and told so through Lagged.
func (e *Engine) publish(ev Event) {
	e.seq++
	ev.Seq = e.seq
	ev.Time = e.now()
	e.placeCall(&ev)
	e.replay.add(ev)
	for s := range e.subs {
		select {
		case s.ch <- ev:
		default:
			e.log.Warn("subscriber lagging, dropped", "seq", ev.Seq)
			s.lagged.Store(true)
			e.unsubscribe(s)
		}
	}
}

// placeCall sets ev.After for events about a call that is waiting in a queue.
func (e *Engine) placeCall(ev *Event) {
	switch ev.Type {
	case EventCallQueued, EventCallUpdated, EventCallOffered:
	default:
		return
	}
	if ev.Call == nil || ev.After != nil {
		return
	}
	en := e.calls[ev.Call.ID]
	if en == nil || en.queue.cfg.ID != ev.Call.QueueID {
		return
	}
	if i, ok := slices.BinarySearchFunc(en.queue.calls, en, serviceCmp); ok {
		after := ""
		if i > 0 {
			after = en.queue.calls[i-1].call.ID
		}
		ev.After = &after
	}
}

func (e *Engine) unsubscribe(s *Subscription) {
	if _, ok := e.subs[s]; ok {
		delete(e.subs, s)
		close(s.ch)
	}
}

// eventRing keeps the last events for replay.
type eventRing struct {
	buf   []Event
	size  int
	start int // index of the oldest event once buf is full
}

func newEventRing(size int) eventRing { return eventRing{size: max(size, 0)} }

func (r *eventRing) add(ev Event) {
	switch {
	case r.size == 0:
	case len(r.buf) < r.size:
		r.buf = append(r.buf, ev)
	default:
		r.buf[r.start] = ev
		r.start = (r.start + 1) % r.size
	}
}

// since returns the events after seq, given that last is the newest Seq, or
// false if some of them are no longer kept.
func (r *eventRing) since(seq, last uint64) ([]Event, bool) {
	if seq == 0 || seq > last || last-seq > uint64(len(r.buf)) {
		return nil, false
	}
	missed := make([]Event, last-seq)
	first := r.start + len(r.buf) - len(missed)
	for i := range missed {
		missed[i] = r.buf[(first+i)%len(r.buf)]
	}
	return missed, true
}
