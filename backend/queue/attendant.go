package queue

import (
	"fmt"
	"slices"
	"time"
)

// Attendant is a logged-in attendant as everyone sees them (L3).
type Attendant struct {
	Username  string    `json:"username"`
	Name      string    `json:"name"`
	Extension string    `json:"extension"`
	Queues    []string  `json:"queues"`    // queue IDs handled; empty = all
	Available bool      `json:"available"` // L4 toggle
	OnCall    bool      `json:"onCall"`    // holding a call from the engine
	IdleSince time.Time `json:"idleSince"`

	// Unreachable: their phone could not be rung (not registered); they are
	// offered no call until it can (see OfferUnreachable).
	Unreachable bool `json:"unreachable,omitempty"`
}

// clone copies a so that the copy shares no memory with the engine's state.
// Queues is never nil, so that clients get a JSON array.
func (a Attendant) clone() Attendant {
	a.Queues = append([]string{}, a.Queues...)
	return a
}

// handles reports whether the attendant serves the queue.
func (a *Attendant) handles(queueID string) bool {
	return len(a.Queues) == 0 || slices.Contains(a.Queues, queueID)
}

// attendant is the engine's record of a logged-in attendant.
type attendant struct {
	Attendant
	offer    *offer // the one offer ringing for them, nil if none
	reserved int    // how many calls are reserved for them
}

// free reports whether distribution may offer the attendant a call: one
// offer at a time, only when available, reachable and not already on a call
// (L4).
func (a *attendant) free() bool {
	return a.Available && !a.Unreachable && !a.OnCall && a.offer == nil
}

func (a *attendant) view() *Attendant {
	v := a.Attendant.clone()
	return &v
}

// Login brings an attendant online; offers start if they are Available. A
// second Login (a console reconnecting, L7) updates name, extension, queues
// and availability but keeps the call and the pending offer they have.
func (e *Engine) Login(a Attendant) {
	if a.Username == "" {
		e.log.Warn("login without username ignored")
		return
	}
	e.update(func() {
		at := e.attendants[a.Username]
		if at == nil {
			at = &attendant{Attendant: a.clone()}
			if at.IdleSince.IsZero() {
				at.IdleSince = e.now()
			}
			e.attendants[a.Username] = at
			e.publish(Event{Type: EventAttendantUpdated, Attendant: at.view()})
			return
		}
		at.Name, at.Extension, at.Queues = a.Name, a.Extension, slices.Clone(a.Queues)
		e.setAvailable(at, a.Available)
		e.publish(Event{Type: EventAttendantUpdated, Attendant: at.view()})
	})
}

// Logout takes an attendant offline (their console is gone). A pending offer
// is cancelled and the call goes back to the queue without counting as a
// rejection; their reservations are released so the calls are served by
// others.
func (e *Engine) Logout(username string) {
	e.update(func() {
		at := e.attendants[username]
		if at == nil {
			return
		}
		if o := at.offer; o != nil {
			e.withdraw(o)
			e.publish(Event{Type: EventCallUpdated, Call: ptr(o.call.call.clone()), Reason: ReasonLogout})
		}
		for en := range serviceOrder(e.queueList) {
			if at.reserved == 0 {
				break
			}
			if en.call.ReservedBy == username {
				e.reserveFor(en, "")
				e.publish(Event{Type: EventCallUpdated, Call: ptr(en.call.clone()), Reason: ReasonUnreserved})
			}
		}
		delete(e.attendants, username)
		e.publish(Event{Type: EventAttendantLeft, Attendant: at.view()})
		e.nobodyLeft(at.Queues)
	})
}

// SetAvailable toggles the attendant's availability (L4). Becoming available
// restarts their idle time, so someone back from a break does not jump the
// line; becoming unavailable withdraws a ringing queue offer (not a pickup
// they asked for) so another attendant gets the call at once.
func (e *Engine) SetAvailable(username string, on bool) error {
	var err error
	e.update(func() {
		at := e.attendants[username]
		if at == nil {
			err = fmt.Errorf("set available: attendant %q: %w", username, ErrUnknownAttendant)
			return
		}
		if e.setAvailable(at, on) {
			e.publish(Event{Type: EventAttendantUpdated, Attendant: at.view()})
		}
	})
	return err
}

func (e *Engine) setAvailable(at *attendant, on bool) (changed bool) {
	if at.Available == on {
		return false
	}
	at.Available = on
	if on && !at.OnCall {
		at.IdleSince = e.now()
	}
	if o := at.offer; !on && o != nil && !o.pickup {
		e.withdraw(o)
		e.publish(Event{Type: EventCallUpdated, Call: ptr(o.call.call.clone()), Reason: ReasonUnavailable})
	}
	return true
}

// Release tells the engine the attendant's call has ended (or left them by
// transfer): they are idle from now and distribution may offer them the next
// call.
func (e *Engine) Release(username string) {
	e.update(func() {
		at := e.attendants[username]
		if at == nil {
			e.log.Debug("release of unknown attendant", "attendant", username)
			return
		}
		at.OnCall = false
		at.IdleSince = e.now()
		e.publish(Event{Type: EventAttendantUpdated, Attendant: at.view()})
	})
}

// freeAttendants lists the attendants distribution may offer a call to,
// longest idle first.
func (e *Engine) freeAttendants() []*attendant {
	free := e.free[:0] // reused: distribution runs after every change
	for _, at := range e.attendants {
		if at.free() {
			free = append(free, at)
		}
	}
	slices.SortFunc(free, idleCmp)
	e.free = free
	return free
}
