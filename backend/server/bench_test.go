package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/queue"
)

// BenchmarkInviteToQueuedEvent measures what an attendant waits for: the time from a
// caller's INVITE leaving the caller to the call.queued event arriving at a console
// subscribed to the switchboard's event stream. It starts the whole switchboard
// (store, engine, SIP, HTTPS API), follows the stream with the API client as a console
// does, and places calls from a light Go caller (diago) at a steady pace, each with its
// own number. The path measured is INVITE → 100/200 → ACK (diago's answer waits for
// it) → enqueue → event → WebSocket (TLS) → JSON decode in the client.
//
// One run places BENCH_QUEUED_CALLS calls (default 200) at BENCH_QUEUED_RATE per
// second (default 20) and reports the latency percentiles in ms; b.N is not used, so
// run it once:
//
//	go test -run '^$' -bench BenchmarkInviteToQueuedEvent -benchtime 1x ./backend/server/
//
// Caller, switchboard and console share this process and its cores, so the figures
// include their contention (pessimistic for a switchboard on its own machine).
func BenchmarkInviteToQueuedEvent(b *testing.B) {
	calls := benchEnvInt("BENCH_QUEUED_CALLS", 200)
	rate := benchEnvInt("BENCH_QUEUED_RATE", 20)
	if calls > 2000 || rate > 500 {
		b.Fatalf("BENCH_QUEUED_CALLS=%d at BENCH_QUEUED_RATE=%d: keep it bounded (≤ 2000 calls, ≤ 500/s)", calls, rate)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Production logs at info: keep the cost of formatting each call's lines, not their output.
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s, err := Start(ctx, Config{DataDir: b.TempDir(), HTTPAddr: "127.0.0.1:0", SIPAddr: "127.0.0.1:0",
		AdminPassword: "x", Site: DefaultSite(), Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			b.Errorf("close: %v", err)
		}
	}()

	client := api.NewClient(s.URL(), api.HTTPClient(s.Fingerprint()))
	if _, err := client.Login(ctx, api.LoginRequest{Username: "admin", Password: "x"}); err != nil {
		b.Fatal(err)
	}
	w := &queuedWatcher{arrived: make(map[string]time.Time), synced: make(chan struct{}), more: make(chan struct{}, 1)}
	followCtx, stopFollow := context.WithCancel(ctx)
	followed := make(chan error, 1)
	go func() { followed <- client.Follow(followCtx, w) }()
	defer func() {
		stopFollow()
		<-followed
	}()
	select {
	case <-w.synced:
	case <-time.After(10 * time.Second):
		b.Fatal("event stream: no snapshot within 10 s")
	}

	caller := newBenchCaller(b)
	target, err := benchTarget(s.SIPAddr())
	if err != nil {
		b.Fatal(err)
	}

	var (
		mu      sync.Mutex
		sent    = make(map[string]time.Time, calls)
		failed  []error
		wg      sync.WaitGroup
		release = make(chan struct{})
	)
	fail := func(err error) {
		mu.Lock()
		failed = append(failed, err)
		mu.Unlock()
	}
	interval := time.Second / time.Duration(rate)
	cpu0 := benchCPU(b)
	start := time.Now()
	b.ResetTimer()
	for i := range calls {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		number := fmt.Sprintf("0690%06d", i)
		wg.Go(func() {
			d, err := caller.dg.NewDialog(target, diago.NewDialogOptions{Transport: "udp"})
			if err != nil {
				fail(fmt.Errorf("call %s: %w", number, err))
				return
			}
			defer d.Close()
			var inv diago.InviteClientOptions
			inv.WithCaller("Bench Caller", number, "127.0.0.1")
			mu.Lock()
			sent[number] = time.Now()
			mu.Unlock()
			med, err := d.Invite(ctx, inv)
			if err != nil {
				fail(fmt.Errorf("call %s: INVITE: %w", number, err))
				return
			}
			defer med.Close()
			if err := d.Ack(ctx); err != nil {
				fail(fmt.Errorf("call %s: ACK: %w", number, err))
				return
			}
			select {
			case <-release:
			case <-d.Context().Done():
				fail(fmt.Errorf("call %s: switchboard hung up while waiting", number))
				return
			}
			hctx, hcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer hcancel()
			if err := d.Hangup(hctx); err != nil {
				fail(fmt.Errorf("call %s: BYE: %w", number, err))
			}
		})
	}
	// Wait for every call's event (or a failure) before hanging up.
	deadline := time.After(30 * time.Second)
wait:
	for {
		mu.Lock()
		nf := len(failed)
		mu.Unlock()
		if w.count()+nf >= calls {
			break
		}
		select {
		case <-w.more:
		case <-time.After(100 * time.Millisecond): // a failure does not signal more
		case <-deadline:
			b.Errorf("only %d of %d call.queued events within 30 s of the last INVITE", w.count(), calls)
			break wait
		}
	}
	b.StopTimer()
	wall, cpu := time.Since(start), benchCPU(b)-cpu0
	goroutines := runtime.NumGoroutine()
	close(release)
	wg.Wait()
	for _, err := range failed {
		b.Error(err)
	}

	lat := w.latencies(sent)
	if len(lat) == 0 {
		b.Fatal("no latencies measured")
	}
	slices.Sort(lat)
	b.ReportMetric(benchPct(lat, 50), "p50-ms")
	b.ReportMetric(benchPct(lat, 95), "p95-ms")
	b.ReportMetric(benchPct(lat, 99), "p99-ms")
	b.ReportMetric(benchPct(lat, 100), "max-ms")
	b.ReportMetric(float64(len(lat)), "calls")
	// Whole process: switchboard, caller UA with its RTP sockets, console client.
	b.ReportMetric(float64(cpu)/float64(wall)*100, "%core-all")
	b.Logf("%d calls at %d/s on %d CPUs (%s, shared: noisy), %d goroutines with all calls up: INVITE→call.queued at the console p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; process CPU %.1f%% of a core",
		len(lat), rate, runtime.NumCPU(), benchCPUModel(), goroutines, benchPct(lat, 50), benchPct(lat, 95), benchPct(lat, 99), benchPct(lat, 100), float64(cpu)/float64(wall)*100)
}

// queuedWatcher is the console side: it notes when each caller's call.queued arrives.
type queuedWatcher struct {
	mu       sync.Mutex
	arrived  map[string]time.Time // caller number → arrival of its call.queued
	synced   chan struct{}
	syncOnce sync.Once
	more     chan struct{}
}

func (w *queuedWatcher) Snapshot(queue.Snapshot) { w.syncOnce.Do(func() { close(w.synced) }) }

func (w *queuedWatcher) Event(ev queue.Event) {
	now := time.Now()
	if ev.Type != queue.EventCallQueued || ev.Call == nil {
		return
	}
	w.mu.Lock()
	if _, dup := w.arrived[ev.Call.CallerNumber]; !dup {
		w.arrived[ev.Call.CallerNumber] = now
	}
	w.mu.Unlock()
	select {
	case w.more <- struct{}{}:
	default:
	}
}

func (w *queuedWatcher) Connection(string, error) {}

func (w *queuedWatcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.arrived)
}

// latencies pairs each call's INVITE time with its event's arrival, in ms.
func (w *queuedWatcher) latencies(sent map[string]time.Time) []float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []float64
	for number, at := range w.arrived {
		if t0, ok := sent[number]; ok {
			out = append(out, float64(at.Sub(t0))/float64(time.Millisecond))
		}
	}
	return out
}

// benchCaller is a caller's SIP user agent: one UDP socket for all calls.
type benchCaller struct {
	ua   *sipgo.UserAgent
	dg   *diago.Diago
	conn net.PacketConn
	done chan struct{}
}

func newBenchCaller(b *testing.B) *benchCaller {
	b.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("concierge-bench"))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		b.Fatal(err)
	}
	c := &benchCaller{ua: ua, conn: conn, done: make(chan struct{})}
	c.dg = diago.NewDiago(ua,
		diago.WithServer(srv),
		diago.WithLogger(slog.New(slog.DiscardHandler)),
		diago.WithTransport(diago.Transport{Transport: "udp", BindHost: "127.0.0.1", BindPort: conn.LocalAddr().(*net.UDPAddr).Port}),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{media.CodecAudioUlaw, media.CodecAudioAlaw}}),
	)
	c.dg.HandleFunc(func(d *diago.DialogServerSession) { _ = d.Respond(sip.StatusGlobalDecline, "Bench Caller", nil) })
	go func() {
		defer close(c.done)
		_ = srv.ServeUDP(conn)
	}()
	// Until sipgo has the socket in its pool, an INVITE would try to bind the port again.
	for deadline := time.Now().Add(5 * time.Second); ua.TransportLayer().Pool("udp").Size() == 0; {
		if time.Now().After(deadline) {
			b.Fatal("caller: SIP listener did not start")
		}
		time.Sleep(time.Millisecond)
	}
	b.Cleanup(func() {
		_ = ua.Close()
		_ = conn.Close()
		<-c.done
	})
	return c
}

// benchTarget is sip:reception@host:port for the switchboard's UDP address.
func benchTarget(addr string) (sip.Uri, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return sip.Uri{}, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return sip.Uri{}, err
	}
	if host == "" {
		return sip.Uri{}, errors.New("switchboard SIP address has no host")
	}
	return sip.Uri{Scheme: "sip", User: "reception", Host: host, Port: port}, nil
}

func benchCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchCPUModel() string {
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

func benchEnvInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchPct is the p-th percentile (nearest rank) of sorted values.
func benchPct(sorted []float64, p float64) float64 {
	i := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
