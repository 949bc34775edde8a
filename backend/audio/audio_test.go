package audio

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/sipua/pcmtest"
	"go.uber.org/goleak"
)

// pulseErr is why the device tests skip (nil when the private PulseAudio runs).
var pulseErr error

func TestMain(m *testing.M) {
	p, err := startPulse()
	pulseErr = err
	code := m.Run()
	if p != nil {
		p.stop()
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func needPulse(t *testing.T) {
	t.Helper()
	if pulseErr != nil {
		t.Skipf("skipping: no private PulseAudio null sink: %v", pulseErr)
	}
}

func TestDevicesListsPulse(t *testing.T) {
	needPulse(t)
	devs, err := New().Devices()
	if err != nil {
		t.Fatal(err)
	}
	var defOut, defIn, pulse bool
	for _, d := range devs {
		t.Logf("device %q host=%s in=%d out=%d defIn=%v defOut=%v rate=%g", d.Name, d.HostAPI, d.Inputs, d.Outputs, d.DefaultInput, d.DefaultOutput, d.DefaultSampleRate)
		defOut = defOut || (d.DefaultOutput && d.Outputs > 0)
		defIn = defIn || (d.DefaultInput && d.Inputs > 0)
		pulse = pulse || d.Name == "pulse"
	}
	if !defOut || !defIn || !pulse {
		t.Fatalf("want a default input, a default output and the pulse device; got %+v", devs)
	}
}

func TestOpenMissingDevice(t *testing.T) {
	needPulse(t)
	h := New()
	if _, err := h.OpenPlayback("no such headset"); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("OpenPlayback: want ErrNoDevice, got %v", err)
	}
	if _, err := h.OpenCapture("no such headset"); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("OpenCapture: want ErrNoDevice, got %v", err)
	}
	if err := h.PlayTone(context.Background(), "no such headset", 440, time.Second); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("PlayTone: want ErrNoDevice, got %v", err)
	}
}

// TestToneThroughNullSink plays a 440 Hz test tone into the null sink while the
// default input (the sink's monitor) records, and checks the recording's pitch.
func TestToneThroughNullSink(t *testing.T) {
	needPulse(t)
	h := New()
	in, err := h.OpenCapture("")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()

	type frame struct {
		at  time.Time
		pcm []int16
	}
	var (
		mu     sync.Mutex
		frames []frame
	)
	recDone := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		buf := make([]byte, FrameBytes)
		for {
			select {
			case <-stop:
				recDone <- nil
				return
			default:
			}
			n, err := in.Read(buf)
			if err != nil {
				recDone <- err
				return
			}
			mu.Lock()
			frames = append(frames, frame{time.Now(), samplesFromBytes(nil, buf[:n])})
			mu.Unlock()
		}
	}()

	// The capture runs (silence so far) before the tone starts, however slow it is to start.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(frames)
		mu.Unlock()
		if n >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the capture gave %d frames in 10 s", n)
		}
	}
	start := time.Now()
	if err := h.PlayTone(context.Background(), "", 440, 1200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	if err := <-recDone; err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	var tone []int16
	var onset time.Time
	for _, f := range frames {
		if rms(f.pcm) > 1000 {
			if onset.IsZero() {
				onset = f.at
			}
			tone = append(tone, f.pcm...)
		}
	}
	if len(tone) < SampleRate/2 {
		t.Fatalf("recorded %d samples of tone out of %d frames; want at least 0.5 s", len(tone), len(frames))
	}
	// Skip the fade-in; measure over whole seconds' worth where possible.
	got := zeroCrossingFreq(tone[FrameSamples:], SampleRate)
	if math.Abs(got-440) > 5 {
		t.Fatalf("recorded tone is %.1f Hz by zero crossings, want 440", got)
	}
	p440 := pcmtest.Goertzel(tone, SampleRate, 440)
	p1000 := pcmtest.Goertzel(tone, SampleRate, 1000)
	if p440 < 100*p1000 {
		t.Fatalf("440 Hz power %.3g not dominant over 1 kHz %.3g", p440, p1000)
	}
	t.Logf("tone: %.1f Hz over %d samples; heard %v after PlayTone began (includes opening the device)",
		got, len(tone), onset.Sub(start).Round(time.Millisecond))
}

func TestRingStopsWithContext(t *testing.T) {
	needPulse(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	tone, _ := RingtoneByName("uk")
	start := time.Now()
	if err := New().Ring(ctx, "", tone); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Ring took %v to stop after its context ended", d)
	}
}

func rms(s []int16) float64 {
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(max(len(s), 1)))
}

func zeroCrossingFreq(s []int16, rate float64) float64 {
	crossings := 0
	for i := 1; i < len(s); i++ {
		if (s[i-1] < 0) != (s[i] < 0) {
			crossings++
		}
	}
	return float64(crossings) / 2 / (float64(len(s)) / rate)
}
