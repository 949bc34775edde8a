package queue

import (
	"cmp"
	"slices"
	"time"
)

// QueueConfig defines a queue. Calls of a higher-Priority queue are served
// before those of a lower one (after VIP callers).
//
// In queue.updated events it also carries the queue's mode and effective
// state (Q9); AddQueue ignores State and Until.
type QueueConfig struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Priority int    `json:"priority"`
	Mode     Mode   `json:"mode,omitempty"` // "" in AddQueue: keep the current mode (auto for a new queue)
	Rules    *Rules `json:"-"`              // nil in AddQueue: keep the current rules; consoles never see them
	StateInfo
	ServiceGoal
}

// ServiceGoal is a queue's effective service-level goal (Q10), taken from its
// Rules with defaults filled in, so that consoles compare each queue against
// its own target. Set in snapshots and queue.updated events; AddQueue ignores it.
type ServiceGoal struct {
	ServiceLevelSeconds int `json:"serviceLevelSeconds,omitempty"`
	ServiceLevelTarget  int `json:"serviceLevelTarget,omitempty"` // percent
}

func (q *queueState) goal() ServiceGoal {
	var g ServiceGoal
	g.ServiceLevelSeconds, g.ServiceLevelTarget = q.cfg.Rules.ServiceLevel()
	return g
}

// StateInfo is a queue's effective state: open, closed (by its hours or a
// supervisor) or emergency. Until is when the opening hours change it next
// (auto mode only): "closed, opens at", "open, closes at".
type StateInfo struct {
	State string     `json:"state,omitempty"`
	Until *time.Time `json:"until,omitempty"`
}

// Queue is a queue as attendants see it, with its waiting calls in service
// order.
type Queue struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Priority int    `json:"priority"`
	Mode     Mode   `json:"mode,omitempty"`
	StateInfo
	ServiceGoal
	Calls []Call `json:"calls"`
}

// queueState is the engine's record of a queue. calls is kept sorted in
// service order on insert, so snapshots need no sort and distribution can
// merge the queues instead of sorting every waiting call each time.
type queueState struct {
	cfg   QueueConfig // Mode and Rules always set
	added int         // creation order, to list equal-priority queues stably
	calls []*entry

	loc      *time.Location // of cfg.Rules.Hours
	boundary *time.Timer    // fires when the opening hours change the state
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

func (q *queueState) view(now time.Time) Queue {
	v := Queue{ID: q.cfg.ID, Name: q.cfg.Name, Priority: q.cfg.Priority, Mode: q.cfg.Mode, StateInfo: q.state(now), ServiceGoal: q.goal(), Calls: make([]Call, len(q.calls))}
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
		if cfg.Mode == "" {
			cfg.Mode = cmp.Or(q.cfg.Mode, ModeAuto)
		}
		if cfg.Rules == nil {
			cfg.Rules = cmp.Or(q.cfg.Rules, &Rules{})
		} else {
			r := *cfg.Rules // the caller's copy stays theirs
			cfg.Rules = &r
		}
		cfg.StateInfo, cfg.ServiceGoal = StateInfo{}, ServiceGoal{}
		q.cfg = cfg
		q.loc = nil
		if h := cfg.Rules.Hours; h != nil {
			q.loc = h.location()
		}
		slices.SortStableFunc(e.queueList, func(a, b *queueState) int {
			return cmp.Or(cmp.Compare(b.cfg.Priority, a.cfg.Priority), cmp.Compare(a.added, b.added))
		})
		e.queueChanged(q)
	})
}
