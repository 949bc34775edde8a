package switchboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/diago/media/sdp"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"
)

// call is one caller held by the switchboard, from INVITE until hangup.
type call struct {
	id           string
	queueID      string
	callerNumber string
	callerName   string
	vip          bool
	enteredAt    time.Time
	// direction is queue.LineOut for an attendant's answered outgoing call: the dialled
	// party plays the caller (in is its leg) and the attendant's phone the attendant leg.
	direction string

	in      diago.DialogSession // the caller's leg: our server dialog, or answered{} for an outgoing call
	inMedia *diago.DialogMedia
	early   bool // answered with 183 only; needs 200 OK before bridging
	moh     *mohListener
	rel     *relay // the caller's media relay, from the first bridge on (guarded by mu)

	// stop is closed to end a bridged call from our side (console Hangup, shutdown);
	// done is closed by the bridge owner once the attendant leg is gone.
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}

	mu        sync.Mutex
	closed    bool                 // the inbound handler is finishing; nobody may bridge any more
	offers    map[string]*offerLeg // ringing legs by attendant username
	attendant string               // who the caller is bridged to, "" while waiting
	note      string               // the call note (W13), kept for history after the queue forgets the call
	// link is the attendant bridge whose media flows (Hold, Resume and Transfer act on
	// it); nil while waiting, connecting or transferring.
	link *bridgeLink
	// connecting is closed once the attendant who answered has media (link set) or the
	// bridge failed: commands that arrive in that moment wait for it (see awaitLink).
	connecting chan struct{}
	// transferring: a transfer owns the call (target ringing, or bridged to it); like a
	// bridge, it hangs up the far leg and closes done when the caller goes.
	transferring bool
	answeredAt   time.Time     // when the current attendant got the call
	waited       time.Duration // time in the queue before the last answer from it (W2)
	consult      *consultLeg   // the consultation of the attendant, if any (W9)
	parked       *parkState    // set while the call is parked (O1)
	// callerGone: the caller hung up during a consultation; the attendant stays on the
	// line with the consulted target until either hangs up.
	callerGone bool

	// lineMu orders line publications; lines is what was last published (see lines.go).
	lineMu sync.Mutex
	lines  map[string]queue.Line
}

// getNote returns the call's note.
func (c *call) getNote() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.note
}

func (c *call) hangupBridge() { c.stopOnce.Do(func() { close(c.stop) }) }

// handleInbound is diago's INVITE handler. It runs on its own goroutine for the whole
// call; when it returns diago hangs up and closes the dialog and its RTP sockets.
func (s *Switchboard) handleInbound(d *diago.DialogServerSession) {
	log := s.log.With("sip_call_id", d.InviteRequest.CallID().Value())
	if n := s.active.Add(1); n > int64(s.cfg.MaxCalls) {
		s.active.Add(-1)
		if n := s.refused.Add(1); s.refusedLog.Allow() {
			// A flood must not become a log flood: one line per interval with a count.
			log.Warn("call limit reached, refusing INVITEs with 503", "max_calls", s.cfg.MaxCalls, "refused_total", n)
		}
		respond(d, sip.StatusServiceUnavailable, "Too Many Calls", sip.NewHeader("Retry-After", "30"))
		return
	}
	defer s.active.Add(-1)

	req := d.InviteRequest
	queueID, ok := s.route(req)
	if !ok {
		log.Info("no queue for dialed number", "number", req.Recipient.User)
		respond(d, sip.StatusNotFound, "No Such Queue")
		return
	}
	if err := checkOffer(req); err != nil {
		log.Info("refusing INVITE: unacceptable SDP", "error", err)
		respond(d, sip.StatusNotAcceptableHere, "Not Acceptable Here",
			sip.NewHeader("Warning", `304 concierge "`+sanitizeWarning(err.Error())+`"`))
		return
	}

	number, display := callerID(req)
	name, vip := display, false
	if s.dir != nil && number != "" {
		if n, v, ok := s.dir.LookupNumber(number); ok {
			if n != "" {
				name = n
			}
			vip = v
		}
	}

	if err := d.Trying(); err != nil {
		log.Debug("caller went away before 100 Trying", "error", err)
		return
	}
	var (
		med *diago.DialogMedia
		err error
	)
	if s.cfg.EarlyMedia {
		med, err = d.ProgressMedia(diago.ProgressMediaOptions{Codecs: audioCodecs})
	} else {
		med, err = d.Answer(diago.AnswerOptions{Codecs: audioCodecs})
	}
	if err != nil {
		log.Warn("answering caller failed", "error", err)
		return
	}

	c := &call{
		id:           uuid.NewString(),
		queueID:      queueID,
		callerNumber: number,
		callerName:   name,
		vip:          vip,
		enteredAt:    time.Now(),
		in:           d,
		inMedia:      med,
		early:        s.cfg.EarlyMedia,
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
		offers:       make(map[string]*offerLeg),
	}
	log = log.With("call", c.id, "queue", queueID, "caller", number)

	codec := media.CodecAudioFromSession(med.MediaSession())
	c.moh, err = s.moh.add(med.RTPPacketWriter, codec)
	if err != nil {
		// checkOffer admitted only G.711, so this is a bug, not a caller problem.
		log.Error("music on hold refused the negotiated codec", "error", err)
		return
	}

	s.mu.Lock()
	s.calls[c.id] = c
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.calls, c.id)
		s.mu.Unlock()
	}()

	// The engine may call Offer from inside Enqueue, so the call is findable first.
	err = s.engine.Enqueue(queue.Call{
		ID:           c.id,
		QueueID:      queueID,
		CallerNumber: number,
		CallerName:   name,
		EnteredAt:    c.enteredAt,
		VIP:          vip,
	})
	if err != nil {
		s.moh.remove(c.moh)
		log.Error("enqueue failed", "error", err)
		s.hangupCaller(c, log)
		return
	}
	log.Info("caller queued", "name", name, "vip", vip, "codec", codec.Name)
	s.own(c, log)
}

// own waits, on the goroutine that owns the caller's leg, until the caller hangs up,
// the bridge owner is done with the call (c.done) or the switchboard stops; then it
// abandons a waiting call and hangs up the caller.
func (s *Switchboard) own(c *call, log *slog.Logger) {
	callerCtx := c.in.Context()
	shutdown := false
	select {
	case <-callerCtx.Done():
	case <-c.done:
	case <-s.shutdown:
		shutdown = true
	}

	c.mu.Lock()
	c.closed = true
	bridged := c.attendant != "" || c.transferring
	offers := c.offers
	c.offers = nil
	c.mu.Unlock()
	for _, o := range offers {
		o.cancel(errCallEnded)
	}

	if bridged {
		// The bridge owner (the winning offer's goroutine) tears down the attendant
		// leg, releases the attendant and records history.
		c.hangupBridge()
		<-c.done
		s.hangupCaller(c, log)
		return
	}

	s.moh.remove(c.moh)
	_, err := s.engine.Abandon(c.id)
	switch {
	case errors.Is(err, queue.ErrTaken):
		// An attendant's answer won the race with the hangup; their offer goroutine
		// sees c.closed, drops its leg and records the call.
	case err != nil:
		log.Error("abandon failed", "error", err)
	default:
		outcome, reason := OutcomeAbandoned, ""
		if shutdown {
			outcome, reason = OutcomeDropped, "switchboard shutdown"
		}
		log.Info("caller left the queue", "outcome", outcome)
		s.record(HistoryEntry{
			CallID: c.id, QueueID: c.queueID, CallerNumber: c.callerNumber, CallerName: c.callerName,
			EnteredAt: c.enteredAt, EndedAt: time.Now(), Outcome: outcome, Reason: reason, Note: c.getNote(),
			Direction: c.direction,
		})
	}
	s.hangupCaller(c, log)
}

// hangupCaller ends the caller's dialog now, with a bounded wait, rather than leaving it
// to diago after the handler returns: on shutdown the transport closes right after.
func (s *Switchboard) hangupCaller(c *call, log *slog.Logger) {
	if c.in.Context().Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangupTimeout)
	defer cancel()
	if err := c.in.Hangup(ctx); err != nil {
		log.Info("hanging up caller failed", "error", err)
	}
}

// route picks the queue for an INVITE: by request-URI user, then To user, then the
// default queue.
func (s *Switchboard) route(req *sip.Request) (string, bool) {
	if q, ok := s.routes[req.Recipient.User]; ok {
		return q, true
	}
	if to := req.To(); to != nil {
		if q, ok := s.routes[to.Address.User]; ok {
			return q, true
		}
	}
	return s.defaultQueue, s.defaultQueue != ""
}

// callerID returns the caller's number and display name: P-Asserted-Identity when a
// trusted PBX sets it, else From.
func callerID(req *sip.Request) (number, display string) {
	if h := req.GetHeader("P-Asserted-Identity"); h != nil {
		var uri sip.Uri
		params := sip.NewParams()
		// PAI may list a sip: and a tel: URI separated by a comma; the first is enough.
		v, _, _ := strings.Cut(h.Value(), ",")
		if name, err := sip.ParseAddressValue(strings.TrimSpace(v), &uri, &params); err == nil && uri.User != "" {
			return uri.User, name
		}
	}
	if f := req.From(); f != nil {
		return f.Address.User, f.DisplayName
	}
	return "", ""
}

// checkOffer accepts an INVITE whose SDP offers audio in PCMU or PCMA. Everything else
// (no SDP, video only, only Opus/G.729...) gets 488 before any media is allocated.
func checkOffer(req *sip.Request) error {
	body := req.Body()
	if len(body) == 0 {
		return errors.New("no SDP offer (late offer is not supported)")
	}
	if ct := req.ContentType(); ct == nil || !strings.HasPrefix(strings.ToLower(ct.Value()), "application/sdp") {
		return errors.New("body is not application/sdp")
	}
	sd := sdp.SessionDescription{}
	if err := sdp.Unmarshal(body, &sd); err != nil {
		return fmt.Errorf("bad SDP: %w", err)
	}
	md, err := sd.MediaDescription("audio")
	if err != nil {
		return fmt.Errorf("no audio stream: %w", err)
	}
	if md.Port == 0 {
		return errors.New("audio stream disabled (port 0)")
	}
	if md.Proto != "RTP/AVP" {
		return fmt.Errorf("media profile %s not supported", md.Proto)
	}
	codecs := make([]media.Codec, len(md.Formats))
	n, _ := media.CodecsFromSDPRead(md.Formats, sd.Values("a"), codecs)
	for _, c := range codecs[:n] {
		if c.SampleRate != 8000 {
			continue
		}
		if n := strings.ToLower(c.Name); n == "pcmu" || n == "pcma" {
			return nil
		}
	}
	return fmt.Errorf("no common codec in %v (want PCMU or PCMA)", md.Formats)
}

func sanitizeWarning(s string) string {
	return strings.NewReplacer(`"`, "'", "\r", " ", "\n", " ").Replace(s)
}

func respond(d *diago.DialogServerSession, code int, reason string, hdrs ...sip.Header) {
	if err := d.Respond(code, reason, nil, hdrs...); err != nil {
		// The caller cancelled or the transport failed; nothing else to tell them.
		return
	}
}

var (
	errCallEnded      = errors.New("call ended")
	errOfferWithdrawn = errors.New("offer withdrawn")
)

// every lets one event through per interval; the zero value allows the first.
type every struct {
	interval time.Duration
	next     atomic.Int64 // unix nanos
}

// Allow reports whether the interval has passed since the last allowed event.
func (e *every) Allow() bool {
	now := time.Now().UnixNano()
	next := e.next.Load()
	return now >= next && e.next.CompareAndSwap(next, now+int64(e.interval))
}
