package switchboard

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
)

// Test patterns: what each test phone sends, so a receiver can tell who it hears.
const (
	aliceByte = patternByte // the attendant
	bobByte   = 0x3c        // the consulted target
)

// longPcap writes sipp's G.711 A-law pcap repeated n times (about 7 s each), with RTP
// sequence numbers and timestamps continued, so a caller talks for the whole test.
func longPcap(t testing.TB, n int) string {
	t.Helper()
	src, err := os.ReadFile(g711aPcap(t))
	if err != nil {
		t.Fatal(err)
	}
	const ethIPUDP = 14 + 20 + 8
	type pkt struct {
		at   time.Duration
		data []byte
	}
	var pkts []pkt
	var first time.Time
	for off := 24; off+16 <= len(src); {
		sec, usec := binary.LittleEndian.Uint32(src[off:]), binary.LittleEndian.Uint32(src[off+4:])
		incl := int(binary.LittleEndian.Uint32(src[off+8:]))
		at := time.Unix(int64(sec), int64(usec)*1000)
		if first.IsZero() {
			first = at
		}
		pkts = append(pkts, pkt{at.Sub(first), src[off+16 : off+16+incl]})
		off += 16 + incl
	}
	span := pkts[len(pkts)-1].at + 20*time.Millisecond
	out := append([]byte{}, src[:24]...)
	var seq uint16
	var ts uint32
	for i := range n {
		for _, p := range pkts {
			d := append([]byte{}, p.data...)
			if len(d) < ethIPUDP+12 {
				continue
			}
			d[40], d[41] = 0, 0 // no UDP checksum: the payload changes
			binary.BigEndian.PutUint16(d[ethIPUDP+2:], seq)
			binary.BigEndian.PutUint32(d[ethIPUDP+4:], ts)
			seq++
			ts += uint32(len(d) - ethIPUDP - 12)
			at := first.Add(time.Duration(i)*span + p.at)
			var hdr [16]byte
			binary.LittleEndian.PutUint32(hdr[0:], uint32(at.Unix()))
			binary.LittleEndian.PutUint32(hdr[4:], uint32(at.Nanosecond()/1000))
			binary.LittleEndian.PutUint32(hdr[8:], uint32(len(d)))
			binary.LittleEndian.PutUint32(hdr[12:], uint32(len(d)))
			out = append(append(out, hdr[:]...), d...)
		}
	}
	path := filepath.Join(t.TempDir(), "long.pcap")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// consultSetup: attendant alice answers a SIPp caller (talking for ~30 s); bob is a
// registered user who answers with his own test pattern.
func consultSetup(t *testing.T, bobOpts ...phoneOption) (sb *testSwitchboard, alice, bob *testPhone, sink *rtpSink, run *sippRun, callID string) {
	t.Helper()
	sb = startSwitchboard(t, receptionConfig(), twoPasswords)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	alice = newTestPhone(t, "alice", modeAnswer, withAnswerDelay(50*time.Millisecond))
	bob = newTestPhone(t, "bob", modeAnswer, append([]phoneOption{withAnswerDelay(100 * time.Millisecond), withPattern(bobByte)}, bobOpts...)...)
	aliceOnline(t, ctx, sb, alice, bob)
	sink = newRTPSink(t, 8)
	run = startSipp(t, sb.udp, "caller_until_bye.xml", "-s", "100", "-m", "1",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0640404040", "-key", "pcap", longPcap(t, 5))
	waitFor(t, 15*time.Second, "alice answers", func() bool {
		select {
		case <-run.done:
			t.Fatalf("sipp exited before alice answered: %v\n%s", run.err, tail(run.out.String(), 2000))
		default:
		}
		return alice.answered.Load() == 1
	})
	callID = bridgedCallOf(t, sb, "alice")
	waitFor(t, 3*time.Second, "audio both ways", func() bool { return alice.unmarked.Load() > 5 && sink.heard[aliceByte].Load() > 5 })
	return sb, alice, bob, sink, run, callID
}

// hearing counts, over a short window, what each party receives.
type hearing struct {
	callerFromAlice, callerFromBob, callerOther int64
	aliceFromBob, aliceOther                    int64
	bobFromAlice, bobOther                      int64
}

func hearFor(sink *rtpSink, alice, bob *testPhone, d time.Duration) hearing {
	time.Sleep(250 * time.Millisecond) // packets routed before the change are in flight
	c0a, c0b, c0 := sink.heard[aliceByte].Load(), sink.heard[bobByte].Load(), sink.packets.Load()
	a0b, a0 := alice.heard[bobByte].Load(), alice.unmarked.Load()
	b0a, b0 := bob.heard[aliceByte].Load(), bob.unmarked.Load()
	time.Sleep(d)
	h := hearing{
		callerFromAlice: sink.heard[aliceByte].Load() - c0a,
		callerFromBob:   sink.heard[bobByte].Load() - c0b,
		aliceFromBob:    alice.heard[bobByte].Load() - a0b,
		aliceOther:      alice.unmarked.Load() - a0,
		bobFromAlice:    bob.heard[aliceByte].Load() - b0a,
		bobOther:        bob.unmarked.Load() - b0,
	}
	h.callerOther = sink.packets.Load() - c0 - h.callerFromAlice - h.callerFromBob
	return h
}

func lineByID(sb *Switchboard, id string) (queue.Line, bool) {
	for _, l := range sb.Engine().Snapshot().Lines {
		if l.ID == id {
			return l, true
		}
	}
	return queue.Line{}, false
}

func waitLine(t *testing.T, sb *Switchboard, id, state string) queue.Line {
	t.Helper()
	var l queue.Line
	waitFor(t, 5*time.Second, "line "+id+" "+state, func() bool {
		var ok bool
		l, ok = lineByID(sb, id)
		return ok && l.State == state
	})
	return l
}

// A consulted transfer (W9) with real peers: the caller hears music while alice talks
// to bob; Swap makes alice talk to the caller while bob hears music, and back;
// Complete joins caller and bob, and no audio goes through alice any more.
func TestConsultSwapComplete(t *testing.T) {
	t.Parallel()
	sb, alice, bob, sink, run, callID := consultSetup(t)
	ctx := context.Background()
	consultID := callID + consultLineSuffix

	l := waitLine(t, sb.Switchboard, callID, queue.LineActive)
	if l.Attendant != "alice" || l.Direction != queue.LineIn || l.Number != "0640404040" || l.Peer != "" {
		t.Errorf("caller line = %+v", l)
	}
	if err := sb.Swap(ctx, "alice", callID); !errors.Is(err, ErrNotConsulting) {
		t.Errorf("Swap without consultation: %v; want ErrNotConsulting", err)
	}
	if err := sb.Consult(ctx, "alice", callID, "bob@example.com"); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("Consult to a bad target: %v; want ErrInvalidTarget", err)
	}
	if err := sb.Consult(ctx, "bob", callID, "alice"); !errors.Is(err, ErrNotYourCall) {
		t.Errorf("Consult by bob: %v; want ErrNotYourCall", err)
	}

	if err := sb.Consult(ctx, "alice", callID, "bob"); err != nil {
		t.Fatalf("Consult: %v", err)
	}
	if err := sb.Consult(ctx, "alice", callID, "bob"); !errors.Is(err, ErrConsulting) {
		t.Errorf("second Consult: %v; want ErrConsulting", err)
	}
	if err := sb.Transfer(ctx, "alice", callID, "bob", TransferOptions{}); !errors.Is(err, ErrConsulting) {
		t.Errorf("Transfer while consulting: %v; want ErrConsulting", err)
	}
	waitFor(t, 3*time.Second, "bob answers", func() bool { return bob.answered.Load() == 1 })
	cl := waitLine(t, sb.Switchboard, consultID, queue.LineActive)
	if cl.Peer != callID || cl.Direction != queue.LineOut || cl.Number != "bob" || cl.Attendant != "alice" {
		t.Errorf("consultation line = %+v", cl)
	}
	if l, _ := lineByID(sb.Switchboard, callID); l.State != queue.LineHeld || l.Peer != consultID {
		t.Errorf("caller line while consulting = %+v", l)
	}

	check := func(phase string, h hearing, callerHears, aliceHears, bobHears string) {
		t.Helper()
		t.Logf("%s: %+v", phase, h)
		const minFrames, maxStray = 10, 2 // in 600 ms: ~20-30 frames expected, a stray one or two tolerated
		want := func(who string, n int64, on bool) {
			t.Helper()
			if on && n < minFrames {
				t.Errorf("%s: %s got %d frames; want at least %d", phase, who, n, minFrames)
			}
			if !on && n > maxStray {
				t.Errorf("%s: %s got %d frames; want none", phase, who, n)
			}
		}
		want("caller from alice", h.callerFromAlice, callerHears == "alice")
		want("caller from bob", h.callerFromBob, callerHears == "bob")
		want("caller music", h.callerOther, callerHears == "music")
		want("alice from bob", h.aliceFromBob, aliceHears == "bob")
		want("alice from caller", h.aliceOther, aliceHears == "caller")
		want("bob from alice", h.bobFromAlice, bobHears == "alice")
		want("bob from caller or music", h.bobOther, bobHears == "caller" || bobHears == "music")
	}
	check("consulting", hearFor(sink, alice, bob, 600*time.Millisecond), "music", "bob", "alice")

	if err := sb.Swap(ctx, "alice", consultID); err != nil {
		t.Fatalf("Swap: %v", err)
	}
	check("swapped to the caller", hearFor(sink, alice, bob, 600*time.Millisecond), "alice", "caller", "music")
	if l, _ := lineByID(sb.Switchboard, consultID); l.State != queue.LineHeld {
		t.Errorf("consultation line after swap = %+v; want held", l)
	}
	if l, _ := lineByID(sb.Switchboard, callID); l.State != queue.LineActive {
		t.Errorf("caller line after swap = %+v; want active", l)
	}

	if err := sb.Swap(ctx, "alice", callID); err != nil {
		t.Fatalf("Swap back: %v", err)
	}
	check("swapped back to bob", hearFor(sink, alice, bob, 600*time.Millisecond), "music", "bob", "alice")

	if err := sb.CompleteConsult(ctx, "alice", callID); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	waitFor(t, 2*time.Second, "alice's leg released", func() bool {
		return alice.ended.Load() == 1 && !attendantOnCall(sb.Switchboard, "alice")
	})
	aliceIn := alice.rtpIn.Load()
	h := hearFor(sink, alice, bob, 600*time.Millisecond)
	check("completed", h, "bob", "", "caller")
	if d := alice.rtpIn.Load() - aliceIn; d != 0 {
		t.Errorf("alice got %d packets after Complete", d)
	}
	for _, id := range []string{callID, consultID} {
		if l, ok := lineByID(sb.Switchboard, id); ok {
			t.Errorf("line %s still shown after Complete: %+v", id, l)
		}
	}
	e := sb.history.wait(t, OutcomeTransferred, 2*time.Second)
	if e.Attendant != "alice" || e.Destination != "bob" || e.Reason != "consulted" {
		t.Errorf("transferred entry = %+v", e)
	}
	if err := sb.Swap(ctx, "alice", callID); !errors.Is(err, ErrNotYourCall) {
		t.Errorf("Swap after Complete: %v; want ErrNotYourCall", err)
	}
	if bob.invites.Load() != 1 || alice.invites.Load() != 1 {
		t.Errorf("invites: bob %d, alice %d; want 1 each", bob.invites.Load(), alice.invites.Load())
	}
	sb.stop()
	run.wait(t, 10*time.Second)
	waitFor(t, 3*time.Second, "bob's leg ended", func() bool { return bob.ended.Load() == 1 })
}

// Hanging up the consultation, or the target hanging up, returns alice to the caller.
func TestConsultCancelReturnsToCaller(t *testing.T) {
	t.Parallel()
	sb, alice, bob, sink, run, callID := consultSetup(t)
	ctx := context.Background()
	consultID := callID + consultLineSuffix
	if err := sb.Consult(ctx, "alice", callID, "bob"); err != nil {
		t.Fatalf("Consult: %v", err)
	}
	waitLine(t, sb.Switchboard, consultID, queue.LineActive)
	// The workspace's hang-up button on the consultation line.
	if err := sb.Hangup(ctx, "alice", consultID); err != nil {
		t.Fatalf("Hangup of the consultation: %v", err)
	}
	waitFor(t, 3*time.Second, "bob's leg ended", func() bool { return bob.ended.Load() == 1 })
	if _, ok := lineByID(sb.Switchboard, consultID); ok {
		t.Error("consultation line still shown")
	}
	if l := waitLine(t, sb.Switchboard, callID, queue.LineActive); l.Peer != "" {
		t.Errorf("caller line = %+v", l)
	}
	h := hearFor(sink, alice, bob, 600*time.Millisecond)
	if h.callerFromAlice < 10 || h.aliceOther < 10 {
		t.Errorf("after the consultation: %+v; want caller and alice hearing each other", h)
	}

	// Cancel by the API call.
	if err := sb.Consult(ctx, "alice", callID, "bob"); err != nil {
		t.Fatalf("second Consult: %v", err)
	}
	waitFor(t, 3*time.Second, "bob answers again", func() bool { return bob.answered.Load() == 2 })
	waitLine(t, sb.Switchboard, consultID, queue.LineActive)
	if err := sb.CancelConsult(ctx, "alice", callID); err != nil {
		t.Fatalf("CancelConsult: %v", err)
	}
	waitLine(t, sb.Switchboard, callID, queue.LineActive)
	if err := sb.CancelConsult(ctx, "alice", callID); !errors.Is(err, ErrNotConsulting) {
		t.Errorf("CancelConsult without consultation: %v; want ErrNotConsulting", err)
	}

	// A target nobody can route: the line ends with the reason and alice is back.
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()
	if err := sb.Consult(ctx, "alice", callID, "9999"); err != nil {
		t.Fatalf("Consult to an unknown number: %v", err)
	}
	for ended := false; !ended; {
		select {
		case ev := <-sub.C:
			if ev.Type == queue.EventLineEnded && ev.Line != nil && ev.Line.ID == consultID {
				ended = true
				if ev.Reason != "not found" {
					t.Errorf("line.ended reason = %q; want not found", ev.Reason)
				}
			}
		case <-time.After(3 * time.Second):
			t.Fatal("no line.ended for the failed consultation")
		}
	}
	waitLine(t, sb.Switchboard, callID, queue.LineActive)
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sb.Hangup(hctx, "alice", callID); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	run.wait(t, 10*time.Second)
}

// The target hanging up during the consultation returns alice to the caller.
func TestConsultTargetHangsUp(t *testing.T) {
	t.Parallel()
	sb, alice, bob, sink, run, callID := consultSetup(t, withHangupAfter(700*time.Millisecond))
	ctx := context.Background()
	if err := sb.Consult(ctx, "alice", callID, "bob"); err != nil {
		t.Fatalf("Consult: %v", err)
	}
	waitFor(t, 3*time.Second, "bob hangs up", func() bool { return bob.ended.Load() == 1 })
	waitLine(t, sb.Switchboard, callID, queue.LineActive)
	h := hearFor(sink, alice, bob, 600*time.Millisecond)
	if h.callerFromAlice < 10 || h.aliceOther < 10 {
		t.Errorf("after the target hung up: %+v; want caller and alice hearing each other", h)
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sb.Hangup(hctx, "alice", callID); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	run.wait(t, 10*time.Second)
}

// The caller hanging up during the consultation leaves alice with bob on the
// consultation's line; hanging that up ends bob's leg.
func TestConsultCallerHangsUp(t *testing.T) {
	t.Parallel()
	sb := startSwitchboard(t, receptionConfig(), twoPasswords)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	alice := newTestPhone(t, "alice", modeAnswer, withAnswerDelay(50*time.Millisecond))
	bob := newTestPhone(t, "bob", modeAnswer, withAnswerDelay(50*time.Millisecond), withPattern(bobByte))
	aliceOnline(t, ctx, sb, alice, bob)
	sink := newRTPSink(t, 8)
	// caller.xml hangs up after -d ms of talking.
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "2000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0640404040", "-key", "pcap", g711aPcap(t))
	waitFor(t, 15*time.Second, "alice answers", func() bool { return alice.answered.Load() == 1 })
	callID := bridgedCallOf(t, sb, "alice")
	consultID := callID + consultLineSuffix
	if err := sb.Consult(ctx, "alice", callID, "bob"); err != nil {
		t.Fatalf("Consult: %v", err)
	}
	waitLine(t, sb.Switchboard, consultID, queue.LineActive)
	run.wait(t, 10*time.Second) // the caller hangs up
	waitFor(t, 3*time.Second, "caller line gone", func() bool {
		_, ok := lineByID(sb.Switchboard, callID)
		return !ok
	})
	l, ok := lineByID(sb.Switchboard, consultID)
	if !ok || l.State != queue.LineActive || l.Peer != "" || l.Attendant != "alice" {
		t.Fatalf("consultation line after the caller left = %+v, %v", l, ok)
	}
	a0, b0 := alice.heard[bobByte].Load(), bob.heard[aliceByte].Load()
	waitFor(t, 3*time.Second, "alice and bob still talk", func() bool {
		return alice.heard[bobByte].Load()-a0 > 10 && bob.heard[aliceByte].Load()-b0 > 10
	})
	if e := sb.history.wait(t, OutcomeAnswered, 2*time.Second); e.Reason != "caller hung up during consultation" {
		t.Errorf("answered entry = %+v", e)
	}
	if err := sb.Hangup(ctx, "alice", consultID); err != nil {
		t.Fatalf("Hangup of the consultation line: %v", err)
	}
	waitFor(t, 3*time.Second, "both legs ended", func() bool { return bob.ended.Load() == 1 && alice.ended.Load() == 1 })
	waitFor(t, 2*time.Second, "no line left, alice free", func() bool {
		return len(sb.Engine().Snapshot().Lines) == 0 && !attendantOnCall(sb.Switchboard, "alice")
	})
}

// An attendant going offline with a held call: the call goes back to the queue as a
// recall and is offered to the next attendant; the caller is never dropped.
func TestHeldCallRecalledWhenAttendantLeaves(t *testing.T) {
	t.Parallel()
	sb, alice, bob, sink, run, callID := consultSetup(t)
	ctx := context.Background()
	if err := sb.Hold(ctx, "alice", callID); err != nil {
		t.Fatal(err)
	}
	waitLine(t, sb.Switchboard, callID, queue.LineHeld)
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()
	if err := sb.AttendantOffline(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "alice's leg released", func() bool { return alice.ended.Load() == 1 })
	var got *queue.Call
	for got == nil {
		select {
		case ev := <-sub.C:
			if ev.Type == queue.EventCallQueued && ev.Call != nil && ev.Call.ID == callID {
				got = ev.Call
			}
		case <-time.After(3 * time.Second):
			t.Fatal("the held call did not go back to the queue")
		}
	}
	if !got.Recall || got.ReservedBy != "" {
		t.Errorf("requeued call = %+v; want a recall for anyone", got)
	}
	pk := sink.packets.Load()
	waitFor(t, 2*time.Second, "caller hears music while waiting again", func() bool { return sink.packets.Load()-pk > 20 })
	// bob logs in and gets it.
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "bob", Available: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "bob answers the recall", func() bool { return bob.answered.Load() == 1 })
	c0 := sink.heard[bobByte].Load()
	waitFor(t, 3*time.Second, "caller hears bob", func() bool { return sink.heard[bobByte].Load()-c0 > 10 })
	if e := sb.history.wait(t, OutcomeRecalled, 2*time.Second); e.Attendant != "alice" {
		t.Errorf("recalled entry = %+v", e)
	}
	sb.stop()
	run.wait(t, 10*time.Second)
}

// Park (O1): the caller hears music, every attendant sees the parked line, and of two
// attendants retrieving it at once exactly one gets it.
func TestParkRetrieveExactlyOnce(t *testing.T) {
	t.Parallel()
	sb, alice, bob, sink, run, callID := consultSetup(t)
	ctx := context.Background()
	if err := sb.SetNote(ctx, "alice", callID, "wants the invoice"); err != nil {
		t.Fatal(err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "bob", Available: false}); err != nil {
		t.Fatal(err)
	}
	waited := waitLine(t, sb.Switchboard, callID, queue.LineActive).WaitedMs
	if waited < 50 { // alice's phone answers after 50 ms
		t.Errorf("answered line waitedMs = %d; want the time in the queue (>= 50)", waited)
	}
	if err := sb.Park(ctx, "alice", callID); err != nil {
		t.Fatalf("Park: %v", err)
	}
	l := waitLine(t, sb.Switchboard, callID, queue.LineParked)
	if l.Attendant != "alice" || l.WaitedMs != waited {
		t.Errorf("parked line = %+v; want alice's, waitedMs %d", l, waited)
	}
	waitFor(t, 2*time.Second, "alice released", func() bool {
		return alice.ended.Load() == 1 && !attendantOnCall(sb.Switchboard, "alice")
	})
	marked := sink.heard[aliceByte].Load()
	waitGrow(t, "the parked caller hears music", func() int64 { return sink.packets.Load() }, 25)
	if d := sink.heard[aliceByte].Load() - marked; d > 1 {
		t.Errorf("parked caller heard alice (%d)", d)
	}
	if err := sb.Hold(ctx, "alice", callID); !errors.Is(err, ErrNotYourCall) {
		t.Errorf("Hold of a parked call: %v; want ErrNotYourCall", err)
	}

	var wg sync.WaitGroup
	errs := make(map[string]error)
	var mu sync.Mutex
	for _, u := range []string{"alice", "bob"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := sb.Retrieve(ctx, u, callID)
			mu.Lock()
			errs[u] = err
			mu.Unlock()
		}()
	}
	wg.Wait()
	winner := ""
	for u, err := range errs {
		switch {
		case err == nil:
			if winner != "" {
				t.Fatalf("both %s and %s retrieved the call", winner, u)
			}
			winner = u
		case !errors.Is(err, ErrNotParked):
			t.Errorf("Retrieve by %s: %v; want ErrNotParked", u, err)
		}
	}
	if winner == "" {
		t.Fatalf("nobody retrieved the call: %v", errs)
	}
	wl := waitLine(t, sb.Switchboard, callID, queue.LineActive)
	if wl.Attendant != winner || wl.Note != "wants the invoice" || wl.WaitedMs != waited {
		t.Errorf("retrieved line = %+v; want %s's, waitedMs %d (the queue wait, not the parking)", wl, winner, waited)
	}
	phone := map[string]*testPhone{"alice": alice, "bob": bob}[winner]
	want := map[string]byte{"alice": aliceByte, "bob": bobByte}[winner]
	c0 := sink.heard[want].Load()
	waitFor(t, 3*time.Second, "caller hears "+winner, func() bool { return sink.heard[want].Load()-c0 > 10 })
	if !attendantOnCall(sb.Switchboard, winner) {
		t.Errorf("%s not on a call after retrieving", winner)
	}
	if err := sb.Retrieve(ctx, "alice", callID); !errors.Is(err, ErrNotParked) {
		t.Errorf("Retrieve of a call no longer parked: %v; want ErrNotParked", err)
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sb.Hangup(hctx, winner, callID); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	run.wait(t, 10*time.Second)
	waitFor(t, 2*time.Second, winner+" free", func() bool { return !attendantOnCall(sb.Switchboard, winner) && phone.active.Load() == 0 })
}

// An attendant going offline during a consultation, or with a call they parked: the
// target is hung up and both calls go back to the queue as recalls.
func TestConsultingAndParkedCallsRecalledWhenAttendantLeaves(t *testing.T) {
	t.Parallel()
	sb, alice, bob, _, run, callID := consultSetup(t)
	ctx := context.Background()
	sub := sb.Engine().Subscribe(0)
	defer sub.Close()
	if err := sb.Consult(ctx, "alice", callID, "bob"); err != nil {
		t.Fatal(err)
	}
	waitLine(t, sb.Switchboard, callID+consultLineSuffix, queue.LineActive)
	if err := sb.AttendantOffline(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "alice's and bob's legs ended", func() bool { return alice.ended.Load() == 1 && bob.ended.Load() == 1 })
	requeued := func() *queue.Call {
		t.Helper()
		for {
			select {
			case ev := <-sub.C:
				if ev.Type == queue.EventCallQueued && ev.Call != nil && ev.Call.ID == callID {
					return ev.Call
				}
			case <-time.After(3 * time.Second):
				t.Fatal("the call did not go back to the queue")
			}
		}
	}
	if c := requeued(); !c.Recall {
		t.Errorf("requeued call = %+v; want a recall", c)
	}
	if n := len(sb.Engine().Snapshot().Lines); n != 0 {
		t.Errorf("%d lines left after the attendant left", n)
	}

	// alice comes back, gets the recall, parks it and leaves again.
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "alice answers the recall", func() bool { return alice.answered.Load() == 2 })
	waitLine(t, sb.Switchboard, callID, queue.LineActive)
	if err := sb.Park(ctx, "alice", callID); err != nil {
		t.Fatalf("Park: %v", err)
	}
	waitLine(t, sb.Switchboard, callID, queue.LineParked)
	if err := sb.AttendantOffline(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if c := requeued(); !c.Recall {
		t.Errorf("requeued parked call = %+v; want a recall", c)
	}
	if err := sb.Retrieve(ctx, "alice", callID); !errors.Is(err, ErrNotParked) && !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("Retrieve after the recall: %v; want ErrNotParked", err)
	}
	sb.stop()
	run.wait(t, 10*time.Second)
}

// Mute on the switchboard (W11, desk phones): the caller no longer hears the attendant,
// who still hears the caller; unmute restores it.
func TestMuteOnSwitchboard(t *testing.T) {
	t.Parallel()
	sb, alice, bob, sink, run, callID := consultSetup(t)
	ctx := context.Background()
	if err := sb.Mute(ctx, "bob", callID, true); !errors.Is(err, ErrNotYourCall) {
		t.Errorf("Mute by bob: %v; want ErrNotYourCall", err)
	}
	if err := sb.Mute(ctx, "alice", callID, true); err != nil {
		t.Fatalf("Mute: %v", err)
	}
	if l := waitLine(t, sb.Switchboard, callID, queue.LineActive); !l.Muted {
		t.Errorf("line not shown muted: %+v", l)
	}
	h := hearFor(sink, alice, bob, 600*time.Millisecond)
	if h.callerFromAlice > 2 || h.aliceOther < 10 {
		t.Errorf("muted: %+v; want the caller not hearing alice, alice hearing the caller", h)
	}
	if err := sb.Mute(ctx, "alice", callID, false); err != nil {
		t.Fatalf("Unmute: %v", err)
	}
	if h := hearFor(sink, alice, bob, 600*time.Millisecond); h.callerFromAlice < 10 {
		t.Errorf("unmuted: %+v; want the caller hearing alice again", h)
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sb.Hangup(hctx, "alice", callID); err != nil {
		t.Fatal(err)
	}
	run.wait(t, 10*time.Second)
}
