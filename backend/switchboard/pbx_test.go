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

	"github.com/concierge-console/concierge/backend/queue"
)

// startKamailio runs test/kamailio/pbx.cfg on an ephemeral loopback port.
func startKamailio(t *testing.T) *net.UDPAddr {
	t.Helper()
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		if _, err = exec.LookPath("/usr/sbin/kamailio"); err != nil {
			t.Skip("kamailio not installed; skipping the PBX integration test")
		}
		bin = "/usr/sbin/kamailio"
	}
	cfg, err := filepath.Abs(filepath.Join("..", "..", "test", "kamailio", "pbx.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "-DD", "-E", "-f", cfg,
		"-l", "udp:127.0.0.1:"+strconv.Itoa(port),
		"-Y", dir, "-P", filepath.Join(dir, "kamailio.pid"), "-w", dir, "-m", "32", "-M", "8")
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
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("kamailio output:\n%s", tail(out.String(), 4000))
		}
	})
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
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
	var err error
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = desk.register(ctx, pbx, "desk-2001")
		cancel()
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond) // kamailio still starting
	}
	if err != nil {
		t.Fatalf("desk phone REGISTER at the PBX: %v", err)
	}
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
	time.Sleep(300 * time.Millisecond) // kamailio start-up
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
