package sipua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"
)

// CallerID is who is calling, as the PBX presents it.
type CallerID struct {
	Name   string // display name; may be empty
	Number string // user part of the identity URI
}

// CallState is where a call is in its life.
type CallState int

const (
	Ringing CallState = iota
	Answered
	Ended
)

func (s CallState) String() string {
	switch s {
	case Answered:
		return "answered"
	case Ended:
		return "ended"
	default:
		return "ringing"
	}
}

// Call is one incoming call.
type Call struct {
	// ID is the SIP Call-ID, the handle for Answer and Hangup.
	ID         string
	From       CallerID
	To         string // the dialed user part
	AutoAnswer bool   // the INVITE asked to be answered at once, and was
	ReceivedAt time.Time

	phone *Phone
	d     *diago.DialogServerSession
	log   *slog.Logger

	answerReq chan chan error // Answer asks the call's goroutine, which owns the dialog
	hangupReq chan struct{}
	hangOnce  sync.Once
	done      chan struct{}

	mu        sync.Mutex
	state     CallState
	endReason string
	media     *callMedia
}

// Header returns the first value of a header of the INVITE ("" if absent), e.g. the
// switchboard's X-Concierge-Call-ID.
func (c *Call) Header(name string) string {
	if h := c.d.InviteRequest.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// State is where the call is now.
func (c *Call) State() CallState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// EndReason says why the call ended ("" while it lasts): "remote hangup", "local
// hangup", "caller cancelled", "declined", "phone closed", or an error.
func (c *Call) EndReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endReason
}

// Done is closed when the call has ended and its audio is released.
func (c *Call) Done() <-chan struct{} { return c.done }

// AudioStats reports the receive side of the call's audio (zero before answer).
func (c *Call) AudioStats() AudioStats {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	if m == nil {
		return AudioStats{}
	}
	return m.stats()
}

// Calls lists the calls in progress (ringing or answered).
func (p *Phone) Calls() []*Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Call, 0, len(p.calls))
	for _, c := range p.calls {
		out = append(out, c)
	}
	return out
}

func (p *Phone) call(id string) (*Call, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	c, ok := p.calls[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchCall, id)
	}
	return c, nil
}

// Answer answers a ringing call and connects it to the audio device. It returns
// once the 200 OK is acknowledged (or ctx ends; the answer may still complete).
func (p *Phone) Answer(ctx context.Context, callID string) error {
	c, err := p.call(callID)
	if err != nil {
		return err
	}
	res := make(chan error, 1)
	select {
	case c.answerReq <- res:
	case <-c.done:
		return fmt.Errorf("%w: %q ended", ErrNoSuchCall, callID)
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Hangup ends a call: BYE when answered, 603 Decline while ringing. It returns
// when the call is over, or with ctx's error.
func (p *Phone) Hangup(ctx context.Context, callID string) error {
	c, err := p.call(callID)
	if err != nil {
		return err
	}
	c.hangOnce.Do(func() { close(c.hangupReq) })
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handleInvite owns one incoming call from INVITE to end; diago runs it on its own
// goroutine and ends the dialog when it returns.
func (p *Phone) handleInvite(d *diago.DialogServerSession) {
	req := d.InviteRequest
	c := &Call{
		ID:         req.CallID().Value(),
		From:       callerID(req),
		To:         d.ToUser(),
		AutoAnswer: isAutoAnswer(req),
		ReceivedAt: time.Now(),
		phone:      p,
		d:          d,
		answerReq:  make(chan chan error),
		hangupReq:  make(chan struct{}),
		done:       make(chan struct{}),
	}
	c.log = p.log.With("call", c.ID)

	p.mu.Lock()
	if _, dup := p.calls[c.ID]; dup {
		p.mu.Unlock()
		respond(c, sip.StatusLoopDetected, "Loop Detected")
		return
	}
	p.calls[c.ID] = c
	p.mu.Unlock()
	defer p.finish(c)

	c.log.Info("incoming call", "from", c.From.Number, "name", c.From.Name, "auto_answer", c.AutoAnswer)
	if err := d.Trying(); err != nil {
		c.end("signalling failed: " + err.Error())
		return
	}

	if c.AutoAnswer {
		if err := p.answer(c); err != nil {
			c.end(err.Error())
			return
		}
		p.notifyIncoming(c)
	} else {
		if err := d.Ringing(); err != nil {
			c.end("signalling failed: " + err.Error())
			return
		}
		p.notifyIncoming(c)
		if !p.waitAnswer(c) {
			return
		}
	}

	select {
	case <-d.Context().Done():
		c.end("remote hangup")
	case <-c.hangupReq:
		c.end("local hangup")
		p.bye(c)
	case <-p.closing:
		c.end("phone closed")
		p.bye(c)
	}
}

// waitAnswer waits while the call rings; it reports whether the call was answered.
func (p *Phone) waitAnswer(c *Call) bool {
	for {
		select {
		case res := <-c.answerReq:
			err := p.answer(c)
			res <- err
			if errors.Is(err, ErrAudioBusy) {
				continue // still ringing: the attendant can end the other call first
			}
			if err != nil {
				c.end(err.Error())
				return false
			}
			return true
		case <-c.hangupReq:
			respond(c, 603, "Decline")
			c.end("declined")
			return false
		case <-c.d.Context().Done():
			c.end("caller cancelled")
			return false
		case <-p.closing:
			respond(c, sip.StatusTemporarilyUnavailable, "Temporarily Unavailable")
			c.end("phone closed")
			return false
		}
	}
}

// answer claims the audio, sends 200 OK and starts the media. An auto-answer call
// that arrives while another call has the audio is refused with 486.
func (p *Phone) answer(c *Call) error {
	p.mu.Lock()
	if p.active != nil && p.active != c {
		p.mu.Unlock()
		if c.AutoAnswer {
			respond(c, sip.StatusBusyHere, "Busy Here")
		}
		return ErrAudioBusy
	}
	p.active = c
	p.mu.Unlock()

	release := func() {
		p.mu.Lock()
		if p.active == c {
			p.active = nil
		}
		p.mu.Unlock()
	}
	med, err := c.d.Answer(diago.AnswerOptions{Codecs: answerCodecs(p.codecs, c.d.InviteRequest.Body())})
	if err != nil {
		release()
		return fmt.Errorf("sipua: answering: %w", err)
	}
	m, err := p.startMedia(c, med)
	if err != nil {
		release()
		p.bye(c)
		return err
	}
	c.mu.Lock()
	c.state = Answered
	c.media = m
	c.mu.Unlock()
	c.log.Info("call answered", "codec", m.codec.Name)
	return nil
}

func (p *Phone) notifyIncoming(c *Call) {
	if p.onIncoming != nil {
		p.onIncoming(c)
	}
}

func (p *Phone) bye(c *Call) {
	ctx, cancel := context.WithTimeout(context.Background(), hangupTimeout)
	defer cancel()
	if err := c.d.Hangup(ctx); err != nil {
		c.log.Debug("BYE failed", "error", err)
	}
}

func respond(c *Call, code int, reason string) {
	if err := c.d.Respond(code, reason, nil); err != nil {
		c.log.Debug("responding failed", "code", code, "error", err)
	}
}

// end records why the call ended (first reason wins).
func (c *Call) end(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.endReason == "" {
		c.endReason = reason
	}
}

// finish stops the media, releases the audio and forgets the call.
func (p *Phone) finish(c *Call) {
	c.mu.Lock()
	m := c.media
	c.state = Ended
	c.mu.Unlock()
	if m != nil {
		m.stop()
	}
	p.mu.Lock()
	delete(p.calls, c.ID)
	if p.active == c {
		p.active = nil
	}
	p.mu.Unlock()
	c.log.Info("call ended", "reason", c.EndReason())
	close(c.done)
	if p.onEnded != nil {
		p.onEnded(c)
	}
}
