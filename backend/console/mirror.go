package console

import (
	"slices"
	"strings"
	"sync"

	"github.com/concierge-console/concierge/backend/queue"
)

// Mirror is the console's copy of the switchboard state, rebuilt from a
// snapshot and kept current by events, so the UI can ask for the whole
// picture at any time without a round trip.
type Mirror struct {
	mu         sync.Mutex
	seq        uint64
	queues     []queue.Queue // without calls; calls live in the map
	calls      map[string]queue.Call
	attendants map[string]queue.Attendant
	lines      map[string]queue.Line // attendants' calls (workspace, parked)
}

// NewMirror returns an empty mirror.
func NewMirror() *Mirror {
	return &Mirror{calls: map[string]queue.Call{}, attendants: map[string]queue.Attendant{}, lines: map[string]queue.Line{}}
}

// Reset replaces the mirror's state with a snapshot.
func (m *Mirror) Reset(s queue.Snapshot) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq = s.Seq
	m.queues = m.queues[:0]
	clear(m.calls)
	clear(m.attendants)
	clear(m.lines)
	for _, l := range s.Lines {
		m.lines[l.ID] = l
	}
	for _, q := range s.Queues {
		for _, c := range q.Calls {
			m.calls[c.ID] = c
		}
		q.Calls = nil
		m.queues = append(m.queues, q)
	}
	for _, a := range s.Attendants {
		m.attendants[a.Username] = a
	}
}

// Apply applies one event.
func (m *Mirror) Apply(e queue.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq = e.Seq
	switch e.Type {
	case queue.EventCallTaken, queue.EventCallAbandoned, queue.EventCallForwarded:
		if e.Call != nil {
			delete(m.calls, e.Call.ID)
		}
		if e.Attendant != nil { // who took it is now on a call
			m.attendants[e.Attendant.Username] = *e.Attendant
		}
	case queue.EventQueueUpdated:
		if e.Queue != nil {
			q := queue.Queue{ID: e.Queue.ID, Name: e.Queue.Name, Priority: e.Queue.Priority, Mode: e.Queue.Mode, StateInfo: e.Queue.StateInfo}
			i := slices.IndexFunc(m.queues, func(x queue.Queue) bool { return x.ID == q.ID })
			if i < 0 {
				m.queues = append(m.queues, q)
			} else {
				m.queues[i] = q
			}
		}
	case queue.EventAttendantLeft:
		if e.Attendant != nil {
			delete(m.attendants, e.Attendant.Username)
		}
	case queue.EventLineUpdated:
		if e.Line != nil {
			m.lines[e.Line.ID] = *e.Line
		}
	case queue.EventLineEnded:
		if e.Line != nil {
			delete(m.lines, e.Line.ID)
		}
	default:
		if e.Call != nil {
			m.calls[e.Call.ID] = *e.Call
		}
		if e.Attendant != nil {
			m.attendants[e.Attendant.Username] = *e.Attendant
		}
	}
}

// Attendant returns one mirrored attendant.
func (m *Mirror) Attendant(username string) (queue.Attendant, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.attendants[username]
	return a, ok
}

// Snapshot returns the mirrored state, calls in service order.
func (m *Mirror) Snapshot() queue.Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := queue.Snapshot{Seq: m.seq, Queues: make([]queue.Queue, len(m.queues)), Attendants: []queue.Attendant{}, Lines: []queue.Line{}}
	for _, l := range m.lines {
		s.Lines = append(s.Lines, l)
	}
	slices.SortFunc(s.Lines, func(a, b queue.Line) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	index := map[string]int{}
	for i, q := range m.queues {
		q.Calls = []queue.Call{}
		s.Queues[i] = q
		index[q.ID] = i
	}
	for _, c := range m.calls {
		if i, ok := index[c.QueueID]; ok {
			s.Queues[i].Calls = append(s.Queues[i].Calls, c)
		}
	}
	for i := range s.Queues {
		slices.SortFunc(s.Queues[i].Calls, serviceOrder)
	}
	for _, a := range m.attendants {
		s.Attendants = append(s.Attendants, a)
	}
	slices.SortFunc(s.Attendants, func(a, b queue.Attendant) int {
		switch {
		case a.Username < b.Username:
			return -1
		case a.Username > b.Username:
			return 1
		}
		return 0
	})
	return s
}

// serviceOrder sorts like the engine does for everyone: VIP, urgency, then
// the longest waiting first.
func serviceOrder(a, b queue.Call) int {
	switch {
	case a.VIP != b.VIP:
		if a.VIP {
			return -1
		}
		return 1
	case a.Priority != b.Priority:
		return b.Priority - a.Priority
	}
	return a.EnteredAt.Compare(b.EnteredAt)
}
