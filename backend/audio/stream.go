package audio

import (
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gordonklaus/portaudio"
)

// stream is what Capture and Playback share: an open, started, blocking PortAudio
// stream of one mono int16 channel, and a resampler when the device is not at 8 kHz.
type stream struct {
	name  string
	dir   direction
	pa    *portaudio.Stream
	buf   []int16 // PortAudio's buffer: one 20 ms frame at the device rate
	rate  float64
	rs    *resampler // nil at 8 kHz
	log   *slog.Logger
	xruns atomic.Int64 // overflows (input) or underflows (output), for diagnostics and tests
}

// open initialises PortAudio and opens the device, at 8 kHz if it accepts it and at
// its default rate otherwise. On success PortAudio stays initialised until close.
func (h *Host) open(name string, dir direction) (*stream, error) {
	paMu.Lock()
	defer paMu.Unlock()
	if err := portaudio.Initialize(); err != nil {
		return nil, fmt.Errorf("audio: initialising PortAudio: %w", err)
	}
	s, err := h.openLocked(name, dir)
	if err != nil {
		portaudio.Terminate()
		return nil, err
	}
	return s, nil
}

func (h *Host) openLocked(name string, dir direction) (*stream, error) {
	dev, err := findDevice(name, dir)
	if err != nil {
		return nil, err
	}
	latency := h.latency
	params := func(rate float64) (portaudio.StreamParameters, []int16) {
		frames := int(rate * FrameDuration.Seconds())
		p := portaudio.StreamParameters{SampleRate: rate, FramesPerBuffer: frames}

		sp := portaudio.StreamDeviceParameters{Device: dev, Channels: 1, Latency: latency}
		if dir == input {
			p.Input = sp
		} else {
			p.Output = sp
		}
		return p, make([]int16, frames)
	}
	rate := float64(SampleRate)
	p, buf := params(rate)
	if err := portaudio.IsFormatSupported(p, buf); err != nil {
		rate = dev.DefaultSampleRate
		if rate < SampleRate {
			return nil, fmt.Errorf("%w: %q: %v", ErrUnsupported, dev.Name, err)
		}
		p, buf = params(rate)
		if err := portaudio.IsFormatSupported(p, buf); err != nil {
			return nil, fmt.Errorf("%w: %q at %g Hz: %v", ErrUnsupported, dev.Name, rate, err)
		}
	}
	pa, err := portaudio.OpenStream(p, buf)
	if err != nil {
		return nil, fmt.Errorf("audio: opening %s device %q: %w", dir, dev.Name, err)
	}
	if err := pa.Start(); err != nil {
		pa.Close()
		return nil, fmt.Errorf("audio: starting %s device %q: %w", dir, dev.Name, err)
	}
	s := &stream{name: dev.Name, dir: dir, pa: pa, buf: buf, rate: rate, log: h.log}
	if rate != SampleRate {
		if dir == input {
			s.rs = newResampler(rate, SampleRate)
		} else {
			s.rs = newResampler(SampleRate, rate)
		}
	}
	info := pa.Info()
	var lat time.Duration
	if info != nil {
		lat = info.InputLatency
		if dir == output {
			lat = info.OutputLatency
		}
	}
	h.log.Debug("audio stream opened", "device", dev.Name, "direction", dir.String(), "rate", rate, "latency", lat)
	return s, nil
}

// Latency is the device latency PortAudio reports for the open stream.
func (s *stream) latency() time.Duration {
	info := s.pa.Info()
	if info == nil {
		return 0
	}
	if s.dir == input {
		return info.InputLatency
	}
	return info.OutputLatency
}

// close stops the stream (after playing what was queued, for output) and releases
// PortAudio.
func (s *stream) close(drain bool) error {
	paMu.Lock()
	defer paMu.Unlock()
	var err error
	if drain {
		err = s.pa.Stop()
	} else {
		err = s.pa.Abort()
	}
	if cerr := s.pa.Close(); err == nil {
		err = cerr
	}
	if terr := portaudio.Terminate(); err == nil {
		err = terr
	}
	if err != nil {
		return fmt.Errorf("audio: closing %s device %q: %w", s.dir, s.name, err)
	}
	return nil
}

// ioError classifies an error of a blocking read or write: over- and underflows are
// glitches, not failures (PortAudio still moved the data); anything else means the
// device is gone.
func (s *stream) ioError(err error) error {
	if err == portaudio.InputOverflowed || err == portaudio.OutputUnderflowed {
		if n := s.xruns.Add(1); n == 1 || n%100 == 0 {
			s.log.Debug("audio over/underflow", "device", s.name, "direction", s.dir.String(), "count", n)
		}
		return nil
	}
	msg := err.Error()
	var he portaudio.UnanticipatedHostError
	if errors.As(err, &he) && he.Text == "" {
		// ALSA reports a vanished device (or sound server) as a bare host error
		// without text or a meaningful code.
		msg = "unanticipated host error (device or sound server gone)"
	}
	return fmt.Errorf("%w: %s device %q: %s", ErrDeviceGone, s.dir, s.name, msg)
}
