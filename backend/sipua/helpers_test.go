package sipua

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/concierge-console/concierge/backend/nettest"
	"github.com/emiago/diago/audio"
	"github.com/pion/rtp"
)

const testPassword = "s3cret-pass"

func init() {
	// SIPUA_DEBUG=1 also shows sipgo's and diago's transport and transaction logs,
	// which go to the default logger.
	if os.Getenv("SIPUA_DEBUG") != "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
}

func testLogger(t *testing.T) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("SIPUA_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// freePort finds a UDP port on loopback nobody uses right now.
func freePort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startKamailio runs testdata/kamailio.cfg on a free loopback port and returns its
// host:port. The process is killed when the test ends.
func startKamailio(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/kamailio"); serr != nil {
			t.Skip("skipping: kamailio is not installed (Debian package kamailio)")
		}
		bin = "/usr/sbin/kamailio"
	}
	cfg, err := filepath.Abs("testdata/kamailio.cfg")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var kam nettest.Proc
	port := nettest.StartOnFreePort(t, "udp", func(port int) nettest.Proc {
		var out bytes.Buffer
		cmd := exec.Command(bin, "-f", cfg, "-DD", "-E", "-w", dir, "-P", filepath.Join(dir, "kamailio.pid"),
			"-l", fmt.Sprintf("udp:127.0.0.1:%d", port), "-A", fmt.Sprintf("PASSWORD=%q", testPassword))
		cmd.Stdout, cmd.Stderr = &out, &out
		// Its own process group: kamailio forks workers, and they must all go.
		cmd.SysProcAttr = childProcAttr()
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting kamailio: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop := func() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		t.Cleanup(func() {
			stop()
			if t.Failed() {
				t.Logf("kamailio output:\n%s", lastLines(out.String(), 40))
			}
		})
		kam = nettest.Proc{Pid: cmd.Process.Pid, Exited: exited, Stop: stop}
		return kam
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if !waitSIP(addr, kam.Exited, 5*time.Second) {
		t.Fatalf("kamailio did not answer on %s", addr) // its output is logged at cleanup
	}
	return addr
}

// waitSIP sends OPTIONS until anything answers (Kamailio says 405 here).
func waitSIP(addr string, exited <-chan struct{}, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		c, err := net.Dial("udp", addr)
		if err != nil {
			return false
		}
		lport := c.LocalAddr().(*net.UDPAddr).Port
		msg := fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-probe%d\r\n"+
			"From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:%s>\r\nCall-ID: probe-%d\r\nCSeq: 1 OPTIONS\r\n"+
			"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", addr, lport, time.Now().UnixNano(), addr, time.Now().UnixNano())
		c.Write([]byte(msg))
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		buf := make([]byte, 2048)
		n, err := c.Read(buf)
		c.Close()
		if err == nil && bytes.HasPrefix(buf[:n], []byte("SIP/2.0")) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

type callerParams struct {
	ExtraHeaders []string
	MediaPort    int
	Hold         int // ms
	RemoteHangup bool
	Decline      bool
}

// runCaller starts SIPp calling user via the proxy with testdata/caller.xml; the
// returned channel yields SIPp's outcome (nil when the scenario passed).
func runCaller(t *testing.T, proxy, user string, p callerParams) <-chan error {
	t.Helper()
	bin, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("skipping: sipp is not installed (Debian package sip-tester)")
	}
	if _, err := os.Stat("/usr/share/sip-tester/g711a.pcap"); err != nil {
		t.Skip("skipping: /usr/share/sip-tester/g711a.pcap missing (Debian package sip-tester)")
	}
	tmpl, err := template.ParseFiles("testdata/caller.xml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	scen := filepath.Join(dir, "caller.xml")
	f, err := os.Create(scen)
	if err != nil {
		t.Fatal(err)
	}
	if err := tmpl.Execute(f, p); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-sf", scen, "-s", user, proxy,
		"-i", "127.0.0.1", // no -p or -mp: SIPp finds free ports itself, race-free
		"-m", "1", "-nostdin", "-trace_msg", "-message_file", filepath.Join(dir, "messages.log"), "-timeout", "20s", "-timeout_error", "-max_recv_loops", "1000")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting sipp: %v", err)
	}
	res := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		err := cmd.Wait()
		if err != nil {
			errs, _ := filepath.Glob(filepath.Join(dir, "*_errors.log"))
			var elog []byte
			for _, e := range errs {
				b, _ := os.ReadFile(e)
				elog = append(elog, b...)
			}
			err = fmt.Errorf("sipp: %v\n%s\n%s", err, lastLines(out.String(), 30), lastLines(string(elog), 30))
		}
		res <- err
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			msgs, _ := os.ReadFile(filepath.Join(dir, "messages.log"))
			t.Logf("sipp messages:\n%s", lastLines(string(msgs), 120))
		}
	})
	return res
}

// memSpeaker is an in-memory sink: it counts frames and audible frames, and keeps
// the last 10 s of what it played.
type memSpeaker struct {
	mu      sync.Mutex
	frames  int
	audible int
	closed  bool
	pcm     []int16
}

func (s *memSpeaker) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, io.ErrClosedPipe
	}
	s.frames++
	pcm := bytesToPCM(p)
	if rms(pcm) > 300 {
		s.audible++
	}
	s.pcm = append(s.pcm, pcm...)
	if keep := 10 * SampleRate; len(s.pcm) > 2*keep {
		s.pcm = append(s.pcm[:0], s.pcm[len(s.pcm)-keep:]...)
	}
	return len(p), nil
}

// recent returns the last n samples played (fewer if it has not played that many).
func (s *memSpeaker) recent(n int) []int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n = min(n, len(s.pcm))
	return append([]int16(nil), s.pcm[len(s.pcm)-n:]...)
}

func (s *memSpeaker) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

func (s *memSpeaker) counts() (frames, audible int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frames, s.audible
}

// tone is an endless sine in the phone's PCM format.
type tone struct {
	freq  float64
	phase float64
}

func (g *tone) Read(p []byte) (int, error) {
	n := len(p) / 2
	for i := range n {
		v := int16(8000 * math.Sin(g.phase))
		g.phase += 2 * math.Pi * g.freq / SampleRate
		binary.LittleEndian.PutUint16(p[2*i:], uint16(v))
	}
	return 2 * n, nil
}

func bytesToPCM(b []byte) []int16 {
	out := make([]int16, len(b)/2)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return out
}

func rms(s []int16) float64 {
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(max(len(s), 1)))
}

// rtpSink is the far end's RTP socket: it counts what the softphone sends, and
// how much of it is audible (PCMA decoded).
type rtpSink struct {
	conn    *net.UDPConn
	mu      sync.Mutex
	packets []rtpArrival
	done    chan struct{}
}

type rtpArrival struct {
	at      time.Time
	audible bool
}

func newRTPSink(t *testing.T) *rtpSink {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &rtpSink{conn: c, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 1500)
		var pkt rtp.Packet
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			if pkt.Unmarshal(buf[:n]) != nil || pkt.PayloadType != 8 {
				continue
			}
			lpcm := make([]byte, 2*len(pkt.Payload))
			audio.DecodeAlawTo(lpcm, pkt.Payload)
			s.mu.Lock()
			s.packets = append(s.packets, rtpArrival{time.Now(), rms(bytesToPCM(lpcm)) > 300})
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { c.Close(); <-s.done })
	return s
}

func (s *rtpSink) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

// count returns packets and audible packets that arrived in [from, to).
func (s *rtpSink) count(from, to time.Time) (packets, audible int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.packets {
		if p.at.Before(from) || !p.at.Before(to) {
			continue
		}
		packets++
		if p.audible {
			audible++
		}
	}
	return packets, audible
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
