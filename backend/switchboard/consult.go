package switchboard

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/emiago/diago"
)

// Consulted transfer (W9). The attendant bridged to a caller asks the switchboard to
// call a target while the caller hears music on hold; the target's line appears in the
// workspace next to the caller's (its ID is the call's ID + ".consult"). When the
// target answers the attendant and the target talk; Swap toggles whom the attendant
// talks to (the other hears music); Complete joins caller and target and releases the
// attendant (history OutcomeTransferred, Reason "consulted"); CancelConsult, or the
// target hanging up or failing (busy, not found, no answer), hangs up the target and
// returns the attendant to the caller. A caller who hangs up during the consultation
// leaves the attendant talking to the target on the consultation's line.
//
// The target is dialled like a blind transfer's (a registered user, a number via the
// PBX with digest auth, or a sip: URI) and the switchboard stays in the media path:
// every leg is the caller's codec, relayed without transcoding.

// DefaultConsultTimeout is how long a consulted target may ring.
const DefaultConsultTimeout = 30 * time.Second

// consultLeg is the consultation of a bridged call: the target's dialog while it rings
// and while the attendant consults. Its goroutine (consult) owns the dialog until the
// consultation ends, or until Complete hands it over to the call (handed).
type consultLeg struct {
	target  string
	user    string
	started time.Time

	// Guarded by call.mu.
	answered bool
	handed   bool
	out      *diago.DialogClientSession

	stop     chan struct{} // closed to hang up (or stop ringing) the target
	stopOnce sync.Once
	done     chan struct{} // closed when the consult goroutine has finished
}

func (k *consultLeg) hangup() { k.stopOnce.Do(func() { close(k.stop) }) }

// Consult puts the attendant's caller on hold and calls target on a second line (W9).
// It returns once the target is being called; whether it answers shows on the
// consultation's line (line.updated, or line.ended with the reason it failed).
func (s *Switchboard) Consult(ctx context.Context, username, callID, target string) error {
	req := &transferReq{user: username, target: strings.TrimSpace(target), opts: TransferOptions{Timeout: DefaultConsultTimeout}}
	var err error
	req.uri, req.viaPBX, req.noRoute, err = s.transferTarget(req.target)
	if err != nil {
		return fmt.Errorf("consult %s: %q: %w", callID, target, err)
	}
	c, rel, err := s.bridgedTo(ctx, "consult", username, callID)
	if err != nil {
		return err
	}
	k := &consultLeg{target: req.target, user: username, started: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	c.mu.Lock()
	switch {
	case c.consult != nil:
		c.mu.Unlock()
		return fmt.Errorf("consult %s: %w", callID, ErrConsulting)
	case c.link == nil || c.link.xfer != nil:
		c.mu.Unlock()
		return fmt.Errorf("consult %s: %w", callID, ErrNotBridged)
	}
	if err := rel.hold(); err != nil {
		c.mu.Unlock()
		return fmt.Errorf("consult %s: %w", callID, err)
	}
	if !s.begin() {
		c.mu.Unlock()
		return fmt.Errorf("consult %s: %w", callID, ErrNotServing)
	}
	c.consult = k
	link := c.link
	c.mu.Unlock()
	select { // the bridge owner watches the consultation's end from now on
	case link.kick <- struct{}{}:
	default:
	}
	s.syncLines(c, "")
	go func() {
		defer s.wg.Done()
		s.consult(c, k, req, s.log.With("call", c.id, "attendant", username, "consult", req.target))
	}()
	return nil
}

// consult rings the target, connects it to the attendant and waits for the end.
func (s *Switchboard) consult(c *call, k *consultLeg, req *transferReq, log *slog.Logger) {
	defer close(k.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-k.stop:
		case <-s.shutdown:
		case <-ctx.Done():
		}
		cancel()
	}()
	out, outMed, reason := s.ringTarget(ctx, c, req, log)
	if out != nil && ctx.Err() != nil {
		s.dropLeg(out, log) // answered just as the consultation was cancelled
		out = nil
	}
	if out == nil {
		if ctx.Err() != nil {
			reason = "cancelled"
		}
		log.Info("consultation target not reached", "reason", reason)
		s.endConsult(c, k, reason)
		return
	}
	if err := s.connectConsult(c, k, out, outMed); err != nil {
		log.Error("connecting the consulted target failed", "error", err)
		s.dropLeg(out, log)
		s.endConsult(c, k, "error")
		return
	}
	log.Info("consulting")
	s.syncLines(c, "")

	reason = ""
	select {
	case <-out.Context().Done():
		reason = "target hung up"
		log.Info("consulted target hung up")
	case <-k.stop:
	case <-s.shutdown:
	}
	c.mu.Lock()
	handed := k.handed
	c.mu.Unlock()
	if handed {
		return // Complete: the call owns the target's leg now
	}
	hctx, hcancel := context.WithTimeout(context.Background(), hangupTimeout)
	defer hcancel()
	if out.Context().Err() == nil {
		if err := out.Hangup(hctx); err != nil {
			log.Info("BYE to consulted target failed", "error", err)
		}
	}
	closeLog(out, log)
	s.endConsult(c, k, reason)
}

// connectConsult ACKs the answered target and connects it to the attendant.
func (s *Switchboard) connectConsult(c *call, k *consultLeg, out *diago.DialogClientSession, outMed *diago.DialogMedia) error {
	ctx, cancel := context.WithTimeout(context.Background(), hangupTimeout)
	defer cancel()
	if err := out.Ack(ctx); err != nil {
		return fmt.Errorf("ACK to consulted target: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.consult != k {
		return ErrNotConsulting
	}
	if err := c.rel.consultConnect(outMed); err != nil {
		return fmt.Errorf("consulted target media: %w", err)
	}
	k.answered, k.out = true, out
	return nil
}

// endConsult forgets the consultation and returns the attendant to the caller.
func (s *Switchboard) endConsult(c *call, k *consultLeg, reason string) {
	c.mu.Lock()
	if c.consult == k {
		c.consult = nil
		if !c.callerGone {
			c.rel.consultEnd()
		}
	}
	c.mu.Unlock()
	s.syncLines(c, reason)
}

// consultOf returns the attendant's call and its consultation.
func (s *Switchboard) consultOf(ctx context.Context, op, username, callID string) (*call, *consultLeg, error) {
	c, _, err := s.bridgedTo(ctx, op, username, strings.TrimSuffix(callID, consultLineSuffix))
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.consult == nil {
		return nil, nil, fmt.Errorf("%s %s: %w", op, callID, ErrNotConsulting)
	}
	return c, c.consult, nil
}

// Swap toggles whom the attendant talks to during an answered consultation (W9): the
// caller or the target; the other hears music on hold.
func (s *Switchboard) Swap(ctx context.Context, username, callID string) error {
	c, k, err := s.consultOf(ctx, "swap", username, callID)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if !k.answered || c.consult != k || c.callerGone {
		c.mu.Unlock()
		return fmt.Errorf("swap %s: %w", callID, ErrNotConsulting)
	}
	_, err = c.rel.swap()
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("swap %s: %w", callID, err)
	}
	s.syncLines(c, "")
	return nil
}

// CompleteConsult joins the caller and the consulted target (W9) and releases the
// attendant, whose leg gets a BYE. The switchboard stays in the media path.
func (s *Switchboard) CompleteConsult(ctx context.Context, username, callID string) error {
	c, k, err := s.consultOf(ctx, "complete", username, callID)
	if err != nil {
		return err
	}
	req := &transferReq{user: username, target: k.target, consulted: k, started: make(chan struct{})}
	c.mu.Lock()
	switch {
	case !k.answered || c.consult != k || k.out.Context().Err() != nil:
		c.mu.Unlock()
		return fmt.Errorf("complete %s: %w", callID, ErrNotConsulting)
	case c.callerGone || c.closed:
		c.mu.Unlock()
		return fmt.Errorf("complete %s: the caller hung up: %w", callID, ErrNotBridged)
	case c.link == nil || c.link.xfer != nil:
		c.mu.Unlock()
		return fmt.Errorf("complete %s: %w", callID, ErrNotBridged)
	}
	k.handed = true
	c.consult = nil
	c.handOverLocked(req)
	c.mu.Unlock()
	k.hangup() // its goroutine lets go of the target's leg

	select {
	case <-req.started:
		return nil
	case <-c.done:
		return fmt.Errorf("complete %s: call ended during handover: %w", callID, ErrTransferFailed)
	case <-ctx.Done():
		return fmt.Errorf("complete %s: %w: %w", callID, ErrTransferFailed, ctx.Err())
	}
}

// CancelConsult hangs up the consulted target (ringing or answered) and returns the
// attendant to the caller (W9). It returns once the target's leg is gone.
func (s *Switchboard) CancelConsult(ctx context.Context, username, callID string) error {
	c := s.lookupCall(callID)
	if c == nil {
		return fmt.Errorf("cancel consultation %s: %w", callID, ErrNoSuchCall)
	}
	c.mu.Lock()
	k, att := c.consult, c.attendant
	c.mu.Unlock()
	switch {
	case att != username:
		return fmt.Errorf("cancel consultation %s by %s: %w", callID, username, ErrNotYourCall)
	case k == nil:
		return fmt.Errorf("cancel consultation %s: %w", callID, ErrNotConsulting)
	}
	k.hangup()
	select {
	case <-k.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cancel consultation %s: %w", callID, ctx.Err())
	}
}

func (c *call) isCallerGone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.callerGone
}
