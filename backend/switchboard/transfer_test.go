package switchboard

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
)

// bridgedCallOf waits until user is bridged to a call and returns its ID.
func bridgedCallOf(t *testing.T, sb *testSwitchboard, user string) string {
	t.Helper()
	var callID string
	waitFor(t, 5*time.Second, user+" bridged", func() bool {
		sb.mu.Lock()
		defer sb.mu.Unlock()
		for id, c := range sb.calls {
			c.mu.Lock()
			ok := c.attendant == user && c.link != nil
			c.mu.Unlock()
			if ok {
				callID = id
				return true
			}
		}
		return false
	})
	return callID
}

// transferSetup starts a switchboard with attendant alice (answering) logged in and a
// second registered user bob (the transfer target, not an attendant), then a SIPp
// caller that alice answers. It returns the bridged call's ID.
func transferSetup(t *testing.T, cfg Config, bobMode attendantMode, scen string, extra ...string) (sb *testSwitchboard, alice, bob *testPhone, sink *rtpSink, run *sippRun, callID string) {
	t.Helper()
	sb = startSwitchboard(t, cfg, twoPasswords)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	alice = newTestPhone(t, "alice", modeAnswer, withAnswerDelay(50*time.Millisecond))
	bob = newTestPhone(t, "bob", bobMode, withAnswerDelay(100*time.Millisecond))
	aliceOnline(t, ctx, sb, alice, bob)
	sink = newRTPSink(t, 8)
	args := append([]string{"-s", "100", "-m", "1",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0640404040", "-key", "pcap", g711aPcap(t)}, extra...)
	run = startSipp(t, sb.udp, scen, args...)
	waitFor(t, 5*time.Second, "alice answers", func() bool { return alice.answered.Load() == 1 })
	callID = bridgedCallOf(t, sb, "alice")
	waitFor(t, 3*time.Second, "audio both ways", func() bool { return alice.rtpIn.Load() > 5 && sink.marked.Load() > 5 })
	return sb, alice, bob, sink, run, callID
}

func attendantOnCall(sb *Switchboard, user string) bool {
	for _, a := range sb.Engine().Snapshot().Attendants {
		if a.Username == user {
			return a.OnCall
		}
	}
	return false
}

// Hold: the caller hears music (not the attendant's audio), the attendant hears nothing;
// resume: audio flows both ways again.
func TestHoldResume(t *testing.T) {
	t.Parallel()
	sb, alice, _, sink, run, callID := transferSetup(t, receptionConfig(), modeAnswer, "caller_until_bye.xml")
	ctx := context.Background()

	if err := sb.Hold(ctx, "bob", callID); !errors.Is(err, ErrNotYourCall) {
		t.Errorf("Hold by bob: %v; want ErrNotYourCall", err)
	}
	if err := sb.Hold(ctx, "alice", "no-such-call"); !errors.Is(err, ErrNoSuchCall) {
		t.Errorf("Hold of an unknown call: %v; want ErrNoSuchCall", err)
	}
	if err := sb.Hold(ctx, "alice", callID); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	if err := sb.Hold(ctx, "alice", callID); err != nil {
		t.Errorf("second Hold: %v; want a no-op", err)
	}
	if held, err := sb.Held("alice", callID); err != nil || !held {
		t.Errorf("Held = %v, %v", held, err)
	}
	callerPackets := func() int64 { return sink.packets.Load() }
	waitGrow(t, "the caller hears music (packets in flight drain)", callerPackets, 5)
	in0, marked0 := alice.rtpIn.Load(), sink.marked.Load()
	waitGrow(t, "the caller hears music on hold", callerPackets, 35)
	if d := alice.rtpIn.Load() - in0; d > 1 {
		t.Errorf("attendant got %d packets of caller audio while on hold", d)
	}
	if d := sink.marked.Load() - marked0; d > 1 {
		t.Errorf("caller got %d packets of the attendant's audio while on hold", d)
	}
	if st := sb.Stats(); st.OnHold != 1 {
		t.Errorf("Stats.OnHold = %d; want 1", st.OnHold)
	}

	if err := sb.Resume(ctx, "alice", callID); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	in1, marked1 := alice.rtpIn.Load(), sink.marked.Load()
	waitFor(t, 3*time.Second, "audio both ways after resume", func() bool {
		return alice.rtpIn.Load()-in1 > 10 && sink.marked.Load()-marked1 > 10
	})
	if st := sb.Stats(); st.OnHold != 0 {
		t.Errorf("Stats.OnHold = %d after resume; want 0", st.OnHold)
	}

	// Hold again and hang up while held: the music stops with the call.
	if err := sb.Hold(ctx, "alice", callID); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sb.Hangup(hctx, "alice", callID); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	run.wait(t, 10*time.Second)
	sb.history.wait(t, OutcomeAnswered, 5*time.Second)
	waitFor(t, 2*time.Second, "no music left playing", func() bool { return sb.Stats().OnHold == 0 })
	if err := sb.Resume(ctx, "alice", callID); !errors.Is(err, ErrNoSuchCall) {
		t.Errorf("Resume after hangup: %v; want ErrNoSuchCall", err)
	}
}

// Blind transfer to a registered user who answers: the attendant leg is released at
// once, caller and target talk through the switchboard.
func TestBlindTransferAnswered(t *testing.T) {
	t.Parallel()
	sb, alice, bob, sink, run, callID := transferSetup(t, receptionConfig(), modeAnswer, "caller_until_bye.xml")
	ctx := context.Background()
	opts := TransferOptions{Safe: true, Timeout: 5 * time.Second}

	for _, bad := range []string{"", "bob@example.com", "a b<c>", "sips:bob@127.0.0.1", "sip:", "06;x=1"} {
		if err := sb.Transfer(ctx, "alice", callID, bad, opts); !errors.Is(err, ErrInvalidTarget) {
			t.Errorf("Transfer to %q: %v; want ErrInvalidTarget", bad, err)
		}
	}
	if err := sb.Transfer(ctx, "bob", callID, "bob", opts); !errors.Is(err, ErrNotYourCall) {
		t.Errorf("Transfer by bob: %v; want ErrNotYourCall", err)
	}
	if err := sb.Transfer(ctx, "alice", "no-such-call", "bob", opts); !errors.Is(err, ErrNoSuchCall) {
		t.Errorf("Transfer of an unknown call: %v; want ErrNoSuchCall", err)
	}
	if bob.invites.Load() != 0 || alice.ended.Load() != 0 {
		t.Fatal("a refused Transfer sent SIP")
	}

	if err := sb.Transfer(ctx, "alice", callID, "bob", opts); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	waitFor(t, 2*time.Second, "attendant leg released", func() bool {
		return alice.ended.Load() == 1 && !attendantOnCall(sb.Switchboard, "alice")
	})
	if err := sb.Transfer(ctx, "alice", callID, "bob", opts); !errors.Is(err, ErrNotYourCall) {
		t.Errorf("second Transfer: %v; want ErrNotYourCall", err)
	}
	waitFor(t, 3*time.Second, "bob answers", func() bool { return bob.answered.Load() == 1 })
	aliceIn, marked := alice.rtpIn.Load(), sink.marked.Load()
	waitFor(t, 3*time.Second, "caller and bob hear each other", func() bool {
		return bob.rtpIn.Load() > 10 && sink.marked.Load()-marked > 10
	})
	if d := alice.rtpIn.Load() - aliceIn; d != 0 {
		t.Errorf("the old attendant got %d packets after the transfer", d)
	}
	e := sb.history.wait(t, OutcomeTransferred, 2*time.Second)
	if e.Attendant != "alice" || e.Destination != "bob" || e.CallerNumber != "0640404040" {
		t.Errorf("transferred entry = %+v", e)
	}
	if alice.invites.Load() != 1 {
		t.Errorf("alice rung %d times; want 1", alice.invites.Load())
	}
	// Caller ↔ bob ends when the switchboard stops: both get a BYE.
	sb.stop()
	run.wait(t, 10*time.Second)
	waitFor(t, 3*time.Second, "bob's leg ended", func() bool { return bob.ended.Load() == 1 })
}

// Safe transfer to a target that rings past the timeout: the target is CANCELled, the
// caller hears music meanwhile, and the call comes back to the attendant as a recall.
func TestSafeTransferNoAnswerRecalls(t *testing.T) {
	t.Parallel()
	sb, alice, bob, sink, run, callID := transferSetup(t, receptionConfig(), modeRing, "caller_until_bye.xml")
	ctx := context.Background()
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()

	if err := sb.Transfer(ctx, "alice", callID, "bob", TransferOptions{Safe: true, Timeout: time.Second}); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	waitFor(t, 2*time.Second, "bob rings", func() bool { return bob.invites.Load() == 1 })
	marked := sink.marked.Load()
	waitGrow(t, "the caller hears music while the target rings", func() int64 { return sink.packets.Load() }, 20)
	if d := sink.marked.Load() - marked; d > 1 {
		t.Errorf("caller got %d attendant packets during the transfer", d)
	}

	e := sb.history.wait(t, OutcomeRecalled, 3*time.Second)
	if e.Attendant != "alice" || e.Destination != "bob" || e.Reason != "no answer" {
		t.Errorf("recalled entry = %+v", e)
	}
	waitFor(t, 2*time.Second, "bob stops ringing", func() bool { return bob.active.Load() == 0 })
	waitFor(t, 3*time.Second, "alice rung again and answers", func() bool {
		return alice.invites.Load() == 2 && alice.answered.Load() == 2
	})
	if bob.answered.Load() != 0 {
		t.Error("bob answered")
	}
	var recall *queue.Call
	for recall == nil {
		select {
		case ev := <-sub.C:
			if ev.Type == queue.EventCallQueued && ev.Reason == queue.ReasonRecall && ev.Call != nil {
				recall = ev.Call
			}
		case <-time.After(2 * time.Second):
			t.Fatal("no call.queued event with reason recall")
		}
	}
	if !recall.Recall || recall.ReservedBy != "alice" || recall.ID != callID {
		t.Errorf("recalled call = %+v; want Recall, reserved by alice", recall)
	}
	// The recall is an ordinary bridged call again: audio flows and it hangs up.
	callID = bridgedCallOf(t, sb, "alice")
	marked = sink.marked.Load()
	waitFor(t, 3*time.Second, "caller hears alice again", func() bool { return sink.marked.Load()-marked > 10 })
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sb.Hangup(hctx, "alice", callID); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	run.wait(t, 10*time.Second)
	if e := sb.history.wait(t, OutcomeAnswered, 3*time.Second); e.Attendant != "alice" {
		t.Errorf("answered entry = %+v", e)
	}
}

// A plain blind transfer to a busy target (a SIPp UAS answering 486, by full sip: URI)
// goes back to the queue, not reserved, and the free attendant is offered it again.
func TestBlindTransferBusyRequeues(t *testing.T) {
	t.Parallel()
	sb, alice, _, _, run, callID := transferSetup(t, receptionConfig(), modeAnswer, "caller_until_bye.xml")
	busy, port := startSippUAS(t, "uas_busy.xml", "-m", "1")
	target := "sip:busy@127.0.0.1:" + strconv.Itoa(port)
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()

	if err := sb.Transfer(context.Background(), "alice", callID, target, TransferOptions{Timeout: 5 * time.Second}); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	e := sb.history.wait(t, OutcomeRecalled, 5*time.Second)
	if e.Reason != "busy" || e.Destination != target {
		t.Errorf("recalled entry = %+v", e)
	}
	busy.wait(t, 5*time.Second)
	for {
		select {
		case ev := <-sub.C:
			if ev.Type == queue.EventCallQueued && ev.Call != nil && ev.Call.ID == callID {
				if ev.Reason != queue.ReasonRequeue || ev.Call.Recall || ev.Call.ReservedBy != "" {
					t.Errorf("requeued call: reason %q, %+v; want a plain requeue", ev.Reason, ev.Call)
				}
				goto requeued
			}
		case <-time.After(2 * time.Second):
			t.Fatal("no call.queued event for the requeued call")
		}
	}
requeued:
	waitFor(t, 3*time.Second, "alice answers the call again", func() bool { return alice.answered.Load() == 2 })
	hctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sb.Hangup(hctx, "alice", bridgedCallOf(t, sb, "alice")); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	run.wait(t, 10*time.Second)
}

// The caller hangs up while the target rings: the target is CANCELled and the call is
// recorded as abandoned, not recalled.
func TestTransferCallerHangsUpCancelsTarget(t *testing.T) {
	t.Parallel()
	sb, alice, bob, _, run, callID := transferSetup(t, receptionConfig(), modeRing, "caller.xml", "-d", "1500")
	if err := sb.Transfer(context.Background(), "alice", callID, "bob", TransferOptions{Safe: true, Timeout: 10 * time.Second}); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	waitFor(t, 2*time.Second, "bob rings", func() bool { return bob.invites.Load() == 1 })
	run.wait(t, 10*time.Second) // the caller's BYE after its pause
	e := sb.history.wait(t, OutcomeAbandoned, 3*time.Second)
	if e.Attendant != "alice" || e.Destination != "bob" {
		t.Errorf("abandoned entry = %+v", e)
	}
	waitFor(t, 3*time.Second, "bob stops ringing", func() bool { return bob.active.Load() == 0 })
	if bob.answered.Load() != 0 || alice.invites.Load() != 1 {
		t.Errorf("bob answered %d, alice rung %d times", bob.answered.Load(), alice.invites.Load())
	}
	sb.history.mu.Lock()
	defer sb.history.mu.Unlock()
	for _, e := range sb.history.entries {
		if e.Outcome == OutcomeRecalled {
			t.Errorf("recalled entry after the caller hung up: %+v", e)
		}
	}
}

// Through the PBX: a transfer to an extension nobody registered (Kamailio: 404) is
// recalled; then a transfer to a registered desk phone passes the PBX's digest
// challenge and connects the caller to it.
func TestTransferViaKamailio(t *testing.T) {
	t.Parallel()
	sippBinary(t)
	pbx := startKamailio(t)
	cfg := receptionConfig()
	cfg.PBX = &PBXConfig{Proxy: pbx.String(), Username: "concierge", Password: "pbx-secret"}
	desk := newTestPhone(t, "2001", modeAnswer, withAnswerDelay(100*time.Millisecond))
	registerAtPBX(t, desk, pbx)
	sb, alice, _, sink, run, callID := transferSetup(t, cfg, modeAnswer, "caller_until_bye.xml")
	ctx := context.Background()

	if err := sb.Transfer(ctx, "alice", callID, "2999", TransferOptions{Safe: true, Timeout: 3 * time.Second}); err != nil {
		t.Fatalf("Transfer to 2999: %v", err)
	}
	e := sb.history.wait(t, OutcomeRecalled, 5*time.Second)
	if e.Reason != "not found" || e.Destination != "2999" {
		t.Errorf("recalled entry = %+v", e)
	}
	waitFor(t, 3*time.Second, "recall answered by alice", func() bool { return alice.answered.Load() == 2 })
	callID = bridgedCallOf(t, sb, "alice")

	if err := sb.Transfer(ctx, "alice", callID, "20 01", TransferOptions{Safe: true, Timeout: 3 * time.Second}); err != nil {
		t.Fatalf("Transfer to 2001: %v", err)
	}
	waitFor(t, 5*time.Second, "desk phone answers", func() bool { return desk.answered.Load() == 1 })
	marked := sink.marked.Load()
	waitFor(t, 3*time.Second, "caller and desk phone hear each other", func() bool {
		return desk.rtpIn.Load() > 10 && sink.marked.Load()-marked > 10
	})
	if e := sb.history.wait(t, OutcomeTransferred, 2*time.Second); e.Destination != "20 01" || e.Attendant != "alice" {
		t.Errorf("transferred entry = %+v", e)
	}
	sb.stop()
	run.wait(t, 10*time.Second)
}

// With early media, a held call is transferred: the hold music gives way to the
// transfer's, and the caller ends up talking to the target.
func TestTransferWhileHeldEarlyMedia(t *testing.T) {
	t.Parallel()
	cfg := receptionConfig()
	cfg.EarlyMedia = true
	sb, alice, bob, sink, run, callID := transferSetup(t, cfg, modeAnswer, "caller_until_bye.xml")
	ctx := context.Background()
	if err := sb.Hold(ctx, "alice", callID); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	if err := sb.Transfer(ctx, "alice", callID, "bob", TransferOptions{Timeout: 3 * time.Second}); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	if err := sb.Resume(ctx, "alice", callID); !errors.Is(err, ErrNotYourCall) {
		t.Errorf("Resume after the transfer: %v; want ErrNotYourCall", err)
	}
	waitFor(t, 3*time.Second, "bob answers", func() bool { return bob.answered.Load() == 1 })
	marked := sink.marked.Load()
	waitFor(t, 3*time.Second, "caller and bob hear each other", func() bool {
		return bob.rtpIn.Load() > 10 && sink.marked.Load()-marked > 10
	})
	waitFor(t, 2*time.Second, "no music playing", func() bool { return sb.Stats().OnHold == 0 })
	if alice.ended.Load() != 1 {
		t.Errorf("alice's leg still up")
	}
	sb.history.wait(t, OutcomeTransferred, 2*time.Second)
	sb.stop()
	run.wait(t, 10*time.Second)
}
