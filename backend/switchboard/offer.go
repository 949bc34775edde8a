package switchboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Headers on the INVITEs that ring attendants. The console's softphone reads
// HeaderCallID to match the ringing leg with the queue call it shows (the queue
// engine's call ID, as in queue.Call.ID and the API).
const (
	HeaderCallID  = "X-Concierge-Call-ID"
	HeaderQueueID = "X-Concierge-Queue-ID"
)

// offerLeg is one attendant's phone being rung with one call.
type offerLeg struct {
	user    string
	pickup  bool
	started time.Time
	cancel  context.CancelCauseFunc
}

var _ queue.Offerer = (*Switchboard)(nil)

// Offer implements queue.Offerer: it rings the attendant's registered softphone, or
// their desk-phone extension through the PBX. It returns at once; the INVITE runs on
// its own goroutine and reports back with Answered or OfferFailed.
//
// A direct pickup (pickup true, also used by the console's Answer) carries auto-answer
// headers so that phones which honour them connect without a key press.
func (s *Switchboard) Offer(qc queue.Call, to queue.Attendant, pickup bool) {
	c := s.lookupCall(qc.ID)
	if c == nil {
		s.engine.OfferFailed(qc.ID, to.Username, "call gone")
		return
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	leg := &offerLeg{user: to.Username, pickup: pickup, started: time.Now(), cancel: cancel}

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		cancel(errCallEnded)
		s.engine.OfferFailed(qc.ID, to.Username, "caller gone")
		return
	}
	if old := c.offers[to.Username]; old != nil {
		old.cancel(errOfferWithdrawn)
	}
	c.offers[to.Username] = leg
	c.mu.Unlock()

	if !s.begin() {
		cancel(errCallEnded)
		s.engine.OfferFailed(qc.ID, to.Username, "switchboard shutting down")
		return
	}
	go func() {
		defer s.wg.Done()
		defer cancel(nil)
		s.ring(ctx, c, leg, to)
	}()
}

// CancelOffer implements queue.Offerer: stop ringing (CANCEL the INVITE).
func (s *Switchboard) CancelOffer(callID, username string) {
	c := s.lookupCall(callID)
	if c == nil {
		return
	}
	c.mu.Lock()
	leg := c.offers[username]
	delete(c.offers, username)
	c.mu.Unlock()
	if leg != nil {
		leg.cancel(errOfferWithdrawn)
	}
}

// forget removes leg from the call's ringing legs, if it is still there.
func (c *call) forget(leg *offerLeg) {
	c.mu.Lock()
	if c.offers[leg.user] == leg {
		delete(c.offers, leg.user)
	}
	c.mu.Unlock()
}

// ring runs one offer from INVITE to answer (then bridges) or failure.
func (s *Switchboard) ring(ctx context.Context, c *call, leg *offerLeg, to queue.Attendant) {
	log := s.log.With("call", c.id, "attendant", leg.user, "pickup", leg.pickup)
	target, viaPBX, err := s.endpoint(to)
	if err != nil {
		c.forget(leg)
		log.Info("offer failed: attendant has no endpoint")
		s.unreachable(c, leg)
		return
	}
	dg, host := s.diago()
	if dg == nil {
		c.forget(leg)
		s.offerFailed(c, leg, "not serving")
		return
	}
	out, err := dg.NewDialog(target, diago.NewDialogOptions{})
	if err != nil {
		c.forget(leg)
		log.Error("offer failed: creating dialog", "error", err, "target", target.String())
		s.offerFailed(c, leg, "error")
		return
	}

	opts := diago.InviteClientOptions{
		Originator: c.in, // offers the caller's codec only: bridging never transcodes
		Headers:    s.offerHeaders(c, leg, host),
	}
	if viaPBX {
		opts.Username, opts.Password = s.cfg.PBX.Username, s.cfg.PBX.Password
	}
	// The engine withdraws the offer at OfferTimeout (CancelOffer); this deadline only
	// guards against an engine that never does.
	ictx, cancel := context.WithTimeout(ctx, s.cfg.OfferTimeout+5*time.Second)
	log.Debug("ringing attendant", "target", target.String(), "via_pbx", viaPBX)
	outMed, err := out.Invite(ictx, opts)
	timedOut := errors.Is(ictx.Err(), context.DeadlineExceeded)
	// The context only bounds the ringing; the answered dialog lives on its own.
	cancel()
	if err != nil {
		c.forget(leg)
		closeLog(out, log)
		cause := context.Cause(ctx)
		switch {
		case errors.Is(cause, errCallEnded):
			log.Debug("offer cancelled: caller gone")
		case errors.Is(cause, errOfferWithdrawn):
			// The engine decided (reject, answered elsewhere, timeout, logout) and
			// already knows; only a timeout is worth a "missed" history line.
			if time.Since(leg.started) >= s.cfg.OfferTimeout-250*time.Millisecond {
				s.recordMissed(c, leg.user, "timeout")
			}
			log.Debug("offer withdrawn")
		default:
			reason := failureReason(err, timedOut)
			log.Info("offer failed", "reason", reason, "error", err)
			s.offerFailed(c, leg, reason)
		}
		return
	}
	c.forget(leg)
	s.answered(ctx, c, leg, out, outMed, log)
}

// answered handles the attendant's 200 OK: claim the call from the engine, then bridge.
func (s *Switchboard) answered(ctx context.Context, c *call, leg *offerLeg, out *diago.DialogClientSession, outMed *diago.DialogMedia, log *slog.Logger) {
	if context.Cause(ctx) != nil {
		// Withdrawn just as the phone answered: the engine has moved on.
		log.Info("attendant answered a withdrawn offer; dropping the leg")
		s.dropLeg(out, log)
		return
	}
	qc, err := s.engine.Answered(c.id, leg.user)
	if err != nil {
		log.Info("attendant answered but lost the call", "error", err)
		s.dropLeg(out, log)
		return
	}
	c.mu.Lock()
	// The queue's entry time, not c.enteredAt: a recalled call's wait restarts (Q3).
	c.waited = time.Since(qc.EnteredAt)
	if c.closed {
		c.mu.Unlock()
		log.Info("attendant answered as the caller hung up")
		s.dropLeg(out, log)
		s.engine.Release(leg.user)
		s.record(HistoryEntry{
			CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
			Attendant: leg.user, EnteredAt: c.enteredAt, EndedAt: time.Now(), Outcome: OutcomeAbandoned, Note: c.getNote(), Direction: c.direction,
		})
		return
	}
	c.attendant = leg.user
	c.connecting = make(chan struct{})
	others := c.offers
	c.offers = make(map[string]*offerLeg)
	c.mu.Unlock()
	for _, o := range others {
		o.cancel(errOfferWithdrawn)
	}
	s.bridge(c, leg.user, out, outMed, log)
}

// endpoint finds where to ring an attendant: the softphone they registered, else their
// extension through the PBX.
func (s *Switchboard) endpoint(a queue.Attendant) (uri sip.Uri, viaPBX bool, err error) {
	if u, ok := s.reg.lookup(a.Username); ok {
		return u, false, nil
	}
	if p := s.cfg.PBX; p != nil && a.Extension != "" {
		host, portStr, _ := net.SplitHostPort(p.Proxy) // validated in New
		port, _ := strconv.Atoi(portStr)
		uri = sip.Uri{Scheme: "sip", User: a.Extension, Host: host, Port: port, UriParams: sip.NewParams(), Headers: sip.NewParams()}
		if t := strings.ToLower(p.Transport); t != "" && t != "udp" {
			uri.UriParams.Add("transport", t)
		}
		return uri, true, nil
	}
	return sip.Uri{}, false, ErrNoEndpoint
}

func (s *Switchboard) offerHeaders(c *call, leg *offerLeg, host string) []sip.Header {
	user := c.callerNumber
	if user == "" {
		user = "anonymous"
	}
	hdrs := []sip.Header{
		&sip.FromHeader{
			DisplayName: c.callerName,
			Address:     sip.Uri{Scheme: "sip", User: user, Host: host},
			Params:      sip.NewParams(),
		},
		sip.NewHeader(HeaderCallID, c.id),
		sip.NewHeader(HeaderQueueID, c.queueID),
	}
	if leg.pickup {
		// Auto-answer: Call-Info answer-after (Snom, Yealink, Grandstream, baresip),
		// Alert-Info (Polycom, Cisco), Answer-Mode (RFC 5373).
		hdrs = append(hdrs,
			sip.NewHeader("Call-Info", "<sip:"+host+">;answer-after=0"),
			sip.NewHeader("Alert-Info", "<http://localhost>;info=alert-autoanswer;delay=0"),
			sip.NewHeader("Answer-Mode", "Auto"),
		)
	}
	return hdrs
}

func (s *Switchboard) offerFailed(c *call, leg *offerLeg, reason string) {
	s.engine.OfferFailed(c.id, leg.user, reason)
	s.recordMissed(c, leg.user, reason)
}

func (s *Switchboard) recordMissed(c *call, user, reason string) {
	s.record(HistoryEntry{
		CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
		Attendant: user, EnteredAt: c.enteredAt, EndedAt: time.Now(), Outcome: OutcomeMissed, Reason: reason, Note: c.getNote(), Direction: c.direction,
	})
}

// dropLeg ends an attendant leg that answered but must not be bridged: ACK then BYE.
func (s *Switchboard) dropLeg(out *diago.DialogClientSession, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), hangupTimeout)
	defer cancel()
	if err := out.Ack(ctx); err != nil {
		log.Debug("ACK of dropped leg failed", "error", err)
	}
	if err := out.Hangup(ctx); err != nil {
		log.Debug("BYE of dropped leg failed", "error", err)
	}
	closeLog(out, log)
}

// failureReason turns an INVITE error into the short reason the engine and history show.
func failureReason(err error, timedOut bool) string {
	var res *sip.Response
	var pe *sipgo.ErrDialogResponse
	var ve sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &pe):
		res = pe.Res
	case errors.As(err, &ve):
		res = ve.Res
	case timedOut:
		return "timeout"
	default:
		return "unreachable"
	}
	switch res.StatusCode {
	case sip.StatusBusyHere, 600:
		return "busy"
	case 603:
		return "declined"
	case sip.StatusTemporarilyUnavailable:
		return "unavailable"
	case sip.StatusNotFound:
		return "not found"
	case sip.StatusRequestTimeout:
		return "timeout"
	default:
		return fmt.Sprintf("%d %s", res.StatusCode, res.Reason)
	}
}

func closeLog(d interface{ Close() error }, log *slog.Logger) {
	if err := d.Close(); err != nil {
		log.Debug("closing dialog failed", "error", err)
	}
}
