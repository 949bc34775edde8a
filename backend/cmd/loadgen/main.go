//go:build linux

// Command loadgen holds N SIP callers on a switchboard's music on hold and reports what
// they received (loss, pacing) and the CPU of both sides. Only point it at a
// switchboard you run (loopback or your own test host), e.g.
//
//	loadgen -target 127.0.0.1:5060 -calls 1000 -rate 200 -hold 60s -pid $(pidof switchboard)
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/concierge-console/concierge/backend/loadgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		target = flag.String("target", "127.0.0.1:5060", "the switchboard's SIP UDP address")
		number = flag.String("number", "reception", "the dialled number")
		calls  = flag.Int("calls", 100, "concurrent calls to hold")
		rate   = flag.Float64("rate", 100, "call set-ups per second")
		hold   = flag.Duration("hold", 30*time.Second, "how long all calls are held and measured")
		silent = flag.Bool("silent", false, "callers send no RTP")
		pid    = flag.Int("pid", 0, "the switchboard's process ID, to report its CPU and memory")
	)
	flag.Parse()
	if *calls > 10000 || *hold > time.Hour {
		return fmt.Errorf("-calls %d -hold %v: keep the run bounded (≤ 10000 calls, ≤ 1 h)", *calls, *hold)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var s0, s1 loadgen.ProcSample
	sample := func(to *loadgen.ProcSample) {
		if *pid == 0 {
			return
		}
		s, err := loadgen.SampleProc(*pid)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
		}
		*to = s
	}
	res, err := loadgen.Run(ctx, loadgen.Config{
		Target: *target, Number: *number, Calls: *calls, Rate: *rate, Hold: *hold, Silent: *silent,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}, func(p loadgen.Phase) {
		switch p {
		case loadgen.PhaseMeasure:
			sample(&s0)
		case loadgen.PhaseMeasured:
			sample(&s1)
		}
	})
	if err != nil {
		return err
	}
	fmt.Printf("calls: %d established, %d failed, %d dropped, %d silent; set-up %.0f/s, INVITE→200 OK %s\n",
		res.Established, res.Failed, res.Dropped, res.Silent, float64(res.Established)/res.SetupWall.Seconds(), res.Setup)
	fmt.Printf("music on hold over %v: %d packets received of %d sent, %d lost, %d late, fewest per call %d\n",
		res.Measured.Round(time.Millisecond), res.Packets, res.Expected, res.Lost, res.Late, res.MinPerCall)
	fmt.Printf("inter-arrival: %s\n", res.InterArrive)
	gen := float64(res.CPU) / float64(res.Measured) * 100
	fmt.Printf("generator CPU: %.1f %% of one core (%.4f %% per call), peak RSS %.1f MB\n", gen, gen/float64(max(res.Established, 1)), float64(res.MaxRSS)/(1<<20))
	if *pid != 0 {
		sb := loadgen.CPUShare(s0, s1)
		fmt.Printf("switchboard CPU: %.1f %% of one core (%.4f %% per call), RSS %.1f MB\n", sb, sb/float64(max(res.Established, 1)), float64(s1.RSS)/(1<<20))
	}
	for _, e := range res.Errors {
		fmt.Println("error:", e)
	}
	return nil
}
