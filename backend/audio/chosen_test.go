//go:build linux

package audio

import (
	"bytes"
	"context"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/sipua/pcmtest"
)

// recordSource records a PulseAudio source (a sink's monitor) with parec, in
// the package's PCM format, until stop is called.
func recordSource(t *testing.T, source string) (stop func() []int16) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command("parec", "-d", source, "--rate=8000", "--channels=1", "--format=s16le", "--latency-msec=20")
	cmd.Stdout = &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("parec: %v", err)
	}
	return func() []int16 {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		return samplesFromBytes(nil, out.Bytes())
	}
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
	time.Sleep(300 * time.Millisecond)
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
