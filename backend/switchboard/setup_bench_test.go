package switchboard

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoadCallSetupRate drives SIPp short calls (test/sipp/caller_short.xml: INVITE,
// 200, ACK, a pause, BYE) into the switchboard at a fixed rate and reports what the
// switchboard reached: achieved set-up rate, failed calls, set-up time (INVITE sent →
// 200 OK received, from SIPp's -trace_rtt) p50/p95/p99, switchboard CPU and memory per
// call. It is a measurement, not a timed assertion, so it only runs when
// SWITCHBOARD_CPS=<calls per second> is set:
//
//	SWITCHBOARD_CPS=200 go test -run TestLoadCallSetupRate -v ./backend/switchboard/
//
// SWITCHBOARD_CPS_CALLS (default 2000) is the number of calls and
// SWITCHBOARD_CPS_HOLD_MS (default 1000) how long each caller stays on hold; about
// rate × hold calls are up at once. The run is bounded to about a minute.
//
// SIPp runs outside the test process, so the CPU figure covers the switchboard alone:
// SIP, the queue engine, per-call media sockets and RTCP goroutines, and music on hold
// for the callers waiting at that moment. Every call here is answered and waits in the
// queue (no attendant), so a "set-up" includes the 200 OK, the ACK, the enqueue with
// its event, the caller's BYE and the abandon with its history record.
func TestLoadCallSetupRate(t *testing.T) {
	rate, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_CPS"))
	if rate <= 0 {
		t.Skip("set SWITCHBOARD_CPS=<calls per second> to run the call set-up rate measurement")
	}
	calls := cpsEnvInt("SWITCHBOARD_CPS_CALLS", 2000)
	holdMs := cpsEnvInt("SWITCHBOARD_CPS_HOLD_MS", 1000)
	if placing := time.Duration(calls) * time.Second / time.Duration(rate); placing > 60*time.Second || holdMs > 10_000 {
		t.Fatalf("%d calls at %d/s with %d ms hold is more than the ~1 minute this run is bounded to", calls, rate, holdMs)
	}
	bin := sippBinary(t)

	concurrent := rate*holdMs/1000 + rate // expected up at once, plus slack for slow set-ups
	cfg := receptionConfig()
	cfg.MaxCalls = max(defaultMaxCalls, 2*concurrent)
	var abandoned atomic.Int64
	// Production logs at info: keep the cost of formatting each call's lines, not their output.
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	sb := startSwitchboard(t, cfg, WithLogger(logger),
		// The test's historyLog has a bounded channel; count instead.
		WithHistory(HistoryFunc(func(_ context.Context, e HistoryEntry) error {
			if e.Outcome == OutcomeAbandoned {
				abandoned.Add(1)
			}
			return nil
		})))

	// Music on hold goes to one socket nobody reads: the kernel drops what does not fit
	// and the test process spends no CPU receiving it.
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })

	dir := t.TempDir()
	runtime.GC()
	base := cpsSample(sb.Switchboard)
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)

	// Once the calls up have levelled off (hold + 1 s into the run, calls still coming),
	// one sample after a forced GC gives the live heap per call without GC-timing noise.
	samples := make(chan []cpsMem, 1)
	live := make(chan cpsMem, 1)
	stopSampling := make(chan struct{})
	go func() {
		var out []cpsMem
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		steady := time.After(time.Duration(holdMs)*time.Millisecond + time.Second)
		for {
			select {
			case <-stopSampling:
				samples <- out
				return
			case <-steady:
				runtime.GC()
				live <- cpsSample(sb.Switchboard)
			case <-tick.C:
				out = append(out, cpsSample(sb.Switchboard))
			}
		}
	}()

	args := []string{
		sb.udp.String(),
		"-sf", scenario("caller_short.xml"),
		"-s", "100",
		"-i", "127.0.0.1", "-mi", "127.0.0.1", // SIPp finds its own free ports (see startSipp)
		"-r", strconv.Itoa(rate), "-m", strconv.Itoa(calls), "-l", strconv.Itoa(2 * concurrent),
		"-d", strconv.Itoa(holdMs),
		"-key", "rtpport", strconv.Itoa(sink.LocalAddr().(*net.UDPAddr).Port),
		"-nostdin", "-timeout", "90s", "-timeout_error",
		"-trace_rtt", "-rtt_freq", "1",
		"-trace_stat", "-stf", filepath.Join(dir, "stat.csv"), "-fd", "1",
		"-trace_screen", "-screen_file", filepath.Join(dir, "screen.log"),
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out

	start, cpu0 := time.Now(), cpuTime(t)
	runErr := cmd.Run()
	wall, cpu := time.Since(start), cpuTime(t)-cpu0
	close(stopSampling)
	mem := <-samples
	var steady cpsMem
	select {
	case steady = <-live:
	default: // the run ended before it levelled off
	}
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	// sipp exits 1 when some calls failed; that is a result to report, not a crash.
	if runErr != nil && cmd.ProcessState == nil {
		t.Fatalf("sipp: %v\n%s", runErr, tail(out.String(), 3000))
	}

	stat, err := cpsLastStat(filepath.Join(dir, "stat.csv"))
	if err != nil {
		t.Fatalf("sipp statistics: %v\n%s", err, tail(out.String(), 3000))
	}
	setups, first, last, err := cpsSetupTimes(dir)
	if err != nil {
		t.Fatalf("sipp response times: %v", err)
	}
	if len(setups) == 0 {
		files, _ := filepath.Glob(filepath.Join(dir, "*_rtt.csv"))
		b, _ := os.ReadFile(files[0])
		t.Fatalf("no set-up times in %s:\n%s", files[0], tail(string(b), 500))
	}
	ok, failed := stat["SuccessfulCall(C)"], stat["FailedCall(C)"]
	achieved := 0.0
	if len(setups) > 1 {
		achieved = float64(len(setups)-1) / last.Sub(first).Seconds()
	}
	slices.Sort(setups)

	// Memory per held call: the sample with most calls up, against the idle baseline.
	peak := base
	for _, m := range mem {
		if m.calls > peak.calls {
			peak = m
		}
	}
	perCall := func(v, b uint64) float64 {
		if peak.calls == 0 {
			return 0
		}
		return (float64(v) - float64(b)) / float64(peak.calls) / 1024
	}

	t.Logf("machine: %d CPUs (%s), GOMAXPROCS %d — shared, so figures are noisy", runtime.NumCPU(), cpsCPUModel(), runtime.GOMAXPROCS(0))
	t.Logf("offered %d calls at %d/s, hold %d ms: %.0f successful, %.0f failed, exit %v",
		calls, rate, holdMs, ok, failed, cmd.ProcessState.ExitCode())
	t.Logf("achieved set-up rate %.1f/s (200 OKs between first and last); set-up time INVITE→200 OK p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples)",
		achieved, cpsPct(setups, 50), cpsPct(setups, 95), cpsPct(setups, 99), cpsPct(setups, 100), len(setups))
	t.Logf("switchboard CPU: %v over %v = %.1f%% of one core on average, %.3f ms CPU per call (set-up + %d ms on hold + teardown)",
		cpu.Round(time.Millisecond), wall.Round(time.Millisecond), float64(cpu)/float64(wall)*100, float64(cpu)/float64(time.Millisecond)/float64(calls), holdMs)
	t.Logf("memory at peak (%d calls up, %d goroutines): heap in use %.1f KiB/call, RSS %.1f KiB/call, %.1f goroutines/call; allocated %.1f KiB and %.0f objects per call over its life",
		peak.calls, peak.goroutines, perCall(peak.heapInuse, base.heapInuse), perCall(peak.rss, base.rss),
		float64(peak.goroutines-base.goroutines)/float64(max(peak.calls, 1)),
		float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(calls)/1024, float64(ms1.Mallocs-ms0.Mallocs)/float64(calls))
	if steady.calls > 0 {
		t.Logf("live heap after GC with %d calls up: %.1f KiB/call (%.1f MiB over idle)", steady.calls,
			(float64(steady.heapAlloc)-float64(base.heapAlloc))/float64(steady.calls)/1024, (float64(steady.heapAlloc)-float64(base.heapAlloc))/(1<<20))
	}
	t.Logf("switchboard saw %d abandoned calls; refused with 503: %d", abandoned.Load(), sb.Stats().RefusedFull)
	if failed > 0 || runErr != nil {
		t.Logf("sipp output tail:\n%s", tail(out.String(), 2000))
		if b, err := os.ReadFile(filepath.Join(dir, "errors.log")); err == nil {
			t.Logf("sipp errors (head):\n%s", string(b[:min(len(b), 2000)]))
		}
	}
	// Not a timing assertion: once SIPp is done every call must be gone.
	waitFor(t, 10*time.Second, "all calls released", func() bool {
		return sb.active.Load() == 0 && sb.moh.count() == 0 && len(waitingCalls(sb.Switchboard)) == 0
	})
}

type cpsMem struct {
	calls      int
	goroutines int
	heapInuse  uint64
	heapAlloc  uint64
	rss        uint64
}

// cpsSample reads the held calls and memory. ReadMemStats stops the world for a few
// microseconds; at two samples a second it does not show in the figures. The
// baseline is taken after a GC, so heap-in-use deltas at the peak include garbage not
// yet collected: the "live heap" line is the steadier figure.
func cpsSample(sb *Switchboard) cpsMem {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return cpsMem{calls: int(sb.active.Load()), goroutines: runtime.NumGoroutine(), heapInuse: ms.HeapInuse, heapAlloc: ms.HeapAlloc, rss: cpsRSS()}
}

// cpsRSS is VmRSS from /proc/self/status, in bytes (0 where there is no procfs).
func cpsRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func cpsCPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}

func cpsEnvInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// cpsLastStat returns the last row of SIPp's -trace_stat file by column name.
func cpsLastStat(path string) (map[string]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for line := range strings.Lines(string(b)) {
		if line = strings.TrimSpace(line); line != "" {
			rows = append(rows, strings.Split(line, ";"))
		}
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%s: no data rows", path)
	}
	head, last := rows[0], rows[len(rows)-1]
	m := make(map[string]float64, len(head))
	for i, h := range head {
		if i < len(last) {
			if v, err := strconv.ParseFloat(strings.TrimSpace(last[i]), 64); err == nil {
				m[strings.TrimSpace(h)] = v
			}
		}
	}
	return m, nil
}

// cpsSetupTimes reads SIPp's *_rtt.csv (Date_ms;response_time_ms;rtd_no, the date in
// ms since SIPp started, the time in whole ms of SIPp's clock tick) and returns every
// set-up time in ms with the dates of the first and last one.
func cpsSetupTimes(dir string) (ms []float64, first, last time.Time, err error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*_rtt.csv"))
	if len(files) != 1 {
		return nil, first, last, fmt.Errorf("want one *_rtt.csv in %s, found %v", dir, files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		return nil, first, last, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(strings.TrimSpace(sc.Text()), ";")
		if len(cols) < 3 {
			continue
		}
		at, err1 := strconv.ParseFloat(cols[0], 64)
		rtd, err2 := strconv.ParseFloat(cols[1], 64)
		if err1 != nil || err2 != nil {
			continue // header
		}
		ts := time.Unix(0, int64(at*1e6))
		if first.IsZero() || ts.Before(first) {
			first = ts
		}
		if ts.After(last) {
			last = ts
		}
		ms = append(ms, rtd)
	}
	return ms, first, last, sc.Err()
}

// cpsPct is the p-th percentile (nearest rank) of sorted values.
func cpsPct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
