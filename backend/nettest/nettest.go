// Package nettest holds helpers for tests that start real network peers.
//
// A port found free can be taken by another process (a parallel test package,
// a SIPp hunting for its media ports) before the peer binds it. Peers that can
// pick their own port (port 0) and say which should do so; for the others,
// StartOnFreePort tries again on another port until the peer holds its port.
package nettest

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Proc is a peer process a test started: its pid, a channel closed once it has
// exited, and how to stop it (and its children) and wait for that.
type Proc struct {
	Pid    int
	Exited <-chan struct{}
	Stop   func()
}

// StartOnFreePort calls start with a free loopback port of network ("udp" or
// "tcp") and returns the port once the process started holds it alone. When the
// port was taken first the process exits (SIPp, slapd) or, having set
// SO_REUSEADDR, shares it with another Kamailio and gets only some of the
// datagrams: either way it is stopped and started again on another port.
func StartOnFreePort(t testing.TB, network string, start func(port int) Proc) int {
	t.Helper()
	return startOn(t, func() int { return FreePort(t, network) }, network, 0, start)
}

// StartOnBaresipPort is StartOnFreePort for baresip's sip_listen port (see
// BaresipPort): baresip holds it once it listens for TLS on the next port, the
// last one it binds.
func StartOnBaresipPort(t testing.TB, start func(port int) Proc) int {
	t.Helper()
	return startOn(t, func() int { return BaresipPort(t) }, "tcp", 1, start)
}

// startOn starts processes on ports from pick until one holds port+offset of network.
func startOn(t testing.TB, pick func() int, network string, offset int, start func(port int) Proc) int {
	t.Helper()
	var last string
	for range 5 {
		port := pick()
		p := start(port)
		why := waitHeld(network, port+offset, p)
		if why == "" {
			return port
		}
		last = fmt.Sprintf("port %d: %s", port+offset, why)
		t.Logf("%s; trying another port", last)
		p.Stop()
	}
	t.Fatalf("the peer did not hold a %s port of its own after 5 tries; last: %s", network, last)
	return 0
}

// waitHeld waits until p alone holds port: "" then, else why not.
func waitHeld(network string, port int, p Proc) string {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case <-p.Exited:
			return "the process exited"
		default:
		}
		switch ours, others := holders(network, port, p.Pid); {
		case ours && others:
			return "shared with another process"
		case ours:
			return ""
		}
	}
	return "not bound after 10 s"
}

// FreePort returns a loopback port of network ("udp" or "tcp") free right now.
func FreePort(t testing.TB, network string) int {
	t.Helper()
	switch network {
	case "udp":
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatalf("pick a UDP port: %v", err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	case "tcp":
		l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatalf("pick a TCP port: %v", err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	t.Fatalf("FreePort: unknown network %q", network)
	return 0
}

// HeldBy reports whether process pid holds port of network ("udp": bound,
// "tcp": listening) and no other process does.
func HeldBy(network string, port, pid int) bool {
	ours, others := holders(network, port, pid)
	return ours && !others
}

// holders tells whether pid and whether other processes have a socket bound to
// port (listening, for tcp).
func holders(network string, port, pid int) (ours, others bool) {
	scan(network, pid, func(p int, mine bool) {
		if p == port {
			ours, others = ours || mine, others || !mine
		}
	})
	return ours, others
}

// TCPListenPorts returns the TCP ports process pid listens on: where a server
// told to listen on port 0 ended up.
func TCPListenPorts(pid int) []int {
	var ports []int
	scan("tcp", pid, func(p int, mine bool) {
		if mine {
			ports = append(ports, p)
		}
	})
	return ports
}

// scan calls f with the port of each socket of network bound (udp) or listening
// (tcp) on this machine, from /proc/net, and whether process pid has it open.
func scan(network string, pid int, f func(port int, mine bool)) {
	mine := socketInodes(pid)
	for _, file := range []string{"/proc/net/" + network, "/proc/net/" + network + "6"} {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			fields := strings.Fields(line)
			if len(fields) < 10 || (network == "tcp" && fields[3] != "0A") {
				continue
			}
			_, hex, _ := strings.Cut(fields[1], ":")
			if port, err := strconv.ParseUint(hex, 16, 16); err == nil {
				f(int(port), mine[fields[9]])
			}
		}
	}
}

// socketInodes returns the inodes of the sockets process pid has open.
func socketInodes(pid int) map[string]bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, _ := os.ReadDir(dir)
	inodes := make(map[string]bool, len(ents))
	for _, e := range ents {
		link, err := os.Readlink(dir + "/" + e.Name())
		if ino, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(ino, "]")] = true
		}
	}
	return inodes
}

// RefusedTCPAddr returns a loopback host:port where connections are refused for
// the whole test: a socket bound there but not listening keeps other processes
// from taking the port, as they could a port merely found free.
func RefusedTCPAddr(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}

// BaresipPort returns a port for baresip's sip_listen: baresip 1.0 binds UDP and
// TCP on it and TLS on the next port, so all three must be free (a port free
// only for UDP made baresip exit with "Address already in use").
func BaresipPort(t testing.TB) int {
	t.Helper()
	for range 50 {
		u, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatalf("pick a port: %v", err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		free := port < 65535
		var held []net.Listener
		for _, p := range []int{port, port + 1} {
			if !free {
				break
			}
			l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				free = false
				break
			}
			held = append(held, l)
		}
		for _, l := range held {
			_ = l.Close()
		}
		_ = u.Close()
		if free {
			return port
		}
	}
	t.Fatal("no port with UDP, TCP and the next TCP port free after 50 tries")
	return 0
}
