// Package nettest holds helpers for tests that start real network peers.
package nettest

import (
	"fmt"
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
