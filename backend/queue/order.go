package queue

import (
	"cmp"
	"iter"
)

// serviceCmp orders waiting calls for service (Q7): VIP callers first, then
// the queue's priority, then the call's own urgency, then whoever has waited
// longest. Arrival order breaks ties so that the order is total, which the
// sorted per-queue lists rely on to find a call again.
//
// Reservations (Q6) are not part of this order because they only rank a call
// higher for one attendant; dispatch handles them first.
func serviceCmp(a, b *entry) int {
	return cmp.Or(
		compareBool(b.call.VIP, a.call.VIP),
		cmp.Compare(b.queue.cfg.Priority, a.queue.cfg.Priority),
		cmp.Compare(b.call.Priority, a.call.Priority),
		a.call.EnteredAt.Compare(b.call.EnteredAt),
		cmp.Compare(a.arrival, b.arrival),
	)
}

// idleCmp orders attendants for the next offer: longest idle first, so work
// is shared fairly. The username makes it deterministic.
func idleCmp(a, b *attendant) int {
	return cmp.Or(a.IdleSince.Compare(b.IdleSince), cmp.Compare(a.Username, b.Username))
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}

// serviceOrder yields the calls of the given queues in service order: a
// merge of the already-sorted queues, so finding the next call costs one
// comparison per queue rather than a sort of all calls.
func serviceOrder(queues []*queueState) iter.Seq[*entry] {
	return func(yield func(*entry) bool) {
		next := make([]int, len(queues))
		for {
			var best *entry
			from := -1
			for i, q := range queues {
				if next[i] < len(q.calls) {
					if c := q.calls[next[i]]; best == nil || serviceCmp(c, best) < 0 {
						best, from = c, i
					}
				}
			}
			if best == nil {
				return
			}
			next[from]++
			if !yield(best) {
				return
			}
		}
	}
}
