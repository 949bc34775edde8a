package switchboard

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
)

// Call control on an attendant's outgoing call (W4 with W8–W10, W14, O1): once the
// dialled party answers, it is handled like a caller from the queue.

const carolByte = 0x71 // the transfer or consultation target

var outPasswords = WithCredentials(passwords{"alice": "pw-alice", "bob": "pw-bob", "carol": "pw-carol", "dave": "pw-dave"})

// outSetup: attendant alice (softphone, logged in) has dialled bob, who answered and
// talks with her; carol is registered with carolMode.
func outSetup(t *testing.T, carolMode attendantMode) (sb *testSwitchboard, alice, bob, carol *testPhone, id string) {
	t.Helper()
	sb = startSwitchboard(t, receptionConfig(), outPasswords)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	alice = newTestPhone(t, "alice", modeAnswer, withAnswerDelay(20*time.Millisecond))
	bob = newTestPhone(t, "bob", modeAnswer, withAnswerDelay(50*time.Millisecond), withPattern(bobByte))
	carol = newTestPhone(t, "carol", carolMode, withAnswerDelay(50*time.Millisecond), withPattern(carolByte))
	aliceOnline(t, ctx, sb, alice, bob, carol)
	id, err := sb.Dial(ctx, "alice", "bob")
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if l := waitLine(t, sb.Switchboard, id, queue.LineActive); l.WaitedMs != 0 {
		t.Errorf("outgoing line waitedMs = %d; want 0 (it never waited in a queue)", l.WaitedMs)
	}
	a0, b0 := alice.heard[bobByte].Load(), bob.heard[aliceByte].Load()
	waitFor(t, 3*time.Second, "alice and bob hear each other", func() bool {
		return alice.heard[bobByte].Load()-a0 > 10 && bob.heard[aliceByte].Load()-b0 > 10
	})
	return sb, alice, bob, carol, id
}

// hearEachOther waits until bob and carol hear each other; alice, if given, has never
// heard carol: the media does not go through the attendant's phone.
func hearEachOther(t *testing.T, alice, bob, carol *testPhone) {
	t.Helper()
	b0, c0 := bob.heard[carolByte].Load(), carol.heard[bobByte].Load()
	waitFor(t, 3*time.Second, "bob and carol hear each other", func() bool {
		return bob.heard[carolByte].Load()-b0 > 10 && carol.heard[bobByte].Load()-c0 > 10
	})
	if alice == nil {
		return
	}
	if n := alice.heard[carolByte].Load(); n > 0 {
		t.Errorf("alice heard carol %d times: the media went through the attendant", n)
	}
}

// Blind transfer of an outgoing call: alice's phone is released, bob and carol talk
// (RTP between them, none through alice), history says it was an outgoing call.
func TestOutboundBlindTransfer(t *testing.T) {
	t.Parallel()
	sb, alice, bob, carol, id := outSetup(t, modeAnswer)
	ctx := context.Background()
	if err := sb.Hold(ctx, "alice", id); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	if l := waitLine(t, sb.Switchboard, id, queue.LineHeld); l.Direction != queue.LineOut || l.Number != "bob" {
		t.Errorf("held line = %+v; want direction out to bob", l)
	}
	if err := sb.Resume(ctx, "alice", id); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if err := sb.Transfer(ctx, "alice", id, "carol", TransferOptions{}); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	waitFor(t, 3*time.Second, "alice's phone released", func() bool {
		_, shown := lineByID(sb.Switchboard, id)
		return alice.ended.Load() == 1 && !shown && !attendantOnCall(sb.Switchboard, "alice")
	})
	hearEachOther(t, alice, bob, carol)
	e := sb.history.wait(t, OutcomeTransferred, 2*time.Second)
	if e.Direction != "out" || e.CallerNumber != "bob" || e.Destination != "carol" || e.Attendant != "alice" {
		t.Errorf("history entry = %+v; want an outgoing call to bob transferred to carol", e)
	}
	if err := sb.Hangup(ctx, "alice", id); !errors.Is(err, ErrNotYourCall) {
		t.Errorf("Hangup of a transferred call: %v; want ErrNotYourCall", err)
	}
	sb.stop()
	waitFor(t, 3*time.Second, "bob and carol hung up", func() bool { return bob.ended.Load() == 1 && carol.ended.Load() == 1 })
}

// A safe transfer of an outgoing call to a busy target comes back to alice as a recall:
// her phone rings again, the line is outgoing again and bob hears her.
func TestOutboundSafeTransferRecall(t *testing.T) {
	t.Parallel()
	sb, alice, bob, _, id := outSetup(t, modeBusy)
	ctx := context.Background()
	if err := sb.Transfer(ctx, "alice", id, "carol", TransferOptions{Safe: true}); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	if e := sb.history.wait(t, OutcomeRecalled, 3*time.Second); e.Direction != "out" || e.Reason != "busy" || e.CallerNumber != "bob" {
		t.Errorf("recalled entry = %+v", e)
	}
	waitFor(t, 5*time.Second, "alice answers the recall", func() bool { return alice.answered.Load() == 2 })
	l := waitLine(t, sb.Switchboard, id, queue.LineActive)
	if l.Direction != queue.LineOut || l.Attendant != "alice" || l.Number != "bob" || l.WaitedMs < 20 {
		t.Errorf("recalled line = %+v; want alice's, with its wait in the queue (alice answers after 20 ms)", l)
	}
	b0 := bob.heard[aliceByte].Load()
	waitFor(t, 3*time.Second, "bob hears alice again", func() bool { return bob.heard[aliceByte].Load()-b0 > 10 })
	if err := sb.Hangup(ctx, "alice", id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	waitFor(t, 3*time.Second, "bob hung up", func() bool { return bob.ended.Load() == 1 })
}

// The attendant who dialled has logged out when the safe transfer fails: the called
// party is not dropped but waits in the queue as a recall.
func TestOutboundSafeTransferAttendantGoneQueues(t *testing.T) {
	t.Parallel()
	sb, _, bob, _, id := outSetup(t, modeBusy)
	ctx := context.Background()
	if err := sb.AttendantOffline(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := sb.Transfer(ctx, "alice", id, "carol", TransferOptions{Safe: true}); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	waitFor(t, 3*time.Second, "bob waits in the queue as a recall", func() bool {
		for _, c := range waitingCalls(sb.Switchboard) {
			if c.ID == id && c.Recall && c.CallerNumber == "bob" {
				return true
			}
		}
		return false
	})
	if bob.ended.Load() != 0 {
		t.Error("bob was hung up")
	}
	m0 := bob.unmarked.Load()
	waitFor(t, 3*time.Second, "bob hears music", func() bool { return bob.unmarked.Load()-m0 > 10 })
	sb.stop()
	waitFor(t, 3*time.Second, "bob hung up at shutdown", func() bool { return bob.ended.Load() == 1 })
}

// Consult from an outgoing call, swap, complete: bob and carol talk, alice is free.
func TestOutboundConsultComplete(t *testing.T) {
	t.Parallel()
	sb, alice, bob, carol, id := outSetup(t, modeAnswer)
	ctx := context.Background()
	if err := sb.Consult(ctx, "alice", id, "carol"); err != nil {
		t.Fatalf("Consult: %v", err)
	}
	waitLine(t, sb.Switchboard, id+consultLineSuffix, queue.LineActive)
	if l := waitLine(t, sb.Switchboard, id, queue.LineHeld); l.Direction != queue.LineOut {
		t.Errorf("held outgoing line = %+v", l)
	}
	if err := sb.Swap(ctx, "alice", id); err != nil {
		t.Fatalf("Swap: %v", err)
	}
	b0 := bob.heard[aliceByte].Load()
	waitFor(t, 3*time.Second, "bob hears alice after swap", func() bool { return bob.heard[aliceByte].Load()-b0 > 10 })
	if err := sb.CompleteConsult(ctx, "alice", id); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	waitFor(t, 3*time.Second, "alice released", func() bool { return alice.ended.Load() == 1 && !attendantOnCall(sb.Switchboard, "alice") })
	hearEachOther(t, nil, bob, carol) // alice talked with carol while consulting
	if e := sb.history.wait(t, OutcomeTransferred, 2*time.Second); e.Direction != "out" || e.Destination != "carol" {
		t.Errorf("transferred entry = %+v", e)
	}
	sb.stop()
	waitFor(t, 3*time.Second, "bob and carol hung up", func() bool { return bob.ended.Load() == 1 && carol.ended.Load() == 1 })
}

// Park an outgoing call; another attendant retrieves it and talks with the called party.
func TestOutboundParkRetrieve(t *testing.T) {
	t.Parallel()
	sb, alice, bob, _, id := outSetup(t, modeAnswer)
	ctx := context.Background()
	dave := newTestPhone(t, "dave", modeAnswer, withAnswerDelay(20*time.Millisecond), withPattern(carolByte))
	if err := dave.register(ctx, sb.udp, "pw-dave"); err != nil {
		t.Fatal(err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "dave", Available: false}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Park(ctx, "alice", id); err != nil {
		t.Fatalf("Park: %v", err)
	}
	if l := waitLine(t, sb.Switchboard, id, queue.LineParked); l.Direction != queue.LineOut || l.Attendant != "alice" {
		t.Errorf("parked line = %+v", l)
	}
	waitFor(t, 3*time.Second, "alice released", func() bool { return alice.ended.Load() == 1 && !attendantOnCall(sb.Switchboard, "alice") })
	if err := sb.Retrieve(ctx, "dave", id); err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if l := waitLine(t, sb.Switchboard, id, queue.LineActive); l.Attendant != "dave" || l.Direction != queue.LineOut {
		t.Errorf("retrieved line = %+v", l)
	}
	b0, d0 := bob.heard[carolByte].Load(), dave.heard[bobByte].Load()
	waitFor(t, 3*time.Second, "bob and dave hear each other", func() bool {
		return bob.heard[carolByte].Load()-b0 > 10 && dave.heard[bobByte].Load()-d0 > 10
	})
	if err := sb.Hangup(ctx, "dave", id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	waitFor(t, 3*time.Second, "bob hung up", func() bool { return bob.ended.Load() == 1 })
	if e := sb.history.wait(t, OutcomeAnswered, 2*time.Second); e.Direction != "out" || e.Attendant != "dave" {
		t.Errorf("answered entry = %+v", e)
	}
}
