package queue

// ReasonUnreachable is the Event.Reason of a call that went back to waiting
// because the attendant's phone could not be rung at all.
const ReasonUnreachable = "unreachable"

// OfferUnreachable records that the attendant's phone could not be rung at
// all: no softphone registered and no extension to reach through the PBX.
// Unlike OfferFailed this is no refusal: the call goes back to the queue
// without the attendant in RejectedBy, and the attendant is paused
// (Unreachable) until Reachable, so distribution does not ring nobody in a
// loop. A reservation by the attendant ends, as a paused attendant cannot
// take the call. A report about an offer that has already ended is stale and
// ignored.
func (e *Engine) OfferUnreachable(callID, username string) {
	e.update(func() {
		o, err := e.pending(callID, username)
		if err != nil {
			e.log.Debug("stale unreachable offer", "call", callID, "attendant", username, "err", err)
			return
		}
		e.endOffer(o)
		c := &o.call.call
		if c.ReservedBy == username {
			e.reserveFor(o.call, "")
		}
		e.publish(Event{Type: EventCallUpdated, Call: ptr(c.clone()), By: username, Reason: ReasonUnreachable})
		e.setReachable(o.to, false)
	})
}

// SetReachable tells the engine whether the attendant's phone can be rung:
// the SIP layer calls it with true when their softphone registers, and may
// call it with false when it knows in advance that an offer would find no
// phone (e.g. at login). Unknown attendants are ignored: a phone may register
// before its console logs in.
func (e *Engine) SetReachable(username string, on bool) {
	e.update(func() {
		if at := e.attendants[username]; at != nil {
			e.setReachable(at, on)
		}
	})
}

func (e *Engine) setReachable(at *attendant, on bool) {
	if at.Unreachable == !on {
		return
	}
	at.Unreachable = !on
	e.log.Debug("attendant reachability", "attendant", at.Username, "reachable", on)
	e.publish(Event{Type: EventAttendantUpdated, Attendant: at.view()})
}
