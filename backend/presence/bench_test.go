package presence

import (
	"strconv"
	"testing"
	"time"
)

// One BLF NOTIFY or call event: an update that changes the state of a key
// watched by a listener (a console's event stream).
func BenchmarkHubUpdate(b *testing.B) {
	h := New()
	l := h.Listen()
	defer l.Close()
	states := []State{Available, Ringing, Busy}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Update(Update{Source: "blf", Key: strconv.Itoa(2000 + i%500), State: states[i%3], TTL: time.Minute})
		if i%64 == 0 {
			l.Changed()
		}
	}
}

// The presence of one contact with three numbers among 10 000 known keys.
func BenchmarkHubContact(b *testing.B) {
	h := New()
	for i := range 10000 {
		h.Update(Update{Source: "blf", Key: strconv.Itoa(10000 + i), State: Available, TTL: time.Minute})
	}
	numbers := []string{"+33 6 11 22 33 44", "10042", "01 42 00 00 01"}
	b.ReportAllocs()
	for b.Loop() {
		h.Contact(numbers, "")
	}
}
