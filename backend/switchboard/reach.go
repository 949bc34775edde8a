package switchboard

import "github.com/concierge-console/concierge/backend/queue"

// An attendant whose phone cannot be rung (logged in before their softphone
// registered, or its registration expired) is not offered calls: ringing
// nobody is no refusal, so the call must not be marked as rejected by them.
// The engine pauses them (queue.Attendant.Unreachable) until the registrar
// reports a binding.

// login brings the attendant online, paused if no phone of theirs can be rung yet.
func (s *Switchboard) login(a queue.Attendant) {
	_, _, err := s.endpoint(a)
	a.Unreachable = err != nil
	s.engine.Login(a)
	s.engine.SetReachable(a.Username, !a.Unreachable) // a console reconnecting (L7)
	if a.Unreachable {
		s.recheckReachable(a.Username)
	}
}

// unreachable reports an offer that found no phone to ring.
func (s *Switchboard) unreachable(c *call, leg *offerLeg) {
	s.engine.OfferUnreachable(c.id, leg.user)
	s.recheckReachable(leg.user)
}

// recheckReachable closes the race with a REGISTER that landed between the
// endpoint lookup that failed and the engine pausing the attendant: its
// SetReachable(true) came first and was lost.
func (s *Switchboard) recheckReachable(username string) {
	if _, ok := s.reg.lookup(username); ok {
		s.engine.SetReachable(username, true)
	}
}

// phoneRegistered is the registrar's report of a new or refreshed binding.
func (s *Switchboard) phoneRegistered(username string) {
	s.engine.SetReachable(username, true)
	s.registeredPresence(username) // blf.go
}

// phoneUnregistered is the registrar's report that username has no live
// binding any more.
func (s *Switchboard) phoneUnregistered(username string) {
	s.unregisteredPresence(username) // blf.go
}
