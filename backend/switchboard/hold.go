package switchboard

import (
	"context"
	"fmt"
)

// bridgeLink is an attendant bridge whose media flows. Console commands find it through
// call.link; Transfer hands the call over through it.
type bridgeLink struct {
	user     string
	handover chan struct{} // closed by Transfer, under call.mu, after setting xfer
	xfer     *transferReq  // guarded by call.mu
}

// bridgedTo returns the relay of callID if username is bridged to it, or the reason why
// the command cannot act on it.
func (s *Switchboard) bridgedTo(op, username, callID string) (*call, *relay, error) {
	c := s.lookupCall(callID)
	if c == nil {
		return nil, nil, fmt.Errorf("%s %s: %w", op, callID, ErrNoSuchCall)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.attendant != username {
		return nil, nil, fmt.Errorf("%s %s by %s: %w", op, callID, username, ErrNotYourCall)
	}
	if c.closed || c.link == nil || c.link.user != username || c.rel == nil {
		return nil, nil, fmt.Errorf("%s %s: %w", op, callID, ErrNotBridged)
	}
	return c, c.rel, nil
}

// Hold puts the attendant's bridged call on hold (W10): the caller hears music on hold
// and the attendant hears nothing from the caller (nor the caller from them). The
// attendant's leg stays up; no re-INVITE is sent. Holding a held call is a no-op.
func (s *Switchboard) Hold(ctx context.Context, username, callID string) error {
	_, rel, err := s.bridgedTo("hold", username, callID)
	if err != nil {
		return err
	}
	if err := rel.hold(); err != nil {
		return fmt.Errorf("hold %s: %w", callID, err)
	}
	return nil
}

// Resume takes the call off hold: the music stops and audio flows both ways again.
// Resuming a call that is not held is a no-op.
func (s *Switchboard) Resume(ctx context.Context, username, callID string) error {
	_, rel, err := s.bridgedTo("resume", username, callID)
	if err != nil {
		return err
	}
	if err := rel.resume(); err != nil {
		return fmt.Errorf("resume %s: %w", callID, err)
	}
	return nil
}

// Held reports whether the attendant's call is on hold.
func (s *Switchboard) Held(username, callID string) (bool, error) {
	_, rel, err := s.bridgedTo("held", username, callID)
	if err != nil {
		return false, err
	}
	return rel.isHeld(), nil
}
