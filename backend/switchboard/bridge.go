package switchboard

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
)

// bridge connects the caller with the attendant leg that just answered (200 OK received,
// not yet ACKed) and owns the bridged call until either side ends it or the attendant
// transfers it. It runs on the winning offer's goroutine; the inbound handler waits for
// c.done, which a transfer closes instead when it has taken the call over.
func (s *Switchboard) bridge(c *call, user string, out *diago.DialogClientSession, outMed *diago.DialogMedia, log *slog.Logger) {
	// c.done lets the inbound handler hang up the caller; it must not wait for history.
	finished := sync.OnceFunc(func() { close(c.done) })
	var xfer *transferReq
	defer func() {
		if xfer == nil {
			finished()
		}
	}()
	answeredAt := time.Now()
	c.mu.Lock()
	waitMusic := c.moh
	c.mu.Unlock()
	s.moh.remove(waitMusic) // after this returns MOH never writes to the caller again

	err := s.connect(c, out, outMed)
	outcome, reason := OutcomeAnswered, ""
	if err != nil {
		log.Error("bridging failed; dropping the call", "error", err)
		outcome, reason = OutcomeDropped, err.Error()
		c.mu.Lock()
		close(c.connecting)
		c.mu.Unlock()
	} else {
		log.Info("caller bridged to attendant", "waited", answeredAt.Sub(c.enteredAt).Round(time.Millisecond))
		link := &bridgeLink{user: user, handover: make(chan struct{})}
		c.mu.Lock()
		c.link = link
		close(c.connecting)
		c.mu.Unlock()
		select {
		case <-out.Context().Done():
			log.Info("attendant hung up")
		case <-c.in.Context().Done():
			log.Info("caller hung up")
		case <-c.stop:
			log.Info("call ended by the switchboard")
		case <-s.shutdown:
			log.Info("call ended by shutdown")
		case <-link.handover:
		}
		c.mu.Lock()
		c.link = nil
		xfer = link.xfer // a transfer requested before c.link was cleared wins
		rel := c.rel
		c.mu.Unlock()
		rel.disconnect()
	}

	ctx, cancel := context.WithTimeout(context.Background(), hangupTimeout)
	defer cancel()
	if out.Context().Err() == nil {
		if err := out.Hangup(ctx); err != nil {
			log.Info("BYE to attendant failed", "error", err)
		}
	}
	closeLog(out, log)
	s.engine.Release(user)
	if xfer != nil {
		log.Info("attendant leg released for transfer", "target", xfer.target)
		s.runTransfer(c, xfer, answeredAt, log)
		return
	}
	finished()
	s.record(HistoryEntry{
		CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
		Attendant: user, EnteredAt: c.enteredAt, AnsweredAt: answeredAt, EndedAt: time.Now(),
		Outcome: outcome, Reason: reason, Note: c.getNote(),
	})
}

// connect ACKs the attendant, answers an early-media caller and starts the RTP proxy
// in both directions.
func (s *Switchboard) connect(c *call, out *diago.DialogClientSession, outMed *diago.DialogMedia) error {
	ctx, cancel := context.WithTimeout(context.Background(), hangupTimeout)
	defer cancel()
	if err := out.Ack(ctx); err != nil {
		return fmt.Errorf("ACK to attendant: %w", err)
	}
	c.mu.Lock()
	rel := c.rel
	c.mu.Unlock()
	if rel == nil {
		// First bridge of the call (a recall's bridge reuses the caller's side).
		if c.early {
			// Blocks until the caller ACKs our 200 OK.
			if err := c.in.AnswerEarlyMedia(c.inMedia, diago.AnswerOptions{}); err != nil {
				return fmt.Errorf("answering early-media caller: %w", err)
			}
		}
		drainRTP(c.inMedia)
		var err error
		rel, err = newRelay(c.inMedia, s.moh, s.log.With("component", "relay", "call", c.id))
		if err != nil {
			return fmt.Errorf("bridge caller media: %w", err)
		}
		c.mu.Lock()
		c.rel = rel
		c.mu.Unlock()
	}
	if err := rel.connect(outMed); err != nil {
		return fmt.Errorf("bridge attendant media: %w", err)
	}
	return nil
}

// drainRTP discards what the caller sent while on hold. Nobody reads a waiting caller's
// RTP (that would cost a wakeup per packet per call), so the socket buffer holds up to
// a few seconds of stale audio that the attendant would otherwise hear first.
func drainRTP(m *diago.DialogMedia) {
	ms := m.MediaSession()
	buf := make([]byte, media.RTPBufSize)
	for range 4096 { // a socket buffer holds a few hundred packets; bound it anyway
		if _, err := ms.ReadRTPRawDeadline(buf, time.Now().Add(time.Millisecond)); err != nil {
			break
		}
	}
	// Clearing the deadline only fails on a closed socket, which the bridge reports.
	_ = ms.StartRTP(1)
}
