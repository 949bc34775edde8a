package switchboard

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// waitGrow waits until counter has grown by n. Tests that check that some audio does NOT
// arrive use a stream they know flows (music, the other party) as their clock: a window of
// n frames holds the same number of packets however loaded the machine is, where a fixed
// sleep would hold fewer and fewer.
func waitGrow(t testing.TB, what string, counter func() int64, n int64) {
	t.Helper()
	start := counter()
	waitFor(t, 10*time.Second, fmt.Sprintf("%d more packets: %s", n, what), func() bool { return counter()-start >= n })
}

// waitUDPBound waits until some process has a UDP socket bound to port on this
// machine (a SIPp target started in the background), read from /proc/net/udp{,6}.
func waitUDPBound(t testing.TB, port int) {
	t.Helper()
	want := fmt.Sprintf(":%04X", port)
	waitFor(t, 10*time.Second, fmt.Sprintf("a UDP socket on port %d", port), func() bool {
		for _, f := range []string{"/proc/net/udp", "/proc/net/udp6"} {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(b), "\n")[1:] {
				if fields := strings.Fields(line); len(fields) > 1 && strings.HasSuffix(fields[1], want) {
					return true
				}
			}
		}
		return false
	})
}
