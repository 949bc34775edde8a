package switchboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"
)

// Park and retrieve (O1). Park releases the attendant (their leg gets a BYE) while the
// caller hears music on hold; the call shows as a parked line to every attendant. Any
// attendant may Retrieve it: their phone is rung with auto-answer headers, as for a
// pickup, and bridged when it answers. Two attendants retrieving at once: the first
// wins, the other gets ErrNotParked. The note stays with the call.

// parkState is a parked call waiting for someone to retrieve it.
type parkState struct {
	by    string
	at    time.Time
	claim chan retrieveReq // the one retrieval in progress; see Retrieve
	// claimed is who is retrieving it now ("" when nobody is); guarded by call.mu.
	claimed string
}

type retrieveReq struct {
	user  string
	reply chan error
}

// Park parks the attendant's bridged call (O1).
func (s *Switchboard) Park(ctx context.Context, username, callID string) error {
	c := s.lookupCall(callID)
	if c == nil {
		return fmt.Errorf("park %s: %w", callID, ErrNoSuchCall)
	}
	req := &transferReq{user: username, park: true, started: make(chan struct{})}
	if err := c.handOver(ctx, "park "+callID, username, req); err != nil {
		return err
	}
	select {
	case <-req.started:
		return nil
	case <-c.done:
		return fmt.Errorf("park %s: call ended: %w", callID, ErrNotBridged)
	case <-ctx.Done():
		return fmt.Errorf("park %s: %w", callID, ctx.Err())
	}
}

// parked owns a parked call: the caller hears the music runTransfer started (c.moh)
// until someone retrieves the call, the caller hangs up, or the switchboard stops.
func (s *Switchboard) parked(c *call, user string, log *slog.Logger) {
	p := &parkState{by: user, at: time.Now(), claim: make(chan retrieveReq, 1)}
	c.mu.Lock()
	c.parked = p
	c.mu.Unlock()
	s.syncLines(c, "")
	log.Info("call parked")
	for {
		var outcome Outcome
		select {
		case <-c.in.Context().Done():
			outcome = OutcomeAbandoned
		case <-c.stop:
			outcome = OutcomeAbandoned
		case <-s.shutdown:
			outcome = OutcomeDropped
		case r := <-p.claim:
			if r.user == "" {
				s.unpark(c, p)
				return
			}
			out, outMed, err := s.ringRetriever(c, r.user, log)
			if err != nil {
				c.mu.Lock()
				p.claimed = ""
				c.mu.Unlock()
				r.reply <- err
				continue
			}
			c.mu.Lock()
			closed := c.closed
			if !closed {
				c.parked = nil
				c.transferring = false
				c.attendant = r.user
				c.connecting = make(chan struct{})
			}
			c.mu.Unlock()
			if closed {
				s.dropLeg(out, log)
				r.reply <- fmt.Errorf("retrieve %s: caller hung up: %w", c.id, ErrNotParked)
				continue // the caller-gone case above ends the call
			}
			r.reply <- nil
			s.engine.Occupy(r.user)
			log.Info("parked call retrieved", "by", r.user)
			s.bridge(c, r.user, out, outMed, log.With("attendant", r.user))
			return
		}
		log.Info("parked call ended", "outcome", outcome)
		c.mu.Lock()
		c.parked = nil
		c.transferring = false
		c.mu.Unlock()
		s.syncLines(c, "caller hung up")
		s.moh.remove(c.moh)
		close(c.done)
		s.record(HistoryEntry{
			CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
			Attendant: user, EnteredAt: c.enteredAt, EndedAt: time.Now(), Outcome: outcome,
			Reason: "while parked", Note: c.getNote(), Direction: c.direction,
		})
		return
	}
}

// Retrieve takes a parked call (O1): the attendant's phone is rung with auto-answer
// headers and bridged to the caller. It returns once the phone answered, or the error.
func (s *Switchboard) Retrieve(ctx context.Context, username, callID string) error {
	c := s.lookupCall(callID)
	if c == nil {
		return fmt.Errorf("retrieve %s: %w", callID, ErrNoSuchCall)
	}
	if _, _, err := s.attendantEndpoint(username); err != nil {
		return fmt.Errorf("retrieve %s by %s: %w", callID, username, err)
	}
	c.mu.Lock()
	p := c.parked
	if p == nil || p.claimed != "" || c.closed {
		c.mu.Unlock()
		return fmt.Errorf("retrieve %s: %w", callID, ErrNotParked)
	}
	p.claimed = username
	c.mu.Unlock()
	r := retrieveReq{user: username, reply: make(chan error, 1)}
	p.claim <- r // buffered, and only the claimer sends
	select {
	case err := <-r.reply:
		return err
	case <-ctx.Done():
		return fmt.Errorf("retrieve %s: %w", callID, ctx.Err())
	}
}

// ringRetriever rings the attendant's phone with auto-answer headers and returns the
// answered (not ACKed) leg.
func (s *Switchboard) ringRetriever(c *call, user string, log *slog.Logger) (*diago.DialogClientSession, *diago.DialogMedia, error) {
	target, viaPBX, err := s.attendantEndpoint(user)
	if err != nil {
		return nil, nil, fmt.Errorf("retrieve %s by %s: %w", c.id, user, err)
	}
	dg, host := s.diago()
	if dg == nil {
		return nil, nil, ErrNotServing
	}
	out, err := dg.NewDialog(target, diago.NewDialogOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("retrieve %s: dialog: %w", c.id, err)
	}
	opts := diago.InviteClientOptions{Originator: c.in, Headers: s.offerHeaders(c, &offerLeg{user: user, pickup: true}, host)}
	if viaPBX {
		opts.Username, opts.Password = s.cfg.PBX.Username, s.cfg.PBX.Password
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.OfferTimeout)
	defer cancel()
	go func() {
		select {
		case <-c.in.Context().Done():
			cancel()
		case <-s.shutdown:
			cancel()
		case <-ctx.Done():
		}
	}()
	outMed, err := out.Invite(ctx, opts)
	if err != nil {
		closeLog(out, log)
		return nil, nil, fmt.Errorf("retrieve %s: your phone did not answer (%s): %w", c.id, failureReason(err, errors.Is(ctx.Err(), context.DeadlineExceeded)), ErrNoEndpoint)
	}
	return out, outMed, nil
}

// attendantEndpoint finds a logged-in attendant's phone.
func (s *Switchboard) attendantEndpoint(user string) (uri sip.Uri, viaPBX bool, err error) {
	for _, a := range s.engine.Snapshot().Attendants {
		if a.Username == user {
			return s.endpoint(a)
		}
	}
	return s.endpoint(queue.Attendant{Username: user})
}
