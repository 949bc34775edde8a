package demo

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/server"
	"go.uber.org/goleak"
)

func TestCallers(t *testing.T) {
	if got := Callers(0); got != nil {
		t.Errorf("Callers(0) = %v, want nil", got)
	}
	cs := Callers(60)
	if len(cs) != 60 {
		t.Fatalf("Callers(60) returned %d callers", len(cs))
	}
	if cs[0].Name != "Camille Dubois" || !strings.HasPrefix(cs[0].Number, "+33") {
		t.Errorf("first caller = %+v, want Camille Dubois +33…", cs[0])
	}
	if cs[1].Name != "Jan de Vries" || !strings.HasPrefix(cs[1].Number, "+316") {
		t.Errorf("second caller = %+v, want Jan de Vries +316…", cs[1])
	}
	names := map[string]bool{}
	national := 0
	for _, c := range cs {
		if names[c.Name] {
			t.Errorf("name %q repeats within 60 callers", c.Name)
		}
		names[c.Name] = true
		if userPart(c.Number) != c.Number || displayName(c.Name) != c.Name {
			t.Errorf("caller %+v does not go into a From header unchanged", c)
		}
		if strings.HasPrefix(c.Number, "0") {
			national++
		}
	}
	if national == 0 || national == len(cs) {
		t.Errorf("%d of %d numbers in national format; want a mix", national, len(cs))
	}
	if again := Callers(60); again[42] != cs[42] {
		t.Errorf("Callers is not reproducible: %+v then %+v", cs[42], again[42])
	}
}

func TestUserPart(t *testing.T) {
	for in, want := range map[string]string{
		"+33 6 12-34.56 78": "+33612345678",
		"(020) 794 6000":    "0207946000",
		"+":                 "",
		"12+3":              "",
		"sip:alice":         "",
	} {
		if got := userPart(in); got != want {
			t.Errorf("userPart(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDialURI(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:5060": "sip:reception@127.0.0.1:5060",
		"0.0.0.0:5070":   "sip:reception@127.0.0.1:5070",
		":5080":          "sip:reception@127.0.0.1:5080",
	} {
		u, err := dialURI(addr, "reception")
		if err != nil || u.String() != want {
			t.Errorf("dialURI(%q) = %s, %v; want %s", addr, u.String(), err, want)
		}
	}
	for _, addr := range []string{"127.0.0.1", "127.0.0.1:0", "127.0.0.1:sip"} {
		if _, err := dialURI(addr, "reception"); err == nil {
			t.Errorf("dialURI(%q) succeeded", addr)
		}
	}
}

func TestVoice(t *testing.T) {
	pcm := voice("Camille Dubois")
	if len(pcm)%frameSamples != 0 || len(pcm) < 4*sampleRate {
		t.Fatalf("voice has %d samples; want whole 20 ms frames, several seconds", len(pcm))
	}
	for _, codec := range []string{"pcmu", "pcma"} {
		fs := frames(pcm, codec)
		silence := frames(make([]int16, frameSamples), codec)[0]
		loud := 0
		for _, f := range fs {
			if len(f) != frameSamples {
				t.Fatalf("%s frame of %d bytes", codec, len(f))
			}
			if !bytes.Equal(f, silence) {
				loud++
			}
		}
		// Speech with pauses: neither silent nor a continuous tone.
		if loud < len(fs)/10 || loud > len(fs)*3/4 {
			t.Errorf("%s: %d of %d frames carry sound", codec, loud, len(fs))
		}
	}
	if slices.Equal(voice("Camille Dubois"), voice("Jan de Vries")) {
		t.Error("two callers have the same voice")
	}
}

// TestRun puts two demo callers through a real switchboard: they must wait in the
// reception queue under their own names and numbers, and leave it when the demo is
// stopped, without leaking goroutines.
func TestRun(t *testing.T) {
	sb := startSwitchboard(t)
	// Everything running now belongs to the switchboard and the API connection.
	ignore := goleak.IgnoreCurrent()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	callers := Callers(2)
	var mu sync.Mutex
	heard := map[Caller]int{}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, sb.srv.SIPAddr(), "reception", callers,
			WithLogger(testLogger(t)), WithHold(time.Minute), WithInterval(200*time.Millisecond),
			withCallEnded(func(c Caller, frames int) {
				mu.Lock()
				heard[c] = frames
				mu.Unlock()
			}))
	}()

	waiting := sb.waitQueue(t, 10*time.Second, "both demo callers queued", func(calls []queue.Call) bool {
		return len(calls) == len(callers)
	})
	for _, c := range callers {
		found := false
		for _, q := range waiting {
			found = found || (q.CallerName == c.Name && q.CallerNumber == c.Number)
		}
		if !found {
			t.Errorf("caller %q %s not in queue %+v", c.Name, c.Number, waiting)
		}
	}

	time.Sleep(time.Second) // on hold: music plays
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10 s of cancel")
	}
	sb.waitQueue(t, 5*time.Second, "queue empty after the demo stopped", func(calls []queue.Call) bool {
		return len(calls) == 0
	})
	mu.Lock()
	for _, c := range callers {
		// 50 frames a second; a second on hold must bring well over 25.
		if heard[c] < 25 {
			t.Errorf("%s heard %d frames of music on hold in about a second", c.Name, heard[c])
		}
	}
	mu.Unlock()
	sb.hc.CloseIdleConnections()
	goleak.VerifyNone(t, ignore)
}

func withCallEnded(f func(c Caller, framesHeard int)) Option {
	return func(o *options) { o.ended = f }
}

// TestRunHoldElapses: callers give up on their own after the hold time and Run
// returns without being cancelled.
func TestRunHoldElapses(t *testing.T) {
	sb := startSwitchboard(t)
	ignore := goleak.IgnoreCurrent()

	start := time.Now()
	err := Run(t.Context(), sb.srv.SIPAddr(), "reception", Callers(2),
		WithLogger(testLogger(t)), WithHold(1500*time.Millisecond), WithInterval(100*time.Millisecond))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := time.Since(start); d < 1500*time.Millisecond || d > 8*time.Second {
		t.Errorf("Run took %v with a 1.5 s hold", d)
	}
	sb.waitQueue(t, 5*time.Second, "queue empty after the callers gave up", func(calls []queue.Call) bool {
		return len(calls) == 0
	})
	sb.hc.CloseIdleConnections()
	goleak.VerifyNone(t, ignore)
}

// TestRunSwitchboardHangsUp: when the switchboard ends the calls (here: it shuts
// down), every caller leaves and Run returns on its own.
func TestRunSwitchboardHangsUp(t *testing.T) {
	sb := startSwitchboard(t)
	done := make(chan error, 1)
	go func() {
		done <- Run(t.Context(), sb.srv.SIPAddr(), "reception", Callers(2),
			WithLogger(testLogger(t)), WithHold(time.Minute), WithInterval(100*time.Millisecond))
	}()
	sb.waitQueue(t, 10*time.Second, "both demo callers queued", func(calls []queue.Call) bool {
		return len(calls) == 2
	})
	sb.hc.CloseIdleConnections()
	if err := sb.close(); err != nil {
		t.Errorf("switchboard Close: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10 s of the switchboard hanging up")
	}
	goleak.VerifyNone(t)
}

// TestRunBadAddress: a switchboard address Run cannot dial is an error.
func TestRunBadAddress(t *testing.T) {
	err := Run(t.Context(), "127.0.0.1", "reception", Callers(1), WithLogger(testLogger(t)))
	if err == nil {
		t.Fatal("Run with an address without port succeeded")
	}
}

type testSwitchboard struct {
	srv   *server.Server
	hc    *http.Client
	api   *api.Client
	close func() error // once: closing the server twice is not supported
}

// startSwitchboard starts the real switchboard on loopback ephemeral ports and
// logs in to its API as admin.
func startSwitchboard(t *testing.T) *testSwitchboard {
	t.Helper()
	srv, err := server.Start(t.Context(), server.Config{
		DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", SIPAddr: "127.0.0.1:0",
		AdminPassword: "x", Site: server.DefaultSite(), Logger: testLogger(t).With("side", "switchboard"),
	})
	if err != nil {
		t.Fatalf("start switchboard: %v", err)
	}
	sb := &testSwitchboard{srv: srv, hc: api.HTTPClient(srv.Fingerprint())}
	sb.close = sync.OnceValue(srv.Close)
	t.Cleanup(func() { _ = sb.close() })
	t.Cleanup(sb.hc.CloseIdleConnections)
	sb.api = api.NewClient(srv.URL(), sb.hc)
	if _, err := sb.api.Login(t.Context(), api.LoginRequest{Username: "admin", Password: "x"}); err != nil {
		t.Fatalf("login: %v", err)
	}
	return sb
}

// waitQueue polls the reception queue through the API until cond holds.
func (sb *testSwitchboard) waitQueue(t *testing.T, d time.Duration, what string, cond func([]queue.Call) bool) []queue.Call {
	t.Helper()
	deadline := time.Now().Add(d)
	var calls []queue.Call
	for {
		qs, err := sb.api.Queues(t.Context())
		if err != nil {
			t.Fatalf("queues: %v", err)
		}
		calls = nil
		for _, q := range qs {
			if q.ID == "reception" {
				calls = q.Calls
			}
		}
		if cond(calls) {
			return calls
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; reception holds %+v", d, what, calls)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testLogger logs to the test output with -v only, so failures can be explained.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}
