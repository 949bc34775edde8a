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
// not yet ACKed) and owns the bridged call until either side ends it. It runs on the
// winning offer's goroutine; the inbound handler waits for c.done.
func (s *Switchboard) bridge(c *call, user string, out *diago.DialogClientSession, outMed *diago.DialogMedia, log *slog.Logger) {
	// c.done lets the inbound handler hang up the caller; it must not wait for history.
	finished := sync.OnceFunc(func() { close(c.done) })
	defer finished()
	answeredAt := time.Now()
	s.moh.remove(c.moh) // after this returns MOH never writes to the caller again

	err := s.connect(c, out, outMed)
	outcome, reason := OutcomeAnswered, ""
	if err != nil {
		log.Error("bridging failed; dropping the call", "error", err)
		outcome, reason = OutcomeDropped, err.Error()
	} else {
		log.Info("caller bridged to attendant", "waited", answeredAt.Sub(c.enteredAt).Round(time.Millisecond))
		select {
		case <-out.Context().Done():
			log.Info("attendant hung up")
		case <-c.in.Context().Done():
			log.Info("caller hung up")
		case <-c.stop:
			log.Info("call ended by the switchboard")
		case <-s.shutdown:
			log.Info("call ended by shutdown")
		}
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
	if c.early {
		// Blocks until the caller ACKs our 200 OK.
		if err := c.in.AnswerEarlyMedia(c.inMedia, diago.AnswerOptions{}); err != nil {
			return fmt.Errorf("answering early-media caller: %w", err)
		}
	}
	drainRTP(c.inMedia)
	br := diago.Bridge{}
	br.Init(s.log.With("component", "bridge", "call", c.id))
	if err := br.AddDialogMedia(c.inMedia); err != nil {
		return fmt.Errorf("bridge caller media: %w", err)
	}
	if err := br.AddDialogMedia(outMed); err != nil {
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
