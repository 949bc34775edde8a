package switchboard

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// An INVITE burst beyond MaxCalls gets 503 and does not exhaust anything: at most
// MaxCalls calls are ever held, every other caller is told to go away, and once the
// burst is over the switchboard holds nothing.
func TestInviteFloodCappedWith503(t *testing.T) {
	cfg := receptionConfig()
	cfg.MaxCalls = 5
	sb := startSwitchboard(t, cfg)

	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				n := sb.active.Load()
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
			}
		}
	}()

	sink := newRTPSink(t, 8)
	logFile := filepath.Join(t.TempDir(), "flood.log")
	run := startSipp(t, sb.udp, "caller_flood.xml", "-s", "100", "-m", "40", "-l", "40", "-r", "200", "-d", "1500",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0620000000", "-key", "pcap", g711aPcap(t),
		"-trace_logs", "-log_file", logFile)
	run.wait(t, 30*time.Second)
	close(stop)
	<-sampled

	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("sipp log: %v", err)
	}
	busy, answered := strings.Count(string(raw), "busy "), strings.Count(string(raw), "answered ")
	t.Logf("flood: %d answered, %d got 503, peak concurrent %d", answered, busy, peak.Load())
	if busy+answered != 40 {
		t.Errorf("%d answered + %d busy; want 40 calls accounted for", answered, busy)
	}
	if answered < 5 || answered > 20 {
		t.Errorf("%d calls answered; want about MaxCalls at a time", answered)
	}
	if p := peak.Load(); p > 5 {
		t.Errorf("peak %d concurrent calls; MaxCalls is 5", p)
	}
	if st := sb.Stats(); st.RefusedFull != int64(busy) {
		t.Errorf("Stats().RefusedFull = %d; sipp saw %d", st.RefusedFull, busy)
	}
	waitFor(t, 5*time.Second, "all calls gone", func() bool {
		return sb.active.Load() == 0 && len(waitingCalls(sb.Switchboard)) == 0 && sb.moh.count() == 0
	})
}
