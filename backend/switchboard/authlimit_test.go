package switchboard

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// A flood of REGISTERs with wrong passwords from one address gets that address refused,
// even with the right password afterwards, so guessing is bounded; an attendant at
// another address registers as usual meanwhile.
func TestRegisterBruteForceIsBlocked(t *testing.T) {
	sb := startSwitchboard(t, receptionConfig(), WithCredentials(passwords{"alice": "pw-alice"}))
	attacker := newRawRegistrar(t, sb.udp, "127.0.0.2")

	chal := attacker.challenge(t)
	const flood = 50
	for i := range flood {
		attacker.send(t, attacker.register(t, "alice", fmt.Sprintf("guess-%d", i), chal, i+2))
	}
	answers := attacker.collect(t, flood)
	plain, blocked := answers["Forbidden"], answers["Forbidden (too many failed attempts)"]
	if plain < authMaxFailures || blocked == 0 || plain+blocked != flood {
		t.Fatalf("answers to %d bad REGISTERs: %v; want %d+ plain 403s, then 403 (too many failed attempts)", flood, answers, authMaxFailures)
	}

	attacker.send(t, attacker.register(t, "alice", "pw-alice", chal, 100))
	if got := attacker.collect(t, 1); got["Forbidden (too many failed attempts)"] != 1 {
		t.Fatalf("right password from the blocked address: %v; want refused", got)
	}
	if _, ok := sb.reg.lookup("alice"); ok {
		t.Fatal("alice bound from the blocked address")
	}

	alice := newTestPhone(t, "alice", modeAnswer)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := alice.register(ctx, sb.udp, "pw-alice"); err != nil {
		t.Fatalf("alice at 127.0.0.1 during the block: %v", err)
	}
	if _, ok := sb.reg.lookup("alice"); !ok {
		t.Fatal("alice not bound")
	}
}

// The limiter counts failures per source within a window, blocks at the threshold for
// the block time, then forgets.
func TestAuthLimiterWindowAndBlock(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	l := newAuthLimiter(clock)

	for range authMaxFailures - 1 {
		if l.failed("10.0.0.1") {
			t.Fatal("blocked below the threshold")
		}
	}
	advance(authWindow + time.Second) // the window restarts: old failures no longer count
	for range authMaxFailures - 1 {
		l.failed("10.0.0.1")
	}
	if l.blocked("10.0.0.1") {
		t.Fatal("blocked although no window held the threshold")
	}
	if !l.failed("10.0.0.1") || !l.blocked("10.0.0.1") {
		t.Fatal("not blocked at the threshold")
	}
	if l.blocked("10.0.0.2") {
		t.Fatal("another source blocked")
	}
	advance(authBlock - time.Second)
	if !l.blocked("10.0.0.1") {
		t.Fatal("unblocked before the block time")
	}
	advance(2 * time.Second)
	if l.blocked("10.0.0.1") {
		t.Fatal("still blocked after the block time")
	}
	advance(authWindow + time.Second)
	l.sweep()
	if n := len(l.sources); n != 0 {
		t.Fatalf("%d sources remembered after the sweep", n)
	}
}

// rawRegistrar sends hand-made REGISTERs over UDP from a chosen loopback address, as
// a password-guessing script would.
type rawRegistrar struct {
	conn *net.UDPConn
	to   *net.UDPAddr
}

func newRawRegistrar(t *testing.T, to *net.UDPAddr, ip string) *rawRegistrar {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Skipf("cannot bind %s on loopback: %v", ip, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawRegistrar{conn: conn, to: to}
}

func (r *rawRegistrar) uri() sip.Uri {
	return sip.Uri{Scheme: "sip", Host: r.to.IP.String(), Port: r.to.Port}
}

// request builds a REGISTER for user with the given Authorization (none if empty).
func (r *rawRegistrar) request(user, authorization string, cseq int) *sip.Request {
	laddr := r.conn.LocalAddr().(*net.UDPAddr)
	req := sip.NewRequest(sip.REGISTER, r.uri())
	req.AppendHeader(sip.NewHeader("Via", "SIP/2.0/UDP "+laddr.String()+";branch=z9hG4bK"+sip.GenerateTagN(12)))
	req.AppendHeader(sip.NewHeader("From", "<sip:"+user+"@"+r.to.IP.String()+">;tag="+sip.GenerateTagN(8)))
	req.AppendHeader(sip.NewHeader("To", "<sip:"+user+"@"+r.to.IP.String()+">"))
	req.AppendHeader(sip.NewHeader("Call-ID", "brute-"+strconv.Itoa(cseq)))
	req.AppendHeader(sip.NewHeader("CSeq", strconv.Itoa(cseq)+" REGISTER"))
	req.AppendHeader(sip.NewHeader("Max-Forwards", "70"))
	req.AppendHeader(sip.NewHeader("Contact", "<sip:"+user+"@"+laddr.String()+">"))
	req.AppendHeader(sip.NewHeader("Expires", "60"))
	if authorization != "" {
		req.AppendHeader(sip.NewHeader("Authorization", authorization))
	}
	req.SetBody(nil)
	return req
}

// register is a REGISTER answering chal with user's password guess.
func (r *rawRegistrar) register(t *testing.T, user, password string, chal *digest.Challenge, cseq int) *sip.Request {
	t.Helper()
	uri := r.uri()
	cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: uri.String(), Username: user, Password: password, Cnonce: "c0ffee", Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r.request(user, cred.String(), cseq)
}

func (r *rawRegistrar) send(t *testing.T, req *sip.Request) {
	t.Helper()
	if _, err := r.conn.WriteToUDP([]byte(req.String()), r.to); err != nil {
		t.Fatal(err)
	}
}

// challenge gets a fresh nonce: an unauthenticated REGISTER answered 401.
func (r *rawRegistrar) challenge(t *testing.T) *digest.Challenge {
	t.Helper()
	r.send(t, r.request("alice", "", 1))
	res := r.read(t)
	h := res.GetHeader("WWW-Authenticate")
	if res.StatusCode != 401 || h == nil {
		t.Fatalf("REGISTER without credentials: %d %s; want a 401 challenge", res.StatusCode, res.Reason)
	}
	chal, err := digest.ParseChallenge(h.Value())
	if err != nil {
		t.Fatal(err)
	}
	return chal
}

func (r *rawRegistrar) read(t *testing.T) *sip.Response {
	t.Helper()
	buf := make([]byte, 65535)
	if err := r.conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	n, err := r.conn.Read(buf)
	if err != nil {
		t.Fatalf("no answer from the registrar: %v", err)
	}
	msg, err := sip.ParseMessage(buf[:n])
	if err != nil {
		t.Fatalf("unparsable answer: %v", err)
	}
	res, ok := msg.(*sip.Response)
	if !ok {
		t.Fatalf("got a request, not an answer: %s", msg.String())
	}
	return res
}

// collect reads n answers and counts them by reason phrase; a 100 Trying is skipped.
func (r *rawRegistrar) collect(t *testing.T, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for i := 0; i < n; {
		res := r.read(t)
		if res.StatusCode == 100 {
			continue
		}
		got[res.Reason]++
		i++
	}
	return got
}
