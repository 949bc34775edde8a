// Package demo fills a switchboard with believable callers, so someone trying
// Concierge sees real SIP calls waiting in the queue, with names and numbers and
// music on hold, without owning a PBX or a softphone.
//
// Every caller is a genuine SIP user agent (sipgo + diago): it sends an INVITE
// with its name and number in From, talks G.711 RTP in both directions and hangs
// up like a phone would, so the switchboard is exercised exactly as in production.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Option configures Run.
type Option func(*options)

type options struct {
	log      *slog.Logger
	hold     time.Duration
	interval time.Duration
	bindHost string
	ended    func(c Caller, framesHeard int) // test hook
}

// WithLogger sets where Run logs. The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// WithHold sets how long a caller stays on the line before giving up and hanging
// up itself. Default 3 minutes.
func WithHold(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.hold = d
		}
	}
}

// WithInterval sets the pause between two callers dialing in. Default 2 s.
func WithInterval(d time.Duration) Option {
	return func(o *options) {
		if d >= 0 {
			o.interval = d
		}
	}
}

// WithBindHost sets the local IP the callers' SIP and RTP sockets bind to; it must
// be reachable from the switchboard. Default 127.0.0.1.
func WithBindHost(host string) Option {
	return func(o *options) {
		if host != "" {
			o.bindHost = host
		}
	}
}

// teardownTimeout bounds the ACK and BYE sent when a call ends, so a switchboard
// that has gone away cannot hold up Run.
const teardownTimeout = 3 * time.Second

// Run places one call per caller into the switchboard at sipAddr (host:port, UDP),
// dialing service (the request-URI user, e.g. "reception"), one every interval.
// Each caller talks (a synthetic voice), discards what it hears and stays on the
// line until the switchboard hangs up or the hold time elapses.
//
// Run returns once every call has ended. When ctx is done it hangs up every call
// first. Its error joins the calls that could not be placed at all (switchboard
// unreachable, INVITE refused); a call ended by either side is not an error, nor
// is stopping through ctx.
func Run(ctx context.Context, sipAddr, service string, callers []Caller, opts ...Option) error {
	o := options{log: slog.Default(), hold: 3 * time.Minute, interval: 2 * time.Second, bindHost: "127.0.0.1"}
	for _, opt := range opts {
		opt(&o)
	}
	target, err := dialURI(sipAddr, service)
	if err != nil {
		return err
	}

	ph, err := o.newPhone()
	if err != nil {
		return err
	}
	defer ph.close()
	o.log.Info("demo: placing calls", "switchboard", sipAddr, "service", service, "callers", len(callers), "hold", o.hold)

	errs := make([]error, len(callers))
	var wg sync.WaitGroup
dial:
	for i, c := range callers {
		if i > 0 {
			pause := time.NewTimer(o.interval)
			select {
			case <-ctx.Done():
				pause.Stop()
				break dial
			case <-pause.C:
			}
		}
		wg.Go(func() { errs[i] = o.call(ctx, ph.dg, target, c) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// phone is the SIP user agent every demo caller shares: one UDP socket for
// signalling, to which the switchboard's responses and BYEs come back.
type phone struct {
	ua      *sipgo.UserAgent
	dg      *diago.Diago
	conn    net.PacketConn
	serving sync.WaitGroup
}

// newPhone binds the socket itself and serves it on a goroutine it can wait for,
// rather than through diago's ServeBackground, so that close leaves no goroutine
// or socket behind. The socket is not tied to Run's ctx on purpose: when ctx is
// cancelled the callers still have to send BYE and receive its 200 OK.
func (o *options) newPhone() (*phone, error) {
	conn, err := net.ListenPacket("udp", net.JoinHostPort(o.bindHost, "0"))
	if err != nil {
		return nil, fmt.Errorf("demo: listen on %s: %w", o.bindHost, err)
	}
	ph := &phone{conn: conn}
	ph.ua, err = sipgo.NewUA(sipgo.WithUserAgent("concierge-demo"))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("demo: sip user agent: %w", err)
	}
	log := o.log.With("component", "demo-sip")
	srv, err := sipgo.NewServer(ph.ua, sipgo.WithServerLogger(log))
	if err != nil {
		ph.ua.Close()
		conn.Close()
		return nil, fmt.Errorf("demo: sip server: %w", err)
	}
	ph.dg = diago.NewDiago(ph.ua,
		diago.WithServer(srv),
		diago.WithLogger(log),
		diago.WithTransport(diago.Transport{Transport: "udp", BindHost: o.bindHost, BindPort: conn.LocalAddr().(*net.UDPAddr).Port}),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{media.CodecAudioUlaw, media.CodecAudioAlaw}}),
	)
	ph.dg.HandleFunc(func(d *diago.DialogServerSession) {
		// Demo callers only call out.
		_ = d.Respond(sip.StatusGlobalDecline, "Demo Caller", nil)
	})
	ph.serving.Go(func() { _ = srv.ServeUDP(conn) })

	// Until sipgo has put the socket in its pool, the first INVITE would try to
	// bind the same port again and fail.
	pool := ph.ua.TransportLayer().Pool("udp")
	for deadline := time.Now().Add(5 * time.Second); pool.Size() == 0; {
		if time.Now().After(deadline) {
			ph.close()
			return nil, errors.New("demo: sip listener did not start")
		}
		time.Sleep(time.Millisecond)
	}
	return ph, nil
}

// close stops the user agent and waits for the socket's reader to exit.
func (ph *phone) close() {
	_ = ph.ua.Close()
	_ = ph.conn.Close() // sipgo leaves closing a listener it was handed to us
	ph.serving.Wait()
}

// call is one caller's whole call, from INVITE to hangup.
func (o *options) call(ctx context.Context, dg *diago.Diago, target sip.Uri, c Caller) error {
	name, number := displayName(c.Name), userPart(c.Number)
	log := o.log.With("caller", name, "number", number)
	if number == "" {
		return fmt.Errorf("demo: caller %q: number %q has no digits", c.Name, c.Number)
	}
	callCtx, cancel := context.WithTimeout(ctx, o.hold)
	defer cancel()

	d, err := dg.NewDialog(target, diago.NewDialogOptions{Transport: "udp"})
	if err != nil {
		return fmt.Errorf("demo: call from %s: %w", name, err)
	}
	defer d.Close()
	var inv diago.InviteClientOptions
	inv.WithCaller(name, number, o.bindHost)
	log.Debug("demo: dialing", "to", target.String())
	med, err := d.Invite(callCtx, inv)
	if err != nil {
		if callCtx.Err() != nil {
			// Stopped (or hold elapsed) before the switchboard answered; sipgo
			// has cancelled the INVITE.
			log.Info("demo: call given up before answer", "error", err)
			return nil
		}
		return fmt.Errorf("demo: call from %s %s: %w", name, number, err)
	}
	defer med.Close()

	// The ACK and BYE must go out even when ctx is already done.
	teardown := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), teardownTimeout)
	}
	ackCtx, ackCancel := teardown()
	err = d.Ack(ackCtx)
	ackCancel()
	if err != nil {
		return fmt.Errorf("demo: call from %s %s: ACK: %w", name, number, err)
	}
	codec := media.CodecAudioFromSession(med.MediaSession())
	log.Info("demo: call answered, caller waiting", "codec", codec.Name)

	r, err := med.AudioReader()
	if err != nil {
		return errors.Join(fmt.Errorf("demo: call from %s: audio reader: %w", name, err), hangup(teardown, d))
	}
	w, err := med.AudioWriter()
	if err != nil {
		return errors.Join(fmt.Errorf("demo: call from %s: audio writer: %w", name, err), hangup(teardown, d))
	}
	talkCtx, stopTalking := context.WithCancel(callCtx)
	var streams sync.WaitGroup
	var heard int
	streams.Go(func() { heard = listen(r) })
	streams.Go(func() { talk(talkCtx, w, frames(voice(name), codec.Name)) })

	select {
	case <-d.Context().Done():
		log.Info("demo: switchboard hung up")
	case <-callCtx.Done():
		reason := "hold time elapsed"
		if ctx.Err() != nil {
			reason = "demo stopped"
		}
		log.Info("demo: caller hanging up", "reason", reason)
		if err := hangup(teardown, d); err != nil {
			log.Warn("demo: hangup failed", "error", err)
		}
	}
	stopTalking()
	// Closing the media unblocks the reader; the writer notices talkCtx within 20 ms.
	_ = med.Close()
	streams.Wait()
	log.Debug("demo: call ended", "frames_heard", heard)
	if o.ended != nil {
		o.ended(c, heard)
	}
	return nil
}

func hangup(teardown func() (context.Context, context.CancelFunc), d *diago.DialogClientSession) error {
	ctx, cancel := teardown()
	defer cancel()
	return d.Hangup(ctx)
}

// listen reads and discards what the switchboard sends (music on hold, then the
// attendant) until the media closes, and returns how many frames arrived. Reading
// is what a phone does, and it keeps diago's RTCP receiver statistics honest.
func listen(r io.Reader) int {
	buf := make([]byte, media.RTPBufSize)
	n := 0
	for {
		k, err := r.Read(buf)
		if err != nil {
			return n
		}
		if k > 0 {
			n++
		}
	}
}

// talk sends the caller's voice in a loop. diago's writer paces itself at one
// frame per 20 ms.
func talk(ctx context.Context, w io.Writer, frames [][]byte) {
	for i := 0; ctx.Err() == nil; i = (i + 1) % len(frames) {
		if _, err := w.Write(frames[i]); err != nil {
			return
		}
	}
}

// dialURI is sip:service@host:port.
func dialURI(sipAddr, service string) (sip.Uri, error) {
	host, portStr, err := net.SplitHostPort(sipAddr)
	if err != nil {
		return sip.Uri{}, fmt.Errorf("demo: switchboard address %q: %w", sipAddr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port <= 0 || port > 65535 {
		return sip.Uri{}, fmt.Errorf("demo: switchboard address %q: bad port", sipAddr)
	}
	if service == "" {
		return sip.Uri{}, errors.New("demo: no service to dial")
	}
	// A switchboard listening on all interfaces reports 0.0.0.0 (or ::), which is
	// not a destination everywhere; it is on this machine, so dial loopback.
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return sip.Uri{Scheme: "sip", User: service, Host: host, Port: port}, nil
}

// displayName makes name safe inside the quoted display name sipgo writes
// verbatim: a quote or backslash would corrupt the From header.
func displayName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r == '\\', r < 0x20, r == 0x7f:
			return -1
		}
		return r
	}, strings.TrimSpace(name))
}

// userPart turns a number as people write it ("+33 6 12-34.56 78") into a SIP
// user part: the visual separators RFC 3966 allows are dropped, and anything
// else but digits and a leading + makes the number invalid (""). ('#' would need
// escaping in a SIP URI and no caller ID carries it.)
func userPart(number string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(number) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case strings.ContainsRune(" -.()/", r):
		default:
			return ""
		}
	}
	if strings.TrimPrefix(b.String(), "+") == "" {
		return ""
	}
	return b.String()
}
