package audio

import (
	"testing"
	"time"
)

// TestDeviceRoundTripLatency measures what the sound path adds: the time from a
// frame's Write into a warm playback stream to its Read from the monitor, i.e.
// output buffer + PulseAudio + input buffer + one frame of read granularity.
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

	// Let both streams settle with half a second of silence.
	silence := make([]byte, FrameBytes)
	for range 25 {
		if _, err := out.Write(silence); err != nil {
			t.Fatal(err)
		}
	}
	for len(onset) > 0 {
		<-onset
	}
	var start time.Time
	tone, buf := NewTone(1000), make([]byte, FrameBytes)
	for i := range 25 {
		tone.Read(buf)
		if i == 0 {
			start = time.Now()
		}
		if _, err := out.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case at := <-onset:
		d := at.Sub(start)
		t.Logf("device round trip (playback → null sink → monitor capture): %v; PortAudio reports output %v, input %v",
			d.Round(time.Millisecond), out.Latency(), in.Latency())
		if d > 500*time.Millisecond {
			t.Errorf("round trip %v, want under 500 ms", d)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("tone never reached the monitor")
	}
}
