package switchboard

import (
	"fmt"
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
