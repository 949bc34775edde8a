package console

import (
	"slices"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
)

type noOffers struct{}

func (noOffers) Offer(queue.Call, queue.Attendant, bool) {}
func (noOffers) CancelOffer(string, string)              {}

func callIDs(s queue.Snapshot, q string) []string {
	ids := []string{}
	for _, x := range s.Queues {
		if x.ID == q {
			for _, c := range x.Calls {
				ids = append(ids, c.ID)
			}
		}
	}
	return ids
}

// The mirror fed a real engine's events ends with the engine's own order,
// including calls that entered at the same instant, which only the engine's
// arrival order tells apart.
func TestMirrorFollowsTheEngineOrder(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e := queue.New(noOffers{}, queue.WithClock(func() time.Time { return at }))
	defer e.Close()
	e.AddQueue(queue.QueueConfig{ID: "q", Name: "Reception"})
	sub := e.Subscribe(0)
	defer sub.Close()
	m := NewMirror()
	m.Reset(*sub.Snapshot)
	for _, c := range []queue.Call{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "vip", VIP: true}, {ID: "d"}, {ID: "urgent", Priority: 3}} {
		c.QueueID = "q"
		if err := e.Enqueue(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Requeue(queue.Call{ID: "back", QueueID: "q"}, true); err != nil {
		t.Fatal(err)
	}
	if err := e.SetNote("a", "called before"); err != nil {
		t.Fatal(err)
	}
	want := e.Snapshot()
	for m.Snapshot().Seq < want.Seq {
		m.Apply(<-sub.C)
	}
	if got, w := callIDs(m.Snapshot(), "q"), callIDs(want, "q"); !slices.Equal(got, w) {
		t.Fatalf("mirror order %v, engine order %v", got, w)
	}
}

// The mirror places a call where the event says, even where a copy of the
// ordering rules would guess otherwise (here: a recall the engine put first,
// though it waited least), and keeps the place on later updates.
func TestMirrorPlacesCallsWhereTheEventSays(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m := NewMirror()
	m.Reset(queue.Snapshot{Seq: 1, Queues: []queue.Queue{{ID: "q", Calls: []queue.Call{
		{ID: "c1", QueueID: "q", EnteredAt: t0}, {ID: "c2", QueueID: "q", EnteredAt: t0.Add(time.Second)}}}}})
	first := ""
	m.Apply(queue.Event{Seq: 2, Type: queue.EventCallQueued, Reason: queue.ReasonRecall, After: &first,
		Call: &queue.Call{ID: "r", QueueID: "q", Recall: true, EnteredAt: t0.Add(time.Minute)}})
	m.Apply(queue.Event{Seq: 3, Type: queue.EventCallUpdated, Reason: queue.ReasonNote, Call: &queue.Call{ID: "c2", QueueID: "q", Note: "x"}})
	after := "c2"
	m.Apply(queue.Event{Seq: 4, Type: queue.EventCallQueued, After: &after, Call: &queue.Call{ID: "c3", QueueID: "q", VIP: true}})
	m.Apply(queue.Event{Seq: 5, Type: queue.EventCallTaken, Call: &queue.Call{ID: "c1", QueueID: "q"}})
	if got, want := callIDs(m.Snapshot(), "q"), []string{"r", "c2", "c3"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	m.Reset(queue.Snapshot{Seq: 9, Queues: []queue.Queue{{ID: "q", Calls: []queue.Call{{ID: "c3", QueueID: "q"}}}}})
	if got := callIDs(m.Snapshot(), "q"); !slices.Equal(got, []string{"c3"}) {
		t.Fatalf("after reset %v", got)
	}
}
