package queue

import (
	"fmt"
	"slices"
	"time"
)

// Forwarder is implemented by an Offerer that can send a waiting call to a
// number (Q9): the engine has already taken the call out of the queue. If
// the forward fails the SIP layer puts the call back with ForwardFailed. Like
// Offer it must not block. Without a Forwarder the rules only show state.
type Forwarder interface {
	Forward(call Call, target, reason string)
}

// state is the queue's effective state at now.
func (q *queueState) state(now time.Time) StateInfo {
	switch q.cfg.Mode {
	case ModeEmergency:
		return StateInfo{State: StateEmergency}
	case ModeClosed:
		return StateInfo{State: StateClosed}
	case ModeOpen:
		return StateInfo{State: StateOpen}
	}
	h := q.cfg.Rules.Hours
	if h == nil {
		return StateInfo{State: StateOpen}
	}
	si := StateInfo{State: StateClosed}
	if h.openAt(now, q.loc) {
		si.State = StateOpen
	}
	if next := h.next(now, q.loc); !next.IsZero() {
		si.Until = &next
	}
	return si
}

// queueChanged publishes the queue's config and state and arms the timer that
// republishes it when its opening hours change the state.
func (e *Engine) queueChanged(q *queueState) {
	now := e.now()
	cfg := q.cfg
	cfg.Rules = nil
	cfg.StateInfo = q.state(now)
	cfg.ServiceGoal = q.goal()
	if q.boundary != nil {
		q.boundary.Stop()
		q.boundary = nil
	}
	if u := cfg.Until; u != nil && !e.closed {
		// A second late, so that the hours say the new state when it fires.
		q.boundary = time.AfterFunc(u.Sub(now)+time.Second, func() {
			e.update(func() {
				if !e.closed && e.queues[q.cfg.ID] == q {
					e.queueChanged(q)
				}
			})
		})
	}
	e.publish(Event{Type: EventQueueUpdated, Queue: &cfg})
}

// SetMode sets a queue's mode (a supervisor opening or closing it, or
// declaring an emergency). Emergency needs the queue's EmergencyTarget.
func (e *Engine) SetMode(queueID string, m Mode) error {
	if !ValidMode(m) {
		return fmt.Errorf("set mode %q: %w", m, ErrInvalid)
	}
	var err error
	e.update(func() {
		q := e.queues[queueID]
		switch {
		case q == nil:
			err = fmt.Errorf("set mode: queue %q: %w", queueID, ErrNotFound)
		case m == ModeEmergency && q.cfg.Rules.EmergencyTarget == "":
			err = fmt.Errorf("set mode: queue %q has no emergency number: %w", queueID, ErrInvalid)
		case q.cfg.Mode != m:
			q.cfg.Mode = m
			e.queueChanged(q)
		}
	})
	return err
}

// SetRules replaces a queue's rules; they apply to calls arriving from now on
// (and to the overflow of calls that arrive later).
func (e *Engine) SetRules(queueID string, r Rules) error {
	var err error
	e.update(func() {
		q := e.queues[queueID]
		if q == nil {
			err = fmt.Errorf("set rules: queue %q: %w", queueID, ErrNotFound)
			return
		}
		q.cfg.Rules = &r
		q.loc = nil
		if r.Hours != nil {
			q.loc = r.Hours.location()
		}
		e.queueChanged(q)
	})
	return err
}

// arrived applies the arrival rules to a new call: emergency, closed with
// night service, nobody logged in; else it arms the overflow timer.
func (e *Engine) arrived(en *entry) {
	if _, ok := e.offerer.(Forwarder); !ok {
		return
	}
	q := en.queue
	r := q.cfg.Rules
	switch q.state(e.now()).State {
	case StateEmergency:
		e.forward(en, r.EmergencyTarget, ReasonEmergency)
		return
	case StateClosed:
		if r.WhenClosed == ClosedForward && r.ClosedTarget != "" {
			e.forward(en, r.ClosedTarget, ReasonClosed)
			return
		}
	}
	if r.NoAttendantTarget != "" && !e.anyoneHandles(q.cfg.ID) {
		e.forward(en, r.NoAttendantTarget, ReasonNoAttendant)
		return
	}
	if r.OverflowAfter > 0 && r.OverflowTarget != "" && !e.closed {
		target := r.OverflowTarget
		en.overflow = time.AfterFunc(time.Duration(r.OverflowAfter)*time.Second, func() {
			e.update(func() {
				if e.calls[en.call.ID] == en && !en.noForward && !e.closed {
					e.forward(en, target, ReasonOverflow)
				}
			})
		})
	}
}

// anyoneHandles reports whether a logged-in attendant handles the queue.
func (e *Engine) anyoneHandles(queueID string) bool {
	for _, at := range e.attendants {
		if at.handles(queueID) {
			return true
		}
	}
	return false
}

// nobodyLeft forwards the waiting calls of the queues nobody handles any
// more, after an attendant who handled queues logged out.
func (e *Engine) nobodyLeft(queues []string) {
	if _, ok := e.offerer.(Forwarder); !ok {
		return
	}
	for _, q := range e.queueList {
		t := q.cfg.Rules.NoAttendantTarget
		if t == "" || len(q.calls) == 0 || (len(queues) > 0 && !slices.Contains(queues, q.cfg.ID)) || e.anyoneHandles(q.cfg.ID) {
			continue
		}
		for _, en := range slices.Clone(q.calls) {
			if !en.noForward {
				e.forward(en, t, ReasonNoAttendant)
			}
		}
	}
}

// forward takes a call out of the queue and has the Forwarder send it to
// target; a ringing offer is withdrawn.
func (e *Engine) forward(en *entry, target, reason string) {
	if o := en.offer; o != nil {
		e.withdraw(o)
	}
	e.drop(en, "")
	c := en.call.clone()
	e.log.Info("call forwarded by queue rule", "call", c.ID, "queue", c.QueueID, "target", target, "reason", reason)
	e.publish(Event{Type: EventCallForwarded, Call: ptr(c.clone()), Target: target, Reason: reason})
	e.actions = append(e.actions, func(o Offerer) { o.(Forwarder).Forward(c, target, reason) })
}

// ForwardFailed puts back a call whose forward failed (busy, unknown number):
// nobody is dropped. The rules leave it in the queue from then on, so it is
// not sent round in circles; its waiting time restarts. c.ForwardFailed says
// where to and why (the SIP layer sets it); the call.queued event and every
// later event about the call carry it, so consoles show it until answered.
func (e *Engine) ForwardFailed(c Call) error {
	var err error
	e.update(func() {
		var f ForwardFailure
		if c.ForwardFailed != nil {
			f = *c.ForwardFailed // the caller's copy stays theirs
		}
		c.ForwardFailed = &f
		c.EnteredAt = e.now()
		c.Recall = false
		c.RejectedBy = nil
		err = e.add(c, ReasonForwardFailed)
	})
	if err != nil {
		return fmt.Errorf("forward failed: %w", err)
	}
	return nil
}
