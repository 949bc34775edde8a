package audio

import (
	"errors"
	"os"
	"testing"
	"time"
)

// TestDeviceGone kills the sound server under an open playback stream, as when a
// USB headset is pulled out: writes must fail with ErrDeviceGone within a moment
// instead of blocking forever or succeeding silently.
func TestDeviceGone(t *testing.T) {
	needPulse(t)
	// A second, disposable server: the shared one serves the other tests.
	saved := map[string]string{}
	for _, k := range []string{"PULSE_SERVER", "XDG_RUNTIME_DIR", "HOME"} {
		saved[k] = os.Getenv(k)
	}
	p, err := startPulse()
	if err != nil {
		t.Skipf("skipping: second PulseAudio: %v", err)
	}
	defer func() {
		p.stop()
		for k, v := range saved {
			os.Setenv(k, v)
		}
	}()
	out, err := New().OpenPlayback("")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	frame := make([]byte, FrameBytes)
	for range 5 {
		if _, err := out.Write(frame); err != nil {
			t.Fatalf("before the server went away: %v", err)
		}
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := out.Write(frame)
		if errors.Is(err, ErrDeviceGone) {
			t.Logf("after the server died: %v", err)
			return
		}
		if err != nil {
			t.Fatalf("want ErrDeviceGone, got %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatal("writes still succeed 5 s after the sound server died")
		}
	}
}
