package nettest

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// startSipp starts a SIPp UAS on port, as the tests of the switchboard do.
func startSipp(t *testing.T, port int) Proc {
	t.Helper()
	bin, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp not installed (build/deps.sh test)")
	}
	scen, _ := filepath.Abs("../../test/sipp/uas_busy.xml")
	cmd := exec.Command(bin, "-sf", scen, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-m", "1", "-nostdin")
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() { _ = cmd.Process.Kill(); <-exited }
	t.Cleanup(stop)
	return Proc{Pid: cmd.Process.Pid, Exited: exited, Stop: stop}
}

// A port taken between the pick and SIPp's bind: SIPp exits, and the helper
// starts it again on another port, which SIPp then holds alone.
func TestStartOnFreePortRetriesATakenPort(t *testing.T) {
	var taken []int
	port := StartOnFreePort(t, "udp", func(port int) Proc {
		if len(taken) == 0 {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			taken = append(taken, port)
		}
		return startSipp(t, port)
	})
	if len(taken) != 1 || port == taken[0] {
		t.Fatalf("SIPp on %d; the taken port was %v", port, taken)
	}
}

// Kamailio sets SO_REUSEADDR: on a port another such socket holds it starts
// and shares the port, getting some of the datagrams. The helper must see the
// port shared and start Kamailio again elsewhere.
func TestStartOnFreePortRetriesASharedPort(t *testing.T) {
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/kamailio"); err != nil {
			t.Skip("kamailio not installed (build/deps.sh test)")
		}
	}
	cfg, _ := filepath.Abs("../../test/kamailio/pbx.cfg")
	reuse := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		if cerr := c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1) }); cerr != nil {
			return cerr
		}
		return err
	}}
	var taken []int
	port := StartOnFreePort(t, "udp", func(port int) Proc {
		if len(taken) == 0 {
			c, err := reuse.ListenPacket(context.Background(), "udp4", "127.0.0.1:"+strconv.Itoa(port))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			taken = append(taken, port)
		}
		dir := t.TempDir()
		cmd := exec.Command(bin, "-DD", "-E", "-f", cfg, "-l", "udp:127.0.0.1:"+strconv.Itoa(port),
			"-Y", dir, "-P", filepath.Join(dir, "kamailio.pid"), "-w", dir, "-m", "32", "-M", "8")
		// Its own process group, killed whole: a kamailio told to stop while it
		// is still starting can take a minute to exit, and its workers must go too.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		stop := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); <-exited }
		t.Cleanup(stop)
		return Proc{Pid: cmd.Process.Pid, Exited: exited, Stop: stop}
	})
	if len(taken) != 1 || port == taken[0] {
		t.Fatalf("kamailio on %d; the shared port was %v", port, taken)
	}
}

func TestRefusedTCPAddrRefuses(t *testing.T) {
	addr := RefusedTCPAddr(t)
	if _, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial %s: %v, want connection refused", addr, err)
	}
	_, port, _ := net.SplitHostPort(addr)
	if _, err := net.Listen("tcp", "127.0.0.1:"+port); err == nil {
		t.Fatalf("another listener could take %s", addr)
	}
}

func TestTCPListenPorts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	want := l.Addr().(*net.TCPAddr).Port
	for _, p := range TCPListenPorts(syscall.Getpid()) {
		if p == want {
			return
		}
	}
	t.Fatalf("port %d not among %v", want, TCPListenPorts(syscall.Getpid()))
}
