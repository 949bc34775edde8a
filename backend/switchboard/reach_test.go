package switchboard

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"
)

// An attendant logged in before their softphone registered: the caller waits with
// music, the call is not marked as rejected by them and they are not rung; once the
// softphone registers, it is offered the call and answers.
func TestUnregisteredAttendantWaitsForRegistration(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), twoPasswords)
	ctx := context.Background()
	alice := newTestPhone(t, "alice", modeAnswer)
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "3000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0611111111", "-key", "pcap", g711aPcap(t))

	waitFor(t, 5*time.Second, "music on hold at the caller", func() bool { return sink.packets.Load() > 25 })
	checkNotRejected(t, sb, "alice")
	if n := alice.invites.Load(); n != 0 {
		t.Fatalf("unregistered alice rung %d times", n)
	}

	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "alice answers", func() bool { return alice.answered.Load() == 1 })
	waitFor(t, 5*time.Second, "caller hears alice", func() bool { return sink.marked.Load() > 10 })
	run.wait(t, 20*time.Second)
	if e := sb.history.wait(t, OutcomeAnswered, 5*time.Second); e.Attendant != "alice" {
		t.Errorf("answered by %q; want alice", e.Attendant)
	}
}

// An attendant whose softphone unregistered after login: the offer finds no phone, the
// call goes back without counting as a rejection (no "missed" line either) and the
// attendant is paused until the phone registers again.
func TestUnregisteredPhonePausesAttendant(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), twoPasswords)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	alice := newTestPhone(t, "alice", modeAnswer)
	uri := sip.Uri{Scheme: "sip", User: "alice", Host: sb.udp.IP.String(), Port: sb.udp.Port}
	reg, err := alice.dg.RegisterTransaction(ctx, uri, diago.RegisterOptions{Username: "alice", Password: "pw-alice", Expiry: 120 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}
	if a := attendant(t, sb, "alice"); a.Unreachable {
		t.Fatal("registered alice is paused")
	}
	if err := reg.Unregister(ctx); err != nil {
		t.Fatal(err)
	}

	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "3000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0622222222", "-key", "pcap", g711aPcap(t))
	waitFor(t, 5*time.Second, "alice paused", func() bool { return attendant(t, sb, "alice").Unreachable })
	waitFor(t, 5*time.Second, "music on hold at the caller", func() bool { return sink.packets.Load() > 25 })
	checkNotRejected(t, sb, "alice")

	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "alice answers", func() bool { return alice.answered.Load() == 1 })
	run.wait(t, 20*time.Second)
	sb.history.wait(t, OutcomeAnswered, 5*time.Second)
	sb.history.mu.Lock()
	defer sb.history.mu.Unlock()
	for _, e := range sb.history.entries {
		if e.Outcome == OutcomeMissed {
			t.Errorf("an offer that rang no phone was logged as missed: %+v", e)
		}
	}
}

// checkNotRejected fails unless one call waits, offered to nobody and rejected by
// nobody, and user is paused as unreachable.
func checkNotRejected(t *testing.T, sb *testSwitchboard, user string) {
	t.Helper()
	calls := waitingCalls(sb.Switchboard)
	if len(calls) != 1 {
		t.Fatalf("%d calls waiting; want 1", len(calls))
	}
	if c := calls[0]; c.OfferedTo != "" || len(c.RejectedBy) != 0 {
		t.Fatalf("waiting call %+v; want offered to and rejected by nobody", c)
	}
	if a := attendant(t, sb, user); !a.Unreachable || !a.Available {
		t.Fatalf("attendant %+v; want available and unreachable", a)
	}
}

func attendant(t *testing.T, sb *testSwitchboard, user string) queue.Attendant {
	t.Helper()
	for _, a := range sb.Engine().Snapshot().Attendants {
		if a.Username == user {
			return a
		}
	}
	t.Fatalf("attendant %s not logged in", user)
	return queue.Attendant{}
}
