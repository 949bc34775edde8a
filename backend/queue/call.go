package queue

import (
	"fmt"
	"time"
)

// Call is a caller waiting in a queue, as every attendant sees it (Q1, Q3).
type Call struct {
	ID           string    `json:"id"`
	QueueID      string    `json:"queueId"`
	CallerNumber string    `json:"callerNumber"`
	CallerName   string    `json:"callerName"` // directory name if known, else SIP display name
	EnteredAt    time.Time `json:"enteredAt"`  // set by Enqueue if zero; restarts on recall
	Priority     int       `json:"priority"`   // per-call urgency, higher first
	VIP          bool      `json:"vip"`
	Note         string    `json:"note"`
	OfferedTo    string    `json:"offeredTo"` // username currently rung, "" if none
	Recall       bool      `json:"recall"`
	ReservedBy   string    `json:"reservedBy"` // Q6 "priority in queue"
	RejectedBy   []string  `json:"rejectedBy"`
	// ForwardFailed is set while the call is back in its queue after a queue
	// rule's forward failed (Q9), so attendants see where to and why until
	// someone answers; nil otherwise.
	ForwardFailed *ForwardFailure `json:"forwardFailed,omitempty"`
}

// ForwardFailure is a failed forward: the target dialled and the SIP layer's
// reason ("busy", "no answer", "declined", "unavailable", "not found",
// "unreachable", "timeout", "error", or "<code> <phrase>").
type ForwardFailure struct {
	Target string `json:"target"`
	Reason string `json:"reason"`
}

// clone copies c so that the copy shares no memory with the engine's state.
// RejectedBy is never nil, so that clients get a JSON array.
func (c Call) clone() Call {
	c.RejectedBy = append([]string{}, c.RejectedBy...)
	if f := c.ForwardFailed; f != nil {
		cp := *f
		c.ForwardFailed = &cp
	}
	return c
}

// entry is the engine's record of a call it holds.
type entry struct {
	call    Call
	queue   *queueState
	arrival uint64 // breaks ties between calls that entered at the same instant
	offer   *offer // the pending offer, nil while the call just waits

	overflow  *time.Timer // Q9: forwards the call after the queue's OverflowAfter
	noForward bool        // a forward failed: rules leave the call in the queue
}

// Enqueue adds a new call to its queue and offers it if an attendant is free.
// EnteredAt defaults to now; OfferedTo is the engine's to set and is ignored.
func (e *Engine) Enqueue(c Call) error {
	var err error
	e.update(func() { err = e.add(c, "") })
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

// Requeue puts back a call that had left the queue, e.g. a safe transfer
// that was not answered (W14). Its waiting time restarts (Q3) and earlier
// rejections are forgotten, because the situation is new. To send a recall
// back to the attendant who transferred it, set ReservedBy.
func (e *Engine) Requeue(c Call, recall bool) error {
	var err error
	e.update(func() {
		c.EnteredAt = e.now()
		c.Recall = recall
		c.RejectedBy = nil
		c.ForwardFailed = nil // a new situation
		reason := ReasonRequeue
		if recall {
			reason = ReasonRecall
		}
		err = e.add(c, reason)
	})
	if err != nil {
		return fmt.Errorf("requeue: %w", err)
	}
	return nil
}

func (e *Engine) add(c Call, reason string) error {
	if c.ID == "" {
		return fmt.Errorf("call without ID: %w", ErrInvalid)
	}
	q := e.queues[c.QueueID]
	if q == nil {
		return fmt.Errorf("call %s: queue %q: %w", c.ID, c.QueueID, ErrNotFound)
	}
	if e.calls[c.ID] != nil {
		return fmt.Errorf("call %s: %w", c.ID, ErrExists)
	}
	if c.EnteredAt.IsZero() {
		c.EnteredAt = e.now()
	}
	c.OfferedTo = ""
	reservedBy := c.ReservedBy
	c.ReservedBy = ""
	e.arrivals++
	en := &entry{call: c.clone(), queue: q, arrival: e.arrivals}
	if e.attendants[reservedBy] != nil {
		// A reservation only holds while its attendant is logged in;
		// otherwise nobody would ever be offered the call.
		e.reserveFor(en, reservedBy)
	}
	e.calls[c.ID] = en
	e.ended.forget(c.ID)
	q.insert(en)
	e.publish(Event{Type: EventCallQueued, Call: ptr(en.call.clone()), Reason: reason})
	if reason == "" {
		e.arrived(en)
	} else {
		en.noForward = reason == ReasonForwardFailed
	}
	return nil
}

// Abandon removes a call whose caller hung up while waiting or being
// offered; a pending offer is cancelled.
func (e *Engine) Abandon(callID string) (Call, error) {
	var (
		c   Call
		err error
	)
	e.update(func() {
		en := e.calls[callID]
		if en == nil {
			err = e.missing(callID)
			return
		}
		if en.offer != nil {
			e.withdraw(en.offer)
		}
		e.drop(en, "")
		c = en.call.clone()
		e.publish(Event{Type: EventCallAbandoned, Call: ptr(en.call.clone())})
	})
	if err != nil {
		return Call{}, fmt.Errorf("abandon: %w", err)
	}
	return c, nil
}

// SetNote sets the note attendants share about a call (W13).
func (e *Engine) SetNote(callID, note string) error {
	var err error
	e.update(func() {
		en := e.calls[callID]
		if en == nil {
			err = e.missing(callID)
			return
		}
		en.call.Note = note
		e.publish(Event{Type: EventCallUpdated, Call: ptr(en.call.clone()), Reason: ReasonNote})
	})
	if err != nil {
		return fmt.Errorf("set note: %w", err)
	}
	return nil
}

// Reserve makes the call go to username as soon as they are free to take it
// (Q6), ahead of every other call and even if they rejected it before: the
// reservation is an explicit request, like a pickup. Until then no one else is
// offered the call, though anyone may still pick it up directly. A pending
// offer to someone else is left to ring. The reservation ends when the
// attendant logs out, rejects the call or lets it time out.
func (e *Engine) Reserve(callID, username string) error {
	var err error
	e.update(func() {
		if e.attendants[username] == nil {
			err = fmt.Errorf("attendant %q: %w", username, ErrUnknownAttendant)
			return
		}
		en := e.calls[callID]
		switch {
		case en == nil:
			err = e.missing(callID)
		case en.call.ReservedBy == username:
		case en.call.ReservedBy != "":
			err = fmt.Errorf("call %s reserved by %s: %w", callID, en.call.ReservedBy, ErrReserved)
		case en.offer != nil && en.offer.pickup && en.offer.to.Username != username:
			err = fmt.Errorf("call %s being picked up by %s: %w", callID, en.offer.to.Username, ErrTaken)
		default:
			e.reserveFor(en, username)
			e.publish(Event{Type: EventCallUpdated, Call: ptr(en.call.clone()), Reason: ReasonReserved})
		}
	})
	if err != nil {
		return fmt.Errorf("reserve: %w", err)
	}
	return nil
}

// Unreserve cancels username's reservation of a call, and the offer ringing
// for them because of it, which may have overridden their earlier rejection;
// the call goes back to normal distribution. It is a no-op if the call is not
// reserved.
func (e *Engine) Unreserve(callID, username string) error {
	var err error
	e.update(func() {
		en := e.calls[callID]
		switch {
		case en == nil:
			err = e.missing(callID)
		case en.call.ReservedBy == "":
		case en.call.ReservedBy != username:
			err = fmt.Errorf("call %s reserved by %s: %w", callID, en.call.ReservedBy, ErrReserved)
		default:
			if o := en.offer; o != nil && o.reserved {
				e.withdraw(o)
			}
			e.reserveFor(en, "")
			e.publish(Event{Type: EventCallUpdated, Call: ptr(en.call.clone()), Reason: ReasonUnreserved})
		}
	})
	if err != nil {
		return fmt.Errorf("unreserve: %w", err)
	}
	return nil
}

// drop removes a call from the engine and remembers who took it, if anyone,
// so that a late Answered gets ErrTaken rather than ErrNotFound.
func (e *Engine) drop(en *entry, takenBy string) {
	if en.overflow != nil {
		en.overflow.Stop()
		en.overflow = nil
	}
	if at := e.attendants[en.call.ReservedBy]; at != nil {
		at.reserved--
	}
	en.queue.remove(en)
	delete(e.calls, en.call.ID)
	e.ended.add(en.call.ID, takenBy)
}

// reserveFor sets or clears (user "") the call's reservation, keeping each
// attendant's count of reservations so that distribution can skip the
// reservation pass when no free attendant has any.
func (e *Engine) reserveFor(en *entry, user string) {
	if at := e.attendants[en.call.ReservedBy]; at != nil {
		at.reserved--
	}
	en.call.ReservedBy = user
	if at := e.attendants[user]; at != nil {
		at.reserved++
	}
}

// missing explains why a call is not in the engine.
func (e *Engine) missing(callID string) error {
	if by, ok := e.ended.lookup(callID); ok && by != "" {
		return fmt.Errorf("call %s answered by %s: %w", callID, by, ErrTaken)
	} else if ok {
		return fmt.Errorf("call %s: caller hung up: %w", callID, ErrNotFound)
	}
	return fmt.Errorf("call %s: %w", callID, ErrNotFound)
}

// endedCalls remembers who took the last calls that left the engine, in a
// fixed-size ring, so that callbacks racing with a call's departure get a
// precise error without the memory growing.
type endedCalls struct {
	by   map[string]endedCall
	ring []endedCall
	n    uint64
}

type endedCall struct {
	id      string
	takenBy string // "" if the caller hung up
	n       uint64 // which add this is, so eviction spares a newer record of the same ID
}

func newEndedCalls(size int) endedCalls {
	return endedCalls{by: make(map[string]endedCall), ring: make([]endedCall, max(size, 1))}
}

func (m *endedCalls) add(id, takenBy string) {
	m.n++
	slot := &m.ring[m.n%uint64(len(m.ring))]
	if r, ok := m.by[slot.id]; ok && r.n == slot.n {
		delete(m.by, slot.id)
	}
	*slot = endedCall{id: id, takenBy: takenBy, n: m.n}
	m.by[id] = *slot
}

func (m *endedCalls) lookup(id string) (takenBy string, ok bool) {
	r, ok := m.by[id]
	return r.takenBy, ok
}

func (m *endedCalls) forget(id string) { delete(m.by, id) }

func ptr[T any](v T) *T { return &v }
