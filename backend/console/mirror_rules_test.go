package console

import (
	"testing"

	"github.com/concierge-console/concierge/backend/queue"
)

// Q9: a forwarded call leaves the mirrored queue, and queue.updated carries the
// queue's mode and state into the mirror's snapshot.
func TestMirrorForwardedCallAndQueueState(t *testing.T) {
	m := NewMirror()
	m.Reset(queue.Snapshot{Seq: 1, Queues: []queue.Queue{{ID: "q", Name: "Reception", Calls: []queue.Call{{ID: "c1", QueueID: "q"}}}}})
	m.Apply(queue.Event{Seq: 2, Type: queue.EventCallForwarded, Call: &queue.Call{ID: "c1", QueueID: "q"}, Target: "0612", Reason: queue.ReasonClosed})
	m.Apply(queue.Event{Seq: 3, Type: queue.EventQueueUpdated, Queue: &queue.QueueConfig{ID: "q", Name: "Reception", Mode: queue.ModeClosed,
		StateInfo: queue.StateInfo{State: queue.StateClosed}}})
	s := m.Snapshot()
	if len(s.Queues) != 1 || len(s.Queues[0].Calls) != 0 {
		t.Fatalf("queues = %+v; want the forwarded call gone", s.Queues)
	}
	if q := s.Queues[0]; q.Mode != queue.ModeClosed || q.State != queue.StateClosed {
		t.Errorf("queue = %+v; want mode and state closed", q)
	}
}
