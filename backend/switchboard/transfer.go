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

	"github.com/concierge-console/concierge/backend/presence"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"
)

// DefaultTransferTimeout is how long a transfer target rings before the call is recalled.
const DefaultTransferTimeout = 20 * time.Second

// TransferOptions tune Transfer.
type TransferOptions struct {
	// Safe makes a failed transfer come back to the transferring attendant first (W14):
	// the call is requeued as a recall (queue.Call.Recall, event reason "recall"),
	// reserved for them if they are still logged in. Without it the call is requeued
	// for anyone (event reason "requeue"). Either way its waiting time restarts and
	// history records OutcomeRecalled: a caller is never dropped because a transfer failed.
	Safe bool
	// Timeout is how long the target may ring. Default DefaultTransferTimeout.
	Timeout time.Duration
}

// transferReq is a transfer handed from Transfer to the bridge owner.
type transferReq struct {
	user    string // the transferring attendant
	target  string // as given, for history
	uri     sip.Uri
	viaPBX  bool
	noRoute bool // a plain name that is neither registered nor routable: recall at once
	opts    TransferOptions
	started chan struct{} // closed once the attendant leg is released

	// Other hand-overs of a bridged call through the same path:
	consulted *consultLeg // Complete (W9): the answered target replaces the attendant
	park      bool        // Park (O1): the caller waits on music for any attendant
	recallNow string      // the attendant left a held call: back to the queue, with this reason
}

var errShutdown = errors.New("switchboard shutdown")

// Transfer blind-transfers the attendant's bridged call to target (W8, W14, T4).
//
// target is one of:
//   - the username of a user registered at the switchboard (their softphone);
//   - a number or extension, called as sip:<target>@<PBX proxy> through the configured
//     PBX with digest auth (spaces are ignored);
//   - a full sip: URI, called directly.
//
// A target that is none of these syntactically returns ErrInvalidTarget before anything
// is sent. Otherwise the attendant leg is released at once (BYE, and the attendant is
// free for the next call) and Transfer returns; the caller hears music on hold while the
// switchboard, staying in the media path as a B2BUA, INVITEs the target. When the target
// answers, caller and target are bridged and history records OutcomeTransferred. When
// it is busy (486/600/603), unreachable, unknown, or does not answer within
// opts.Timeout, the call goes back to the queue — as a recall reserved for the
// transferring attendant with opts.Safe — and history records OutcomeRecalled. A caller who hangs up
// meanwhile makes the switchboard CANCEL the target (OutcomeAbandoned).
func (s *Switchboard) Transfer(ctx context.Context, username, callID, target string, opts TransferOptions) error {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTransferTimeout
	}
	req := &transferReq{user: username, target: strings.TrimSpace(target), opts: opts, started: make(chan struct{})}
	var err error
	req.uri, req.viaPBX, req.noRoute, err = s.transferTarget(req.target)
	if err != nil {
		return fmt.Errorf("transfer %s to %q: %w", callID, target, err)
	}
	if dg, _ := s.diago(); dg == nil {
		return fmt.Errorf("transfer %s: %w", callID, ErrNotServing)
	}

	c := s.lookupCall(callID)
	if c == nil {
		return fmt.Errorf("transfer %s: %w", callID, ErrNoSuchCall)
	}
	if err := c.handOver(ctx, "transfer "+callID, username, req); err != nil {
		return err
	}
	select {
	case <-req.started:
		return nil
	case <-c.done:
		return fmt.Errorf("transfer %s: call ended during handover: %w", callID, ErrTransferFailed)
	case <-ctx.Done():
		// The handover goes on; only the wait for it is cut short.
		return fmt.Errorf("transfer %s: %w: %w", callID, ErrTransferFailed, ctx.Err())
	}
}

// handOver gives username's bridged call to the goroutine running bridge, which
// releases the attendant leg and carries out req (transfer or park) while the caller
// hears music on hold. what ("park <id>") prefixes the errors.
func (c *call) handOver(ctx context.Context, what, username string, req *transferReq) error {
	c.awaitLink(ctx, username)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.attendant != username:
		return fmt.Errorf("%s by %s: %w", what, username, ErrNotYourCall)
	case c.closed || c.link == nil || c.link.user != username || c.link.xfer != nil:
		return fmt.Errorf("%s: %w", what, ErrNotBridged)
	case c.consult != nil:
		return fmt.Errorf("%s: %w", what, ErrConsulting)
	}
	c.handOverLocked(req)
	return nil
}

// handOverLocked wakes the bridge goroutine with req; c.mu is held and c.link set.
func (c *call) handOverLocked(req *transferReq) {
	c.link.xfer = req
	c.attendant = ""
	c.transferring = true
	close(c.link.handover)
}

// dialable: what a number field or a username may contain.
func dialable(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case strings.ContainsRune("+*#._-", r):
		default:
			return false
		}
	}
	return true
}

// transferTarget resolves a Transfer target. noRoute is a well-formed name nobody can
// route (not registered, no PBX): the transfer fails like an unknown extension would.
func (s *Switchboard) transferTarget(target string) (uri sip.Uri, viaPBX, noRoute bool, err error) {
	lower := strings.ToLower(target)
	switch {
	case target == "":
		return uri, false, false, fmt.Errorf("empty target: %w", ErrInvalidTarget)
	case strings.HasPrefix(lower, "sips:"):
		return uri, false, false, fmt.Errorf("sips: is not supported (no TLS): %w", ErrInvalidTarget)
	case strings.HasPrefix(lower, "sip:"):
		if perr := sip.ParseUri(target, &uri); perr != nil || uri.Host == "" || uri.Wildcard {
			return sip.Uri{}, false, false, fmt.Errorf("bad SIP URI: %w", ErrInvalidTarget)
		}
		if uri.Port < 0 || uri.Port > 65535 {
			return sip.Uri{}, false, false, fmt.Errorf("bad SIP URI port: %w", ErrInvalidTarget)
		}
		if uri.UriParams == nil {
			uri.UriParams = sip.NewParams()
		}
		if uri.Headers == nil {
			uri.Headers = sip.NewParams()
		}
		return uri, false, false, nil
	}
	if strings.HasPrefix(lower, "tel:") {
		target = target[len("tel:"):]
	}
	target = strings.ReplaceAll(target, " ", "")
	if !dialable(target) {
		return uri, false, false, fmt.Errorf("%q is not a username, number or sip: URI: %w", target, ErrInvalidTarget)
	}
	if u, ok := s.reg.lookup(target); ok {
		return u, false, false, nil
	}
	if p := s.cfg.PBX; p != nil {
		host, portStr, _ := net.SplitHostPort(p.Proxy) // validated in New
		port, _ := strconv.Atoi(portStr)
		uri = sip.Uri{Scheme: "sip", User: target, Host: host, Port: port, UriParams: sip.NewParams(), Headers: sip.NewParams()}
		if t := strings.ToLower(p.Transport); t != "" && t != "udp" {
			uri.UriParams.Add("transport", t)
		}
		return uri, true, false, nil
	}
	return uri, false, true, nil
}

// runTransfer owns the call after its attendant leg is gone: it rings the target and
// bridges it, or recalls the call. It runs on the bridge owner's goroutine (counted in
// s.wg). It closes c.done unless the call goes back to the queue.
func (s *Switchboard) runTransfer(c *call, xfer *transferReq, answeredAt time.Time, log *slog.Logger) {
	log = log.With("transfer_to", xfer.target, "safe", xfer.opts.Safe)
	entry := func(o Outcome, reason string) HistoryEntry {
		return HistoryEntry{
			CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
			Attendant: xfer.user, EnteredAt: c.enteredAt, AnsweredAt: answeredAt, EndedAt: time.Now(),
			Outcome: o, Reason: reason, Note: c.getNote(), Direction: c.direction, Destination: xfer.target,
		}
	}
	c.mu.Lock()
	rel := c.rel
	c.mu.Unlock()
	if k := xfer.consulted; k != nil {
		// The bridge already joined caller and target.
		close(xfer.started)
		log.Info("consulted transfer completed")
		s.record(entry(OutcomeTransferred, "consulted"))
		s.talkToTarget(c, rel, k.out, log)
		return
	}
	// The relay has stopped writing to the caller (bridge disconnected it), so the
	// music may take over its writer.
	music, err := s.moh.add(rel.cw, rel.codec)
	if err != nil {
		log.Error("music on hold refused the caller's codec", "error", err) // G.711 only: a bug
	}
	c.mu.Lock()
	c.moh = music
	c.mu.Unlock()
	close(xfer.started)
	switch {
	case xfer.recallNow != "":
		xfer.opts.Safe = true // back to the attendant first if they are still logged in
		s.recall(c, xfer, xfer.recallNow, entry, log)
		return
	case xfer.park:
		s.parked(c, xfer.user, log)
		return
	}
	stopMusic := func() {
		if music != nil {
			s.moh.remove(music)
		}
	}
	// ended finishes a call that will not go back to the queue.
	ended := func(e HistoryEntry) {
		stopMusic()
		close(c.done)
		s.record(e)
	}

	s.line(c.id, xfer.target, presence.Ringing)
	defer s.line(c.id, xfer.target, "")
	out, outMed := s.ringWhileHolding(c, xfer, "transfer", entry, ended, func(reason string) {
		s.recall(c, xfer, reason, entry, log)
	}, log)
	if out == nil {
		return
	}

	// The target answered: caller ↔ target.
	stopMusic()
	err = s.connectTarget(rel, out, outMed)
	if err != nil {
		log.Error("bridging the transfer target failed; dropping the call", "error", err)
		s.dropLeg(out, log)
		ended(entry(OutcomeDropped, err.Error()))
		return
	}
	log.Info("call transferred")
	s.line(c.id, xfer.target, presence.Busy)
	s.record(entry(OutcomeTransferred, ""))
	s.talkToTarget(c, rel, out, log)
}

// ringWhileHolding rings xfer's target while the caller hears music. Ringing ends
// on timeout, or when the caller, the switchboard or shutdown ends the call: then
// the call is ended (caller gone, shutdown) or handed to noAnswer (nobody took it),
// and the result is nil. what names the hand-over in the log ("transfer", "forward").
// On return the watcher has stopped; the bridge that follows watches for itself.
func (s *Switchboard) ringWhileHolding(c *call, xfer *transferReq, what string, entry func(Outcome, string) HistoryEntry,
	ended func(HistoryEntry), noAnswer func(reason string), log *slog.Logger) (*diago.DialogClientSession, *diago.DialogMedia) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	go func() {
		select {
		case <-c.in.Context().Done():
			cancel(errCallEnded)
		case <-c.stop:
			cancel(errCallEnded)
		case <-s.shutdown:
			cancel(errShutdown)
		case <-ctx.Done():
		}
	}()
	out, outMed, reason := s.ringTarget(ctx, c, xfer, log)
	if cause := context.Cause(ctx); cause != nil && out != nil {
		// Answered just as the call ended.
		s.dropLeg(out, log)
		out = nil
	}
	if out != nil {
		return out, outMed
	}
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errCallEnded):
		log.Info("caller hung up during the " + what + "; target cancelled")
		ended(entry(OutcomeAbandoned, "caller hung up during transfer"))
	case errors.Is(cause, errShutdown):
		ended(entry(OutcomeDropped, "switchboard shutdown"))
	default:
		noAnswer(reason)
	}
	return nil, nil
}

// talkToTarget keeps a caller bridged to the target of a transfer until either hangs
// up, then hangs up the target; closing c.done lets the inbound handler hang up the caller.
func (s *Switchboard) talkToTarget(c *call, rel *relay, out *diago.DialogClientSession, log *slog.Logger) {
	select {
	case <-out.Context().Done():
		log.Info("transfer target hung up")
	case <-c.in.Context().Done():
		log.Info("caller hung up on the transfer target")
	case <-c.stop:
	case <-s.shutdown:
	}
	rel.disconnect()
	hctx, hcancel := context.WithTimeout(context.Background(), hangupTimeout)
	defer hcancel()
	if out.Context().Err() == nil {
		if err := out.Hangup(hctx); err != nil {
			log.Info("BYE to transfer target failed", "error", err)
		}
	}
	closeLog(out, log)
	close(c.done)
}

// ringTarget INVITEs the transfer target until it answers, fails, opts.Timeout passes or
// ctx is cancelled (diago then CANCELs). On success the dialog is answered, not ACKed.
func (s *Switchboard) ringTarget(ctx context.Context, c *call, xfer *transferReq, log *slog.Logger) (*diago.DialogClientSession, *diago.DialogMedia, string) {
	if xfer.noRoute {
		log.Info("transfer target is not registered and no PBX is configured")
		return nil, nil, "not found"
	}
	dg, host := s.diago()
	if dg == nil {
		return nil, nil, "not serving"
	}
	out, err := dg.NewDialog(xfer.uri, diago.NewDialogOptions{})
	if err != nil {
		log.Error("transfer: creating dialog", "error", err, "target", xfer.uri.String())
		return nil, nil, "error"
	}
	user := c.callerNumber
	if user == "" {
		user = "anonymous"
	}
	opts := diago.InviteClientOptions{
		Originator: c.in, // the caller's codec only: bridging never transcodes
		Headers: []sip.Header{
			&sip.FromHeader{
				DisplayName: c.callerName,
				Address:     sip.Uri{Scheme: "sip", User: user, Host: host},
				Params:      sip.NewParams(),
			},
			sip.NewHeader("Referred-By", "<sip:"+xfer.user+"@"+host+">"),
		},
	}
	if xfer.viaPBX {
		opts.Username, opts.Password = s.cfg.PBX.Username, s.cfg.PBX.Password
	}
	ictx, cancel := context.WithTimeout(ctx, xfer.opts.Timeout)
	defer cancel()
	log.Debug("ringing transfer target", "uri", xfer.uri.String(), "via_pbx", xfer.viaPBX)
	outMed, err := out.Invite(ictx, opts)
	if err != nil {
		closeLog(out, log)
		if ctx.Err() != nil {
			log.Debug("transfer target cancelled", "cause", context.Cause(ctx))
			return nil, nil, "cancelled"
		}
		timedOut := errors.Is(ictx.Err(), context.DeadlineExceeded)
		reason := failureReason(err, timedOut)
		if timedOut {
			reason = "no answer"
		}
		log.Info("transfer target did not answer", "reason", reason, "error", err)
		return nil, nil, reason
	}
	return out, outMed, ""
}

// connectTarget ACKs the answered target and connects it to the caller's relay.
func (s *Switchboard) connectTarget(rel *relay, out *diago.DialogClientSession, outMed *diago.DialogMedia) error {
	ctx, cancel := context.WithTimeout(context.Background(), hangupTimeout)
	defer cancel()
	if err := out.Ack(ctx); err != nil {
		return fmt.Errorf("ACK to transfer target: %w", err)
	}
	if err := rel.connect(outMed); err != nil {
		return fmt.Errorf("bridge transfer target media: %w", err)
	}
	return nil
}

// recall puts a call whose transfer failed back into the queue (W14). The caller keeps
// hearing music; the engine offers the call again — first to the transferring attendant
// when the transfer was safe and they are still logged in.
func (s *Switchboard) recall(c *call, xfer *transferReq, reason string, entry func(Outcome, string) HistoryEntry, log *slog.Logger) {
	qc := queue.Call{
		ID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
		VIP: c.vip, Note: c.getNote(),
	}
	if xfer.opts.Safe {
		qc.ReservedBy = xfer.user
	}
	// c.transferring stays set until the call is back in the engine, so that a caller
	// hanging up meanwhile waits for us (c.done) rather than abandoning a call the engine
	// does not hold yet.
	c.mu.Lock()
	if c.offers == nil {
		c.offers = make(map[string]*offerLeg)
	}
	c.mu.Unlock()
	if err := s.engine.Requeue(qc, xfer.opts.Safe); err != nil {
		log.Error("recall failed; dropping the call", "error", err)
		s.moh.remove(c.moh) // nil-safe
		close(c.done)
		s.record(entry(OutcomeDropped, "recall failed: "+err.Error()))
		return
	}
	log.Info("transfer failed; call recalled", "reason", reason)
	s.record(entry(OutcomeRecalled, reason))

	c.mu.Lock()
	c.transferring = false
	closed := c.closed
	c.mu.Unlock()
	if !closed {
		return // waiting again; the inbound handler and the engine carry on
	}
	// The caller hung up while the call went back: the inbound handler is waiting for
	// c.done, so abandon on its behalf.
	s.moh.remove(c.moh)
	_, err := s.engine.Abandon(c.id)
	close(c.done)
	switch {
	case errors.Is(err, queue.ErrTaken):
		// An answer won the race; its offer goroutine sees c.closed and records.
	case err != nil:
		log.Error("abandon after recall failed", "error", err)
	default:
		s.record(HistoryEntry{
			CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
			EnteredAt: c.enteredAt, EndedAt: time.Now(), Outcome: OutcomeAbandoned, Note: c.getNote(), Direction: c.direction,
		})
	}
}
