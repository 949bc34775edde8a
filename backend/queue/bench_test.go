package queue

import (
	"fmt"
	"testing"
)

// nopOfferer rings nobody; the benchmarks measure the engine alone.
type nopOfferer struct{}

func (nopOfferer) Offer(Call, Attendant, bool) {}
func (nopOfferer) CancelOffer(string, string)  {}

// BenchmarkEnqueueOffer measures a call's way through the engine: enqueued,
// offered to the longest-idle of 20 attendants, answered, attendant
// released. "backlog" adds 1000 calls waiting in a queue nobody handles.
func BenchmarkEnqueueOffer(b *testing.B) {
	for _, backlog := range []int{0, 1000} {
		b.Run(fmt.Sprint("backlog=", backlog), func(b *testing.B) {
			e := New(nopOfferer{}, WithLogger(quiet))
			defer e.Close()
			e.AddQueue(QueueConfig{ID: "q"})
			e.AddQueue(QueueConfig{ID: "night", Priority: 9})
			for i := range backlog {
				must(b, e.Enqueue(Call{ID: fmt.Sprint("w", i), QueueID: "night", Priority: i % 3}))
			}
			for i := range 20 {
				login(e, fmt.Sprint("att", i), "q")
			}
			sub := e.Subscribe(0) // a console listening, drained as it goes
			defer sub.Close()
			var taken Call
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				id := fmt.Sprint("c", i)
				i++
				must(b, e.Enqueue(Call{ID: id, QueueID: "q", CallerNumber: "+3212345678"}))
				ev := <-sub.C
				for ev.Type != EventCallOffered {
					ev = <-sub.C
				}
				taken, _ = e.Answered(id, ev.Attendant.Username)
				e.Release(ev.Attendant.Username)
				for len(sub.C) > 0 {
					<-sub.C
				}
			}
			_ = taken
		})
	}
}

// BenchmarkSnapshot1000 measures the snapshot a console gets on connect with
// 1000 calls waiting in 5 queues and 50 attendants.
func BenchmarkSnapshot1000(b *testing.B) {
	e := New(nopOfferer{}, WithLogger(quiet))
	defer e.Close()
	for q := range 5 {
		e.AddQueue(QueueConfig{ID: fmt.Sprint("q", q), Priority: q})
	}
	for i := range 1000 {
		must(b, e.Enqueue(Call{
			ID: fmt.Sprint("c", i), QueueID: fmt.Sprint("q", i%5), Priority: i % 3, VIP: i%50 == 0,
			CallerNumber: "+3212345678", CallerName: "Caller", RejectedBy: []string{"att1"},
		}))
	}
	for i := range 50 {
		e.Login(Attendant{Username: fmt.Sprint("att", i), Queues: []string{"q1", "q2"}})
	}
	b.ReportAllocs()
	for b.Loop() {
		if s := e.Snapshot(); len(s.Queues) != 5 {
			b.Fatal(len(s.Queues))
		}
	}
}
