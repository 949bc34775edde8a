package sipua

import (
	"log/slog"
	"time"

	"github.com/emiago/diago/media"
)

// Config is the account and where to reach it.
type Config struct {
	// Server is the registrar / outbound proxy, host:port (the PBX, or the switchboard
	// when attendants register there).
	Server string
	// Transport is "udp" (default) or "tcp".
	Transport string
	// Username and Password are the digest credentials; Username is also the user part
	// of the address of record and of the Contact.
	Username string
	Password string
	// Realm is the SIP domain of the account (the host of the address of record),
	// when it is not Server's host. The phone only answers digest challenges for
	// this realm when it is set, so it never hands credentials to the wrong server.
	Realm string
	// Contact is the local host (or host:port) to listen on and to advertise in the
	// Contact header. Default: 0.0.0.0 with an ephemeral port, advertised as the
	// first non-loopback address.
	Contact string
	// DisplayName goes into From on requests the phone sends.
	DisplayName string
	// Expires is the registration lifetime asked for. Default 5 minutes; the
	// registrar may grant another, which is what the phone refreshes against.
	Expires time.Duration
}

const (
	defaultExpires        = 5 * time.Minute
	defaultRequestTimeout = 8 * time.Second
	defaultRetryInterval  = 30 * time.Second
	defaultJitterMin      = 30 * time.Millisecond
	defaultJitterMax      = 100 * time.Millisecond
	// hangupTimeout bounds each BYE or final response on teardown.
	hangupTimeout = 3 * time.Second
)

// defaultCodecs: Opus first when built with cgo (robust to loss, and ready for
// wideband once the audio path runs above 8 kHz), then G.711 both laws, and RFC
// 4733 events so that a PBX that insists on them still gets an answer. The
// switchboard bridges without transcoding, so the attendant leg only needs what
// callers send.
var defaultCodecs = append(append([]media.Codec{}, opusCodecs...),
	media.CodecAudioUlaw, media.CodecAudioAlaw, media.CodecTelephoneEvent8000)

// Option configures a Phone.
type Option func(*Phone)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(p *Phone) { p.log = l } }

// WithAudio sets where calls' sound comes from and goes to. Default: silence in,
// nothing out.
func WithAudio(a AudioDevice) Option { return func(p *Phone) { p.audio = a } }

// WithOnIncoming is called for every new incoming call, after the phone has sent
// 180 Ringing (or answered, for an auto-answer call). It runs on the call's own
// goroutine and must not block: answer with Phone.Answer from anywhere.
func WithOnIncoming(f func(*Call)) Option { return func(p *Phone) { p.onIncoming = f } }

// WithOnCallEnded is called once when a call is over, whatever ended it.
func WithOnCallEnded(f func(*Call)) Option { return func(p *Phone) { p.onEnded = f } }

// WithOnRegistration is called after every REGISTER outcome: registered (also on
// each refresh), refused, unreachable, and unregistered.
func WithOnRegistration(f func(Registration)) Option { return func(p *Phone) { p.onReg = f } }

// WithRequestTimeout bounds each REGISTER transaction (default 8 s). A registrar
// that has not answered by then is reported unreachable.
func WithRequestTimeout(d time.Duration) Option { return func(p *Phone) { p.requestTimeout = d } }

// WithRetryInterval is how long the phone waits before trying again after a
// registration refresh failed (default 30 s).
func WithRetryInterval(d time.Duration) Option { return func(p *Phone) { p.retryInterval = d } }

// WithJitterBuffer bounds the adaptive playout delay (default 30–100 ms).
func WithJitterBuffer(min, max time.Duration) Option {
	return func(p *Phone) { p.jitterMin, p.jitterMax = min, max }
}

// WithCodecs sets the offered/accepted codecs, in order of preference. Opus (cgo
// builds only), PCMU and PCMA are decoded; others may be listed for events
// (telephone-event). An offer with Opus is answered with Opus alone when it is
// listed; otherwise the answer keeps the offer's order.
func WithCodecs(c ...media.Codec) Option { return func(p *Phone) { p.codecs = c } }
