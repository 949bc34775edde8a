package queue

import (
	"fmt"
	"slices"
	"time"
)

// Offerer rings attendants; the SIP layer implements it. The engine calls it
// without holding its lock and in the order the decisions were made, so an
// implementation may call back into the engine, even from inside Offer.
type Offerer interface {
	// Offer rings the attendant with the call; pickup is true for a direct
	// pickup they asked for (Q5), which the SIP layer may auto-answer. It
	// must not block: the outcome comes back through Engine.Answered or
	// Engine.OfferFailed.
	Offer(call Call, to Attendant, pickup bool)
	// CancelOffer stops ringing: the call was taken elsewhere, the caller
	// hung up, the offer timed out or the attendant left.
	CancelOffer(callID, username string)
}

// offer is one attendant being rung with one call. Its identity tells a
// timeout apart from a later offer of the same call to the same attendant.
type offer struct {
	call     *entry
	to       *attendant
	pickup   bool // asked for by the attendant (Q5)
	reserved bool // made because the call is reserved for the attendant (Q6)
	timer    *time.Timer
}

// startOffer rings at with the call. The caller has checked that neither
// has a pending offer.
func (e *Engine) startOffer(en *entry, at *attendant, pickup bool) {
	o := &offer{call: en, to: at, pickup: pickup, reserved: !pickup && en.call.ReservedBy == at.Username}
	en.offer, at.offer = o, o
	e.offers++
	en.call.OfferedTo = at.Username
	if e.offerTimeout > 0 && !e.closed {
		o.timer = time.AfterFunc(e.offerTimeout, func() { e.expire(o) })
	}
	call, to := en.call.clone(), at.Attendant.clone()
	e.actions = append(e.actions, func(of Offerer) { of.Offer(call, to, pickup) })
	reason := ""
	switch {
	case pickup:
		reason = ReasonPickup
	case o.reserved:
		reason = ReasonReserved
	}
	e.log.Debug("offer", "call", en.call.ID, "attendant", at.Username, "reason", reason)
	e.publish(Event{Type: EventCallOffered, Call: ptr(en.call.clone()), Attendant: at.view(), Reason: reason})
}

// endOffer forgets an offer; the caller publishes what follows. Ending an
// ended offer does nothing, so withdraw and fail compose.
func (e *Engine) endOffer(o *offer) {
	if o.call.offer != o {
		return
	}
	if o.timer != nil {
		o.timer.Stop()
	}
	o.call.offer, o.to.offer = nil, nil
	e.offers--
	o.call.call.OfferedTo = ""
}

// withdraw ends an offer the attendant's phone is still ringing for.
func (e *Engine) withdraw(o *offer) {
	id, user := o.call.call.ID, o.to.Username
	e.actions = append(e.actions, func(of Offerer) { of.CancelOffer(id, user) })
	e.endOffer(o)
}

// fail puts the call of a failed offer back in the queue. The attendant will
// not be offered it again, unless it was a pickup: a failed pickup is not a
// refusal. A reservation by that attendant ends, or the engine would ring
// them forever.
func (e *Engine) fail(o *offer, reason string) {
	e.endOffer(o)
	c, user := &o.call.call, o.to.Username
	if !o.pickup && !slices.Contains(c.RejectedBy, user) {
		c.RejectedBy = append(c.RejectedBy, user)
	}
	if c.ReservedBy == user {
		e.reserveFor(o.call, "")
	}
	e.publish(Event{Type: EventCallUpdated, Call: ptr(c.clone()), By: user, Reason: reason})
}

// expire runs when an offer has rung for the offer timeout.
func (e *Engine) expire(o *offer) {
	e.update(func() {
		if o.call.offer != o {
			return // answered, failed or withdrawn meanwhile
		}
		e.withdraw(o)
		e.fail(o, ReasonTimeout)
	})
}

// pending returns the offer of callID to username, or why there is none.
func (e *Engine) pending(callID, username string) (*offer, error) {
	en := e.calls[callID]
	if en == nil {
		return nil, e.missing(callID)
	}
	switch o := en.offer; {
	case o == nil:
		return nil, fmt.Errorf("call %s to %s: %w", callID, username, ErrNotOffered)
	case o.to.Username == username:
		return o, nil
	case o.pickup:
		return nil, fmt.Errorf("call %s being picked up by %s: %w", callID, o.to.Username, ErrTaken)
	default:
		return nil, fmt.Errorf("call %s offered to %s, not %s: %w", callID, o.to.Username, username, ErrNotOffered)
	}
}

// Answered records that the attendant accepted the offer (W5): the call
// leaves the queue and the attendant is on a call. It succeeds exactly once
// per call; a late or duplicate answer gets ErrTaken, ErrNotOffered or
// ErrNotFound (the caller hung up), and the SIP layer must then drop the
// attendant's leg.
func (e *Engine) Answered(callID, username string) (Call, error) {
	var (
		c   Call
		err error
	)
	e.update(func() {
		var o *offer
		if o, err = e.pending(callID, username); err != nil {
			return
		}
		e.endOffer(o)
		e.drop(o.call, username)
		o.to.OnCall = true
		c = o.call.call.clone()
		e.log.Debug("answered", "call", callID, "attendant", username)
		e.publish(Event{Type: EventCallTaken, Call: ptr(c.clone()), Attendant: o.to.view(), By: username})
	})
	if err != nil {
		return Call{}, fmt.Errorf("answered: %w", err)
	}
	return c, nil
}

// OfferFailed records that an offer was refused, busy or not answered
// (reason is free text from the SIP layer, e.g. "busy"): the call goes back
// to the queue and is never offered to that attendant again (W7), though
// they may still pick it up (Q5). A report about an offer that has already
// ended is stale and ignored.
func (e *Engine) OfferFailed(callID, username, reason string) {
	e.update(func() {
		o, err := e.pending(callID, username)
		if err != nil {
			e.log.Debug("stale offer failure", "call", callID, "attendant", username, "reason", reason, "err", err)
			return
		}
		e.fail(o, reason)
	})
}

// Reject is the attendant pressing Reject on a ringing offer (W7): the
// ringing stops and the call goes back to the queue as in OfferFailed.
func (e *Engine) Reject(callID, username string) error {
	var err error
	e.update(func() {
		var o *offer
		if o, err = e.pending(callID, username); err != nil {
			return
		}
		e.withdraw(o)
		e.fail(o, ReasonRejected)
	})
	if err != nil {
		return fmt.Errorf("reject: %w", err)
	}
	return nil
}

// Pickup offers a waiting call to the attendant who chose it from the queue
// (Q5), whatever its place, even if they rejected it earlier and even while
// busy or unavailable: choosing is explicit. An offer ringing for another
// attendant is withdrawn. If two attendants pick up the same call, the first
// wins and the other gets ErrTaken. An offer ringing for the picker is
// withdrawn first, because an attendant is rung for one call at a time.
func (e *Engine) Pickup(callID, username string) (Call, error) {
	var (
		c   Call
		err error
	)
	e.update(func() {
		at := e.attendants[username]
		if at == nil {
			err = fmt.Errorf("attendant %q: %w", username, ErrUnknownAttendant)
			return
		}
		en := e.calls[callID]
		if en == nil {
			err = e.missing(callID)
			return
		}
		if o := en.offer; o != nil {
			switch {
			case o.to == at && o.pickup:
				c = en.call.clone() // a second click
				return
			case o.to != at && o.pickup:
				err = fmt.Errorf("call %s being picked up by %s: %w", callID, o.to.Username, ErrTaken)
				return
			}
			e.withdraw(o) // the next Offer replaces it, no event needed
		}
		if o := at.offer; o != nil {
			e.withdraw(o)
			e.publish(Event{Type: EventCallUpdated, Call: ptr(o.call.call.clone()), Reason: ReasonPickup})
		}
		e.startOffer(en, at, true)
		c = en.call.clone()
	})
	if err != nil {
		return Call{}, fmt.Errorf("pickup: %w", err)
	}
	return c, nil
}
