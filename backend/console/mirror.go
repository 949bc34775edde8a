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
	order      map[string][]string // queue ID → waiting call IDs in the engine's service order
	attendants map[string]queue.Attendant
	lines      map[string]queue.Line // attendants' calls (workspace, parked)
}

// NewMirror returns an empty mirror.
func NewMirror() *Mirror {
	return &Mirror{calls: map[string]queue.Call{}, order: map[string][]string{}, attendants: map[string]queue.Attendant{}, lines: map[string]queue.Line{}}
}

// Reset replaces the mirror's state with a snapshot.
func (m *Mirror) Reset(s queue.Snapshot) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq = s.Seq
	m.queues = m.queues[:0]
	clear(m.calls)
	clear(m.order)
	clear(m.attendants)
	clear(m.lines)
	for _, l := range s.Lines {
		m.lines[l.ID] = l
	}
	for _, q := range s.Queues {
		for _, c := range q.Calls {
			m.calls[c.ID] = c
			m.order[q.ID] = append(m.order[q.ID], c.ID)
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
			m.unplace(e.Call.ID)
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
			m.place(*e.Call, e.After)
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
	for q, ids := range m.order {
		i, ok := index[q]
		if !ok {
			continue
		}
		for _, id := range ids {
			if c, ok := m.calls[id]; ok && c.QueueID == q {
				s.Queues[i].Calls = append(s.Queues[i].Calls, c)
			}
		}
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

// place puts a call where the engine says (after the call with ID *after,
// first when ""). Without a place, a call keeps its position, or goes last
// if it is new to its queue: the engine's ordering rules are its own.
func (m *Mirror) place(c queue.Call, after *string) {
	ids := m.order[c.QueueID]
	if after == nil && slices.Contains(ids, c.ID) {
		return
	}
	m.unplace(c.ID)
	ids = m.order[c.QueueID]
	i := len(ids)
	if after != nil {
		if *after == "" {
			i = 0
		} else if j := slices.Index(ids, *after); j >= 0 {
			i = j + 1
		}
	}
	m.order[c.QueueID] = slices.Insert(ids, i, c.ID)
}

// unplace removes a call from the queue it was waiting in.
func (m *Mirror) unplace(id string) {
	for q, ids := range m.order {
		if i := slices.Index(ids, id); i >= 0 {
			m.order[q] = slices.Delete(ids, i, i+1)
		}
	}
}
