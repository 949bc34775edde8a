//go:build linux

// Package loadgen holds many concurrent SIP calls on a switchboard and measures, at
// the callers, the music on hold they receive: packets per call, loss (sequence gaps)
// and the spacing of arrivals. It is built to be light, because it shares the
// machine's cores with the switchboard it measures:
//
//   - SIP is sipgo's dialog client on one UDP socket for all calls: call set-up is
//     brief next to the hold, so its cost hardly matters.
//   - Each call has its own RTP socket, connected to the switchboard's. One goroutine
//     sends every call's 20 ms frame (a pre-encoded PCMA silence packet whose header is
//     patched in place) and a few goroutines each drain a share of the sockets every
//     100 ms, one non-blocking recvmmsg(2) per socket.
//   - Arrival times are the kernel's receive timestamps (SO_TIMESTAMPNS), so the
//     inter-arrival figures are the switchboard's send pacing and not when the
//     generator got round to reading.
//
// Its own CPU (getrusage) is in the Result so a report can tell both costs apart;
// ProcStat reads another process's CPU and memory from /proc.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Config is one load run.
type Config struct {
	Target string // the switchboard's SIP UDP address, host:port
	Number string // the dialled number (request-URI user); default "reception"
	Calls  int    // concurrent calls to hold
	// Rate is the call set-ups started per second (default 100).
	Rate float64
	// Hold is how long all calls are held together, measured, once the last is up.
	Hold time.Duration
	// Warmup is how long to wait after the last set-up before measuring (default 1 s).
	Warmup time.Duration
	// CallerPrefix starts each caller number, followed by the call's index on 6 digits
	// (default "0699"), so an event consumer can match calls to INVITEs.
	CallerPrefix string
	// Silent callers send no RTP (like phones with voice activity detection). The
	// default is a 20 ms PCMA frame from every caller, as SIPp's pcap play does.
	Silent bool
	// StreamsPerReader is how many RTP sockets one reader goroutine drains (default 250).
	StreamsPerReader int
	// OnInvite, if set, is called with the caller number just before its INVITE is sent.
	OnInvite func(number string, at time.Time)
	Logger   *slog.Logger
}

// Result is what the callers saw.
type Result struct {
	Calls       int           // calls attempted
	Established int           // calls answered (200 OK) and ACKed
	Failed      int           // calls that got no 200 OK
	Dropped     int           // established calls the switchboard hung up before the end
	Errors      []string      // the first few failures, for the report
	SetupWall   time.Duration // from the first INVITE to the last 200 OK
	Setup       Percentiles   // INVITE → 200 OK, ms

	Measured    time.Duration // the measurement window with every call up
	Packets     int64         // MOH packets received in the window, all calls
	Expected    int64         // packets the sequence numbers say were sent in the window
	Lost        int64         // Expected - Packets, counted per stream (gaps)
	Late        int64         // duplicated or reordered packets in the window
	Silent      int           // established calls that received no MOH packet at all
	MinPerCall  int64         // fewest packets received by one call in the window
	InterArrive Percentiles   // gap between consecutive packets of a call in the window, ms
	Other       int64         // packets that were not RTP audio (RTCP on a neighbour port…)

	CPU     time.Duration // the generator's own CPU (user+system) during the window
	CPUAll  time.Duration // the generator's CPU for the whole run
	MaxRSS  int64         // the generator's peak resident memory, bytes
	Elapsed time.Duration // the whole run
}

// Percentiles of a distribution, in milliseconds.
type Percentiles struct {
	N                  int64
	P50, P90, P99, Max float64
}

func (p Percentiles) String() string {
	return fmt.Sprintf("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)", p.P50, p.P90, p.P99, p.Max, p.N)
}

// Phase reports progress to Run's caller, e.g. to sample the switchboard's CPU over
// exactly the measurement window.
type Phase int

const (
	PhaseUp       Phase = iota // every call is set up (or failed); warm-up starts
	PhaseMeasure               // the measurement window starts
	PhaseMeasured              // the window ends; calls are hung up next
)

// Run places cfg.Calls calls, holds them for cfg.Hold, hangs them up and returns what
// the callers measured. onPhase, if not nil, is called at each phase change. ctx ends
// the run early (calls are still hung up).
func Run(ctx context.Context, cfg Config, onPhase func(Phase)) (Result, error) {
	if err := cfg.defaults(); err != nil {
		return Result{}, err
	}
	log := cfg.Logger
	started, cpu0 := time.Now(), cpuSelf()
	res := Result{Calls: cfg.Calls}
	if onPhase == nil {
		onPhase = func(Phase) {}
	}

	ua, err := newCallerUA(cfg.Target, log)
	if err != nil {
		return res, err
	}
	defer ua.close()

	streams := make([]*stream, 0, cfg.Calls)
	defer func() {
		for _, s := range streams {
			s.close()
		}
	}()
	for range cfg.Calls {
		s, err := newStream()
		if err != nil {
			return res, fmt.Errorf("loadgen: RTP socket %d of %d: %w", len(streams)+1, cfg.Calls, err)
		}
		streams = append(streams, s)
	}

	media := newMediaLoop(streams, cfg.StreamsPerReader, !cfg.Silent)
	mediaCtx, stopMedia := context.WithCancel(context.Background())
	mediaDone := media.start(mediaCtx)
	defer func() {
		stopMedia()
		mediaDone.Wait()
	}()

	// Set-up at cfg.Rate, each call on its own goroutine until ACKed.
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		setup  = newHistogram()
		lastOK time.Time
		calls  = make([]*callerCall, cfg.Calls)
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		res.Failed++
		if len(res.Errors) < 10 {
			res.Errors = append(res.Errors, err.Error())
		}
	}
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	t0 := time.Now()
placing:
	for i := range cfg.Calls {
		if d := time.Until(t0.Add(time.Duration(i) * interval)); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				res.Failed += cfg.Calls - i
				break placing
			}
		}
		number := fmt.Sprintf("%s%06d", cfg.CallerPrefix, i)
		wg.Go(func() {
			sctx, cancel := context.WithTimeout(ctx, 32*time.Second) // SIP timer B
			defer cancel()
			sent := time.Now()
			if cfg.OnInvite != nil {
				cfg.OnInvite(number, sent)
			}
			c, err := ua.call(sctx, cfg.Number, number, streams[i])
			if err != nil {
				fail(fmt.Errorf("call %s: %w", number, err))
				return
			}
			ok := time.Now()
			mu.Lock()
			calls[i] = c
			res.Established++
			setup.add(ok.Sub(sent))
			if ok.After(lastOK) {
				lastOK = ok
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.SetupWall = lastOK.Sub(t0)
	res.Setup = setup.percentiles()
	onPhase(PhaseUp)
	log.Info("loadgen: calls up", "established", res.Established, "failed", res.Failed, "setup", res.Setup.String())

	if res.Established > 0 && ctx.Err() == nil {
		select {
		case <-time.After(cfg.Warmup):
		case <-ctx.Done():
		}
		onPhase(PhaseMeasure)
		w0, c0 := time.Now(), cpuSelf()
		media.measure(true)
		select {
		case <-time.After(cfg.Hold):
		case <-ctx.Done():
		}
		res.Measured, res.CPU = time.Since(w0), cpuSelf()-c0
		onPhase(PhaseMeasured)
		media.measure(false)
	}

	// Count what the window saw before the hang-ups change anything.
	for i, c := range calls {
		if c == nil {
			continue
		}
		if c.ended() {
			res.Dropped++
		}
		if streams[i].total.Load() == 0 {
			res.Silent++
		}
	}
	media.collect(&res, calls)

	// Hang up with bounded concurrency: a burst of 1000 BYEs would only measure the
	// switchboard's socket buffer.
	sem := make(chan struct{}, 64)
	var byeErrs atomic.Int64
	for _, c := range calls {
		if c == nil || c.ended() {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			bctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := c.hangup(bctx); err != nil {
				if byeErrs.Add(1) <= 3 {
					log.Warn("loadgen: BYE failed", "error", err)
				}
			}
		})
	}
	wg.Wait()
	if n := byeErrs.Load(); n > 0 {
		res.Errors = append(res.Errors, fmt.Sprintf("%d BYEs failed", n))
	}
	res.CPUAll, res.Elapsed, res.MaxRSS = cpuSelf()-cpu0, time.Since(started), maxRSSSelf()
	if res.Established == 0 {
		return res, errors.New("loadgen: no call was established")
	}
	return res, nil
}

func (c *Config) defaults() error {
	if c.Target == "" {
		return errors.New("loadgen: no target")
	}
	if c.Calls <= 0 {
		return errors.New("loadgen: Calls must be positive")
	}
	if c.Number == "" {
		c.Number = "reception"
	}
	if c.Rate <= 0 {
		c.Rate = 100
	}
	if c.Warmup <= 0 {
		c.Warmup = time.Second
	}
	if c.CallerPrefix == "" {
		c.CallerPrefix = "0699"
	}
	if c.StreamsPerReader <= 0 {
		c.StreamsPerReader = 250
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// cpuSelf is this process's user+system CPU time.
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSSSelf is this process's peak resident memory in bytes.
func maxRSSSelf() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024 // kilobytes on Linux
}
