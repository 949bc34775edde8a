package switchboard

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo/sip"
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
		link := &bridgeLink{user: user, handover: make(chan struct{}), kick: make(chan struct{}, 1)}
		c.mu.Lock()
		c.link = link
		c.answeredAt = answeredAt
		close(c.connecting)
		c.mu.Unlock()
		s.syncLines(c, "")
		var attendantLeft bool
		outcome, reason, attendantLeft = s.talk(c, link, out, finished, log)
		c.mu.Lock()
		c.link = nil
		xfer = link.xfer // a transfer requested before c.link was cleared wins
		rel := c.rel
		// An attendant whose phone hangs up (or whose console goes away) while the
		// caller is held must not drop the caller: the call goes back to the queue.
		if xfer == nil && attendantLeft && rel.state().held && !c.closed {
			xfer = &transferReq{user: user, recallNow: "attendant left with the call on hold", started: make(chan struct{})}
			c.attendant, c.transferring = "", true
		}
		k := c.consult
		c.mu.Unlock()
		if k != nil {
			k.hangup()
			<-k.done
		}
		if xfer != nil && xfer.consulted != nil {
			if err := rel.complete(); err != nil {
				log.Error("joining caller and consulted target failed", "error", err)
			}
		} else {
			rel.disconnect()
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
	if xfer == nil {
		c.mu.Lock()
		c.attendant = ""
		c.mu.Unlock()
	}
	s.syncLines(c, reason)
	s.release(user)
	if xfer != nil {
		log.Info("attendant leg released", "target", xfer.target, "consulted", xfer.consulted != nil, "park", xfer.park, "recall", xfer.recallNow)
		s.runTransfer(c, xfer, answeredAt, log)
		return
	}
	finished()
	c.mu.Lock()
	gone := c.callerGone
	c.mu.Unlock()
	if gone {
		// The caller's part was recorded when they hung up; the line lived on under
		// the consultation's ID.
		s.mu.Lock()
		delete(s.calls, c.id+consultLineSuffix)
		s.mu.Unlock()
		return
	}
	s.record(HistoryEntry{
		CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
		Attendant: user, EnteredAt: c.enteredAt, AnsweredAt: answeredAt, EndedAt: time.Now(),
		Outcome: outcome, Reason: reason, Note: c.getNote(), Direction: c.direction,
	})
}

// talk waits while the attendant is bridged: until either side hangs up, the switchboard
// ends the call, or a transfer, park or completed consultation takes it over
// (link.handover). A caller who hangs up during an answered consultation leaves the
// attendant talking to the target: the caller's part is recorded and the inbound
// handler released (c.done), and talk goes on until the attendant or the target ends.
// attendantLeft reports that the attendant's leg ended first.
func (s *Switchboard) talk(c *call, link *bridgeLink, out *diago.DialogClientSession, finished func(), log *slog.Logger) (outcome Outcome, reason string, attendantLeft bool) {
	outcome = OutcomeAnswered
	callerDone, stop := c.in.Context().Done(), c.stop
	// callerLeft handles the caller's hangup; it reports whether the attendant stays
	// with the consulted target.
	callerLeft := func() bool {
		c.mu.Lock()
		k := c.consult
		stay := k != nil && k.answered && !c.callerGone
		if stay {
			c.callerGone = true
		}
		c.mu.Unlock()
		if !stay {
			log.Info("caller hung up")
			return false
		}
		log.Info("caller hung up during the consultation; attendant stays with the target")
		// The inbound handler closes c.stop as it goes: from now on hanging up the
		// consultation (k.stop) ends the line.
		callerDone, stop = nil, nil
		c.rel.toTarget()
		// The line goes on under the consultation's ID: commands find it there.
		s.mu.Lock()
		s.calls[c.id+consultLineSuffix] = c
		s.mu.Unlock()
		s.syncLines(c, "caller hung up")
		s.record(HistoryEntry{
			CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
			Attendant: link.user, EnteredAt: c.enteredAt, AnsweredAt: c.answeredAt, EndedAt: time.Now(),
			Outcome: OutcomeAnswered, Reason: "caller hung up during consultation", Note: c.getNote(), Direction: c.direction,
		})
		finished() // the inbound handler may finish; we own what is left
		reason = "consultation ended"
		return true
	}
	for {
		c.mu.Lock()
		var consultDone <-chan struct{}
		if k := c.consult; k != nil {
			consultDone = k.done
		}
		c.mu.Unlock()
		select {
		case <-out.Context().Done():
			log.Info("attendant hung up")
			return outcome, reason, true
		case <-callerDone:
			if !callerLeft() {
				return outcome, reason, false
			}
		case <-consultDone:
			c.mu.Lock()
			gone := c.callerGone
			c.mu.Unlock()
			if gone {
				log.Info("consultation ended after the caller left")
				return outcome, reason, false
			}
		case <-link.kick:
		case <-stop:
			if c.in.Context().Err() != nil { // the inbound handler saw the caller go first
				if callerLeft() {
					continue
				}
				return outcome, reason, false
			}
			log.Info("call ended by the switchboard")
			return outcome, reason, false
		case <-s.shutdown:
			log.Info("call ended by shutdown")
			return outcome, reason, false
		case <-link.handover:
			return outcome, reason, false
		}
	}
}

// connect ACKs the attendant, answers an early-media caller and starts the RTP proxy
// in both directions.
func (s *Switchboard) connect(c *call, out *diago.DialogClientSession, outMed *diago.DialogMedia) error {
	ctx, cancel := context.WithTimeout(context.Background(), hangupTimeout)
	defer cancel()
	// An outgoing call's attendant leg was ACKed before the target was dialled.
	if out.LoadState() < sip.DialogStateConfirmed {
		if err := out.Ack(ctx); err != nil {
			return fmt.Errorf("ACK to attendant: %w", err)
		}
	}
	c.mu.Lock()
	rel := c.rel
	c.mu.Unlock()
	if rel == nil {
		// First bridge of the call (a recall's bridge reuses the caller's side).
		if c.early {
			// Blocks until the caller ACKs our 200 OK.
			if err := c.in.(*diago.DialogServerSession).AnswerEarlyMedia(c.inMedia, diago.AnswerOptions{}); err != nil {
				return fmt.Errorf("answering early-media caller: %w", err)
			}
		}
		drainRTP(c.inMedia)
		var err error
		rel, err = newRelay(c.inMedia, s.moh, &s.relayed, s.log.With("component", "relay", "call", c.id))
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
