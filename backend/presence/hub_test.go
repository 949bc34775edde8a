package presence

import (
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestHub() (*Hub, *clock) {
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	return New(WithClock(c.now)), c
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"2001": "2001", " 20-01 ": "2001", "+33 1 42 00 00 00": "0033142000000",
		"sip:2001@pbx.example.com;user=phone": "2001", "Alice": "alice", "": "", "sip:Bob@host": "bob",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHubMergesSourcesAndGoesStale(t *testing.T) {
	h, clk := newTestHub()
	l := h.Listen()
	defer l.Close()

	if p := h.Get("2001"); p.State != Unknown {
		t.Fatalf("nothing known: %+v", p)
	}
	h.Update(Update{Source: "blf", Key: "2001", State: Available, TTL: time.Minute})
	if p := h.Get("20 01"); p.State != Available || p.Source != "blf" || p.Stale {
		t.Fatalf("after BLF available: %+v", p)
	}
	if got := l.Changed(); len(got) != 1 || got[0] != "2001" {
		t.Fatalf("changed = %v", got)
	}
	// A call the switchboard rings is more significant than an idle BLF.
	h.Update(Update{Source: "call:c1", Key: "2001", State: Ringing})
	if p := h.Get("2001"); p.State != Ringing || p.Source != "call" {
		t.Fatalf("ringing: %+v", p)
	}
	h.Update(Update{Source: "call:c1", Key: "2001"})
	if p := h.Get("2001"); p.State != Available {
		t.Fatalf("call withdrawn: %+v", p)
	}
	l.Changed()

	// BLF falls silent past its TTL: last known state, stale, and listeners hear it.
	h.Update(Update{Source: "blf", Key: "2001", State: Busy, TTL: time.Minute})
	at := clk.t
	l.Changed()
	clk.advance(2 * time.Minute)
	h.Sweep()
	p := h.Get("2001")
	if p.State != Busy || !p.Stale || !p.Updated.Equal(at) {
		t.Fatalf("stale: %+v", p)
	}
	if got := l.Changed(); len(got) != 1 {
		t.Fatalf("stale not announced: %v", got)
	}
	// A fresh report beats a stale one even when less significant.
	h.Update(Update{Source: "attendant", Key: "2001", State: Available})
	if p := h.Get("2001"); p.State != Available || p.Stale {
		t.Fatalf("fresh over stale: %+v", p)
	}
}

func TestContactMergesNumbersAndAbsence(t *testing.T) {
	h, clk := newTestHub()
	h.Update(Update{Source: "blf", Key: "2001", State: Available, TTL: time.Minute})
	h.Update(Update{Source: "blf", Key: "2002", State: Busy, TTL: time.Minute})
	if p := h.Contact([]string{"0611223344", "2001", "2002"}, ""); p.State != Busy {
		t.Fatalf("most significant number: %+v", p)
	}
	if p := h.Contact([]string{"2001"}, "On holiday until Monday"); p.State != Away || p.Message == "" || p.Source != "status" {
		t.Fatalf("absence: %+v", p)
	}
	if p := h.Contact([]string{"2002"}, "Back at 2 pm"); p.State != Busy || p.Message != "Back at 2 pm" {
		t.Fatalf("busy with absence message: %+v", p)
	}
	if p := h.Contact(nil, ""); p.State != Unknown {
		t.Fatalf("no numbers: %+v", p)
	}
	clk.advance(time.Hour)
	if p := h.Contact([]string{"0611223344", "2002"}, ""); p.State != Busy || !p.Stale {
		t.Fatalf("stale beats unknown: %+v", p)
	}
}

func TestWantedIsBoundedAndExpires(t *testing.T) {
	h, clk := newTestHub()
	h.Want("2001", "2002")
	select {
	case <-h.WantC():
	default:
		t.Fatal("new wanted keys not signalled")
	}
	for i := range MaxWanted + 10 {
		h.Want(string(rune('a'+i%26)) + "x" + time.Duration(i).String())
	}
	if n := len(h.Wanted(time.Hour)); n != MaxWanted {
		t.Fatalf("wanted = %d, want %d", n, MaxWanted)
	}
	clk.advance(2 * time.Hour)
	if n := len(h.Wanted(time.Hour)); n != 0 {
		t.Fatalf("wanted after window = %d", n)
	}
}
