package sipua

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

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Phone is one SIP account with its listening socket, registration and calls.
type Phone struct {
	cfg            Config
	log            *slog.Logger
	audio          AudioDevice
	onIncoming     func(*Call)
	onEnded        func(*Call)
	onReg          func(Registration)
	requestTimeout time.Duration
	retryInterval  time.Duration
	jitterMin      time.Duration
	jitterMax      time.Duration
	codecs         []media.Codec

	ua      *sipgo.UserAgent
	client  *sipgo.Client
	dg      *diago.Diago
	udp     net.PacketConn
	tcp     net.Listener
	local   net.Addr // the bound SIP address of cfg.Transport
	contact sip.Uri  // advertised in REGISTER
	serving sync.WaitGroup

	muted atomic.Bool

	// regMu serialises Register and Unregister, so two calls cannot both start a
	// refresh loop.
	regMu sync.Mutex

	// closing is closed by Close: ringing calls are refused, answered ones hung up.
	closing chan struct{}

	mu       sync.Mutex
	closed   bool
	calls    map[string]*Call
	active   *Call // the answered call that has the audio
	handlers sync.WaitGroup
	reg      *registration
	regState Registration
}

// New binds the SIP socket and starts answering requests. It does not register:
// call Register. Close releases everything.
func New(cfg Config, opts ...Option) (*Phone, error) {
	p := &Phone{
		cfg:            cfg,
		log:            slog.Default(),
		audio:          silentDevice{},
		requestTimeout: defaultRequestTimeout,
		retryInterval:  defaultRetryInterval,
		jitterMin:      defaultJitterMin,
		jitterMax:      defaultJitterMax,
		codecs:         defaultCodecs,
		closing:        make(chan struct{}),
		calls:          make(map[string]*Call),
	}
	for _, o := range opts {
		o(p)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	if err := p.listen(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Phone) validate() error {
	c := &p.cfg
	if _, _, err := net.SplitHostPort(c.Server); err != nil {
		return fmt.Errorf("%w: server %q: %v", ErrConfig, c.Server, err)
	}
	c.Transport = strings.ToLower(c.Transport)
	switch c.Transport {
	case "":
		c.Transport = "udp"
	case "udp", "tcp":
	default:
		return fmt.Errorf("%w: transport %q (want udp or tcp)", ErrConfig, c.Transport)
	}
	if c.Username == "" {
		return fmt.Errorf("%w: no username", ErrConfig)
	}
	if c.Expires <= 0 {
		c.Expires = defaultExpires
	}
	if c.Contact == "" {
		c.Contact = "0.0.0.0"
	}
	return nil
}

// listen binds the socket itself and hands it to sipgo, so that the real port is
// known for the Contact before anything is sent (sipgo's own listen-port bookkeeping
// is not safe to read concurrently).
func (p *Phone) listen() error {
	host, port := p.cfg.Contact, 0
	if h, ps, err := net.SplitHostPort(p.cfg.Contact); err == nil {
		host = h
		if port, err = strconv.Atoi(ps); err != nil {
			return fmt.Errorf("%w: contact port %q", ErrConfig, ps)
		}
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return fmt.Errorf("%w: contact host %q is not an IP address", ErrConfig, host)
	}
	advertised := ip
	if ip.IsUnspecified() {
		a, _, err := sip.ResolveInterfacesIP("ip4", nil)
		if err != nil {
			return fmt.Errorf("%w: no address to advertise: %v", ErrConfig, err)
		}
		advertised = a
	}

	var err error
	switch p.cfg.Transport {
	case "udp":
		p.udp, err = net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
		if err == nil {
			p.local = p.udp.LocalAddr()
		}
	case "tcp":
		p.tcp, err = net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: port})
		if err == nil {
			p.local = p.tcp.Addr()
		}
	}
	if err != nil {
		return fmt.Errorf("sipua: listen %s %s: %w", p.cfg.Transport, p.cfg.Contact, err)
	}
	_, ps, _ := net.SplitHostPort(p.local.String())
	port, _ = strconv.Atoi(ps)

	ua, err := sipgo.NewUA(sipgo.WithUserAgent(p.cfg.Username), sipgo.WithUserAgentHostname(advertised.String()))
	if err != nil {
		p.closeListeners()
		return fmt.Errorf("sipua: user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(p.log.With("component", "sip")))
	if err != nil {
		ua.Close()
		p.closeListeners()
		return fmt.Errorf("sipua: sip server: %w", err)
	}
	copts := []sipgo.ClientOption{sipgo.WithClientLogger(p.log.With("component", "sip")), sipgo.WithClientNAT()}
	if p.cfg.Transport == "udp" {
		// Send REGISTERs from the listening socket: the registrar then sees the same
		// source as the Contact, which NATs and rport depend on.
		copts = append(copts, sipgo.WithClientConnectionAddr(net.JoinHostPort(advertisedOrBound(ip, advertised), strconv.Itoa(port))))
	}
	client, err := sipgo.NewClient(ua, copts...)
	if err != nil {
		ua.Close()
		p.closeListeners()
		return fmt.Errorf("sipua: sip client: %w", err)
	}
	p.ua, p.client = ua, client
	p.dg = diago.NewDiago(ua,
		diago.WithServer(srv),
		diago.WithLogger(p.log.With("component", "diago")),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: p.codecs}),
		diago.WithTransport(diago.Transport{
			ID: p.cfg.Transport, Transport: p.cfg.Transport,
			BindHost: ip.String(), BindPort: port,
			ExternalHost: advertised.String(), ExternalPort: port,
		}),
		diago.WithServerRequestMiddleware(p.track),
	)
	p.dg.HandleFunc(p.handleInvite)
	p.contact = sip.Uri{
		Scheme: "sip", User: p.cfg.Username, Host: advertised.String(), Port: port,
		UriParams: sip.NewParams(), Headers: sip.NewParams(),
	}
	if p.cfg.Transport != "udp" {
		p.contact.UriParams.Add("transport", p.cfg.Transport)
	}

	p.serving.Add(1)
	go func() {
		defer p.serving.Done()
		var err error
		if p.udp != nil {
			err = srv.ServeUDP(p.udp)
		} else {
			err = srv.ServeTCP(p.tcp)
		}
		if err != nil && !errors.Is(err, net.ErrClosed) {
			p.log.Debug("sip server stopped", "error", err)
		}
	}()
	if p.udp != nil {
		// sipgo only reuses the listening socket for outgoing requests once ServeUDP
		// has put it in its pool; a REGISTER sent before that would try to bind the
		// same port a second time and fail.
		addr := p.udp.LocalAddr().String()
		for deadline := time.Now().Add(2 * time.Second); ; {
			if _, err := ua.TransportLayer().GetConnection("udp", addr); err == nil {
				break
			}
			if time.Now().After(deadline) {
				p.log.Warn("sip socket not ready after 2 s; continuing")
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	p.log.Info("softphone listening", "transport", p.cfg.Transport, "addr", p.local.String(), "contact", p.contact.String())
	return nil
}

// advertisedOrBound picks the source address for client requests: the bound IP
// when it is specific, the advertised one when bound to all interfaces.
func advertisedOrBound(bound, advertised net.IP) string {
	if bound.IsUnspecified() {
		return advertised.String()
	}
	return bound.String()
}

func (p *Phone) closeListeners() {
	if p.udp != nil {
		p.udp.Close()
	}
	if p.tcp != nil {
		p.tcp.Close()
	}
}

// LocalAddr is the bound SIP address.
func (p *Phone) LocalAddr() net.Addr { return p.local }

// Contact is the URI the phone registers as.
func (p *Phone) Contact() sip.Uri { return p.contact }

// track refuses requests once Close has begun and lets Close wait for handlers.
func (p *Phone) track(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			if !req.IsAck() {
				res := sip.NewResponseFromRequest(req, sip.StatusServiceUnavailable, "Shutting Down", nil)
				if err := tx.Respond(res); err != nil {
					p.log.Debug("refusing request during shutdown", "error", err)
				}
			}
			return
		}
		p.handlers.Add(1)
		p.mu.Unlock()
		defer p.handlers.Done()
		next(req, tx)
	}
}

// Mute stops sending the microphone's audio (silence goes out instead, so the RTP
// stream and the PBX's media timers stay alive) while the far end is still heard.
// It applies to the current call and to the next ones until unmuted.
func (p *Phone) Mute(mute bool) { p.muted.Store(mute) }

// Muted reports whether the microphone is muted.
func (p *Phone) Muted() bool { return p.muted.Load() }

// Close unregisters (best effort, bounded by ctx), hangs up every call and
// releases the socket.
func (p *Phone) Close(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	reg := p.reg
	p.mu.Unlock()

	var uerr error
	if reg != nil {
		uerr = p.Unregister(ctx)
	}

	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	close(p.closing)

	done := make(chan struct{})
	go func() {
		p.handlers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		p.log.Warn("softphone: calls still ending at close; closing anyway")
	}
	p.closeListeners()
	cerr := p.ua.Close()
	p.serving.Wait()
	<-done
	if errors.Is(uerr, ErrUnreachable) || errors.Is(uerr, context.DeadlineExceeded) {
		uerr = nil // nothing to undo on a server we cannot reach
	}
	return errors.Join(uerr, cerr)
}
