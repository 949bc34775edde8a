package audio

import (
	"errors"
	"io"
	"testing"
	"time"
)

// TestDeviceRoundTripLatency measures what the sound path adds: the time from a
// warm playback stream's ReadFrom taking a frame (as it takes them from the
// softphone's jitter buffer) to that frame's Read from the monitor, i.e. output
// buffer + PulseAudio + input period + one frame of read granularity.
func TestDeviceRoundTripLatency(t *testing.T) {
	needPulse(t)
	h := New()
	in, err := h.OpenCapture("")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := h.OpenPlayback("")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()

	onset := make(chan time.Time, 1)
	errc := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		buf := make([]byte, FrameBytes)
		for {
			select {
			case <-stop:
				errc <- nil
				return
			default:
			}
			n, err := in.Read(buf)
			if err != nil {
				errc <- err
				return
			}
			if rms(samplesFromBytes(nil, buf[:n])) > 1000 {
				select {
				case onset <- time.Now():
				default:
				}
			}
		}
	}()
	defer func() {
		close(stop)
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}()

	// Feed the speaker as the softphone does, through ReadFrom, which reads a frame
	// when the device has room for it: half a second of silence to let both streams
	// settle, then a tone. The clock starts when its first frame is read.
	src := &toneAfter{silent: 25, tone: NewTone(1000), started: make(chan time.Time, 1)}
	played := make(chan error, 1)
	go func() {
		_, err := out.ReadFrom(src)
		played <- err
	}()
	defer func() {
		out.Close()
		if err := <-played; err != nil && !errors.Is(err, ErrClosed) {
			t.Error(err)
		}
	}()
	var start time.Time
	select {
	case start = <-src.started:
	case <-time.After(3 * time.Second):
		t.Fatal("the speaker did not ask for half a second of audio")
	}
	// Anything heard before is not the tone.
	for len(onset) > 0 {
		if at := <-onset; at.After(start) {
			onset <- at
			break
		}
	}
	select {
	case at := <-onset:
		d := at.Sub(start)
		t.Logf("device round trip (playback → null sink → monitor capture): %v; PortAudio reports output %v, input %v; %d underflows, %d overflows",
			d.Round(time.Millisecond), out.Latency(), in.Latency(), out.Underflows(), in.Overflows())
		if d > 500*time.Millisecond {
			t.Errorf("round trip %v, want under 500 ms", d)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("tone never reached the monitor")
	}
}

// toneAfter reads as silent frames of silence, then tone forever, and reports when
// the tone's first frame was read.
type toneAfter struct {
	silent  int
	tone    *Tone
	started chan time.Time
	n       int
}

func (r *toneAfter) Read(p []byte) (int, error) {
	if len(p) < FrameBytes {
		return 0, io.ErrShortBuffer
	}
	p = p[:FrameBytes]
	r.n++
	if r.n <= r.silent {
		clear(p)
		return len(p), nil
	}
	if r.n == r.silent+1 {
		r.started <- time.Now()
	}
	return r.tone.Read(p)
}
