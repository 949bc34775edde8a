package switchboard

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/nettest"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"
)

const testRealm = "concierge-test"

// testLogger logs to the test output only when -v is given, so failures are explained.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

func ha1(user, realm, password string) string {
	sum := md5.Sum([]byte(user + ":" + realm + ":" + password))
	return hex.EncodeToString(sum[:])
}

// passwords is a Credentials backed by a map of plain passwords.
type passwords map[string]string

func (p passwords) SIPHA1(user, realm string) (string, bool) {
	pw, ok := p[user]
	if !ok {
		return "", false
	}
	return ha1(user, realm, pw), true
}

// historyLog collects history entries.
type historyLog struct {
	mu      sync.Mutex
	entries []HistoryEntry
	added   chan struct{}
}

func newHistoryLog() *historyLog { return &historyLog{added: make(chan struct{}, 1024)} }

func (h *historyLog) Record(_ context.Context, e HistoryEntry) error {
	h.mu.Lock()
	h.entries = append(h.entries, e)
	h.mu.Unlock()
	h.added <- struct{}{}
	return nil
}

// wait returns the first entry with the outcome, waiting up to d.
func (h *historyLog) wait(t testing.TB, outcome Outcome, d time.Duration) HistoryEntry {
	t.Helper()
	deadline := time.After(d)
	for {
		h.mu.Lock()
		for _, e := range h.entries {
			if e.Outcome == outcome {
				h.mu.Unlock()
				return e
			}
		}
		h.mu.Unlock()
		select {
		case <-h.added:
		case <-deadline:
			h.mu.Lock()
			defer h.mu.Unlock()
			t.Fatalf("no %q history entry after %v; have %+v", outcome, d, h.entries)
		}
	}
}

// testSwitchboard runs a Switchboard on 127.0.0.1:0 for the test's duration.
type testSwitchboard struct {
	*Switchboard
	udp     *net.UDPAddr
	history *historyLog
	stop    func() // cancels Serve and waits for it
}

func startSwitchboard(t testing.TB, cfg Config, opts ...Option) *testSwitchboard {
	t.Helper()
	if cfg.SIPAddr == "" {
		cfg.SIPAddr = "127.0.0.1:0"
	}
	if cfg.Realm == "" {
		cfg.Realm = testRealm
	}
	h := newHistoryLog()
	opts = append([]Option{WithLogger(testLogger(t)), WithHistory(h)}, opts...)
	sb, err := New(cfg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- sb.Serve(ctx) }()
	select {
	case <-sb.Ready():
	case err := <-errc:
		cancel()
		t.Fatalf("Serve: %v", err)
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("switchboard did not become ready")
	}
	udp, _ := sb.SIPAddr()
	var once sync.Once
	ts := &testSwitchboard{Switchboard: sb, udp: udp.(*net.UDPAddr), history: h}
	ts.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Serve returned %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Error("Serve did not return within 15s of cancel")
			}
		})
	}
	t.Cleanup(ts.stop)
	return ts
}

// aliceOnline registers phones at sb (password pw-<user>), then logs attendant alice
// in, available: the start of most call-control tests.
func aliceOnline(t *testing.T, ctx context.Context, sb *testSwitchboard, phones ...*testPhone) {
	t.Helper()
	for _, p := range phones {
		if err := p.register(ctx, sb.udp, "pw-"+p.user); err != nil {
			t.Fatalf("register %s: %v", p.user, err)
		}
	}
	if err := sb.AttendantOnline(ctx, queue.Attendant{Username: "alice", Available: true}); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitingCalls(sb *Switchboard) []queue.Call {
	var calls []queue.Call
	for _, q := range sb.Engine().Snapshot().Queues {
		calls = append(calls, q.Calls...)
	}
	return calls
}

// rtpSink is the caller's RTP port: it counts what the switchboard sends there.
type rtpSink struct {
	conn    *net.UDPConn
	packets atomic.Int64
	marked  atomic.Int64      // packets whose payload carries the attendant's test pattern
	heard   [256]atomic.Int64 // packets by test pattern (see testPhone.pattern)
	badPT   atomic.Int64
	pt      uint8
	done    chan struct{}
	paused  atomic.Bool // load tests stop reading so that the sink's CPU is not counted
}

func newRTPSink(t testing.TB, pt uint8) *rtpSink {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &rtpSink{conn: conn, pt: pt, done: make(chan struct{})}
	go s.run()
	t.Cleanup(func() {
		conn.Close()
		<-s.done
	})
	return s
}

func (s *rtpSink) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

func (s *rtpSink) run() {
	defer close(s.done)
	buf := make([]byte, 1500)
	for {
		if s.paused.Load() {
			// Poll rarely; the kernel drops what overflows the socket buffer.
			if err := s.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
				return
			}
		}
		n, err := s.conn.Read(buf)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			if !s.paused.Load() {
				_ = s.conn.SetReadDeadline(time.Time{})
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err != nil {
			return
		}
		var p rtp.Packet
		if err := p.Unmarshal(buf[:n]); err != nil {
			continue
		}
		if p.PayloadType != s.pt {
			s.badPT.Add(1)
			continue
		}
		s.packets.Add(1)
		if isPattern(p.Payload) {
			s.marked.Add(1)
		}
		if b, ok := uniform(p.Payload); ok {
			s.heard[b].Add(1)
		}
	}
}

// The attendant sends frames of one constant byte; music never looks like that.
const patternByte = 0x5a

func isPattern(b []byte) bool {
	if len(b) < 160 {
		return false
	}
	for _, v := range b {
		if v != patternByte {
			return false
		}
	}
	return true
}

// uniform reports whether b is a test frame: 160 bytes of one value.
func uniform(b []byte) (byte, bool) {
	if len(b) < 160 {
		return 0, false
	}
	for _, v := range b[1:] {
		if v != b[0] {
			return 0, false
		}
	}
	return b[0], true
}

// attendantMode says what a test attendant's phone does with an INVITE.
type attendantMode int

const (
	modeAnswer  attendantMode = iota // answer after answerDelay, talk until BYE
	modeDecline                      // 603 Decline
	modeRing                         // ring until cancelled
	modeBusy                         // 486 Busy Here
)

// testPhone is an attendant softphone: a diago UA that REGISTERs with digest auth.
type testPhone struct {
	t           testing.TB
	user        string
	mode        atomic.Int32
	answerDelay time.Duration
	hangupAfter time.Duration // > 0: hang up answered calls after this long
	dg          *diago.Diago
	ua          *sipgo.UserAgent
	conn        *net.UDPConn
	served      chan error
	wg          sync.WaitGroup

	invites   atomic.Int64
	active    atomic.Int64 // INVITEs being handled (ringing or in a call)
	answered  atomic.Int64
	rtpIn     atomic.Int64      // RTP payloads received on answered calls
	pattern   byte              // the byte of the frames it sends (default patternByte)
	heard     [256]atomic.Int64 // received test frames by pattern byte
	unmarked  atomic.Int64      // received frames that are no test pattern (caller audio, music)
	rtpOut    atomic.Int64      // test frames sent
	ended     atomic.Int64      // answered calls that ended
	lastHdrMu sync.Mutex
	lastHdrs  *sip.Request
}

// phoneOption sets a testPhone field before the phone starts serving, so
// its SIP goroutines never race with the test writing it.
type phoneOption func(*testPhone)

func withAnswerDelay(d time.Duration) phoneOption { return func(p *testPhone) { p.answerDelay = d } }
func withHangupAfter(d time.Duration) phoneOption { return func(p *testPhone) { p.hangupAfter = d } }
func withPattern(b byte) phoneOption              { return func(p *testPhone) { p.pattern = b } }

func newTestPhone(t testing.TB, user string, mode attendantMode, opts ...phoneOption) *testPhone {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(user))
	if err != nil {
		t.Fatal(err)
	}
	p := &testPhone{t: t, user: user, ua: ua, answerDelay: 200 * time.Millisecond, pattern: patternByte, served: make(chan error, 1)}
	for _, o := range opts {
		o(p)
	}
	p.mode.Store(int32(mode))
	// Bind first and hand the socket to sipgo (as the switchboard does): diago's own
	// ephemeral-port path races with its client transport.
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	p.conn = conn
	p.dg = diago.NewDiago(ua,
		diago.WithServer(srv),
		diago.WithLogger(testLogger(t).With("phone", user)),
		diago.WithTransport(diago.Transport{Transport: "udp", BindHost: "127.0.0.1", BindPort: conn.LocalAddr().(*net.UDPAddr).Port}),
	)
	p.dg.HandleFunc(p.handle)
	go func() { p.served <- srv.ServeUDP(conn) }()
	if err := waitUDPServing(context.Background(), ua.TransportLayer(), conn.LocalAddr().(*net.UDPAddr)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	return p
}

func (p *testPhone) close() {
	p.conn.Close()
	<-p.served
	p.ua.Close() // terminates transactions, so ringing handlers return
	p.wg.Wait()
}

func (p *testPhone) handle(d *diago.DialogServerSession) {
	p.wg.Add(1)
	defer p.wg.Done()
	p.active.Add(1)
	defer p.active.Add(-1)
	p.invites.Add(1)
	p.lastHdrMu.Lock()
	p.lastHdrs = d.InviteRequest
	p.lastHdrMu.Unlock()
	switch attendantMode(p.mode.Load()) {
	case modeDecline:
		_ = d.Respond(603, "Decline", nil)
		return
	case modeRing:
		_ = d.Ringing()
		<-d.Context().Done()
		return
	case modeBusy:
		_ = d.Respond(sip.StatusBusyHere, "Busy Here", nil)
		return
	}
	_ = d.Ringing()
	select {
	case <-time.After(p.answerDelay):
	case <-d.Context().Done():
		return
	}
	m, err := d.Answer(diago.AnswerOptions{})
	if err != nil && d.Context().Err() != nil {
		// The switchboard ACKs before it hangs up, but this peer may handle the BYE
		// before the ACK: the call was answered, then ended.
		p.t.Logf("phone %s: answered, ended before the ACK was handled: %v", p.user, err)
		p.answered.Add(1)
		p.ended.Add(1)
		return
	}
	if err != nil {
		p.t.Logf("phone %s: answer: %v", p.user, err)
		return
	}
	p.answered.Add(1)
	defer p.ended.Add(1)
	r, err := m.AudioReader()
	if err != nil {
		p.t.Logf("phone %s: reader: %v", p.user, err)
		return
	}
	w, err := m.AudioWriter()
	if err != nil {
		p.t.Logf("phone %s: writer: %v", p.user, err)
		return
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, err := r.Read(buf)
			if err != nil {
				return
			}
			if n > 0 {
				p.rtpIn.Add(1)
				if b, ok := uniform(buf[:n]); ok {
					p.heard[b].Add(1)
				} else {
					p.unmarked.Add(1)
				}
			}
		}
	}()
	if p.hangupAfter > 0 {
		timer := time.AfterFunc(p.hangupAfter, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			_ = d.Hangup(ctx)
		})
		defer timer.Stop()
	}
	frame := bytes.Repeat([]byte{p.pattern}, 160)
	for d.Context().Err() == nil {
		if _, err := w.Write(frame); err != nil { // paced at 20 ms by diago
			break
		}
		p.rtpOut.Add(1)
	}
}

// register REGISTERs the phone at the switchboard with the given password.
func (p *testPhone) register(ctx context.Context, sbAddr *net.UDPAddr, password string) error {
	uri := sip.Uri{Scheme: "sip", User: p.user, Host: sbAddr.IP.String(), Port: sbAddr.Port}
	tx, err := p.dg.RegisterTransaction(ctx, uri, diago.RegisterOptions{
		Username: p.user, Password: password, Expiry: 120 * time.Second,
	})
	if err != nil {
		return err
	}
	return tx.Register(ctx)
}

func registerStatus(err error) int {
	var re *diago.RegisterResponseError
	if errors.As(err, &re) {
		return re.RegisterRes.StatusCode
	}
	return 0
}

// sipp runs sipp as a caller and returns its combined output when it exits.
type sippRun struct {
	cmd  *exec.Cmd
	out  bytes.Buffer
	err  error         // valid once done is closed
	done chan struct{} // closed when sipp has exited
}

func sippBinary(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp not installed (Debian package sip-tester); skipping SIP integration test")
	}
	return p
}

// g711aPcap finds the PCMA pcap shipped with sipp.
func g711aPcap(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/share/sip-tester/g711a.pcap", "/usr/share/sipp/pcap/g711a.pcap", "/usr/local/share/sipp/pcap/g711a.pcap"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("sipp's pcap/g711a.pcap not found")
	return ""
}

func scenario(name string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "test", "sipp", name))
	if err != nil {
		panic(err)
	}
	return p
}

// startSipp runs scenario against the switchboard. extra are more sipp arguments.
func startSipp(t testing.TB, target *net.UDPAddr, scen string, extra ...string) *sippRun {
	t.Helper()
	bin := sippBinary(t)
	args := []string{
		target.String(),
		"-sf", scenario(scen),
		// No -p, -mp or -cp: SIPp finds free SIP, media (port and port+2) and
		// control ports itself, where a port we found free could be taken
		// before SIPp binds it, and SIPp would exit.
		"-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-nostdin", "-timeout", "60s", "-timeout_error",
		"-trace_err", "-error_file", filepath.Join(t.TempDir(), "sipp_errors.log"),
	}
	args = append(args, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	r := &sippRun{cmd: exec.CommandContext(ctx, bin, args...), done: make(chan struct{})}
	r.cmd.Stdout = &r.out
	r.cmd.Stderr = &r.out
	r.cmd.Dir = t.TempDir()
	if err := r.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start sipp: %v", err)
	}
	go func() {
		r.err = r.cmd.Wait()
		cancel()
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

// startSippUAS runs scen as a SIPp UAS on a loopback port of its own and returns
// the run and that port.
func startSippUAS(t testing.TB, scen string, extra ...string) (*sippRun, int) {
	t.Helper()
	var run *sippRun
	port := nettest.StartOnFreePort(t, "udp", func(port int) nettest.Proc {
		// The remote address is unused by a UAS; the discard port is a harmless one.
		run = startSipp(t, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}, scen, append([]string{"-p", strconv.Itoa(port)}, extra...)...)
		return nettest.Proc{Pid: run.cmd.Process.Pid, Exited: run.done, Stop: func() {
			_ = run.cmd.Process.Kill()
			<-run.done
		}}
	})
	return run, port
}

// wait waits for sipp to exit and fails the test if it reports failed calls.
func (r *sippRun) wait(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case <-r.done:
		if r.err != nil {
			t.Fatalf("sipp failed: %v\n%s", r.err, tail(r.out.String(), 3000))
		}
	case <-time.After(d):
		t.Fatalf("sipp still running after %v\n%s", d, tail(r.out.String(), 3000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

var _ io.Writer = tWriter{}
var _ = fmt.Sprintf
