package switchboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"
)

// Outgoing calls (W4). Dial first rings the attendant's own phone with auto-answer
// headers (a softphone connects at once; a desk phone is called first and answered),
// then calls the target — a registered user, a number through the PBX (digest auth)
// or a sip: URI — offering the codec the attendant's phone chose, and bridges the two
// through a relay when the target answers. The line shows direction "out", ringing then
// active; a target that is busy, unknown, unreachable or does not answer ends the line
// with that reason. Once answered it becomes a call like one from the queue (adopt),
// so every call-control command works on it.

// DefaultDialTimeout is how long a dialled target may ring.
const DefaultDialTimeout = 45 * time.Second

// outCall is an attendant's outgoing call.
type outCall struct {
	id      string
	user    string
	target  string
	started time.Time

	stop     chan struct{} // closed by Hangup
	stopOnce sync.Once

	mu      sync.Mutex
	ended   bool
	adopted bool // answered: a call in s.calls from then on (adopt)
	lineMu  sync.Mutex
}

func (o *outCall) hangup() { o.stopOnce.Do(func() { close(o.stop) }) }

// Dial calls target for the attendant (W4) and returns the new line's ID at once; the
// line (line.updated, line.ended with the reason) tells how it goes.
func (s *Switchboard) Dial(ctx context.Context, username, target string) (string, error) {
	target = strings.TrimSpace(target)
	uri, viaPBX, noRoute, err := s.transferTarget(target)
	switch {
	case err != nil:
		return "", fmt.Errorf("dial %q: %w", target, err)
	case noRoute:
		return "", fmt.Errorf("dial %q: not a registered user and no PBX is configured for numbers: %w", target, ErrInvalidTarget)
	}
	if _, _, err := s.attendantEndpoint(username); err != nil {
		return "", fmt.Errorf("dial by %s: %w", username, err)
	}
	if dg, _ := s.diago(); dg == nil {
		return "", fmt.Errorf("dial: %w", ErrNotServing)
	}
	o := &outCall{id: uuid.NewString(), user: username, target: target, started: time.Now(), stop: make(chan struct{})}
	if !s.begin() {
		return "", fmt.Errorf("dial: %w", ErrNotServing)
	}
	s.mu.Lock()
	if s.outbound == nil {
		s.outbound = make(map[string]*outCall)
	}
	s.outbound[o.id] = o
	s.mu.Unlock()
	s.engine.Occupy(username)
	s.syncOut(o, "")
	go func() {
		defer s.wg.Done()
		reason := s.runOutbound(o, uri, viaPBX, s.log.With("dial", o.id, "attendant", username, "target", target))
		o.mu.Lock()
		o.ended = true
		adopted := o.adopted
		o.mu.Unlock()
		if adopted {
			return // the call's bridge recorded it, ended the line and released the attendant
		}
		s.record(HistoryEntry{ // not reached: Reason says why
			CallID: o.id, CallerNumber: target, Attendant: username, Direction: "out", Destination: target,
			EnteredAt: o.started, EndedAt: time.Now(), Outcome: OutcomeMissed, Reason: reason,
		})
		s.syncOut(o, reason)
		s.mu.Lock()
		delete(s.outbound, o.id)
		s.mu.Unlock()
		s.release(username)
	}()
	return o.id, nil
}

// runOutbound rings the attendant, then the target, bridges them and waits for the
// end. It returns why the line ended ("" for a normal hang-up).
func (s *Switchboard) runOutbound(o *outCall, uri sip.Uri, viaPBX bool, log *slog.Logger) string {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-o.stop:
		case <-s.shutdown:
		case <-ctx.Done():
		}
		cancel()
	}()
	dg, host := s.diago()

	// 1. The attendant's phone, auto-answered.
	ep, epPBX, err := s.attendantEndpoint(o.user)
	if err != nil {
		return "no phone"
	}
	att, err := dg.NewDialog(ep, diago.NewDialogOptions{})
	if err != nil {
		log.Error("dial: attendant dialog", "error", err)
		return "error"
	}
	defer closeLog(att, log)
	aopts := diago.InviteClientOptions{Headers: []sip.Header{
		&sip.FromHeader{DisplayName: o.target, Address: sip.Uri{Scheme: "sip", User: dialUser(o.target), Host: host}, Params: sip.NewParams()},
		sip.NewHeader(HeaderCallID, o.id), // the softphone shows this leg as the line
		sip.NewHeader("Call-Info", "<sip:"+host+">;answer-after=0"),
		sip.NewHeader("Alert-Info", "<http://localhost>;info=alert-autoanswer;delay=0"),
		sip.NewHeader("Answer-Mode", "Auto"),
	}}
	if epPBX {
		aopts.Username, aopts.Password = s.cfg.PBX.Username, s.cfg.PBX.Password
	}
	actx, acancel := context.WithTimeout(ctx, s.cfg.OfferTimeout)
	attMed, err := att.Invite(actx, aopts)
	acancel()
	if err != nil {
		if ctx.Err() != nil {
			return "cancelled"
		}
		log.Info("dial: the attendant's phone did not answer", "error", err)
		return "your phone did not answer"
	}
	if err := att.Ack(ctx); err != nil {
		return "error"
	}
	hangupLeg := func(d interface{ Hangup(context.Context) error }, dctx context.Context) {
		if dctx.Err() == nil {
			hctx, hcancel := context.WithTimeout(context.Background(), hangupTimeout)
			defer hcancel()
			if err := d.Hangup(hctx); err != nil {
				log.Debug("dial: BYE failed", "error", err)
			}
		}
	}
	defer hangupLeg(att, att.Context())

	// 2. The target, offered the codec the attendant's phone chose (no transcoding).
	out, err := dg.NewDialog(uri, diago.NewDialogOptions{})
	if err != nil {
		log.Error("dial: target dialog", "error", err)
		return "error"
	}
	defer closeLog(out, log)
	from := o.user
	if a, ok := s.attendant(o.user); ok && a.Extension != "" {
		from = a.Extension
	}
	topts := diago.InviteClientOptions{
		Originator: answered{att},
		Headers: []sip.Header{&sip.FromHeader{
			DisplayName: o.user, Address: sip.Uri{Scheme: "sip", User: from, Host: host}, Params: sip.NewParams(),
		}},
	}
	if viaPBX {
		topts.Username, topts.Password = s.cfg.PBX.Username, s.cfg.PBX.Password
	}
	tctx, tcancel := context.WithTimeout(ctx, DefaultDialTimeout)
	// The attendant hanging up while the target rings cancels it.
	go func() {
		select {
		case <-att.Context().Done():
			tcancel()
		case <-tctx.Done():
		}
	}()
	outMed, err := out.Invite(tctx, topts)
	timedOut := errors.Is(tctx.Err(), context.DeadlineExceeded)
	tcancel()
	if err != nil {
		if ctx.Err() != nil || att.Context().Err() != nil {
			return "cancelled"
		}
		reason := failureReason(err, timedOut)
		if timedOut {
			reason = "no answer"
		}
		log.Info("dial: target not reached", "reason", reason, "error", err)
		return reason
	}
	if err := out.Ack(ctx); err != nil {
		return "error"
	}
	defer hangupLeg(out, out.Context())

	// 3. Answered: from here on it is an ordinary call (see adopt).
	if !s.adopt(o, att, attMed, out, outMed, log) {
		return "switchboard shutdown"
	}
	return ""
}

// adopt turns an answered outgoing call into a call like those from the queue: the
// dialled party plays the caller (its leg is c.in, its media the relay's far side, so
// it hears music when held) and the attendant's phone is the attendant leg. Hold,
// mute, blind and safe transfer, consult and park then take the same paths; a failed
// safe transfer recalls it to the attendant, or to the queue if they are gone. The
// bridge runs on its own goroutine; this one owns the dialled party's leg, as the
// inbound handler owns a caller's, until the call ends. The line keeps its ID and
// direction "out". false: the switchboard is shutting down, nothing was taken over.
func (s *Switchboard) adopt(o *outCall, att *diago.DialogClientSession, attMed *diago.DialogMedia, out *diago.DialogClientSession, outMed *diago.DialogMedia, log *slog.Logger) bool {
	if !s.begin() {
		return false
	}
	name := ""
	if s.dir != nil {
		name, _, _ = s.dir.LookupNumber(o.target)
	}
	c := &call{
		id: o.id, queueID: s.recallQueue(), callerNumber: o.target, callerName: name, enteredAt: o.started,
		direction: queue.LineOut, in: answered{out}, inMedia: outMed,
		stop: make(chan struct{}), done: make(chan struct{}), offers: make(map[string]*offerLeg),
		attendant: o.user, connecting: make(chan struct{}),
	}
	o.mu.Lock()
	o.adopted = true
	o.mu.Unlock()
	s.mu.Lock()
	delete(s.outbound, o.id)
	s.calls[c.id] = c
	s.mu.Unlock()
	log.Info("outgoing call connected")
	go func() {
		defer s.wg.Done()
		s.bridge(c, o.user, att, attMed, log)
	}()
	s.own(c, log)
	s.mu.Lock()
	delete(s.calls, c.id)
	s.mu.Unlock()
	return true
}

// recallQueue is where an outgoing call goes back to when a transfer of it fails and
// its attendant is gone: the default queue, else the first one configured.
func (s *Switchboard) recallQueue() string {
	if s.defaultQueue != "" || len(s.cfg.Queues) == 0 {
		return s.defaultQueue
	}
	return s.cfg.Queues[0].ID
}

// answered presents the attendant's answered leg as the originator of the target's
// INVITE with the attendant's SDP answer as its offer, so diago offers the target the
// one codec the attendant's phone chose.
type answered struct{ *diago.DialogClientSession }

func (a answered) DialogSIP() *sipgo.Dialog {
	req := a.DialogClientSession.InviteRequest.Clone()
	if res := a.DialogClientSession.InviteResponse; res != nil {
		req.SetBody(res.Body())
	}
	return &sipgo.Dialog{ID: a.DialogClientSession.ID, InviteRequest: req}
}

// syncOut publishes the outgoing call's line.
func (s *Switchboard) syncOut(o *outCall, reason string) {
	o.lineMu.Lock()
	defer o.lineMu.Unlock()
	o.mu.Lock()
	l := queue.Line{
		ID: o.id, CallID: o.id, Attendant: o.user, Number: o.target, Direction: queue.LineOut,
		State: queue.LineRinging, StartedAt: o.started,
	}
	ended := o.ended
	o.mu.Unlock()
	if ended {
		s.engine.EndLine(o.id, reason)
		return
	}
	s.engine.SetLine(l)
}

func (s *Switchboard) lookupOutbound(id string) *outCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outbound[id]
}

// attendant returns a logged-in attendant.
func (s *Switchboard) attendant(user string) (queue.Attendant, bool) {
	for _, a := range s.engine.Snapshot().Attendants {
		if a.Username == user {
			return a, true
		}
	}
	return queue.Attendant{}, false
}

// dialUser is a SIP user part for a dialled target shown to the attendant's phone.
func dialUser(target string) string {
	if strings.HasPrefix(strings.ToLower(target), "sip:") {
		var u sip.Uri
		if sip.ParseUri(target, &u) == nil && u.User != "" {
			return u.User
		}
		return "outgoing"
	}
	return strings.ReplaceAll(target, " ", "")
}

// ringingOutbound is why op cannot act on an outgoing call that is still ringing.
func ringingOutbound(op string, o *outCall, username string) error {
	if o.user != username {
		return fmt.Errorf("%s %s by %s: %w", op, o.id, username, ErrNotYourCall)
	}
	return fmt.Errorf("%s %s: still ringing: %w", op, o.id, ErrNotBridged)
}
