package sipua

import (
	"io"
	"sync"
	"time"
)

// PCM format of every audio stream the phone exchanges with its AudioDevice.
const (
	SampleRate    = 8000
	FrameDuration = 20 * time.Millisecond
	FrameSamples  = 160
	FrameBytes    = 2 * FrameSamples // signed 16-bit little-endian, mono
)

// AudioDevice supplies the sound of a call. OpenAudio is called when a call is
// answered and both streams are closed when it ends, so a headset is only in use
// (and its microphone only live) during calls.
//
// The microphone's Read must pace the phone: it returns one frame's worth when that
// frame has been captured, as a sound card does. A source that has everything at
// hand (a file, a generated tone) must be wrapped in Paced.
//
// The speaker receives one frame per Write every 20 ms by the phone's clock. If it
// implements io.ReaderFrom (backend/audio's Playback does), the phone instead calls
// ReadFrom with the jitter buffer, and the device pulls each frame when it has room,
// by its own clock, which keeps the delay steady.
type AudioDevice interface {
	OpenAudio() (mic io.ReadCloser, speaker io.WriteCloser, err error)
}

// AudioDeviceFunc adapts a function to AudioDevice.
type AudioDeviceFunc func() (io.ReadCloser, io.WriteCloser, error)

// OpenAudio calls f.
func (f AudioDeviceFunc) OpenAudio() (io.ReadCloser, io.WriteCloser, error) { return f() }

// silentDevice is the default AudioDevice: a microphone producing silence at real
// time and a speaker that drops what it gets. It keeps RTP flowing both ways, which
// PBXs that hang up silent calls want.
type silentDevice struct{}

func (silentDevice) OpenAudio() (io.ReadCloser, io.WriteCloser, error) {
	return Paced(zeroReader{}), discardCloser{}, nil
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type discardCloser struct{}

func (discardCloser) Write(p []byte) (int, error) { return len(p), nil }
func (discardCloser) Close() error                { return nil }

// Paced wraps a reader that never blocks so that each Read returns at most one
// frame, one frame duration after the previous one. Close stops it (a blocked Read
// returns io.EOF) and closes r if it is an io.Closer.
func Paced(r io.Reader) io.ReadCloser {
	return &pacedReader{r: r, done: make(chan struct{})}
}

type pacedReader struct {
	r      io.Reader
	next   time.Time
	done   chan struct{}
	closer sync.Once
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if len(b) > FrameBytes {
		b = b[:FrameBytes]
	}
	now := time.Now()
	if p.next.IsZero() || now.Sub(p.next) > 5*FrameDuration {
		p.next = now // first read, or the consumer stalled: do not burst to catch up
	}
	if d := p.next.Sub(now); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-p.done:
			t.Stop()
			return 0, io.EOF
		}
	}
	select {
	case <-p.done:
		return 0, io.EOF
	default:
	}
	p.next = p.next.Add(FrameDuration)
	return p.r.Read(b)
}

func (p *pacedReader) Close() error {
	p.closer.Do(func() { close(p.done) })
	if c, ok := p.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
