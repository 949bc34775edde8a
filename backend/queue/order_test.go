package queue

import (
	"slices"
	"testing"
	"time"
)

// TestServiceOrder checks Q7: VIP, then queue priority, then call priority,
// then waiting time, then arrival.
func TestServiceOrder(t *testing.T) {
	e, rec, clk := newEngine(t)
	e.AddQueue(QueueConfig{ID: "support", Name: "Support", Priority: 5})
	t0 := clk.Now()
	enqueue := func(c Call) {
		t.Helper()
		must(t, e.Enqueue(c))
		clk.Advance(time.Second)
	}
	enqueue(Call{ID: "old", QueueID: "q"})
	enqueue(Call{ID: "urgent", QueueID: "q", Priority: 1})
	enqueue(Call{ID: "support", QueueID: "support"})
	enqueue(Call{ID: "vip", QueueID: "q", VIP: true})
	enqueue(Call{ID: "support-urgent", QueueID: "support", Priority: 2})
	enqueue(Call{ID: "old-twin", QueueID: "q", EnteredAt: t0}) // same instant as "old", arrived later

	snap := e.Snapshot()
	var got [][]string
	for _, q := range snap.Queues {
		got = append(got, ids(q.Calls))
	}
	want := [][]string{{"support-urgent", "support"}, {"vip", "urgent", "old", "old-twin"}}
	if !slices.EqualFunc(got, want, slices.Equal) || snap.Queues[0].ID != "support" {
		t.Fatalf("snapshot order %v, want %v (support queue first)", got, want)
	}

	// One attendant takes the calls one by one: the engine's service order.
	login(e, "ann")
	var served []string
	for range 6 {
		l := rec.take()
		if len(l) != 1 || l[0].Cancel {
			t.Fatalf("want one offer, got %+v", l)
		}
		served = append(served, l[0].CallID)
		_, err := e.Answered(l[0].CallID, "ann")
		must(t, err)
		e.Release("ann")
	}
	if want := []string{"vip", "support-urgent", "support", "urgent", "old", "old-twin"}; !slices.Equal(served, want) {
		t.Fatalf("served %v, want %v", served, want)
	}
}

func ids(calls []Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.ID)
	}
	return out
}

// TestLongestIdleGetsNextCall checks fair distribution by IdleSince.
func TestLongestIdleGetsNextCall(t *testing.T) {
	e, rec, clk := newEngine(t)
	t0 := clk.Now()
	for user, idle := range map[string]time.Duration{"ann": 2 * time.Minute, "bob": 0, "cat": time.Minute} {
		e.Login(Attendant{Username: user, Available: true, IdleSince: t0.Add(idle)})
	}
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		must(t, e.Enqueue(Call{ID: id, QueueID: "q"}))
	}
	rec.expect(t, offered("c1", "bob"), offered("c2", "cat"), offered("c3", "ann"))

	for _, a := range [][2]string{{"c1", "bob"}, {"c2", "cat"}, {"c3", "ann"}} {
		_, err := e.Answered(a[0], a[1])
		must(t, err)
	}
	// The first to finish is the first offered the waiting call; after that
	// the longest idle of the free attendants wins.
	clk.Advance(time.Minute)
	e.Release("cat")
	rec.expect(t, offered("c4", "cat"))
	clk.Advance(time.Minute)
	e.Release("ann")
	clk.Advance(time.Minute)
	e.Release("bob")
	must(t, e.Enqueue(Call{ID: "c5", QueueID: "q"}))
	rec.expect(t, offered("c5", "ann"))
	if a := findAttendant(t, e, "bob"); !a.IdleSince.Equal(t0.Add(3 * time.Minute)) {
		t.Fatalf("bob idle since %v", a.IdleSince)
	}
}

// TestEligibility checks who may be offered a call: available, not on a
// call, handling the queue, one offer at a time.
func TestEligibility(t *testing.T) {
	e, rec, _ := newEngine(t)
	e.AddQueue(QueueConfig{ID: "sales"})
	e.Login(Attendant{Username: "away", Available: false})
	login(e, "sales-only", "sales")
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	rec.expect(t)
	if c := findCall(t, e, "c1"); c.OfferedTo != "" {
		t.Fatalf("offered to %s", c.OfferedTo)
	}

	login(e, "ann")
	rec.expect(t, offered("c1", "ann"))
	must(t, e.Enqueue(Call{ID: "c2", QueueID: "q"}))
	rec.expect(t) // ann is already rung, the others may not take it

	_, err := e.Answered("c1", "ann")
	must(t, err)
	rec.expect(t) // ann is on a call now
	if a := findAttendant(t, e, "ann"); !a.OnCall {
		t.Fatal("ann not on call")
	}

	must(t, e.SetAvailable("away", true))
	rec.expect(t, offered("c2", "away"))
	must(t, e.Enqueue(Call{ID: "c3", QueueID: "sales"}))
	rec.expect(t, offered("c3", "sales-only"))
}
