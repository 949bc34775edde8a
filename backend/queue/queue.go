package queue

import (
	"cmp"
	"slices"
)

// QueueConfig defines a queue. Calls of a higher-Priority queue are served
// before those of a lower one (after VIP callers).
type QueueConfig struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Priority int    `json:"priority"`
}

// Queue is a queue as attendants see it, with its waiting calls in service
// order.
type Queue struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Priority int    `json:"priority"`
	Calls    []Call `json:"calls"`
}

// queueState is the engine's record of a queue. calls is kept sorted in
// service order on insert, so snapshots need no sort and distribution can
// merge the queues instead of sorting every waiting call each time.
type queueState struct {
	cfg   QueueConfig
	added int // creation order, to list equal-priority queues stably
	calls []*entry
}

func (q *queueState) insert(en *entry) {
	i, _ := slices.BinarySearchFunc(q.calls, en, serviceCmp)
	q.calls = slices.Insert(q.calls, i, en)
}

func (q *queueState) remove(en *entry) {
	if i, ok := slices.BinarySearchFunc(q.calls, en, serviceCmp); ok {
		q.calls = slices.Delete(q.calls, i, i+1)
	}
}

func (q *queueState) view() Queue {
	v := Queue{ID: q.cfg.ID, Name: q.cfg.Name, Priority: q.cfg.Priority, Calls: make([]Call, len(q.calls))}
	for i, en := range q.calls {
		v.Calls[i] = en.call.clone()
	}
	return v
}

// AddQueue creates a queue, or renames and re-prioritises an existing one.
// Clients learn about it from a queue.updated event.
func (e *Engine) AddQueue(cfg QueueConfig) {
	if cfg.ID == "" {
		e.log.Warn("queue without ID ignored", "name", cfg.Name)
		return
	}
	e.update(func() {
		q := e.queues[cfg.ID]
		if q == nil {
			q = &queueState{added: len(e.queues)}
			e.queues[cfg.ID] = q
			e.queueList = append(e.queueList, q)
		}
		q.cfg = cfg
		slices.SortStableFunc(e.queueList, func(a, b *queueState) int {
			return cmp.Or(cmp.Compare(b.cfg.Priority, a.cfg.Priority), cmp.Compare(a.added, b.added))
		})
		e.publish(Event{Type: EventQueueUpdated, Queue: &cfg})
	})
}
