package switchboard

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"go.uber.org/goleak"
)

// openSockets counts this process's open socket file descriptors.
func openSockets(t testing.TB) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count sockets: %v", err)
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, "socket:") {
			n++
		}
	}
	return n
}

// After a mix of calls (bridged, abandoned, declined) and Serve's return, no goroutine
// and no socket (SIP or RTP) is left behind.
func TestNoGoroutineOrSocketLeaks(t *testing.T) {
	sippBinary(t)
	ignore := goleak.IgnoreCurrent()
	socketsBefore := openSockets(t)

	t.Run("calls", func(t *testing.T) {
		sb := startSwitchboard(t, receptionConfig(), twoPasswords)
		alice, bob := twoAttendants(t, sb, modeDecline, modeAnswer)
		_ = alice
		ctx := context.Background()

		// One call declined by alice, answered by bob, ended by the caller.
		sink := newRTPSink(t, 8)
		run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "1500",
			"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0610000001", "-key", "pcap", g711aPcap(t))
		waitFor(t, 10*time.Second, "bob answers", func() bool { return bob.answered.Load() == 1 })
		run.wait(t, 20*time.Second)
		sb.history.wait(t, OutcomeAnswered, 5*time.Second)

		// Then calls abandoned while nobody is available.
		if err := sb.SetAvailable(ctx, "bob", false); err != nil {
			t.Fatal(err)
		}
		sink2 := newRTPSink(t, 8)
		run2 := startSipp(t, sb.udp, "caller.xml", "-s", "200", "-m", "3", "-l", "3", "-d", "800",
			"-key", "rtpport", strconv.Itoa(sink2.port()), "-key", "caller", "0610000002", "-key", "pcap", g711aPcap(t))
		run2.wait(t, 20*time.Second)
		sb.history.wait(t, OutcomeAbandoned, 5*time.Second)

		// And a call still waiting, plus one bridged, when the switchboard shuts down.
		if err := sb.SetAvailable(ctx, "bob", true); err != nil {
			t.Fatal(err)
		}
		sink3 := newRTPSink(t, 8)
		run3 := startSipp(t, sb.udp, "caller_until_bye.xml", "-s", "100", "-m", "2", "-l", "2",
			"-key", "rtpport", strconv.Itoa(sink3.port()), "-key", "caller", "0610000003", "-key", "pcap", g711aPcap(t))
		waitFor(t, 10*time.Second, "second bridge", func() bool { return bob.answered.Load() == 2 })
		waitFor(t, 5*time.Second, "one waiting", func() bool { return len(waitingCalls(sb.Switchboard)) == 1 })
		sb.stop() // BYE to both callers and to bob
		run3.wait(t, 10*time.Second)
		if _, err := sb.Pickup(ctx, "bob", "nope"); err == nil {
			t.Error("Pickup after shutdown succeeded")
		}
		_ = queue.ErrNotFound
	})

	// Sockets close synchronously, but give the kernel a moment to reap sipp's child
	// process pipes and the runtime to finish exiting goroutines.
	deadline := time.Now().Add(5 * time.Second)
	for openSockets(t) > socketsBefore && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if after := openSockets(t); after > socketsBefore {
		t.Errorf("open sockets: %d before, %d after", socketsBefore, after)
	}
	goleak.VerifyNone(t, ignore)
}

// Shutdown is bounded even when the peers are gone: BYEs to a dead caller and CANCELs
// to a dead phone time out instead of holding Serve for SIP's 32 s transaction timers.
func TestShutdownWithDeadPeers(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), twoPasswords)
	ctx := context.Background()
	alice := newTestPhone(t, "alice", modeRing)
	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller_until_bye.xml", "-s", "100", "-m", "1",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0613131313", "-key", "pcap", g711aPcap(t))
	waitFor(t, 5*time.Second, "offer ringing", func() bool { return alice.invites.Load() == 1 })
	// Both peers die without a word.
	if err := run.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-run.done
	alice.conn.Close()

	start := time.Now()
	sb.stop()
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("Serve took %v to return with dead peers", d)
	} else {
		t.Logf("Serve returned %v after cancel with dead peers", d.Round(time.Millisecond))
	}
	if e := sb.history.wait(t, OutcomeDropped, time.Second); e.CallerNumber != "0613131313" {
		t.Errorf("history = %+v", e)
	}
}
