package switchboard

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
)

// Forwarding a waiting caller (Q9): the queue engine's rules (night service,
// emergency, nobody logged in, overflow) take a call out of the queue and the
// switchboard dials the rule's target like a blind transfer — through the PBX
// with digest auth for a number, the registered softphone for a username, or a
// sip: URI — while the caller keeps hearing music on hold. The target's answer
// bridges it to the caller (the switchboard stays in the media path); a busy,
// unknown, unreachable or unanswered target puts the call back in the queue
// (Engine.ForwardFailed), so nobody is dropped.

// OutcomeForwarded: a queue rule sent the call to Destination and it answered;
// Reason says which rule ("night service", "emergency", "no attendant",
// "overflow after 120 s").
const OutcomeForwarded Outcome = "forwarded"

// DefaultForwardTimeout is how long a forward target rings before the call
// goes back to the queue.
const DefaultForwardTimeout = 30 * time.Second

var _ queue.Forwarder = (*Switchboard)(nil)

// ValidTarget checks the syntax of a forward or transfer target: a number,
// extension or username, or a sip: URI.
func ValidTarget(target string) bool {
	t := strings.TrimSpace(target)
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "sip:"):
		var s Switchboard
		_, _, _, err := s.transferTarget(t)
		return err == nil
	case strings.HasPrefix(lower, "tel:"):
		t = t[len("tel:"):]
	}
	return dialable(strings.ReplaceAll(t, " ", ""))
}

// SetQueueMode sets a queue's mode live (a supervisor opening, closing or
// declaring an emergency); see queue.Engine.SetMode.
func (s *Switchboard) SetQueueMode(id string, m queue.Mode) error {
	return s.engine.SetMode(id, m)
}

// SetQueueRules replaces a queue's rules live.
func (s *Switchboard) SetQueueRules(id string, r queue.Rules) error {
	return s.engine.SetRules(id, r)
}

// Forward implements queue.Forwarder. It returns at once; the target rings on
// its own goroutine.
func (s *Switchboard) Forward(qc queue.Call, target, reason string) {
	log := s.log.With("call", qc.ID, "queue", qc.QueueID, "forward_to", target, "rule", reason)
	c := s.lookupCall(qc.ID)
	if c == nil {
		log.Info("forward: call already gone")
		return
	}
	c.mu.Lock()
	if c.closed {
		// The caller hung up as the rule fired; the inbound handler's Abandon found
		// the call gone, so record it here.
		c.mu.Unlock()
		s.record(HistoryEntry{
			CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
			EnteredAt: c.enteredAt, EndedAt: time.Now(), Outcome: OutcomeAbandoned, Note: c.getNote(),
		})
		return
	}
	// Like a transfer, the forward owns the call now: a caller who hangs up waits
	// for c.done instead of abandoning a call the engine no longer holds.
	c.transferring = true
	c.mu.Unlock()
	if !s.begin() {
		c.mu.Lock()
		c.transferring = false
		c.mu.Unlock()
		return // shutting down: the inbound handler hangs up
	}
	go func() {
		defer s.wg.Done()
		s.runForward(c, qc, target, ruleText(reason, c.enteredAt), log)
	}()
}

// ruleText is the history reason for a forward.
func ruleText(reason string, entered time.Time) string {
	switch reason {
	case queue.ReasonClosed:
		return "night service"
	case queue.ReasonOverflow:
		return fmt.Sprintf("overflow after %d s", int(time.Since(entered).Round(time.Second)/time.Second))
	}
	return reason
}

// runForward rings the target and bridges it, or puts the call back in the
// queue. It closes c.done unless the call goes back.
func (s *Switchboard) runForward(c *call, qc queue.Call, target, why string, log *slog.Logger) {
	entry := func(o Outcome, reason string) HistoryEntry {
		return HistoryEntry{
			CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
			EnteredAt: c.enteredAt, EndedAt: time.Now(), Outcome: o, Reason: reason, Note: c.getNote(),
			Destination: target,
		}
	}
	c.mu.Lock()
	music := c.moh
	c.mu.Unlock()
	ended := func(e HistoryEntry) {
		s.moh.remove(music)
		close(c.done)
		s.record(e)
	}
	xfer := &transferReq{user: "concierge", target: strings.TrimSpace(target), opts: TransferOptions{Timeout: DefaultForwardTimeout}}
	var err error
	xfer.uri, xfer.viaPBX, xfer.noRoute, err = s.transferTarget(xfer.target)
	if err != nil {
		// Validated when the rules were saved; a bad target is a put-back, not a drop.
		log.Error("forward target unusable", "error", err)
		s.forwardFailed(c, qc, target, "error", entry, log)
		return
	}

	out, outMed := s.ringWhileHolding(c, xfer, "forward", entry, ended, func(reason string) {
		s.forwardFailed(c, qc, target, reason, entry, log)
	}, log)
	if out == nil {
		return
	}
	s.moh.remove(music) // after this returns MOH never writes to the caller again
	if err := s.connect(c, out, outMed); err != nil {
		log.Error("bridging the forward target failed; dropping the call", "error", err)
		s.dropLeg(out, log)
		close(c.done)
		s.record(entry(OutcomeDropped, err.Error()))
		return
	}
	c.mu.Lock()
	rel := c.rel
	c.mu.Unlock()
	log.Info("call forwarded", "reason", why)
	s.record(entry(OutcomeForwarded, why))
	s.talkToTarget(c, rel, out, log)
}

// forwardFailed puts the call back in the queue after a failed forward, saying
// where to and why so attendants see it; the caller never stopped hearing music.
func (s *Switchboard) forwardFailed(c *call, qc queue.Call, target, reason string, entry func(Outcome, string) HistoryEntry, log *slog.Logger) {
	qc.Note = c.getNote()
	qc.ForwardFailed = &queue.ForwardFailure{Target: strings.TrimSpace(target), Reason: reason}
	c.mu.Lock()
	if c.offers == nil {
		c.offers = make(map[string]*offerLeg)
	}
	c.mu.Unlock()
	if err := s.engine.ForwardFailed(qc); err != nil {
		log.Error("putting the call back after a failed forward failed; dropping it", "error", err)
		s.moh.remove(c.moh)
		close(c.done)
		s.record(entry(OutcomeDropped, "forward failed: "+err.Error()))
		return
	}
	log.Info("forward failed; call back in the queue", "reason", reason)
	s.record(entry(OutcomeRecalled, "forward failed: "+reason))
	c.mu.Lock()
	c.transferring = false
	closed := c.closed
	c.mu.Unlock()
	if !closed {
		return
	}
	// The caller hung up meanwhile: the inbound handler waits for c.done.
	s.moh.remove(c.moh)
	_, err := s.engine.Abandon(c.id)
	close(c.done)
	if err == nil {
		s.record(HistoryEntry{
			CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
			EnteredAt: c.enteredAt, EndedAt: time.Now(), Outcome: OutcomeAbandoned, Note: c.getNote(),
		})
	}
}
