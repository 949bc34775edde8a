package switchboard

import (
	"time"
)

// recallLeftCalls sends back to the queue, as recalls, the calls an attendant who went
// offline leaves behind: held calls, calls with a consultation (the target is hung up)
// and calls they parked. A caller is never left on music with nobody to come back.
// Calls they are talking on stay up; they end with a BYE.
func (s *Switchboard) recallLeftCalls(username string) {
	s.mu.Lock()
	calls := make([]*call, 0, len(s.calls))
	for _, c := range s.calls {
		calls = append(calls, c)
	}
	s.mu.Unlock()
	for _, c := range calls {
		c.mu.Lock()
		switch {
		case c.closed:
		case c.attendant == username && c.link != nil && c.link.xfer == nil && c.rel != nil &&
			(c.consult != nil || c.rel.state().held):
			c.link.xfer = &transferReq{user: username, recallNow: "attendant went offline", started: make(chan struct{})}
			c.attendant, c.transferring = "", true
			close(c.link.handover)
		case c.parked != nil && c.parked.by == username && c.parked.claimed == "":
			c.parked.claimed = username
			c.parked.claim <- retrieveReq{reply: make(chan error, 1)} // no user: back to the queue
		}
		c.mu.Unlock()
	}
}

// unpark requeues a parked call as a recall (its parker went offline).
func (s *Switchboard) unpark(c *call, p *parkState) {
	log := s.log.With("call", c.id, "parked_by", p.by)
	c.mu.Lock()
	c.parked = nil
	c.mu.Unlock()
	s.syncLines(c, "recalled")
	xfer := &transferReq{user: p.by, opts: TransferOptions{Safe: true}}
	s.recall(c, xfer, "attendant went offline", func(o Outcome, reason string) HistoryEntry {
		return HistoryEntry{
			CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
			Attendant: p.by, EnteredAt: c.enteredAt, EndedAt: time.Now(), Outcome: o, Reason: reason, Note: c.getNote(), Direction: c.direction,
		}
	}, log)
}
