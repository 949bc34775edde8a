// Package nettest holds helpers for tests that start real network peers.
package nettest

import (
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// WaitUDPBound waits until some process has a UDP socket bound to port on this
// machine (a SIPp target started in the background), read from /proc/net/udp{,6}.
func WaitUDPBound(t testing.TB, port int) {
	t.Helper()
	want := fmt.Sprintf(":%04X", port)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if udpBound(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no UDP socket on port %d after 10 s", port)
		}
	}
}

func udpBound(suffix string) bool {
	for _, f := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			if fields := strings.Fields(line); len(fields) > 1 && strings.HasSuffix(fields[1], suffix) {
				return true
			}
		}
	}
	return false
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
