package switchboard

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
)

// dialSetup: attendant alice (softphone registered at the switchboard, logged in).
func dialSetup(t *testing.T, cfg Config) (*testSwitchboard, *testPhone) {
	t.Helper()
	sb := startSwitchboard(t, cfg, twoPasswords)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	alice := newTestPhone(t, "alice", modeAnswer, withAnswerDelay(20*time.Millisecond))
	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}
	return sb, alice
}

func waitLineEnded(t *testing.T, sub *queue.Subscription, id string) string {
	t.Helper()
	for {
		select {
		case ev := <-sub.C:
			if ev.Type == queue.EventLineEnded && ev.Line != nil && ev.Line.ID == id {
				return ev.Reason
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("line %s did not end", id)
		}
	}
}

// W4 to a registered user: the attendant's phone is rung first (auto-answer), then the
// target; they hear each other through the switchboard; mute on the switchboard stops
// the attendant's audio only; hang-up ends both legs.
func TestDialRegisteredUser(t *testing.T) {
	t.Parallel()
	sb, alice := dialSetup(t, receptionConfig())
	ctx := context.Background()
	bob := newTestPhone(t, "bob", modeAnswer, withAnswerDelay(300*time.Millisecond), withPattern(bobByte))
	if err := bob.register(ctx, sb.udp, "pw-bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Dial(ctx, "alice", "nobody"); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("Dial to an unroutable name without PBX: %v; want ErrInvalidTarget", err)
	}
	if _, err := sb.Dial(ctx, "alice", "a;b"); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("Dial to garbage: %v; want ErrInvalidTarget", err)
	}
	id, err := sb.Dial(ctx, "alice", "bob")
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	l := waitLine(t, sb.Switchboard, id, queue.LineRinging)
	if l.Direction != queue.LineOut || l.Number != "bob" || l.Attendant != "alice" {
		t.Errorf("ringing line = %+v", l)
	}
	if !attendantOnCall(sb.Switchboard, "alice") {
		t.Error("alice is offered queue calls while dialling")
	}
	waitLine(t, sb.Switchboard, id, queue.LineActive)
	alice.lastHdrMu.Lock()
	h := alice.lastHdrs.GetHeader("Call-Info")
	alice.lastHdrMu.Unlock()
	if h == nil || h.Value() == "" {
		t.Error("the attendant's leg has no auto-answer header")
	}
	a0, b0 := alice.heard[bobByte].Load(), bob.heard[aliceByte].Load()
	waitFor(t, 3*time.Second, "alice and bob hear each other", func() bool {
		return alice.heard[bobByte].Load()-a0 > 10 && bob.heard[aliceByte].Load()-b0 > 10
	})

	if err := sb.Mute(ctx, "alice", id, true); err != nil {
		t.Fatalf("Mute: %v", err)
	}
	waitLine(t, sb.Switchboard, id, queue.LineActive)
	aliceHearsBob := func() int64 { return alice.heard[bobByte].Load() }
	waitGrow(t, "alice hears bob (packets sent before the mute drain)", aliceHearsBob, 8)
	b0 = bob.heard[aliceByte].Load()
	waitGrow(t, "alice still hears bob while muted", aliceHearsBob, 30)
	if d := bob.heard[aliceByte].Load() - b0; d > 1 {
		t.Errorf("bob heard alice %d times while muted", d)
	}
	if l, _ := lineByID(sb.Switchboard, id); !l.Muted {
		t.Errorf("line not shown muted: %+v", l)
	}

	// Hold: bob hears music, alice hears nothing; resume.
	if err := sb.Mute(ctx, "alice", id, false); err != nil {
		t.Fatal(err)
	}
	if err := sb.Hold(ctx, "alice", id); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	waitLine(t, sb.Switchboard, id, queue.LineHeld)
	bobHearsMusic := func() int64 { return bob.unmarked.Load() }
	waitGrow(t, "bob hears music on hold", bobHearsMusic, 8)
	a0, b0 = alice.heard[bobByte].Load(), bob.heard[aliceByte].Load()
	waitGrow(t, "bob keeps hearing music on hold", bobHearsMusic, 30)
	if da, db := alice.heard[bobByte].Load()-a0, bob.heard[aliceByte].Load()-b0; da > 2 || db > 2 {
		t.Errorf("on hold: alice heard bob %d, bob heard alice %d", da, db)
	}
	if err := sb.Resume(ctx, "alice", id); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	waitLine(t, sb.Switchboard, id, queue.LineActive)
	b0 = bob.heard[aliceByte].Load()
	waitFor(t, 3*time.Second, "bob hears alice again", func() bool { return bob.heard[aliceByte].Load()-b0 > 10 })

	if err := sb.Hangup(ctx, "bob", id); !errors.Is(err, ErrNotYourCall) {
		t.Errorf("Hangup by bob: %v; want ErrNotYourCall", err)
	}
	if err := sb.Hangup(ctx, "alice", id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	waitFor(t, 3*time.Second, "both legs ended, line gone, alice free", func() bool {
		_, shown := lineByID(sb.Switchboard, id)
		return alice.ended.Load() == 1 && bob.ended.Load() == 1 && !shown && !attendantOnCall(sb.Switchboard, "alice")
	})
	e := sb.history.wait(t, OutcomeAnswered, 2*time.Second)
	if e.Direction != "out" || e.CallerNumber != "bob" || e.Attendant != "alice" || e.AnsweredAt.IsZero() {
		t.Errorf("history entry = %+v; want an answered outgoing call to bob", e)
	}
}

// W4 through the PBX (Kamailio, digest auth): an extension that answers, one that does
// not exist (404) and a busy sip: URI (486) — a failure ends the line with its reason
// and releases the attendant's phone.
func TestDialViaKamailio(t *testing.T) {
	t.Parallel()
	pbx := startKamailio(t)
	cfg := receptionConfig()
	cfg.PBX = &PBXConfig{Proxy: pbx.String(), Username: "concierge", Password: "pbx-secret"}
	desk := newTestPhone(t, "2001", modeAnswer, withAnswerDelay(100*time.Millisecond), withPattern(bobByte))
	registerAtPBX(t, desk, pbx)
	sb, alice := dialSetup(t, cfg)
	ctx := context.Background()
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()

	id, err := sb.Dial(ctx, "alice", "2999")
	if err != nil {
		t.Fatalf("Dial 2999: %v", err)
	}
	if r := waitLineEnded(t, sub, id); r != "not found" {
		t.Errorf("line to 2999 ended with %q; want not found", r)
	}
	if e := sb.history.wait(t, OutcomeMissed, 2*time.Second); e.Direction != "out" || e.Reason != "not found" || e.CallerNumber != "2999" {
		t.Errorf("history entry = %+v; want an outgoing call to 2999 not found", e)
	}
	waitFor(t, 3*time.Second, "alice's leg released", func() bool { return alice.ended.Load() == 1 })

	busy := newTestPhone(t, "busy", modeBusy)
	id, err = sb.Dial(ctx, "alice", "sip:busy@"+busy.conn.LocalAddr().String())
	if err != nil {
		t.Fatalf("Dial busy: %v", err)
	}
	if r := waitLineEnded(t, sub, id); r != "busy" {
		t.Errorf("line to a busy phone ended with %q; want busy", r)
	}

	id, err = sb.Dial(ctx, "alice", "20 01")
	if err != nil {
		t.Fatalf("Dial 2001: %v", err)
	}
	waitLine(t, sb.Switchboard, id, queue.LineActive)
	a0, d0 := alice.heard[bobByte].Load(), desk.heard[aliceByte].Load()
	waitFor(t, 3*time.Second, "alice and the desk phone hear each other", func() bool {
		return alice.heard[bobByte].Load()-a0 > 10 && desk.heard[aliceByte].Load()-d0 > 10
	})
	if err := sb.Hangup(ctx, "alice", id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "desk phone's leg ended", func() bool { return desk.ended.Load() == 1 })
}

// A desk-phone attendant (extension 2001 on Kamailio, no softphone at the switchboard)
// answers a caller: the workspace line is published for them all the same. They
// consult extension 2002 through the PBX (digest auth) and complete: caller and 2002
// hear each other, the desk phone is released.
func TestDeskPhoneAttendantConsultsViaKamailio(t *testing.T) {
	t.Parallel()
	pbx := startKamailio(t)
	cfg := receptionConfig()
	cfg.PBX = &PBXConfig{Proxy: pbx.String(), Username: "concierge", Password: "pbx-secret"}
	desk := newTestPhone(t, "2001", modeAnswer, withAnswerDelay(50*time.Millisecond))
	target := newTestPhone(t, "2002", modeAnswer, withAnswerDelay(50*time.Millisecond), withPattern(bobByte))
	registerAtPBX(t, desk, pbx)
	registerAtPBX(t, target, pbx)
	sb := startSwitchboard(t, cfg)
	ctx := context.Background()
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "carol", Extension: "2001", Available: true}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller_until_bye.xml", "-s", "100", "-m", "1",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0630303030", "-key", "pcap", longPcap(t, 3))
	waitFor(t, 10*time.Second, "desk phone answers", func() bool { return desk.answered.Load() == 1 })
	var callID string
	waitFor(t, 5*time.Second, "carol's line", func() bool {
		for _, l := range sb.Engine().Snapshot().Lines {
			if l.Attendant == "carol" && l.State == queue.LineActive && l.Number == "0630303030" {
				callID = l.ID
				return true
			}
		}
		return false
	})
	if err := sb.Consult(ctx, "carol", callID, "2002"); err != nil {
		t.Fatalf("Consult 2002: %v", err)
	}
	waitLine(t, sb.Switchboard, callID+consultLineSuffix, queue.LineActive)
	d0, t0 := desk.heard[bobByte].Load(), target.heard[aliceByte].Load()
	waitFor(t, 3*time.Second, "desk phone and 2002 hear each other", func() bool {
		return desk.heard[bobByte].Load()-d0 > 10 && target.heard[aliceByte].Load()-t0 > 10
	})
	if err := sb.CompleteConsult(ctx, "carol", callID); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	waitFor(t, 3*time.Second, "desk phone released", func() bool { return desk.ended.Load() == 1 })
	c0, u0 := sink.heard[bobByte].Load(), target.unmarked.Load()
	waitFor(t, 3*time.Second, "caller and 2002 hear each other", func() bool {
		return sink.heard[bobByte].Load()-c0 > 10 && target.unmarked.Load()-u0 > 10
	})
	if e := sb.history.wait(t, OutcomeTransferred, 2*time.Second); e.Attendant != "carol" || e.Destination != "2002" {
		t.Errorf("transferred entry = %+v", e)
	}
	sb.stop()
	run.wait(t, 10*time.Second)
}
