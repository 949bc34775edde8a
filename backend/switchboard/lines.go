package switchboard

import (
	"github.com/concierge-console/concierge/backend/queue"
)

// Workspace lines (W1, W2, O1). Once an attendant takes a call the queue engine forgets
// it, but the switchboard still holds it: it publishes the attendant's lines through the
// engine (queue.Engine.SetLine / EndLine), in the same ordered stream and snapshot as
// the queues, so every console — also one whose attendant talks on a desk phone — shows
// the active, held, consulting and parked calls.
//
// Lines are derived from the call's state, never set piecemeal: every change calls
// syncLines, which computes the call's lines and publishes the difference.

// consultLineSuffix names a consultation's line after its call, so a console that sees
// either line can tell which call it belongs to.
const consultLineSuffix = ".consult"

// linesLocked computes the call's lines; c.mu is held.
func (c *call) linesLocked() []queue.Line {
	var out []queue.Line
	main := queue.Line{
		ID: c.id, CallID: c.id, Attendant: c.attendant, Number: c.callerNumber, Name: c.callerName,
		Direction: queue.LineIn, State: queue.LineActive, Note: c.note, StartedAt: c.answeredAt,
		WaitedMs: c.waited.Milliseconds(),
	}
	if c.direction != "" {
		main.Direction = c.direction
	}
	var st relayState
	if c.rel != nil {
		st = c.rel.state()
	}
	switch {
	case c.parked != nil:
		main.Attendant, main.State, main.StartedAt = c.parked.by, queue.LineParked, c.parked.at
		return append(out, main)
	case c.attendant == "" || c.closed && !c.callerGone:
		return nil // waiting, ringing (the queue shows it), transferring or ending
	}
	main.Muted = st.muted
	if st.held {
		main.State = queue.LineHeld
	}
	if k := c.consult; k != nil {
		cl := queue.Line{
			ID: c.id + consultLineSuffix, CallID: c.id, Attendant: c.attendant, Number: k.target,
			Direction: queue.LineOut, State: queue.LineRinging, StartedAt: k.started,
		}
		switch {
		case !k.answered:
		case st.onTarget:
			cl.State = queue.LineActive
		default:
			cl.State = queue.LineHeld
		}
		if !c.callerGone {
			cl.Peer, main.Peer = main.ID, cl.ID
		}
		out = append(out, cl)
	}
	if !c.callerGone {
		out = append(out, main)
	}
	return out
}

// syncLines publishes what changed in the call's lines since the last time; ended
// lines carry reason.
func (s *Switchboard) syncLines(c *call, reason string) {
	c.lineMu.Lock()
	defer c.lineMu.Unlock()
	c.mu.Lock()
	now := c.linesLocked()
	c.mu.Unlock()
	seen := make(map[string]bool, len(now))
	for _, l := range now {
		seen[l.ID] = true
		if old, ok := c.lines[l.ID]; ok && old == l {
			continue
		}
		if c.lines == nil {
			c.lines = make(map[string]queue.Line)
		}
		c.lines[l.ID] = l
		s.engine.SetLine(l)
	}
	for id := range c.lines {
		if !seen[id] {
			delete(c.lines, id)
			s.engine.EndLine(id, reason)
		}
	}
}

// release tells the engine the attendant is free, unless they still have a line that
// is not parked (a held call, a consultation).
func (s *Switchboard) release(user string) {
	for _, l := range s.engine.Lines() {
		if l.Attendant == user && l.State != queue.LineParked {
			return
		}
	}
	s.engine.Release(user)
}
