package queue

import (
	"cmp"
	"slices"
	"time"
)

// Line is a call an attendant handles, as their workspace shows it (W1, W2): once
// taken, a call leaves the queue and lives on in the SIP layer, which reports it here
// so that every console sees it in the same ordered stream as the queues. Parked lines
// (O1) are shown to every attendant. The engine only keeps and publishes lines; it
// decides nothing with them.
type Line struct {
	ID string `json:"id"`
	// CallID is the switchboard call the line belongs to: the line's own ID for the
	// caller's line, the caller's call for a consultation line (W9).
	CallID    string `json:"callId"`
	Attendant string `json:"attendant"` // whose line it is; for a parked line, who parked it
	Number    string `json:"number"`
	Name      string `json:"name"`
	Direction string `json:"direction"` // LineIn or LineOut
	State     string `json:"state"`     // LineRinging, LineActive, LineHeld or LineParked
	// Peer is the other line of a consultation: the consulted target on the caller's
	// line and the caller's line on the target's. Empty otherwise.
	Peer      string    `json:"peer,omitempty"`
	Muted     bool      `json:"muted,omitempty"` // the switchboard drops the attendant's audio (W11)
	Note      string    `json:"note"`
	StartedAt time.Time `json:"startedAt"`
	// WaitedMs is how long the caller waited in the queue before this call was answered
	// (W2: from the queue entry, restarted by a recall, to the answer); it stays with the
	// call when held, parked or retrieved. 0 for a call that never waited in a queue (an
	// outgoing call, a consultation).
	WaitedMs int64 `json:"waitedMs,omitempty"`
}

// Line directions and states.
const (
	LineIn  = "in"
	LineOut = "out"

	LineRinging = "ringing" // an outgoing call or a consultation not answered yet
	LineActive  = "active"  // the attendant talks on it
	LineHeld    = "held"    // the far party hears music on hold
	LineParked  = "parked"  // on hold for every attendant to retrieve (O1)
)

// Line events. line.ended's Reason says why when it is worth telling the
// attendant ("busy", "not found", "unreachable", "caller hung up"...).
const (
	EventLineUpdated = "line.updated"
	EventLineEnded   = "line.ended"
)

// SetLine adds or replaces a line and publishes line.updated.
func (e *Engine) SetLine(l Line) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.lines == nil {
		e.lines = make(map[string]Line)
	}
	e.lines[l.ID] = l
	e.publish(Event{Type: EventLineUpdated, Line: &l})
}

// EndLine removes a line and publishes line.ended with reason. Ending a line
// that is not there does nothing.
func (e *Engine) EndLine(id, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	l, ok := e.lines[id]
	if !ok {
		return
	}
	delete(e.lines, id)
	e.publish(Event{Type: EventLineEnded, Line: &l, Reason: reason})
}

// Lines returns the current lines, oldest first.
func (e *Engine) Lines() []Line {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lineList()
}

func (e *Engine) lineList() []Line {
	out := make([]Line, 0, len(e.lines))
	for _, l := range e.lines {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b Line) int {
		return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Occupy marks a logged-in attendant as on a call that did not come from the
// queue (an outgoing call, a retrieved parked call), so distribution does not
// offer them another until Release.
func (e *Engine) Occupy(username string) {
	e.update(func() {
		at := e.attendants[username]
		if at == nil || at.OnCall {
			return
		}
		at.OnCall = true
		e.publish(Event{Type: EventAttendantUpdated, Attendant: at.view()})
	})
}
