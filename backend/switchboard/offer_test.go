package switchboard

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
)

// twoAttendants registers alice and bob and logs them in, available.
func twoAttendants(t *testing.T, sb *testSwitchboard, aliceMode, bobMode attendantMode) (alice, bob *testPhone) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	alice = newTestPhone(t, "alice", aliceMode)
	bob = newTestPhone(t, "bob", bobMode)
	// alice first, so she is the longest idle and is offered the call first.
	aliceOnline(t, ctx, sb, alice, bob)
	time.Sleep(5 * time.Millisecond)
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "bob", Available: true}); err != nil {
		t.Fatal(err)
	}
	return alice, bob
}

var twoPasswords = WithCredentials(passwords{"alice": "pw-alice", "bob": "pw-bob"})

// The first attendant's phone declines (603): the call goes back to the queue and is
// offered to the second, who answers.
func TestPhoneDeclineReoffersToNextAttendant(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), twoPasswords)
	alice, bob := twoAttendants(t, sb, modeDecline, modeAnswer)
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "3000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0622222222", "-key", "pcap", g711aPcap(t))

	waitFor(t, 10*time.Second, "bob answers", func() bool { return bob.answered.Load() == 1 })
	if alice.invites.Load() != 1 || alice.answered.Load() != 0 {
		t.Errorf("alice: %d invites, %d answered; want 1, 0", alice.invites.Load(), alice.answered.Load())
	}
	missed := sb.history.wait(t, OutcomeMissed, 2*time.Second)
	if missed.Attendant != "alice" || missed.Reason != "declined" {
		t.Errorf("missed entry = %+v; want alice, declined", missed)
	}
	waitFor(t, 5*time.Second, "caller hears bob", func() bool { return sink.marked.Load() > 10 })
	run.wait(t, 20*time.Second)
	if e := sb.history.wait(t, OutcomeAnswered, 5*time.Second); e.Attendant != "bob" {
		t.Errorf("answered by %q; want bob", e.Attendant)
	}
}

// The attendant presses Reject in the console while the phone rings: the ringing stops
// (CANCEL), the call goes to the other attendant.
func TestConsoleRejectReoffers(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), twoPasswords)
	alice, bob := twoAttendants(t, sb, modeRing, modeAnswer)
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "3000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0633333333", "-key", "pcap", g711aPcap(t))

	var callID string
	waitFor(t, 5*time.Second, "offer to alice", func() bool {
		cs := waitingCalls(sb.Switchboard)
		if len(cs) == 1 && cs[0].OfferedTo == "alice" && alice.invites.Load() == 1 {
			callID = cs[0].ID
			return true
		}
		return false
	})
	if err := sb.Reject(context.Background(), "alice", callID); err != nil {
		t.Fatalf("Reject: %v", err)
	}
	waitFor(t, 10*time.Second, "bob answers", func() bool { return bob.answered.Load() == 1 })
	if alice.answered.Load() != 0 {
		t.Error("alice's phone answered after the reject")
	}
	run.wait(t, 20*time.Second)
	sb.history.wait(t, OutcomeAnswered, 5*time.Second)
	// The reject is the engine's to publish; a rejected call is never offered back.
	if n := alice.invites.Load(); n != 1 {
		t.Errorf("alice rung %d times; want 1", n)
	}
}

// An unanswered offer times out and moves to the next attendant.
func TestOfferTimeoutMovesOn(t *testing.T) {
	cfg := receptionConfig()
	cfg.OfferTimeout = 1500 * time.Millisecond
	sb := startSwitchboard(t, cfg, twoPasswords)
	alice, bob := twoAttendants(t, sb, modeRing, modeAnswer)
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "4000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0644444444", "-key", "pcap", g711aPcap(t))
	waitFor(t, 10*time.Second, "bob answers", func() bool { return bob.answered.Load() == 1 })
	if alice.invites.Load() != 1 {
		t.Errorf("alice rung %d times; want 1", alice.invites.Load())
	}
	if e := sb.history.wait(t, OutcomeMissed, 3*time.Second); e.Attendant != "alice" || e.Reason != "timeout" {
		t.Errorf("missed = %+v; want alice/timeout", e)
	}
	run.wait(t, 20*time.Second)
}

// Direct pickup from the queue rings the attendant's phone with auto-answer headers.
// The console's Answer on a ringing offer does the same (CANCEL + auto-answer INVITE).
func TestPickupAndConsoleAnswerAutoAnswer(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), twoPasswords)
	ctx := context.Background()
	alice := newTestPhone(t, "alice", modeRing)
	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatal(err)
	}
	// Logged in but unavailable: nothing is offered until she picks up herself.
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: false}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "4000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0655555555", "-key", "pcap", g711aPcap(t))
	waitFor(t, 5*time.Second, "call queued", func() bool { return len(waitingCalls(sb.Switchboard)) == 1 })
	callID := waitingCalls(sb.Switchboard)[0].ID
	if alice.invites.Load() != 0 {
		t.Fatal("unavailable attendant was rung")
	}

	// Answer without a ringing offer is refused.
	if err := sb.Answer(ctx, "alice", callID); err == nil {
		t.Error("Answer of a call not offered to alice succeeded")
	}
	if _, err := sb.Pickup(ctx, "alice", callID); err != nil {
		t.Fatalf("Pickup: %v", err)
	}
	waitFor(t, 5*time.Second, "pickup INVITE", func() bool { return alice.invites.Load() == 1 })
	alice.lastHdrMu.Lock()
	inv := alice.lastHdrs
	alice.lastHdrMu.Unlock()
	if h := inv.GetHeader("Call-Info"); h == nil || h.Value() == "" {
		t.Errorf("pickup INVITE has no Call-Info auto-answer header")
	}
	// The phone (in ring mode) ignores auto-answer; switch it to answering and let the
	// console's Answer re-send the INVITE.
	alice.mode.Store(int32(modeAnswer))
	if err := sb.Answer(ctx, "alice", callID); err != nil {
		t.Fatalf("Answer: %v", err) // pickup already auto-answering: no-op
	}
	// Withdraw and pick up again: a second INVITE, which the phone now answers.
	if err := sb.Reject(ctx, "alice", callID); err != nil {
		t.Fatalf("Reject: %v", err)
	}
	if _, err := sb.Pickup(ctx, "alice", callID); err != nil {
		t.Fatalf("second Pickup: %v", err)
	}
	waitFor(t, 5*time.Second, "alice answers", func() bool { return alice.answered.Load() == 1 })
	waitFor(t, 5*time.Second, "caller hears alice", func() bool { return sink.marked.Load() > 10 })
	run.wait(t, 20*time.Second)
	sb.history.wait(t, OutcomeAnswered, 5*time.Second)
}

// The attendant hangs up from the console: both legs get a BYE, the attendant is free.
func TestConsoleHangup(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), twoPasswords)
	ctx := context.Background()
	alice := newTestPhone(t, "alice", modeAnswer)
	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller_until_bye.xml", "-s", "100", "-m", "1",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0666666666", "-key", "pcap", g711aPcap(t))
	waitFor(t, 5*time.Second, "alice answers", func() bool { return alice.answered.Load() == 1 })
	var callID string
	waitFor(t, 5*time.Second, "bridged", func() bool {
		sb.mu.Lock()
		defer sb.mu.Unlock()
		for id, c := range sb.calls {
			c.mu.Lock()
			att := c.attendant
			c.mu.Unlock()
			if att == "alice" {
				callID = id
				return true
			}
		}
		return false
	})
	if err := sb.Hangup(ctx, "bob", callID); err == nil {
		t.Error("bob hung up alice's call")
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sb.Hangup(hctx, "alice", callID); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	run.wait(t, 10*time.Second) // sipp got its BYE
	waitFor(t, 5*time.Second, "attendant leg ended", func() bool { return alice.ended.Load() == 1 })
	sb.history.wait(t, OutcomeAnswered, 5*time.Second)
}

// The attendant hangs up on their phone: the caller gets a BYE.
func TestAttendantByeEndsCaller(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), twoPasswords)
	ctx := context.Background()
	alice := newTestPhone(t, "alice", modeAnswer, withHangupAfter(time.Second))
	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller_until_bye.xml", "-s", "100", "-m", "1",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0677777777", "-key", "pcap", g711aPcap(t))
	run.wait(t, 15*time.Second)
	e := sb.history.wait(t, OutcomeAnswered, 5*time.Second)
	if e.Attendant != "alice" {
		t.Errorf("history = %+v", e)
	}
	waitFor(t, 2*time.Second, "alice released", func() bool {
		snap := sb.Engine().Snapshot()
		return len(snap.Attendants) == 1 && !snap.Attendants[0].OnCall
	})
}

// With EarlyMedia the caller hears music in 183 early media and gets 200 OK only when
// an attendant answers.
func TestEarlyMediaAnswersOnBridge(t *testing.T) {
	cfg := receptionConfig()
	cfg.EarlyMedia = true
	sb := startSwitchboard(t, cfg, twoPasswords)
	ctx := context.Background()
	alice := newTestPhone(t, "alice", modeAnswer, withAnswerDelay(1500*time.Millisecond))
	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "2000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0688888888", "-key", "pcap", g711aPcap(t))
	waitFor(t, 5*time.Second, "early media music", func() bool { return sink.packets.Load() > 30 })
	if alice.answered.Load() != 0 {
		t.Fatal("attendant answered too early for this test")
	}
	waitFor(t, 5*time.Second, "caller hears alice", func() bool { return sink.marked.Load() > 10 })
	run.wait(t, 20*time.Second)
	sb.history.wait(t, OutcomeAnswered, 5*time.Second)
}

// The attendant clicks Answer in the console while the offer rings on their phone: the
// ringing INVITE is CANCELled and replaced by one with auto-answer headers.
func TestConsoleAnswerRingingOffer(t *testing.T) {
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
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "3000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0699999999", "-key", "pcap", g711aPcap(t))
	waitFor(t, 5*time.Second, "offer rings", func() bool { return alice.invites.Load() == 1 })
	alice.lastHdrMu.Lock()
	first := alice.lastHdrs
	alice.lastHdrMu.Unlock()
	if first.GetHeader("Call-Info") != nil {
		t.Error("a normal offer carries auto-answer headers")
	}
	callID := first.GetHeader(HeaderCallID).Value()

	alice.mode.Store(int32(modeAnswer)) // a phone that honours auto-answer
	if err := sb.Answer(ctx, "alice", callID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitFor(t, 5*time.Second, "auto-answered", func() bool { return alice.answered.Load() == 1 })
	alice.lastHdrMu.Lock()
	second := alice.lastHdrs
	alice.lastHdrMu.Unlock()
	if second.GetHeader("Call-Info") == nil {
		t.Error("the console-answer INVITE has no Call-Info answer-after header")
	}
	if alice.invites.Load() != 2 {
		t.Errorf("alice got %d INVITEs; want 2 (ringing, then auto-answer)", alice.invites.Load())
	}
	waitFor(t, 5*time.Second, "caller hears alice", func() bool { return sink.marked.Load() > 10 })
	run.wait(t, 20*time.Second)
	if e := sb.history.wait(t, OutcomeAnswered, 5*time.Second); e.Attendant != "alice" {
		t.Errorf("history = %+v", e)
	}
}

// In early-media mode a caller who gives up CANCELs: the call is abandoned and the
// ringing offer is cancelled too.
func TestEarlyMediaCallerCancelAbandons(t *testing.T) {
	cfg := receptionConfig()
	cfg.EarlyMedia = true
	sb := startSwitchboard(t, cfg, twoPasswords)
	ctx := context.Background()
	alice := newTestPhone(t, "alice", modeRing)
	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller_cancel.xml", "-s", "100", "-m", "1", "-d", "1500",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0612121212", "-key", "pcap", g711aPcap(t))
	run.wait(t, 15*time.Second)
	if n := sink.packets.Load(); n < 40 {
		t.Errorf("caller got %d early-media music packets in 1.5 s", n)
	}
	e := sb.history.wait(t, OutcomeAbandoned, 5*time.Second)
	if e.CallerNumber != "0612121212" {
		t.Errorf("history = %+v", e)
	}
	waitFor(t, 5*time.Second, "alice's phone stops ringing", func() bool {
		return alice.invites.Load() == 1 && alice.active.Load() == 0
	})
}

// Picking up with no phone registered and no PBX extension fails at once.
func TestPickupWithoutEndpoint(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), twoPasswords)
	ctx := context.Background()
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: false}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "1000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0614141414", "-key", "pcap", g711aPcap(t))
	waitFor(t, 5*time.Second, "call queued", func() bool { return len(waitingCalls(sb.Switchboard)) == 1 })
	_, err := sb.Pickup(ctx, "alice", waitingCalls(sb.Switchboard)[0].ID)
	if !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("Pickup without a phone: %v; want ErrNoEndpoint", err)
	}
	if _, err := sb.Pickup(ctx, "alice", "no-such-call"); !errors.Is(err, ErrNoSuchCall) {
		t.Errorf("Pickup of an unknown call: %v; want ErrNoSuchCall", err)
	}
	run.wait(t, 15*time.Second)
}
