package switchboard

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/nettest"
	"github.com/concierge-console/concierge/backend/queue"
)

// startKamailio runs test/kamailio/pbx.cfg on an ephemeral loopback port.
func startKamailio(t *testing.T) *net.UDPAddr {
	t.Helper()
	cfg, err := filepath.Abs(filepath.Join("..", "..", "test", "kamailio", "pbx.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := kamailioOnFreePort(t, t.TempDir(), func(string) []string { return []string{"-f", cfg} })
	return addr
}

// kamailioOnFreePort runs kamailio with args (given its listen address host:port)
// on a loopback UDP port of its own and returns that address once it answers
// OPTIONS. stop ends it early (it is also stopped at cleanup).
func kamailioOnFreePort(t *testing.T, dir string, args func(self string) []string) (addr *net.UDPAddr, stop func()) {
	t.Helper()
	port := nettest.StartOnFreePort(t, "udp", func(port int) nettest.Proc {
		self := "127.0.0.1:" + strconv.Itoa(port)
		p := runKamailio(t, dir, append([]string{"-l", "udp:" + self}, args(self)...)...)
		stop = p.Stop
		return p
	})
	addr = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	waitSIPUp(t, addr)
	return addr, stop
}

// waitSIPUp sends OPTIONS to addr until it answers, so tests start once the PBX
// listens instead of guessing its start-up time.
func waitSIPUp(t *testing.T, addr *net.UDPAddr) {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	buf := make([]byte, 2048)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		branch := "z9hG4bK-up-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		req := "OPTIONS sip:" + addr.String() + " SIP/2.0\r\n" +
			"Via: SIP/2.0/UDP " + local + ";branch=" + branch + "\r\n" +
			"Max-Forwards: 70\r\nFrom: <sip:probe@" + local + ">;tag=up\r\nTo: <sip:" + addr.String() + ">\r\n" +
			"Call-ID: " + branch + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
		if _, err := conn.WriteToUDP([]byte(req), addr); err != nil {
			t.Fatalf("probe the PBX: %v", err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if n, _, err := conn.ReadFromUDP(buf); err == nil && bytes.HasPrefix(buf[:n], []byte("SIP/2.0 ")) {
			return
		}
	}
	t.Fatalf("PBX at %s did not answer OPTIONS within 10 s", addr)
}

// runKamailio runs kamailio in the foreground with args, its runtime files in dir,
// or skips the test where it is not installed. Its Stop ends it early (it is also
// stopped at cleanup); its output is logged when the test fails.
func runKamailio(t *testing.T, dir string, args ...string) nettest.Proc {
	t.Helper()
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		if _, err = exec.LookPath("/usr/sbin/kamailio"); err != nil {
			t.Skip("kamailio not installed; skipping the PBX integration test")
		}
		bin = "/usr/sbin/kamailio"
	}
	args = append([]string{"-DD", "-E"}, args...)
	args = append(args, "-Y", dir, "-P", filepath.Join(dir, "kamailio.pid"), "-w", dir, "-m", "32", "-M", "8")
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kamailio: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("kamailio output:\n%s", tail(out.String(), 6000))
		}
	})
	return nettest.Proc{Pid: cmd.Process.Pid, Exited: exited, Stop: stop}
}

// registerAtPBX registers p at the PBX as desk-<user>, retrying while Kamailio starts.
func registerAtPBX(t *testing.T, p *testPhone, pbx *net.UDPAddr) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(5 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = p.register(ctx, pbx, "desk-"+p.user)
		cancel()
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond) // kamailio still starting
	}
	if err != nil {
		t.Fatalf("%s REGISTER at the PBX: %v", p.user, err)
	}
}

// An attendant without a softphone is rung on their desk-phone extension through the
// PBX: the switchboard passes the PBX's proxy digest challenge, the desk phone (a
// diago UA registered to Kamailio) answers, and audio flows both ways.
func TestOfferToDeskPhoneViaKamailio(t *testing.T) {
	sippBinary(t)
	pbx := startKamailio(t)
	cfg := receptionConfig()
	cfg.PBX = &PBXConfig{Proxy: pbx.String(), Username: "concierge", Password: "pbx-secret"}
	sb := startSwitchboard(t, cfg)

	desk := newTestPhone(t, "2001", modeAnswer)
	registerAtPBX(t, desk, pbx)
	if err := sb.AttendantOnline(context.Background(), queue.Attendant{Username: "carol", Extension: "2001", Available: true}); err != nil {
		t.Fatal(err)
	}

	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "3000",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0630303030", "-key", "pcap", g711aPcap(t))
	waitFor(t, 10*time.Second, "desk phone answers", func() bool { return desk.answered.Load() == 1 })
	waitFor(t, 5*time.Second, "caller hears the desk phone", func() bool { return sink.marked.Load() > 10 })
	waitFor(t, 5*time.Second, "desk phone hears the caller", func() bool { return desk.rtpIn.Load() > 10 })
	run.wait(t, 20*time.Second)
	waitFor(t, 5*time.Second, "desk leg ended", func() bool { return desk.ended.Load() == 1 })
	if e := sb.history.wait(t, OutcomeAnswered, 5*time.Second); e.Attendant != "carol" {
		t.Errorf("history = %+v", e)
	}
}

// With the wrong PBX password the offer fails (407 again) and is reported, not hung.
func TestDeskPhoneWrongPBXPassword(t *testing.T) {
	sippBinary(t)
	pbx := startKamailio(t)
	cfg := receptionConfig()
	cfg.PBX = &PBXConfig{Proxy: pbx.String(), Username: "concierge", Password: "wrong"}
	sb := startSwitchboard(t, cfg)
	if err := sb.AttendantOnline(context.Background(), queue.Attendant{Username: "carol", Extension: "2001", Available: true}); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t, 8)
	run := startSipp(t, sb.udp, "caller.xml", "-s", "100", "-m", "1", "-d", "1500",
		"-key", "rtpport", strconv.Itoa(sink.port()), "-key", "caller", "0630303031", "-key", "pcap", g711aPcap(t))
	e := sb.history.wait(t, OutcomeMissed, 5*time.Second)
	if e.Attendant != "carol" || e.Reason == "" {
		t.Errorf("missed = %+v", e)
	}
	t.Logf("offer through PBX with a wrong password failed with %q", e.Reason)
	run.wait(t, 20*time.Second)
}
