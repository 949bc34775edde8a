package switchboard

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
)

// rulesConfig is receptionConfig with rules on the reception queue.
func rulesConfig(mode queue.Mode, r queue.Rules) Config {
	cfg := receptionConfig()
	cfg.Queues[0].Mode, cfg.Queues[0].Rules = mode, &r
	return cfg
}

// callIn starts a SIPp caller to the reception queue that talks until the
// switchboard hangs up (or -d elapses with caller.xml).
func callIn(t *testing.T, sb *testSwitchboard, sink *rtpSink, number string) *sippRun {
	t.Helper()
	return startSipp(t, sb.udp, "caller_until_bye.xml", "-s", "100", "-m", "1",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", number, "-key", "pcap", g711aPcap(t))
}

// waitEvent reads sub until an event matches.
func waitEvent(t *testing.T, sub *queue.Subscription, what string, match func(queue.Event) bool) queue.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				t.Fatalf("event stream closed waiting for %s", what)
			}
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event: %s", what)
		}
	}
}

// Night service through the PBX: the queue is closed and forwards to 2001, a desk
// phone behind Kamailio. The caller ends up talking to it (the switchboard passes the
// PBX's digest challenge) and the logged-in attendant is never rung.
func TestClosedQueueForwardsToNightServiceViaKamailio(t *testing.T) {
	t.Parallel()
	sippBinary(t)
	pbx := startKamailio(t)
	cfg := rulesConfig(queue.ModeClosed, queue.Rules{WhenClosed: queue.ClosedForward, ClosedTarget: "2001"})
	cfg.PBX = &PBXConfig{Proxy: pbx.String(), Username: "concierge", Password: "pbx-secret"}
	desk := newTestPhone(t, "2001", modeAnswer, withAnswerDelay(100*time.Millisecond))
	registerAtPBX(t, desk, pbx)
	sb := startSwitchboard(t, cfg, twoPasswords)
	alice := newTestPhone(t, "alice", modeAnswer)
	aliceOnline(t, context.Background(), sb, alice)
	if s := sb.Engine().Snapshot().Queues; s[1].ID != "reception" || s[1].State != queue.StateClosed || s[1].Mode != queue.ModeClosed {
		t.Fatalf("reception in the snapshot = %+v; want mode and state closed", s[1])
	}
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()

	sink := newRTPSink(t, 8)
	run := callIn(t, sb, sink, "0650505050")
	ev := waitEvent(t, sub, "call.forwarded", func(ev queue.Event) bool { return ev.Type == queue.EventCallForwarded })
	if ev.Target != "2001" || ev.Reason != queue.ReasonClosed || ev.Call.CallerNumber != "0650505050" {
		t.Errorf("call.forwarded = %+v", ev)
	}
	waitFor(t, 5*time.Second, "night service answers", func() bool { return desk.answered.Load() == 1 })
	waitFor(t, 5*time.Second, "caller and night service hear each other", func() bool {
		return desk.rtpIn.Load() > 10 && sink.marked.Load() > 10
	})
	e := sb.history.wait(t, OutcomeForwarded, 3*time.Second)
	if e.Reason != "night service" || e.Destination != "2001" || e.Attendant != "" {
		t.Errorf("forwarded entry = %+v", e)
	}
	if n := alice.invites.Load(); n != 0 {
		t.Errorf("attendant rung %d times while the queue is closed", n)
	}
	if calls := waitingCalls(sb.Switchboard); len(calls) != 0 {
		t.Errorf("calls still waiting: %+v", calls)
	}
	sb.stop()
	run.wait(t, 10*time.Second)
}

// Overflow: a call nobody answers is forwarded after OverflowAfter seconds; the
// attendant is logged in but unavailable.
func TestOverflowForwardsAfterWaiting(t *testing.T) {
	t.Parallel()
	sb := startSwitchboard(t, rulesConfig("", queue.Rules{OverflowAfter: 1, OverflowTarget: "bob"}), twoPasswords)
	ctx := context.Background()
	alice := newTestPhone(t, "alice", modeAnswer)
	bob := newTestPhone(t, "bob", modeAnswer, withPattern(bobByte))
	aliceOnline(t, ctx, sb, alice, bob)
	if err := sb.SetAvailable(ctx, "alice", false); err != nil {
		t.Fatal(err)
	}
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()
	sink := newRTPSink(t, 8)
	run := callIn(t, sb, sink, "0650505051")
	waitEvent(t, sub, "call queued", func(ev queue.Event) bool { return ev.Type == queue.EventCallQueued })
	ev := waitEvent(t, sub, "overflow", func(ev queue.Event) bool { return ev.Type == queue.EventCallForwarded })
	if ev.Reason != queue.ReasonOverflow || ev.Target != "bob" {
		t.Errorf("call.forwarded = %+v", ev)
	}
	waitFor(t, 5*time.Second, "bob answers", func() bool { return bob.answered.Load() == 1 })
	waitFor(t, 5*time.Second, "caller hears bob", func() bool { return sink.heard[bobByte].Load() > 10 })
	e := sb.history.wait(t, OutcomeForwarded, 3*time.Second)
	if !strings.HasPrefix(e.Reason, "overflow after ") || e.Destination != "bob" {
		t.Errorf("forwarded entry = %+v", e)
	}
	sb.stop()
	run.wait(t, 10*time.Second)
}

// Nobody logged in: a new call goes straight to the no-attendant target; and when the
// last attendant logs out, the call waiting for them goes there too.
func TestNoAttendantForwards(t *testing.T) {
	t.Parallel()
	sb := startSwitchboard(t, rulesConfig(queue.ModeAuto, queue.Rules{NoAttendantTarget: "bob"}), twoPasswords)
	ctx := context.Background()
	bob := newTestPhone(t, "bob", modeAnswer, withPattern(bobByte))
	if err := bob.register(ctx, sb.udp, "pw-bob"); err != nil {
		t.Fatal(err)
	}
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()
	sink := newRTPSink(t, 8)
	run := callIn(t, sb, sink, "0650505052")
	ev := waitEvent(t, sub, "forward at arrival", func(ev queue.Event) bool { return ev.Type == queue.EventCallForwarded })
	if ev.Reason != queue.ReasonNoAttendant {
		t.Errorf("call.forwarded = %+v", ev)
	}
	waitFor(t, 5*time.Second, "bob answers", func() bool { return bob.answered.Load() == 1 })
	if e := sb.history.wait(t, OutcomeForwarded, 3*time.Second); e.Reason != "no attendant" {
		t.Errorf("forwarded entry = %+v", e)
	}

	// alice is logged in but unavailable: the next call waits, until she logs out.
	alice := newTestPhone(t, "alice", modeAnswer)
	aliceOnline(t, ctx, sb, alice)
	if err := sb.SetAvailable(ctx, "alice", false); err != nil {
		t.Fatal(err)
	}
	sink2 := newRTPSink(t, 8)
	run2 := callIn(t, sb, sink2, "0650505053")
	waitEvent(t, sub, "second call waits", func(ev queue.Event) bool {
		return ev.Type == queue.EventCallQueued && ev.Call.CallerNumber == "0650505053"
	})
	if err := sb.AttendantOffline(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	ev = waitEvent(t, sub, "forward after the last logout", func(ev queue.Event) bool { return ev.Type == queue.EventCallForwarded })
	if ev.Reason != queue.ReasonNoAttendant || ev.Call.CallerNumber != "0650505053" {
		t.Errorf("call.forwarded = %+v", ev)
	}
	waitFor(t, 5*time.Second, "bob answers the second call", func() bool { return bob.answered.Load() == 2 })
	if n := alice.invites.Load(); n != 0 {
		t.Errorf("unavailable alice rung %d times", n)
	}
	sb.stop()
	run.wait(t, 10*time.Second)
	run2.wait(t, 10*time.Second)
}

// Emergency mode set live: the next call is forwarded to the emergency number at once
// and the queue's state is published.
func TestEmergencyModeForwardsNextCall(t *testing.T) {
	t.Parallel()
	sb := startSwitchboard(t, rulesConfig("", queue.Rules{EmergencyTarget: "bob"}), twoPasswords)
	ctx := context.Background()
	alice := newTestPhone(t, "alice", modeRing)
	bob := newTestPhone(t, "bob", modeAnswer, withPattern(bobByte))
	aliceOnline(t, ctx, sb, alice, bob)
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()
	if err := sb.SetQueueMode("sales", queue.ModeEmergency); err == nil {
		t.Error("emergency without an emergency number accepted")
	}
	if err := sb.SetQueueMode("reception", queue.ModeEmergency); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, sub, "queue.updated", func(ev queue.Event) bool { return ev.Type == queue.EventQueueUpdated })
	if ev.Queue.Mode != queue.ModeEmergency || ev.Queue.State != queue.StateEmergency {
		t.Errorf("queue.updated = %+v", ev.Queue)
	}
	sink := newRTPSink(t, 8)
	run := callIn(t, sb, sink, "0650505054")
	ev = waitEvent(t, sub, "forward", func(ev queue.Event) bool { return ev.Type == queue.EventCallForwarded })
	if ev.Reason != queue.ReasonEmergency || ev.Target != "bob" {
		t.Errorf("call.forwarded = %+v", ev)
	}
	waitFor(t, 5*time.Second, "bob answers", func() bool { return bob.answered.Load() == 1 })
	waitFor(t, 5*time.Second, "caller hears bob", func() bool { return sink.heard[bobByte].Load() > 10 })
	if n := alice.invites.Load(); n != 0 {
		t.Errorf("attendant rung %d times in emergency mode", n)
	}
	sb.stop()
	run.wait(t, 10*time.Second)
}

// A forward to a busy target puts the caller back in the queue, where the attendant
// who becomes available answers: nobody is dropped.
func TestFailedForwardReturnsCallToQueue(t *testing.T) {
	t.Parallel()
	busy, port := startSippUAS(t, "uas_busy.xml", "-m", "1")
	target := "sip:busy@127.0.0.1:" + strconv.Itoa(port)
	sb := startSwitchboard(t, rulesConfig(queue.ModeClosed, queue.Rules{WhenClosed: queue.ClosedForward, ClosedTarget: target}), twoPasswords)
	ctx := context.Background()
	alice := newTestPhone(t, "alice", modeAnswer)
	aliceOnline(t, ctx, sb, alice)
	if err := sb.SetAvailable(ctx, "alice", false); err != nil {
		t.Fatal(err)
	}
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()
	sink := newRTPSink(t, 8)
	run := callIn(t, sb, sink, "0650505055")
	waitEvent(t, sub, "forward", func(ev queue.Event) bool { return ev.Type == queue.EventCallForwarded })
	ev := waitEvent(t, sub, "back in the queue", func(ev queue.Event) bool {
		return ev.Type == queue.EventCallQueued && ev.Reason == queue.ReasonForwardFailed
	})
	if ev.Call.CallerNumber != "0650505055" {
		t.Errorf("requeued call = %+v", ev.Call)
	}
	// Consoles show where the forward went and why until someone answers.
	if f := ev.Call.ForwardFailed; f == nil || *f != (queue.ForwardFailure{Target: target, Reason: "busy"}) {
		t.Errorf("requeued call's forward failure = %+v", f)
	}
	e := sb.history.wait(t, OutcomeRecalled, 3*time.Second)
	if e.Reason != "forward failed: busy" || e.Destination != target {
		t.Errorf("recalled entry = %+v", e)
	}
	busy.wait(t, 5*time.Second)
	if err := sb.SetAvailable(ctx, "alice", true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "alice answers the call", func() bool { return alice.answered.Load() == 1 })
	waitFor(t, 5*time.Second, "caller hears alice", func() bool { return sink.marked.Load() > 10 })
	sb.stop()
	run.wait(t, 10*time.Second)
}
