package switchboard

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
)

func receptionConfig() Config {
	return Config{
		Queues: []QueueConfig{
			{ID: "reception", Name: "Reception", Numbers: []string{"100"}, Default: true},
			{ID: "sales", Name: "Sales", Numbers: []string{"200"}, Priority: 1},
		},
		OfferTimeout: 10 * time.Second,
	}
}

// A caller is answered, queued with their number and directory name, hears music on
// hold, and hanging up while waiting is recorded as abandoned.
func TestCallerHearsMusicOnHoldAndAbandons(t *testing.T) {
	dir := DirectoryFunc(func(n string) (string, bool, bool) {
		if n == "0612345678" {
			return "Dupont SA", true, true
		}
		return "", false, false
	})
	sb := startSwitchboard(t, receptionConfig(), WithDirectory(dir))
	sink := newRTPSink(t, 8)

	run := startSipp(t, sb.udp, "caller.xml", "-s", "200", "-m", "1", "-d", "2000",
		"-key", "rtpport", strconv.Itoa(sink.port()),
		"-key", "caller", "0612345678",
		"-key", "pcap", g711aPcap(t))

	waitFor(t, 5*time.Second, "call queued", func() bool { return len(waitingCalls(sb.Switchboard)) == 1 })
	c := waitingCalls(sb.Switchboard)[0]
	if c.QueueID != "sales" || c.CallerNumber != "0612345678" || c.CallerName != "Dupont SA" || !c.VIP {
		t.Errorf("queued call = %+v; want sales, 0612345678, Dupont SA, VIP", c)
	}

	run.wait(t, 20*time.Second)
	// 2 s on hold at 50 packets/s: allow for call setup and teardown.
	if n := sink.packets.Load(); n < 60 {
		t.Errorf("caller received %d music-on-hold RTP packets in 2 s; want >= 60", n)
	}
	if n := sink.badPT.Load(); n != 0 {
		t.Errorf("%d RTP packets with a payload type other than the negotiated PCMA", n)
	}
	e := sb.history.wait(t, OutcomeAbandoned, 5*time.Second)
	if e.CallID != c.ID || e.QueueID != "sales" || e.Attendant != "" {
		t.Errorf("history = %+v", e)
	}
	waitFor(t, 2*time.Second, "queue empty", func() bool { return len(waitingCalls(sb.Switchboard)) == 0 })
	if n := sb.moh.count(); n != 0 {
		t.Errorf("%d music-on-hold listeners left", n)
	}
}

// An INVITE offering no codec we speak is refused with 488 before any media is set up.
func TestUnsupportedCodecGets488(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig())
	run := startSipp(t, sb.udp, "caller_bad_codec.xml", "-s", "100", "-m", "1")
	run.wait(t, 15*time.Second)
	if n := len(waitingCalls(sb.Switchboard)); n != 0 {
		t.Errorf("%d calls queued", n)
	}
}

// REGISTER needs the right digest credentials: none → 401 challenge, wrong password or
// unknown user → 403, right password → 200 and the contact is bound.
func TestRegisterDigestAuth(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), WithCredentials(passwords{"alice": "s3cret"}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	for _, tc := range []struct {
		user, password string
		want           int
	}{
		{"alice", "wrong", 403},
		{"mallory", "s3cret", 403},
	} {
		p := newTestPhone(t, tc.user, modeAnswer)
		err := p.register(ctx, sb.udp, tc.password)
		if got := registerStatus(err); got != tc.want {
			t.Errorf("REGISTER %s/%s: status %d (err %v); want %d", tc.user, tc.password, got, err, tc.want)
		}
	}
	if _, ok := sb.reg.lookup("alice"); ok {
		t.Fatal("alice bound after failed REGISTERs")
	}

	p := newTestPhone(t, "alice", modeAnswer)
	if err := p.register(ctx, sb.udp, "s3cret"); err != nil {
		t.Fatalf("REGISTER with the right password: %v", err)
	}
	if _, ok := sb.reg.lookup("alice"); !ok {
		t.Fatal("alice not bound after successful REGISTER")
	}
}

// Without a credential store every REGISTER is refused.
func TestRegisterWithoutCredentialsRefused(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig())
	p := newTestPhone(t, "alice", modeAnswer)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.register(ctx, sb.udp, "whatever")
	if got := registerStatus(err); got != 403 {
		t.Fatalf("REGISTER without a credential store: status %d (%v); want 403", got, err)
	}
}

// Garbage datagrams and a malformed request do not crash the switchboard; it still
// answers calls afterwards.
func TestGarbageUDPDoesNotCrash(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig())
	c, err := net.DialUDP("udp", nil, sb.udp)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	junk := [][]byte{
		{0, 1, 2, 3, 0xff},
		[]byte("INVITE"),
		[]byte("INVITE sip:100@127.0.0.1 SIP/2.0\r\n\r\n"),
		[]byte("SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n"),
		[]byte("INVITE sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK1\r\nCSeq: x INVITE\r\nContent-Length: 99999\r\n\r\nv=0"),
		[]byte(strings.Repeat("A", 1400)),
		[]byte("REGISTER sip:x SIP/2.0\r\nContact: <<<>>>\r\nAuthorization: Digest ,,,=\"\r\n\r\n"),
	}
	for range 50 {
		for _, j := range junk {
			if _, err := c.Write(j); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Still alive and routing calls.
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "500",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0600000001", "-key", "pcap", g711aPcap(t))
	run.wait(t, 15*time.Second)
	sb.history.wait(t, OutcomeAbandoned, 5*time.Second)
}

// An attendant softphone registered with digest auth is offered the call, answers, and
// RTP flows both ways through the bridge; the caller's BYE ends the attendant leg.
func TestOfferAnswerBridge(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), WithCredentials(passwords{"alice": "pw-alice"}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	phone := newTestPhone(t, "alice", modeAnswer, withAnswerDelay(time.Second)) // let the caller hear some music first
	if err := phone.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatalf("register: %v", err)
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Name: "Alice", Available: true}); err != nil {
		t.Fatal(err)
	}

	sub := sb.Engine().Subscribe(0)
	defer sub.Close()
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "5000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0611111111", "-key", "pcap", g711aPcap(t))

	waitFor(t, 10*time.Second, "attendant answered", func() bool { return phone.answered.Load() == 1 })
	// W2: the workspace line tells how long the caller waited in the queue: from the
	// queue entry to the answer, which the phone delayed by a second.
	var queued queue.Call
	for queued.ID == "" {
		select {
		case ev := <-sub.C:
			if ev.Type == queue.EventCallQueued && ev.Call != nil {
				queued = *ev.Call
			}
		case <-ctx.Done():
			t.Fatal("no call.queued event")
		}
	}
	l := waitLine(t, sb.Switchboard, queued.ID, queue.LineActive)
	if upper := l.StartedAt.Sub(queued.EnteredAt).Milliseconds(); l.WaitedMs < 1000 || l.WaitedMs > upper {
		t.Errorf("line waitedMs = %d; want the time from the queue entry to the answer, in [1000, %d]", l.WaitedMs, upper)
	}
	waitFor(t, 5*time.Second, "caller hears the attendant", func() bool { return sink.marked.Load() > 25 })
	waitFor(t, 5*time.Second, "attendant hears the caller", func() bool { return phone.rtpIn.Load() > 25 })
	if sink.packets.Load()-sink.marked.Load() < 20 {
		t.Errorf("caller heard only %d music packets before the answer", sink.packets.Load()-sink.marked.Load())
	}
	phone.lastHdrMu.Lock()
	inv := phone.lastHdrs
	phone.lastHdrMu.Unlock()
	if h := inv.GetHeader(HeaderCallID); h == nil {
		t.Error("offer INVITE lacks " + HeaderCallID)
	}
	if f := inv.From(); f == nil || f.Address.User != "0611111111" {
		t.Errorf("offer INVITE From = %v; want the caller's number", f)
	}
	if snap := sb.Engine().Snapshot(); len(snap.Attendants) != 1 || !snap.Attendants[0].OnCall {
		t.Errorf("attendants = %+v; want alice on a call", snap.Attendants)
	}

	run.wait(t, 20*time.Second) // the caller hangs up after 5 s
	waitFor(t, 5*time.Second, "attendant leg ended", func() bool { return phone.ended.Load() == 1 })
	e := sb.history.wait(t, OutcomeAnswered, 5*time.Second)
	if e.Attendant != "alice" || e.AnsweredAt.IsZero() || e.EndedAt.Before(e.AnsweredAt) {
		t.Errorf("history = %+v", e)
	}
	waitFor(t, 2*time.Second, "alice released", func() bool {
		snap := sb.Engine().Snapshot()
		return len(snap.Attendants) == 1 && !snap.Attendants[0].OnCall
	})
}

// Calls over TCP (as many PBX trunks use) are handled like UDP ones.
func TestCallOverTCP(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig())
	_, tcp := sb.SIPAddr()
	sink := newRTPSink(t, 8)
	target := &net.UDPAddr{IP: tcp.(*net.TCPAddr).IP, Port: tcp.(*net.TCPAddr).Port}
	run := startSipp(t, target, "caller.xml", "-t", "t1", "-s", "100", "-m", "1", "-d", "1500",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0650505050", "-key", "pcap", g711aPcap(t))
	run.wait(t, 20*time.Second)
	if n := sink.packets.Load(); n < 40 {
		t.Errorf("caller over TCP got %d music packets in 1.5 s", n)
	}
	sb.history.wait(t, OutcomeAbandoned, 5*time.Second)
}
