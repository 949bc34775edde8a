package switchboard

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// TestLoadMusicOnHold holds N real SIP callers (sipp) on music on hold and reports the
// switchboard's CPU per waiting call. It is a measurement, not a timed assertion, so it
// only runs when SWITCHBOARD_LOAD=N is set, e.g.
//
//	SWITCHBOARD_LOAD=500 go test -run TestLoadMusicOnHold -v ./backend/switchboard/
//
// The sipp process runs outside the test process, so the figure covers the switchboard
// alone: SIP, the per-call RTCP goroutines and the music fan-out.
func TestLoadMusicOnHold(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_LOAD"))
	if n <= 0 {
		t.Skip("set SWITCHBOARD_LOAD=<calls> to run the music-on-hold load measurement")
	}
	cfg := receptionConfig()
	cfg.MaxCalls = n + 10
	sb := startSwitchboard(t, cfg)
	sink := newRTPSink(t, 8)
	const hold = 20 * time.Second
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", strconv.Itoa(n), "-l", strconv.Itoa(n),
		"-r", "200", "-d", strconv.Itoa(int((hold + time.Duration(n)*5*time.Millisecond + 5*time.Second).Milliseconds())),
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0600000000", "-key", "pcap", g711aPcap(t))
	waitFor(t, time.Duration(n)*10*time.Millisecond+10*time.Second, "all calls on hold", func() bool { return sb.moh.count() == n })
	// Phase 1: check every caller gets its 50 packets/s.
	time.Sleep(time.Second)
	start, pkts0, sent0 := time.Now(), sink.packets.Load(), sb.Stats().MOHPackets
	time.Sleep(5 * time.Second)
	secs := time.Since(start).Seconds()
	rate := float64(sink.packets.Load()-pkts0) / secs
	sentRate := float64(sb.Stats().MOHPackets-sent0) / secs
	// Phase 2: stop reading in the test's sink (its CPU would be counted as ours) and
	// measure the process CPU.
	sink.paused.Store(true)
	time.Sleep(500 * time.Millisecond)
	start, cpu0 := time.Now(), cpuTime(t)
	time.Sleep(hold - 5*time.Second)
	wall, cpu := time.Since(start), cpuTime(t)-cpu0
	perCall := float64(cpu) / float64(wall) / float64(n) * 100
	t.Logf("%d calls on hold: %.0f MOH packets/s sent, %.0f received by the test (want %d); switchboard CPU %.1f%% of one core over %v = %.4f%% of a core per call",
		n, sentRate, rate, n*50, float64(cpu)/float64(wall)*100, wall.Round(time.Millisecond), perCall)
	if sentRate < float64(n*50)*0.98 {
		t.Errorf("music on hold sent at %.0f packets/s; want %d", sentRate, n*50)
	}
	run.wait(t, time.Duration(n)*20*time.Millisecond+60*time.Second)
}
