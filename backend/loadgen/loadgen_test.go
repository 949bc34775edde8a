//go:build linux

package loadgen

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/server"
)

// TestLoadGeneratorSmall holds 20 callers on a switchboard for 2 s: every caller is
// answered, gets music on hold with no packet lost, and shows up in the event stream
// of a subscribed console.
func TestLoadGeneratorSmall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := server.Start(ctx, server.Config{DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", SIPAddr: "127.0.0.1:0",
		AdminPassword: "x", Site: server.DefaultSite(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	w := follow(t, ctx, s.URL(), s.Fingerprint())

	const calls = 20
	res, err := Run(ctx, Config{Target: s.SIPAddr(), Calls: calls, Rate: 50, Hold: 2 * time.Second, OnInvite: w.sent}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Established != calls || res.Failed != 0 || res.Dropped != 0 {
		t.Fatalf("%d of %d calls established, %d failed, %d dropped: %v", res.Established, calls, res.Failed, res.Dropped, res.Errors)
	}
	if res.Silent != 0 || res.MinPerCall == 0 {
		t.Errorf("%d calls heard no music on hold (fewest packets in the window: %d)", res.Silent, res.MinPerCall)
	}
	if res.Lost != 0 || res.Packets == 0 {
		t.Errorf("%d of %d music-on-hold packets lost", res.Lost, res.Expected)
	}
	if n := len(w.latencies()); n != calls {
		t.Errorf("%d of %d calls reached the console's event stream", n, calls)
	}
}

// TestLoadGenerator1000 is the load measurement, run by `make bench`: N callers
// (SWITCHBOARD_LOAD_GO=N) on hold on the headless switchboard, built and run as its own
// process so that its CPU and memory are read apart from the generator's:
//
//	SWITCHBOARD_LOAD_GO=1000 go test -count=1 -timeout 20m -run TestLoadGenerator1000 -v ./backend/loadgen/
//
// SWITCHBOARD_LOAD_RATE (set-ups per second, default 200), SWITCHBOARD_LOAD_HOLD
// (default 60s), SWITCHBOARD_LOAD_SILENT=1 (callers send no RTP) and
// SWITCHBOARD_LOAD_NICE=-10 (the switchboard's CPU priority, see nice(1)) and
// SWITCHBOARD_LOAD_GOGC=20 (more collections, to measure memory per call) tune it. It
// reports; the only failures are calls that were not held.
func TestLoadGenerator1000(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_LOAD_GO"))
	if n <= 0 {
		t.Skip("set SWITCHBOARD_LOAD_GO=<calls> to run the load measurement")
	}
	if n > 5000 {
		t.Fatalf("SWITCHBOARD_LOAD_GO=%d: keep it bounded (≤ 5000)", n)
	}
	rate := 200.0
	if v, err := strconv.ParseFloat(os.Getenv("SWITCHBOARD_LOAD_RATE"), 64); err == nil && v > 0 {
		rate = v
	}
	hold := 60 * time.Second
	if v, err := time.ParseDuration(os.Getenv("SWITCHBOARD_LOAD_HOLD")); err == nil && v > 0 {
		hold = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), hold+time.Duration(float64(n)/rate*float64(time.Second))+5*time.Minute)
	defer cancel()

	sb := startSwitchboard(t, ctx, n)
	w := follow(t, ctx, sb.api, sb.fingerprint)
	idle, err := SampleProc(sb.pid)
	if err != nil {
		t.Fatal(err)
	}

	var up, m0, m1, g0, g1 ProcSample
	phase := func(p Phase) {
		s, err := SampleProc(sb.pid)
		if err != nil {
			t.Error(err)
		}
		switch p {
		case PhaseUp:
			up = s
		case PhaseMeasure:
			m0 = s
			g0, _ = SampleProc(os.Getpid())
		case PhaseMeasured:
			m1 = s
			g1, _ = SampleProc(os.Getpid())
		}
	}
	silent := os.Getenv("SWITCHBOARD_LOAD_SILENT") == "1"
	res, err := Run(ctx, Config{Target: sb.sip, Calls: n, Rate: rate, Hold: hold, Warmup: 2 * time.Second, Silent: silent, OnInvite: w.sent}, phase)
	if err != nil {
		t.Fatal(err)
	}
	ev := w.percentiles()

	sbCPU := CPUShare(m0, m1)
	genCPU := float64(res.CPU) / float64(res.Measured) * 100
	t.Logf("machine: %d CPUs, %s (shared, load average %s); callers send RTP: %v; switchboard nice %q",
		runtime.NumCPU(), cpuModel(), loadAverage(), !silent, os.Getenv("SWITCHBOARD_LOAD_NICE"))
	t.Logf("set-up: %d of %d calls established in %v at a target of %.0f/s = %.0f set-ups/s achieved; %d failed, INVITE→200 OK %s",
		res.Established, res.Calls, res.SetupWall.Round(time.Millisecond), rate, float64(res.Established)/res.SetupWall.Seconds(), res.Failed, res.Setup)
	t.Logf("INVITE → call.queued at a subscribed console (HTTPS/WebSocket): %s", ev)
	t.Logf("hold window %v with %d calls: MOH packets received %d of %d sent (lost %d, late %d), fewest per call %d (of %.0f), %d calls silent, %d dropped",
		res.Measured.Round(time.Millisecond), res.Established, res.Packets, res.Expected, res.Lost, res.Late, res.MinPerCall,
		res.Measured.Seconds()*50, res.Silent, res.Dropped)
	t.Logf("MOH inter-arrival at the callers (kernel timestamps): %s", res.InterArrive)
	t.Logf("switchboard (pid %d): CPU %.1f %% of one core = %.4f %% per queued MOH call; its threads waited %.0f ms per second for a core; RSS %.1f MB idle, %.1f MB with all calls up",
		sb.pid, sbCPU, sbCPU/float64(res.Established), WaitShare(m0, m1), mb(idle.RSS), mb(m1.RSS))
	if res.Expected > 0 {
		// Under contention the switchboard skips frames it could not send in time, which
		// lowers its CPU: per packet, then scaled to a call's 50 packets a second, is the
		// cost at full rate.
		perPkt := float64(m1.CPU-m0.CPU) / float64(res.Expected) // ns
		t.Logf("switchboard CPU (all its work) per MOH packet sent: %.1f µs = %.4f %% of one core per call at 50 packets/s (%.1f packets/s per call were sent)",
			perPkt/1e3, perPkt*50/1e9*100, float64(res.Expected)/res.Measured.Seconds()/float64(res.Established))
	}
	if kb, ok := sb.gc.perCall(w.upAt); ok {
		t.Logf("switchboard memory per call: %.1f KB (growth of the Go live heap + goroutine stacks between GCs, per call added; GOGC=%q)", kb, os.Getenv("SWITCHBOARD_LOAD_GOGC"))
	} else {
		t.Logf("switchboard memory per call: not measured (too few GCs while the calls came in; SWITCHBOARD_LOAD_GOGC=20 makes more)")
	}
	t.Logf("switchboard during set-up: CPU %.1f %% of one core over %v", CPUShare(idle, up), up.At.Sub(idle.At).Round(time.Millisecond))
	t.Logf("generator (this process, with the console's event stream): CPU %.1f %% of one core in the window (%.4f %% per call), %v over the whole run; its threads waited %.0f ms per second for a core; peak RSS %.1f MB",
		genCPU, genCPU/float64(res.Established), res.CPUAll.Round(time.Millisecond), WaitShare(g0, g1), mb(res.MaxRSS))
	if len(res.Errors) > 0 {
		t.Logf("first errors: %s", strings.Join(res.Errors, "; "))
	}
	if res.Established != n || res.Dropped != 0 || res.Silent != 0 {
		t.Errorf("%d of %d calls held with music (%d failed, %d dropped, %d silent)", res.Established-res.Dropped-res.Silent, n, res.Failed, res.Dropped, res.Silent)
	}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// sbProcess is the headless switchboard running as its own process.
type sbProcess struct {
	pid         int
	api, sip    string
	fingerprint string
	gc          *gcTrace
}

// gcTrace follows the switchboard's GODEBUG=gctrace=1 lines: the live heap and the
// goroutine stacks after each collection. Their growth with the number of calls says
// what a call holds better than RSS, which keeps the freed argon2 memory of the
// admin's login for a while.
type gcTrace struct {
	mu     sync.Mutex
	points []gcPoint
}

type gcPoint struct {
	at   time.Time
	live int64 // MB: heap marked live + goroutine stacks
}

var gcLine = regexp.MustCompile(`^gc \d+ .* \d+->\d+->(\d+) MB, .* (\d+) MB stacks`)

func (g *gcTrace) Write(p []byte) (int, error) {
	for line := range strings.Lines(string(p)) {
		if m := gcLine.FindStringSubmatch(line); m != nil {
			heap, _ := strconv.ParseInt(m[1], 10, 64)
			stks, _ := strconv.ParseInt(m[2], 10, 64)
			g.mu.Lock()
			g.points = append(g.points, gcPoint{at: time.Now(), live: heap + stks})
			g.mu.Unlock()
		}
	}
	return len(p), nil
}

// perCall estimates the memory one call holds, in KB: the growth of the live memory
// between the first GC that saw at least a tenth of the calls up and the last GC,
// divided by the calls added in between. calls(t) says how many were up at t.
func (g *gcTrace) perCall(calls func(time.Time) int) (kb float64, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.points) < 2 {
		return 0, false
	}
	last := g.points[len(g.points)-1]
	n := calls(last.at)
	for _, p := range g.points {
		if k := calls(p.at); n > 0 && k >= n/10 && n-k >= n/2 {
			return float64(last.live-p.live) * 1024 / float64(n-k), true
		}
	}
	return 0, false
}

// startSwitchboard builds backend/cmd/switchboard and starts it on ephemeral loopback
// ports with room for n calls; it is stopped (SIGTERM) when the test ends.
func startSwitchboard(t *testing.T, ctx context.Context, n int) sbProcess {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "switchboard")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "../cmd/switchboard")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build switchboard: %v\n%s", err, out)
	}
	site := server.DefaultSite()
	site.MaxCalls = n + 10
	cfg, err := json.Marshal(site)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "site.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{bin, "-sip", "127.0.0.1:0", "-http", "127.0.0.1:0", "-data", filepath.Join(dir, "data"), "-config", cfgPath}
	if n := os.Getenv("SWITCHBOARD_LOAD_NICE"); n != "" {
		// On a shared machine, give the switchboard the CPU priority a dedicated server
		// would give it, to tell its own pacing from the neighbours' contention.
		args = append([]string{"nice", "-n", n}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "CONCIERGE_ADMIN_PASSWORD=x", "GODEBUG=gctrace=1")
	if g := os.Getenv("SWITCHBOARD_LOAD_GOGC"); g != "" {
		// e.g. 20: collections often enough to see the live memory grow with the calls.
		cmd.Env = append(cmd.Env, "GOGC="+g)
	}
	gc := &gcTrace{}
	cmd.Stderr = gc
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "switchboard: api ") {
				lines <- sc.Text()
			}
		}
		_ = cmd.Wait()
		close(exited)
	}()
	select {
	case line := <-lines:
		// switchboard: api URL sip ADDR tls-sha256 FP
		f := strings.Fields(line)
		if len(f) != 7 {
			t.Fatalf("unexpected start line %q", line)
		}
		return sbProcess{pid: cmd.Process.Pid, api: f[2], sip: f[4], fingerprint: f[6], gc: gc}
	case <-exited:
		t.Fatal("switchboard exited at start")
	case <-time.After(30 * time.Second):
		t.Fatal("switchboard did not start within 30 s")
	}
	return sbProcess{}
}

// watcher is a console following the event stream: it notes when each caller's
// call.queued arrives, to time INVITE → event.
type watcher struct {
	mu       sync.Mutex
	invited  map[string]time.Time
	arrived  map[string]time.Time
	synced   chan struct{}
	syncOnce sync.Once
}

func (w *watcher) Snapshot(queue.Snapshot) { w.syncOnce.Do(func() { close(w.synced) }) }

func (w *watcher) Event(ev queue.Event) {
	now := time.Now()
	if ev.Type != queue.EventCallQueued || ev.Call == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, dup := w.arrived[ev.Call.CallerNumber]; !dup {
		w.arrived[ev.Call.CallerNumber] = now
	}
}

func (w *watcher) Connection(string, error) {}

func (w *watcher) sent(number string, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.invited[number] = at
}

// upAt counts the calls whose call.queued had arrived by t.
func (w *watcher) upAt(t time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, at := range w.arrived {
		if !at.After(t) {
			n++
		}
	}
	return n
}

func (w *watcher) latencies() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []time.Duration
	for number, at := range w.arrived {
		if t0, ok := w.invited[number]; ok {
			out = append(out, at.Sub(t0))
		}
	}
	return out
}

func (w *watcher) percentiles() Percentiles {
	h := newHistogram()
	for _, d := range w.latencies() {
		h.add(d)
	}
	return h.percentiles()
}

// follow logs in as admin and follows the event stream until the test ends.
func follow(t *testing.T, ctx context.Context, url, fingerprint string) *watcher {
	t.Helper()
	client := api.NewClient(url, api.HTTPClient(fingerprint))
	if _, err := client.Login(ctx, api.LoginRequest{Username: "admin", Password: "x"}); err != nil {
		t.Fatal(err)
	}
	w := &watcher{invited: map[string]time.Time{}, arrived: map[string]time.Time{}, synced: make(chan struct{})}
	fctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- client.Follow(fctx, w) }()
	t.Cleanup(func() {
		stop()
		<-done
	})
	select {
	case <-w.synced:
	case <-time.After(10 * time.Second):
		t.Fatal("event stream: no snapshot within 10 s")
	}
	return w
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}

// loadAverage is the 1-minute load average: how busy the shared machine was.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
