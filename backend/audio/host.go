package audio

import (
	"log/slog"
	"sync"
	"time"
)

// paMu serialises calls into PortAudio's process-wide state: Pa_Initialize and
// Pa_Terminate are reference counted but not thread-safe, and the Go binding keeps
// its device cache and counter in unguarded package variables. It is the one
// package-level variable here because PortAudio itself is one per process.
var paMu sync.Mutex

// Host opens devices. It holds no PortAudio state of its own: every listing
// initialises PortAudio afresh (that is what makes a headset plugged in a moment ago
// show up) and every stream keeps PortAudio initialised until it is closed.
type Host struct {
	log     *slog.Logger
	latency time.Duration
}

// Option configures a Host.
type Option func(*Host)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(h *Host) { h.log = l } }

// WithLatency sets the device buffering asked of PortAudio for every stream. Lower
// is snappier but underruns on a busy machine; the default, 40 ms (two frames), is
// what desk phones typically budget for their sound path, and the least PortAudio's
// ALSA host keeps with 20 ms periods. Playback.ReadFrom takes each frame only when
// the device has room for it, so a frame waits behind about one frame (20 ms) of it.
func WithLatency(d time.Duration) Option { return func(h *Host) { h.latency = d } }

// New returns a Host. It touches no device.
func New(opts ...Option) *Host {
	h := &Host{log: slog.Default(), latency: 2 * FrameDuration}
	for _, o := range opts {
		o(h)
	}
	return h
}
