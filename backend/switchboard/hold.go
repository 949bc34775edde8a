package switchboard

import (
	"context"
	"fmt"
	"time"
)

// bridgeLink is an attendant bridge whose media flows. Console commands find it through
// call.link; Transfer hands the call over through it.
type bridgeLink struct {
	user     string
	handover chan struct{} // closed by Transfer, under call.mu, after setting xfer
	xfer     *transferReq  // guarded by call.mu
	// kick wakes the bridge owner when a consultation starts, so it watches its end.
	kick chan struct{}
}

// bridgedTo returns the relay of callID if username is bridged to it, or the reason why
// the command cannot act on it.
func (s *Switchboard) bridgedTo(ctx context.Context, op, username, callID string) (*call, *relay, error) {
	c := s.lookupCall(callID)
	if c == nil {
		return nil, nil, fmt.Errorf("%s %s: %w", op, callID, ErrNoSuchCall)
	}
	c.awaitLink(ctx, username)
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

// connectWait bounds awaitLink: connecting takes milliseconds; a call still not
// connected after this is reported as not bridged.
const connectWait = 2 * time.Second

// awaitLink waits while the call that username just answered is being connected (the
// ACK and the relay take a moment after the 200 OK the console already shows), so that
// Hold or Transfer clicked at once acts on the call instead of failing.
func (c *call) awaitLink(ctx context.Context, username string) {
	c.mu.Lock()
	ch := c.connecting
	pending := ch != nil && c.attendant == username && c.link == nil && !c.closed
	c.mu.Unlock()
	if !pending {
		return
	}
	t := time.NewTimer(connectWait)
	defer t.Stop()
	select {
	case <-ch:
	case <-ctx.Done():
	case <-t.C:
	}
}

// Hold puts the attendant's bridged call on hold (W10): the caller hears music on hold
// and the attendant hears nothing from the caller (nor the caller from them). The
// attendant's leg stays up; no re-INVITE is sent. Holding a held call is a no-op.
func (s *Switchboard) Hold(ctx context.Context, username, callID string) error {
	if o := s.lookupOutbound(callID); o != nil {
		return ringingOutbound("hold", o, username)
	}
	c, rel, err := s.bridgedTo(ctx, "hold", username, callID)
	if err != nil {
		return err
	}
	if c.consulting() {
		return fmt.Errorf("hold %s: %w", callID, ErrConsulting)
	}
	if err := rel.hold(); err != nil {
		return fmt.Errorf("hold %s: %w", callID, err)
	}
	s.syncLines(c, "")
	return nil
}

// Resume takes the call off hold: the music stops and audio flows both ways again.
// Resuming a call that is not held is a no-op.
func (s *Switchboard) Resume(ctx context.Context, username, callID string) error {
	if o := s.lookupOutbound(callID); o != nil {
		return ringingOutbound("resume", o, username)
	}
	c, rel, err := s.bridgedTo(ctx, "resume", username, callID)
	if err != nil {
		return err
	}
	if c.consulting() {
		return fmt.Errorf("resume %s: %w", callID, ErrConsulting)
	}
	if err := rel.resume(); err != nil {
		return fmt.Errorf("resume %s: %w", callID, err)
	}
	s.syncLines(c, "")
	return nil
}

// Held reports whether the attendant's call is on hold.
func (s *Switchboard) Held(username, callID string) (bool, error) {
	_, rel, err := s.bridgedTo(context.Background(), "held", username, callID)
	if err != nil {
		return false, err
	}
	return rel.isHeld(), nil
}

// Mute drops (on) or passes again the attendant's audio to the caller on the
// switchboard (W11): for attendants on a desk phone, whose microphone the console
// cannot mute. The attendant still hears the caller.
func (s *Switchboard) Mute(ctx context.Context, username, callID string, on bool) error {
	if o := s.lookupOutbound(callID); o != nil {
		return ringingOutbound("mute", o, username)
	}
	c, rel, err := s.bridgedTo(ctx, "mute", username, callID)
	if err != nil {
		return err
	}
	if err := rel.setMuted(on); err != nil {
		return fmt.Errorf("mute %s: %w", callID, err)
	}
	s.syncLines(c, "")
	return nil
}

func (c *call) consulting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.consult != nil
}
