package queue

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// busyEngine returns an engine on which a few things have happened.
func busyEngine(t *testing.T, opts ...Option) *Engine {
	e, _, _ := newEngine(t, opts...)
	login(e, "ann")
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	must(t, e.Enqueue(Call{ID: "c2", QueueID: "q"}))
	_, err := e.Answered("c1", "ann")
	must(t, err)
	return e
}

// churn makes n events.
func churn(t *testing.T, e *Engine, n int) {
	for i := range n {
		must(t, e.SetNote("c2", fmt.Sprint("note ", i)))
	}
}

// TestSubscribeSnapshotContinuity: the snapshot and the events that follow
// it rebuild exactly the engine's state.
func TestSubscribeSnapshotContinuity(t *testing.T) {
	e := busyEngine(t)
	sub := e.Subscribe(0)
	defer sub.Close()
	if sub.Snapshot == nil || sub.Snapshot.Seq == 0 {
		t.Fatalf("no snapshot: %+v", sub.Snapshot)
	}
	m := newMirror(*sub.Snapshot)
	m.check(t, e.Snapshot())

	login(e, "bob")
	e.Release("ann")
	must(t, e.Enqueue(Call{ID: "c3", QueueID: "q", VIP: true}))
	must(t, e.Reject("c3", "ann"))
	_, err := e.Pickup("c3", "ann")
	must(t, err)
	_, err = e.Abandon("c2")
	must(t, err)
	e.AddQueue(QueueConfig{ID: "late", Priority: 9})
	e.Logout("bob")
	first := sub.Snapshot.Seq + 1
	ev := <-sub.C
	if ev.Seq != first {
		t.Fatalf("first event %d, want %d", ev.Seq, first)
	}
	m.apply(t, ev)
	m.drain(t, sub)
	m.check(t, e.Snapshot())
}

// TestResubscribeGetsExactlyTheMissedEvents: a client that reconnects with
// its last seq gets a replay, not a snapshot; one that is too far behind (or
// from before a restart) gets a snapshot.
func TestResubscribeGetsExactlyTheMissedEvents(t *testing.T) {
	e := busyEngine(t, WithReplay(16))
	sub := e.Subscribe(0)
	churn(t, e, 10)
	var all []Event
	for range 10 {
		all = append(all, <-sub.C)
	}
	sub.Close()
	if _, ok := <-sub.C; ok {
		t.Fatal("C open after Close")
	}
	sub.Close()

	mid := all[3].Seq
	again := e.Subscribe(mid)
	defer again.Close()
	if again.Snapshot != nil {
		t.Fatal("snapshot instead of replay")
	}
	var replayed []Event
	for range 6 {
		replayed = append(replayed, <-again.C)
	}
	if !slices.EqualFunc(replayed, all[4:], func(a, b Event) bool { return a.Seq == b.Seq && a.Call.Note == b.Call.Note }) {
		t.Fatalf("replayed %v, want %v", replayed, all[4:])
	}
	churn(t, e, 1)
	if ev := <-again.C; ev.Seq != all[9].Seq+1 {
		t.Fatalf("live event %d after replay up to %d", ev.Seq, all[9].Seq)
	}

	upToDate := e.Subscribe(e.Snapshot().Seq)
	defer upToDate.Close()
	if upToDate.Snapshot != nil || len(upToDate.C) != 0 {
		t.Fatal("up-to-date subscriber got a snapshot or events")
	}

	churn(t, e, 20)
	for _, since := range []uint64{mid, e.Snapshot().Seq + 100} {
		s := e.Subscribe(since)
		if s.Snapshot == nil || s.Snapshot.Seq != e.Snapshot().Seq {
			t.Fatalf("since %d: want a current snapshot, got %+v", since, s.Snapshot)
		}
		s.Close()
	}
}

// TestLaggingSubscriberDoesNotBlock: a subscriber that stops reading is
// dropped, the engine carries on, and the subscriber catches up by
// resubscribing.
func TestLaggingSubscriberDoesNotBlock(t *testing.T) {
	e := busyEngine(t, WithSubscriberBuffer(4))
	stuck := e.Subscribe(0)
	m := newMirror(*stuck.Snapshot)

	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			if err := e.SetNote("c2", fmt.Sprint("note ", i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("engine blocked by a slow subscriber")
	}

	n := 0
	for ev := range stuck.C {
		m.apply(t, ev)
		n++
	}
	if n != 4 || !stuck.Lagged() {
		t.Fatalf("got %d events, lagged %v; want 4, true", n, stuck.Lagged())
	}
	stuck.Close() // harmless after the engine dropped it

	again := e.Subscribe(m.seq)
	defer again.Close()
	if again.Snapshot != nil {
		t.Fatal("snapshot instead of replay")
	}
	m.drain(t, again)
	m.check(t, e.Snapshot())
	if again.Lagged() {
		t.Fatal("replay longer than the buffer marked the subscriber lagged")
	}
}

// TestCloseEndsSubscriptions: no goroutine or channel outlives the engine.
func TestCloseEndsSubscriptions(t *testing.T) {
	e := busyEngine(t)
	sub := e.Subscribe(0)
	e.Close()
	if _, ok := <-sub.C; ok {
		t.Fatal("C open after engine Close")
	}
	if sub.Lagged() {
		t.Fatal("closed subscription reported as lagged")
	}
	late := e.Subscribe(0)
	if _, ok := <-late.C; ok {
		t.Fatal("subscription to a closed engine is open")
	}
}

// TestJSONShape pins the wire names the consoles rely on.
func TestJSONShape(t *testing.T) {
	e := busyEngine(t)
	sub := e.Subscribe(0)
	defer sub.Close()
	must(t, e.SetNote("c2", "hi"))
	snap, err := json.Marshal(sub.Snapshot)
	must(t, err)
	ev, err := json.Marshal(<-sub.C)
	must(t, err)
	for _, want := range []string{`"seq":`, `"queues":[{"id":"q","name":"Reception","priority":0,"mode":"auto","state":"open","serviceLevelSeconds":20,"serviceLevelTarget":80,"calls":[{"id":"c2","queueId":"q"`,
		`"callerNumber":""`, `"enteredAt":`, `"offeredTo":""`, `"reservedBy":""`, `"rejectedBy":[]`, `"recall":false`, `"vip":false`,
		`"attendants":[{"username":"ann","name":"ann","extension":"1ann","queues":[],"available":true,"onCall":true,"idleSince":`} {
		if !strings.Contains(string(snap), want) {
			t.Errorf("snapshot JSON lacks %s:\n%s", want, snap)
		}
	}
	for _, want := range []string{`"type":"call.updated"`, `"time":`, `"call":{"id":"c2"`, `"reason":"note"`} {
		if !strings.Contains(string(ev), want) {
			t.Errorf("event JSON lacks %s:\n%s", want, ev)
		}
	}
	if strings.Contains(string(ev), `"attendant"`) || strings.Contains(string(ev), `"by"`) {
		t.Errorf("event JSON has empty fields: %s", ev)
	}
}

// TestEventsSayWhereTheCallGoes: every event that queues a call carries the
// call it follows in the engine's service order, so that a mirror applying
// only After ends up with the snapshot's order (VIP, priority, age, recall).
func TestEventsSayWhereTheCallGoes(t *testing.T) {
	e, _, clk := newEngine(t)
	sub := e.Subscribe(0)
	defer sub.Close()
	order := []string{}
	place := func(want string) {
		t.Helper()
		ev := <-sub.C
		if ev.After == nil || *ev.After != want {
			t.Fatalf("%s %s: after %v, want %q", ev.Type, ev.Call.ID, ev.After, want)
		}
		order = slices.DeleteFunc(order, func(id string) bool { return id == ev.Call.ID })
		i := 0
		if want != "" {
			i = slices.Index(order, want) + 1
		}
		order = slices.Insert(order, i, ev.Call.ID)
	}
	must(t, e.Enqueue(Call{ID: "old", QueueID: "q"}))
	place("")
	clk.Advance(time.Second)
	must(t, e.Enqueue(Call{ID: "new", QueueID: "q"}))
	place("old")
	must(t, e.Enqueue(Call{ID: "urgent", QueueID: "q", Priority: 5}))
	place("")
	must(t, e.Enqueue(Call{ID: "vip", QueueID: "q", VIP: true}))
	place("")
	must(t, e.Enqueue(Call{ID: "older", QueueID: "q", EnteredAt: clk.Now().Add(-time.Hour)}))
	place("urgent")
	clk.Advance(time.Second)
	must(t, e.Requeue(Call{ID: "back", QueueID: "q"}, true)) // waiting time restarts: last
	place("new")
	must(t, e.SetNote("old", "x")) // an update says where the call stands too
	place("older")
	var got []string
	for _, c := range e.Snapshot().Queues[0].Calls {
		got = append(got, c.ID)
	}
	if !slices.Equal(order, got) {
		t.Fatalf("placed %v, engine order %v", order, got)
	}
	if want := []string{"vip", "urgent", "older", "old", "new", "back"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	b, err := json.Marshal(Event{Type: EventCallQueued, After: ptr("")})
	must(t, err)
	if !strings.Contains(string(b), `"after":""`) {
		t.Fatalf("first place not on the wire: %s", b)
	}
}
