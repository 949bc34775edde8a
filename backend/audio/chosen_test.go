//go:build linux

package audio

import (
	"bytes"
	"context"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/sipua/pcmtest"
)

// recordSource records a PulseAudio source (a sink's monitor) with parec, in
// the package's PCM format, until stop is called. It returns once parec
// records (a monitor gives silence while nothing plays), not after a guess.
func recordSource(t *testing.T, source string) (stop func() []int16) {
	t.Helper()
	out := &lockedBuffer{}
	cmd := exec.Command("parec", "-d", source, "--rate=8000", "--channels=1", "--format=s16le", "--latency-msec=20")
	cmd.Stdout = out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("parec: %v", err)
	}
	stop = func() []int16 {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		return samplesFromBytes(nil, out.bytes())
	}
	for deadline := time.Now().Add(10 * time.Second); len(out.bytes()) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("parec recorded nothing from %s in 10 s", source)
		}
	}
	return stop
}

// lockedBuffer is parec's output, written by exec's copier and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// TestToneGoesToTheChosenDevice plays the settings' test tone on the second
// sink, chosen by its device name: its monitor hears 1 kHz, the default
// sink's monitor hears nothing.
func TestToneGoesToTheChosenDevice(t *testing.T) {
	needPulse(t)
	h := New()
	devs, err := h.Devices()
	if err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, d := range devs {
		listed = listed || (d.Name == otherSink && d.Outputs > 0)
	}
	if !listed {
		t.Fatalf("the second sink is not among the output devices: %+v", devs)
	}
	chosen := recordSource(t, otherSink+".monitor")
	other := recordSource(t, "concierge_test.monitor")
	if err := h.PlayTone(context.Background(), otherSink, 1000, time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	got, quiet := chosen(), other()

	var tone []int16
	for i := 0; i+FrameSamples <= len(got); i += FrameSamples {
		if f := got[i : i+FrameSamples]; rms(f) > 1000 {
			tone = append(tone, f...)
		}
	}
	if len(tone) < SampleRate/2 {
		t.Fatalf("the chosen device's monitor got %d samples of tone (of %d recorded); want at least 0.5 s", len(tone), len(got))
	}
	if p1k, p440 := pcmtest.Goertzel(tone, SampleRate, 1000), pcmtest.Goertzel(tone, SampleRate, 440); p1k < 100*p440 {
		t.Fatalf("1 kHz power %.3g not dominant over 440 Hz %.3g", p1k, p440)
	}
	if len(quiet) < SampleRate/2 {
		t.Fatalf("the default sink's monitor recorded only %d samples", len(quiet))
	}
	if r := rms(quiet); r > 50 {
		t.Fatalf("the default sink got sound (rms %.0f) though another device was chosen", r)
	}
}
