package switchboard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/concierge-console/concierge/backend/queue"
)

// Console commands. The HTTP API calls these with the authenticated username; they
// delegate queue decisions to the engine and do the SIP side. ctx bounds waits for SIP
// (Hangup); engine calls never block on the network.

// AttendantOnline logs the attendant in to the queue engine (their console connected).
// Calls are delivered to the softphone they REGISTER, else to their Extension via the PBX.
func (s *Switchboard) AttendantOnline(ctx context.Context, a queue.Attendant) error {
	if a.Username == "" {
		return fmt.Errorf("attendant online: empty username: %w", queue.ErrInvalid)
	}
	s.login(a)
	return nil
}

// AttendantOffline logs the attendant out: a ringing offer is withdrawn and goes to
// someone else. A call they are talking on stays up; it ends with Hangup or a BYE.
func (s *Switchboard) AttendantOffline(ctx context.Context, username string) error {
	s.engine.Logout(username)
	s.recallLeftCalls(username) // held, consulting and parked calls go back to the queue
	return nil
}

// SetAvailable toggles whether the attendant is offered queue calls (L4).
func (s *Switchboard) SetAvailable(ctx context.Context, username string, available bool) error {
	return s.engine.SetAvailable(username, available)
}

// Answer answers, from the console, a call ringing on the attendant's phone (W5).
//
// Answering on the phone itself (its 200 OK) needs no command. Answer is for the
// attendant who clicks in the console while a desk phone or softphone rings: the
// ringing INVITE is CANCELled and replaced by one carrying auto-answer headers
// (Call-Info answer-after=0, Alert-Info, Answer-Mode), which phones that honour them
// connect at once. It is done as an engine pickup, so a racing answer elsewhere
// still resolves exactly once.
func (s *Switchboard) Answer(ctx context.Context, username, callID string) error {
	c := s.lookupCall(callID)
	if c == nil {
		return fmt.Errorf("answer %s: %w", callID, ErrNoSuchCall)
	}
	c.mu.Lock()
	leg := c.offers[username]
	c.mu.Unlock()
	if leg == nil {
		return fmt.Errorf("answer %s: not ringing for %s: %w", callID, username, queue.ErrNotOffered)
	}
	if leg.pickup {
		return nil // already auto-answering
	}
	if _, err := s.engine.Pickup(callID, username); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	return nil
}

// Reject sends a ringing offer back to the queue; it will not be offered to this
// attendant again (W7). The phone stops ringing (CANCEL).
func (s *Switchboard) Reject(ctx context.Context, username, callID string) error {
	return s.engine.Reject(callID, username)
}

// Pickup takes a waiting call straight from the queue (Q5): the attendant's phone is
// rung with auto-answer headers and the call is bridged when it answers. An attendant
// with no phone to ring gets ErrNoEndpoint at once instead of an offer that fails.
func (s *Switchboard) Pickup(ctx context.Context, username, callID string) (queue.Call, error) {
	if s.lookupCall(callID) == nil {
		return queue.Call{}, fmt.Errorf("pickup %s: %w", callID, ErrNoSuchCall)
	}
	if !s.reachable(username) {
		return queue.Call{}, fmt.Errorf("pickup %s by %s: %w", callID, username, ErrNoEndpoint)
	}
	return s.engine.Pickup(callID, username)
}

// reachable reports whether Offer would find a phone for the attendant.
func (s *Switchboard) reachable(username string) bool {
	for _, a := range s.engine.Snapshot().Attendants {
		if a.Username == username {
			_, _, err := s.endpoint(a)
			return err == nil
		}
	}
	// Not logged in: let the engine say so.
	return true
}

// Reserve asks for the call to go to this attendant as soon as they are free (Q6).
func (s *Switchboard) Reserve(ctx context.Context, username, callID string) error {
	return s.engine.Reserve(callID, username)
}

// SetNote sets the shared note of a waiting call (W13).
func (s *Switchboard) SetNote(ctx context.Context, username, callID, note string) error {
	c := s.lookupCall(callID)
	if err := s.engine.SetNote(callID, note); err != nil && (c == nil || !errors.Is(err, queue.ErrNotFound) && !errors.Is(err, queue.ErrTaken)) {
		return err
	}
	// A call the queue let go of (bridged, held, parked) keeps its note here; its
	// line shows it (W13).
	if c != nil {
		c.mu.Lock()
		c.note = note
		c.mu.Unlock()
		s.syncLines(c, "")
	}
	return nil
}

// Hangup ends the attendant's bridged call (W6): BYE to both sides. It returns when
// both legs are down or ctx is done.
func (s *Switchboard) Hangup(ctx context.Context, username, callID string) error {
	c := s.lookupCall(callID)
	if c == nil {
		if o := s.lookupOutbound(callID); o != nil {
			if o.user != username {
				return fmt.Errorf("hangup %s by %s: %w", callID, username, ErrNotYourCall)
			}
			o.hangup()
			return nil
		}
		return fmt.Errorf("hangup %s: %w", callID, ErrNoSuchCall)
	}
	c.mu.Lock()
	att := c.attendant
	c.mu.Unlock()
	if att != username {
		return fmt.Errorf("hangup %s by %s: %w", callID, username, ErrNotYourCall)
	}
	if strings.HasSuffix(callID, consultLineSuffix) || c.isCallerGone() {
		// Hanging up the consultation returns the attendant to the caller (W9), or,
		// once the caller has left, ends the attendant's line with the target.
		return s.CancelConsult(ctx, username, callID)
	}
	c.hangupBridge()
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("hangup %s: %w", callID, ctx.Err())
	}
}
