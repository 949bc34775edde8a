// Package switchboard is Concierge's SIP back-to-back user agent: it answers the calls
// of the reception queues, plays music on hold, registers the attendants' softphones,
// rings attendants with the offers the queue engine makes and bridges the caller to
// whoever answers. It is pure Go (sipgo + diago, no cgo) and is meant to be embedded:
// the HTTP API calls its console commands, the store implements its small interfaces
// (Credentials, Directory, HistorySink).
//
// # Call flow
//
//  1. INVITE → routed by request-URI user (then To user) to a queue, else the default
//     queue; SDP must offer PCMU or PCMA (else 488); beyond Config.MaxCalls → 503.
//  2. 200 OK (or 183 with Config.EarlyMedia), music on hold starts, the call is enqueued
//     with its number (P-Asserted-Identity, else From), name and VIP flag (Directory).
//  3. The engine calls Offer: the attendant's registered softphone, else their
//     extension through the PBX (proxy digest auth), is sent an INVITE that offers the
//     caller's codec only and carries the HeaderCallID and HeaderQueueID headers.
//  4. The phone's 200 OK → Engine.Answered; the loser of a race gets a BYE. The winner
//     is bridged (the switchboard relays RTP both ways, see below); either side's BYE
//     ends the other and releases the attendant. Busy/decline/error → Engine.OfferFailed.
//  5. Caller BYE/CANCEL while waiting → Engine.Abandon. Every end is recorded to the
//     HistorySink.
//
// # Answering from the console
//
// An attendant answers by picking up the phone that rings (its 200 OK is the answer).
// Switchboard.Answer is for clicking "answer" in the console while that phone rings:
// it is an engine pickup, so the ringing INVITE is CANCELled and a new one goes out with
// auto-answer headers (Call-Info: <sip:host>;answer-after=0, Alert-Info
// info=alert-autoanswer, Answer-Mode: Auto), which desk phones and softphones that
// honour them connect without a key press. Direct pickup from the queue (Pickup) rings
// the same way.
//
// # Call control on a bridged call
//
// The switchboard stays in the media path of every bridged call (a B2BUA relaying RTP,
// no transcoding: every leg is offered the caller's codec only), so the far leg can
// change under the caller without any signalling towards them. Console commands act on
// the call bridged to the attendant who issues them (else ErrNotYourCall; ErrNotBridged
// while it is still connecting or already handed over; ErrNoSuchCall):
//
//   - Hold / Resume (W10): on hold the caller hears the music on hold and the attendant
//     hears nothing (the attendant leg stays up, no re-INVITE); Resume reconnects both
//     ways. Held reports the state. Both are idempotent.
//   - Transfer(ctx, user, callID, target, TransferOptions{Safe, Timeout}) (W8 blind,
//     W14 safe, T4): target is a user registered at the switchboard, else a number
//     dialled through the PBX (sip:<target>@<PBX proxy>, digest auth), or a full sip:
//     URI; anything else is ErrInvalidTarget before any SIP is sent. The attendant leg
//     gets a BYE and the attendant is released at once; the caller hears music on hold
//     while the switchboard INVITEs the target (carrying the caller's From and a
//     Referred-By naming the attendant). Answer → caller and target are bridged,
//     history OutcomeTransferred (Destination = target). Busy (486/600/603), not
//     found, unreachable or no answer within Timeout (default 20 s) → the call is
//     requeued: with Safe as a recall (Recall flag, waiting time restarted) reserved
//     for the transferring attendant if still logged in, so it rings them first;
//     without Safe as a plain requeue. History OutcomeRecalled either way: a caller is
//     never dropped by a failed transfer. The caller hanging up meanwhile CANCELs the
//     target (OutcomeAbandoned).
//
// A transferred call is no longer any attendant's: console commands on it return
// ErrNotYourCall. REFER is not used: the switchboard stays in the media path.
//
//   - Consult / Swap / CompleteConsult / CancelConsult (W9, consult.go): a second line
//     to the target while the caller hears music; see consult.go.
//   - Park / Retrieve (O1, park.go): the caller waits on music for any attendant.
//   - Dial (W4, outbound.go): the attendant's phone, then the target, bridged.
//   - Mute (W11): the relay drops the attendant's audio (desk phones).
//
// An attendant whose phone hangs up, or who goes offline, with a held or consulting
// call leaves it to the queue as a recall (recall.go); calls they parked go back too.
//
// # Workspace lines
//
// The queue engine forgets a call once it is taken; the switchboard then publishes the
// attendant's lines (queue.Line: active, held, consultation, parked, outgoing) through
// the engine's ordered event stream and snapshot (lines.go), so every console shows
// them, also for desk-phone attendants.
//
// # Resources
//
// The queue engine is created by New (it needs the switchboard as its Offerer) and
// exposed by Engine for snapshots and event streams. Each waiting caller costs one
// goroutine (diago's INVITE handler, blocked for the call's life), two RTCP goroutines,
// an RTP and an RTCP socket, and one slot in the music-on-hold fan-out (one sendto per
// 20 ms; no per-call timer, codec or goroutine). An offer adds one goroutine and a
// socket pair. A bridged call adds one RTP relay goroutine per leg (the caller's lives
// until the call ends, so a recalled call keeps it while it waits again). Serve closes
// all of it on return.
//
// Not handled yet: NAT traversal for softphones behind another router than the
// switchboard's (their Contact is used as registered), SRTP, TLS, REFER, RFC 4733 DTMF
// relay (only audio payloads are relayed).
package switchboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// QueueConfig routes dialed numbers to a queue of the engine.
type QueueConfig struct {
	ID       string
	Name     string
	Numbers  []string // request-URI user parts routed to this queue
	Priority int
	// Default makes the queue take every INVITE no other queue's Numbers match.
	Default bool
	// Mode and Rules are the queue's Q9 rules (forward.go); "" means auto.
	// SetQueueMode and SetQueueRules change them live.
	Mode  queue.Mode
	Rules *queue.Rules
}

// PBXConfig is how the switchboard reaches desk-phone extensions: INVITEs for
// sip:<extension>@<Proxy> go to the PBX, which challenges them with digest auth.
type PBXConfig struct {
	Proxy     string // host:port of the PBX
	Transport string // "udp" (default) or "tcp"
	Username  string // digest credentials the PBX knows the switchboard by
	Password  string
}

// Config configures a Switchboard.
type Config struct {
	// SIPAddr is the host:port to listen on for both UDP and TCP. With port 0 each
	// transport gets its own ephemeral port; SIPAddr() reports them.
	SIPAddr string
	// Realm is the digest realm of REGISTER challenges. Default "concierge".
	Realm  string
	Queues []QueueConfig
	PBX    *PBXConfig
	// MOH is a WAV (8 kHz mono 16-bit) or raw signed 16-bit little-endian 8 kHz file.
	// Empty: music generated in code.
	MOH string
	// OfferTimeout is how long an attendant's phone rings before the offer moves on.
	// Default 20 s.
	OfferTimeout time.Duration
	// EarlyMedia answers waiting callers with 183 Session Progress and plays music as
	// early media, sending 200 OK only when an attendant answers, so the caller's
	// carrier does not bill the waiting time. Upstream proxies usually give up on an
	// unanswered INVITE after 3 minutes (Timer C), so keep it for short queues.
	EarlyMedia bool
	// MaxCalls caps concurrent calls (waiting or bridged); INVITEs beyond it get 503.
	// Default 1000.
	MaxCalls int
	// TrustedPeers, if not empty, are the only addresses (CIDRs or IPs, e.g. the
	// PBX's) new calls are taken from; other INVITEs get 403 (see trust.go).
	TrustedPeers []string
}

const (
	defaultRealm        = "concierge"
	defaultOfferTimeout = 20 * time.Second
	defaultMaxCalls     = 1000
	// hangupTimeout bounds each BYE/CANCEL on teardown so one dead peer cannot hold
	// up shutdown.
	hangupTimeout = 2 * time.Second
	// drainTimeout bounds how long Serve waits for calls to hang up on shutdown before
	// it closes the transport under the stragglers; Serve returns within ~4 s.
	drainTimeout = 3 * time.Second
)

// audioCodecs are the codecs offered and accepted on every leg. G.711 only: bridging
// is transcoding-free, so the attendant leg is offered the caller's codec.
var audioCodecs = []media.Codec{media.CodecAudioUlaw, media.CodecAudioAlaw, media.CodecTelephoneEvent8000}

// Switchboard is the SIP side of the reception: queues' calls, registrar, offers, bridges.
type Switchboard struct {
	cfg       Config
	log       *slog.Logger
	creds     Credentials
	dir       Directory
	history   HistorySink
	queueOpts []queue.Option

	engine       *queue.Engine
	routes       map[string]string // dialed user part → queue ID
	defaultQueue string
	reg          *registrar
	moh          *mohPlayer
	active       atomic.Int64 // inbound calls being handled, for MaxCalls
	refused      atomic.Int64 // INVITEs refused with 503 since start
	refusedLog   every
	relayed      relayStats  // audio packets through the bridges' relays
	peers        *peerScreen // who may call in (trust.go)

	served   atomic.Bool
	ready    chan struct{}
	shutdown chan struct{} // closed when Serve's ctx is done: calls hang up
	blf      *blf          // presence: BLF subscriptions and our own lines (blf.go); nil without WithPresence

	regMinExpires time.Duration // tests: shorter than regMinExpires

	// mu guards the fields below. closing and wg implement "no new work once
	// shutdown has started": wg.Add only happens under mu while !closing.
	mu      sync.Mutex
	closing bool
	wg      sync.WaitGroup
	calls   map[string]*call
	// outbound are the attendants' outgoing calls by line ID (outbound.go).
	outbound map[string]*outCall
	dg       *diago.Diago
	udpAddr  net.Addr
	tcpAddr  net.Addr
	host     string // our SIP host, for From/Call-Info URIs
}

// New validates cfg, loads the music on hold and creates the queue engine. Nothing
// listens until Serve.
func New(cfg Config, opts ...Option) (*Switchboard, error) {
	s := &Switchboard{
		cfg:      cfg,
		log:      slog.Default(),
		history:  discardHistory{},
		routes:   make(map[string]string),
		calls:    make(map[string]*call),
		ready:    make(chan struct{}),
		shutdown: make(chan struct{}),
	}
	s.refusedLog.interval = 10 * time.Second
	var err error
	if s.peers, err = newPeerScreen(cfg.TrustedPeers); err != nil {
		return nil, err
	}
	for _, o := range opts {
		o(s)
	}
	if s.cfg.Realm == "" {
		s.cfg.Realm = defaultRealm
	}
	if s.cfg.OfferTimeout <= 0 {
		s.cfg.OfferTimeout = defaultOfferTimeout
	}
	if s.cfg.MaxCalls <= 0 {
		s.cfg.MaxCalls = defaultMaxCalls
	}
	if _, _, err := net.SplitHostPort(s.cfg.SIPAddr); err != nil {
		return nil, fmt.Errorf("%w: SIPAddr %q: %v", ErrConfig, s.cfg.SIPAddr, err)
	}
	if p := s.cfg.PBX; p != nil {
		if _, _, err := net.SplitHostPort(p.Proxy); err != nil {
			return nil, fmt.Errorf("%w: PBX proxy %q: %v", ErrConfig, p.Proxy, err)
		}
		switch strings.ToLower(p.Transport) {
		case "", "udp", "tcp":
		default:
			return nil, fmt.Errorf("%w: PBX transport %q", ErrConfig, p.Transport)
		}
	}

	s.engine = queue.New(s, append([]queue.Option{
		queue.WithLogger(s.log.With("component", "queue")),
		queue.WithOfferTimeout(s.cfg.OfferTimeout),
	}, s.queueOpts...)...)
	for _, q := range s.cfg.Queues {
		if q.ID == "" {
			return nil, fmt.Errorf("%w: queue without ID", ErrConfig)
		}
		if q.Rules != nil {
			// Not fatal: a bad target only makes its forwards fail, and those put the
			// caller back in the queue.
			if err := q.Rules.Validate(ValidTarget); err != nil {
				s.log.Warn("queue rules look wrong", "queue", q.ID, "error", err)
			}
		}
		if q.Mode != "" && !queue.ValidMode(q.Mode) {
			return nil, fmt.Errorf("%w: queue %q mode %q", ErrConfig, q.ID, q.Mode)
		}
		s.engine.AddQueue(queue.QueueConfig{ID: q.ID, Name: q.Name, Priority: q.Priority, Mode: q.Mode, Rules: q.Rules})
		for _, n := range q.Numbers {
			if other, dup := s.routes[n]; dup {
				return nil, fmt.Errorf("%w: number %q routed to both %q and %q", ErrConfig, n, other, q.ID)
			}
			s.routes[n] = q.ID
		}
		if q.Default {
			if s.defaultQueue != "" {
				return nil, fmt.Errorf("%w: queues %q and %q are both default", ErrConfig, s.defaultQueue, q.ID)
			}
			s.defaultQueue = q.ID
		}
	}
	if s.defaultQueue == "" && len(s.routes) == 0 {
		// No routing configured at all: behave like the spec's single reception queue.
		s.defaultQueue = "reception"
		s.engine.AddQueue(queue.QueueConfig{ID: "reception", Name: "Reception"})
	}

	reg, err := newRegistrar(s.cfg.Realm, s.creds, s.log.With("component", "registrar"))
	if err != nil {
		return nil, err
	}
	reg.onBound = s.phoneRegistered
	reg.onUnbound = s.phoneUnregistered
	if s.regMinExpires > 0 {
		reg.minExpires = s.regMinExpires
	}
	s.reg = reg
	track, err := newMOHTrack(s.cfg.MOH)
	if err != nil {
		return nil, err
	}
	s.moh = newMOHPlayer(track, s.log.With("component", "moh"))
	return s, nil
}

// Engine returns the queue engine, for the API's snapshots and event subscriptions.
func (s *Switchboard) Engine() *queue.Engine { return s.engine }

// Ready is closed once Serve listens; SIPAddr is valid from then on.
func (s *Switchboard) Ready() <-chan struct{} { return s.ready }

// SIPAddr returns the bound UDP and TCP addresses (nil before Serve is ready).
func (s *Switchboard) SIPAddr() (udp, tcp net.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.udpAddr, s.tcpAddr
}

// Serve listens on UDP and TCP and handles calls until ctx is done. On the way out it
// hangs up every call (BYE to callers and attendants, CANCEL to ringing offers), then
// closes the listeners and every RTP socket.
func (s *Switchboard) Serve(ctx context.Context) error {
	if !s.served.CompareAndSwap(false, true) {
		return ErrAlreadyServing
	}
	host, portStr, _ := net.SplitHostPort(s.cfg.SIPAddr) // validated in New
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("%w: SIPAddr port %q", ErrConfig, portStr)
	}
	if host == "" {
		host = "0.0.0.0"
	}

	// We bind the sockets ourselves and hand them to sipgo: diago then knows the real
	// ports for Contact headers from the start, and SIPAddr can report them without
	// reading sipgo's unsynchronised listen-port map.
	udpConn, tcpLn, err := listen(host, port)
	if err != nil {
		return err
	}
	udpAddr := udpConn.LocalAddr().(*net.UDPAddr)
	tcpAddr := tcpLn.Addr().(*net.TCPAddr)

	ua, err := sipgo.NewUA(sipgo.WithUserAgent("concierge"))
	if err != nil {
		return errors.Join(fmt.Errorf("sip user agent: %w", err), udpConn.Close(), tcpLn.Close())
	}
	defer ua.Close()
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(s.log.With("component", "sip")))
	if err != nil {
		return errors.Join(fmt.Errorf("sip server: %w", err), udpConn.Close(), tcpLn.Close())
	}
	dg := diago.NewDiago(ua,
		diago.WithServer(srv),
		diago.WithLogger(s.log.With("component", "diago")),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: audioCodecs}),
		diago.WithTransport(diago.Transport{ID: "udp", Transport: "udp", BindHost: host, BindPort: udpAddr.Port}),
		diago.WithTransport(diago.Transport{ID: "tcp", Transport: "tcp", BindHost: host, BindPort: tcpAddr.Port}),
		diago.WithServerRequestMiddleware(func(next sipgo.RequestHandler) sipgo.RequestHandler { return s.track(s.screen(s.blfNotify(next))) }),
	)
	dg.HandleFunc(s.handleInbound)
	srv.OnRegister(s.reg.handle)

	servers := make(chan error, 2)
	go func() { servers <- srv.ServeUDP(udpConn) }()
	go func() { servers <- srv.ServeTCP(tcpLn) }()
	if err := waitUDPServing(ctx, ua.TransportLayer(), udpAddr); err != nil {
		return errors.Join(err, udpConn.Close(), tcpLn.Close(), <-servers, <-servers)
	}

	s.mu.Lock()
	s.dg = dg
	s.udpAddr, s.tcpAddr = udpAddr, tcpAddr
	s.host = host
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		if ip, _, err := sip.ResolveInterfacesIP("ip4", nil); err == nil {
			s.host = ip.String()
		}
	}
	s.mu.Unlock()
	close(s.ready)
	if s.blf != nil && s.cfg.PBX != nil && s.begin() {
		go s.runBLF(ua, host, udpAddr.Port)
	}
	s.log.Info("switchboard listening", "udp", udpAddr.String(), "tcp", tcpAddr.String())

	mohCtx, stopMOH := context.WithCancel(context.Background())
	mohDone := make(chan struct{})
	go func() {
		defer close(mohDone)
		s.moh.run(mohCtx)
	}()

	sweep := time.NewTicker(time.Minute)
	defer sweep.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-sweep.C:
			s.reg.sweep()
		}
	}
	s.reg.close()

	// Shutdown: refuse new work, tell every call to hang up, wait for them.
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	close(s.shutdown)
	drained := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(drainTimeout):
		s.log.Warn("switchboard: calls still hanging up at shutdown; closing anyway")
	}
	stopMOH()
	<-mohDone
	s.engine.Close() // stops offer timers
	// Closing the sockets makes the serve loops return; closing the UA ends the
	// transactions, so handlers still blocked on a dead peer return too.
	cerr := errors.Join(udpConn.Close(), tcpLn.Close())
	for range 2 {
		<-servers
	}
	if err := ua.Close(); err != nil {
		cerr = errors.Join(cerr, err)
	}
	<-drained
	if cerr != nil {
		return fmt.Errorf("closing sip transport: %w", cerr)
	}
	return nil
}

// waitUDPServing waits until sipgo has put the UDP listener in its connection pool.
// Until then an outgoing request (an offer, a test's REGISTER) would make sipgo try to
// bind a second socket to the same address and fail.
func waitUDPServing(ctx context.Context, tp *sip.TransportLayer, addr *net.UDPAddr) error {
	pool := tp.Pool("udp")
	for {
		if c := pool.Get(addr.String()); c != nil {
			c.Ref(-1) // Get took a reference; the listener keeps its own
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// listen binds UDP and TCP. With port 0 it tries to give TCP the same port as UDP, so
// one host:port serves both as with a fixed port.
func listen(host string, port int) (*net.UDPConn, *net.TCPListener, error) {
	ip := net.ParseIP(host)
	if ip == nil {
		addrs, err := net.LookupIP(host)
		if err != nil || len(addrs) == 0 {
			return nil, nil, fmt.Errorf("%w: SIPAddr host %q: %v", ErrConfig, host, err)
		}
		ip = addrs[0]
	}
	udpConn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
	if err != nil {
		return nil, nil, fmt.Errorf("sip listen udp: %w", err)
	}
	tcpPort := port
	if port == 0 {
		tcpPort = udpConn.LocalAddr().(*net.UDPAddr).Port
	}
	tcpLn, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: tcpPort})
	if err != nil && port == 0 {
		tcpLn, err = net.ListenTCP("tcp", &net.TCPAddr{IP: ip})
	}
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("sip listen tcp: %w", err), udpConn.Close())
	}
	return udpConn, tcpLn, nil
}

// track wraps every SIP request handler so Serve can wait for them on shutdown. Once
// shutdown has begun new requests are refused with 503 (ACKs are just dropped).
func (s *Switchboard) track(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if !s.begin() {
			if !req.IsAck() {
				res := sip.NewResponseFromRequest(req, sip.StatusServiceUnavailable, "Shutting Down", nil)
				if err := tx.Respond(res); err != nil {
					s.log.Debug("refusing request during shutdown", "error", err)
				}
			}
			return
		}
		defer s.wg.Done()
		next(req, tx)
	}
}

// begin registers one unit of work with the shutdown WaitGroup, unless shutdown has
// started. Every successful begin must be paired with s.wg.Done().
func (s *Switchboard) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.wg.Add(1)
	return true
}

func (s *Switchboard) diago() (*diago.Diago, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dg, s.host
}

func (s *Switchboard) lookupCall(id string) *call {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.calls[id]; c != nil {
		return c
	}
	// A consultation's line (see lines.go) names its call.
	if base, ok := strings.CutSuffix(id, consultLineSuffix); ok {
		return s.calls[base]
	}
	return nil
}

func (s *Switchboard) record(e HistoryEntry) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.history.Record(ctx, e); err != nil {
		s.log.Error("recording call history failed", "error", err, "call", e.CallID, "outcome", e.Outcome)
	}
}
