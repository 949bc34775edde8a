package api

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

// Queue administration (A4). Queues live in the store: the site file seeds
// them on first start, then administrators edit them here. The SIP routing is
// built when the switchboard starts, so changes apply at its next start; the
// answers say when the stored queues differ from the running ones. A queue's
// rules (Q9) and its mode apply live to a running queue; supervisors read the
// queues and set the mode (PUT /queues/{id}/mode).

// WithQueueAdmin serves /admin/queues; running is the queue set the switchboard
// started with, to tell whether a restart is needed.
func WithQueueAdmin(running []store.Queue) Option {
	return func(s *Server) {
		s.runningQueues = slices.Clone(running)
		s.queueAdmin = true
	}
}

// QueueSettings is one queue as an administrator sees it. Attendants lists the
// users assigned to the queue (users' queues, set with PUT /users/{username});
// users with no queue handle them all and are not listed.
type QueueSettings struct {
	store.Queue
	Attendants []string `json:"attendants"`
}

// QueueSettingsList is the body of GET /admin/queues.
type QueueSettingsList struct {
	Queues []QueueSettings `json:"queues"`
	// RestartRequired: the stored queues differ from those the switchboard
	// runs with; they apply at its next start.
	RestartRequired bool `json:"restartRequired"`
}

// QueueSaved answers a queue change.
type QueueSaved struct {
	Queue           QueueSettings `json:"queue"`
	RestartRequired bool          `json:"restartRequired"`
}

// QueueRequest is the body of POST /admin/queues and PUT /admin/queues/{id}.
// On PUT the ID comes from the path; a different one in the body is refused.
type QueueRequest struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Numbers  []string `json:"numbers"`
	Priority int      `json:"priority"`
	Default  bool     `json:"default"`
	// Rules (Q9); omitted keeps the queue's current rules.
	Rules *queue.Rules `json:"rules,omitempty"`
}

var (
	validQueueID     = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	validQueueNumber = regexp.MustCompile(`^[0-9A-Za-z+*#._-]{1,32}$`)

	errQueueExists  = errors.New("queue exists")
	errQueueMissing = errors.New("no such queue")
	errQueueInvalid = errors.New("invalid queue")
	errLastQueue    = errors.New("last queue")
)

const maxQueuePriority = 1000

func (s *Server) listQueueSettings(w http.ResponseWriter, r *http.Request) {
	qs, err := s.store.Queues()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	out := QueueSettingsList{Queues: make([]QueueSettings, 0, len(qs)), RestartRequired: s.restartRequired(qs)}
	users, err := s.store.Users()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	for _, q := range qs {
		out.Queues = append(out.Queues, queueSettings(q, users))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createQueue(w http.ResponseWriter, r *http.Request) {
	var req QueueRequest
	if !decode(w, r, &req) {
		return
	}
	s.saveQueue(w, req, false)
}

func (s *Server) updateQueue(w http.ResponseWriter, r *http.Request) {
	var req QueueRequest
	if !decode(w, r, &req) {
		return
	}
	id := r.PathValue("id")
	if req.ID != "" && req.ID != id {
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("id %q in the body does not match the path's %q; a queue's id cannot change", req.ID, id))
		return
	}
	req.ID = id
	s.saveQueue(w, req, true)
}

// saveQueue validates req against the other queues and stores it. Making a
// queue the default takes that role from the one that had it.
func (s *Server) saveQueue(w http.ResponseWriter, req QueueRequest, replace bool) {
	q := store.Queue{ID: req.ID, Name: strings.TrimSpace(req.Name), Numbers: slices.Clone(req.Numbers), Priority: req.Priority, Default: req.Default, Rules: req.Rules}
	if q.Numbers == nil {
		q.Numbers = []string{}
	}
	var all []store.Queue
	err := s.store.UpdateQueues(func(qs []store.Queue) ([]store.Queue, error) {
		i := slices.IndexFunc(qs, func(o store.Queue) bool { return o.ID == q.ID })
		switch {
		case replace && i < 0:
			return nil, fmt.Errorf("%w: %s", errQueueMissing, q.ID)
		case !replace && i >= 0:
			return nil, fmt.Errorf("%w: queue %s already exists", errQueueExists, q.ID)
		}
		if i >= 0 {
			q.Mode = qs[i].Mode // set with PUT /queues/{id}/mode, not here
			if q.Rules == nil {
				q.Rules = qs[i].Rules
			}
		}
		if err := checkQueue(q, qs); err != nil {
			return nil, err
		}
		if q.Default {
			for j := range qs {
				qs[j].Default = false
			}
		}
		if i >= 0 {
			qs[i] = q
		} else {
			qs = append(qs, q)
		}
		all = qs
		return qs, nil
	})
	if s.queueStoreError(w, err) {
		return
	}
	users, err := s.store.Users()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	status := http.StatusOK
	if !replace {
		status = http.StatusCreated
	}
	s.applyRules(q)
	s.log.Info("api: queue saved", "queue", q.ID, "numbers", q.Numbers, "priority", q.Priority, "default", q.Default, "rules", q.Rules != nil)
	writeJSON(w, status, QueueSaved{Queue: queueSettings(q, users), RestartRequired: s.restartRequired(all)})
}

func (s *Server) deleteQueue(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.store.UpdateQueues(func(qs []store.Queue) ([]store.Queue, error) {
		i := slices.IndexFunc(qs, func(o store.Queue) bool { return o.ID == id })
		switch {
		case i < 0:
			return nil, fmt.Errorf("%w: %s", errQueueMissing, id)
		case len(qs) == 1:
			return nil, fmt.Errorf("%w: %s is the only queue; the switchboard needs at least one", errLastQueue, id)
		}
		return slices.Delete(qs, i, i+1), nil
	})
	if s.queueStoreError(w, err) {
		return
	}
	s.log.Info("api: queue deleted", "queue", id)
	w.WriteHeader(http.StatusNoContent)
}

// queueStoreError answers a failed queue change; it reports whether there was one.
func (s *Server) queueStoreError(w http.ResponseWriter, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, errQueueMissing):
		writeError(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, errQueueExists):
		writeError(w, http.StatusConflict, "exists", err.Error())
	case errors.Is(err, errLastQueue):
		writeError(w, http.StatusConflict, "last_queue", err.Error())
	case errors.Is(err, errQueueInvalid):
		writeError(w, http.StatusBadRequest, "bad_request", strings.TrimPrefix(err.Error(), errQueueInvalid.Error()+": "))
	default:
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
	}
	return true
}

// checkQueue validates q on its own and against the other queues.
func checkQueue(q store.Queue, all []store.Queue) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", errQueueInvalid, fmt.Sprintf(format, a...))
	}
	switch {
	case !validQueueID.MatchString(q.ID):
		return bad("id %q: 1–64 lower-case letters, digits, dot, dash or underscore, starting with a letter or digit", q.ID)
	case q.Name == "":
		return bad("name is required")
	case len(q.Name) > 100:
		return bad("name: at most 100 characters")
	case q.Priority < -maxQueuePriority || q.Priority > maxQueuePriority:
		return bad("priority %d: between -%d and %d", q.Priority, maxQueuePriority, maxQueuePriority)
	}
	if q.Rules != nil {
		if err := q.Rules.Validate(validTarget); err != nil {
			return bad("rules: %v", err)
		}
		if q.Mode == queue.ModeEmergency && q.Rules.EmergencyTarget == "" {
			return bad("rules: the queue is in emergency mode, so it needs an emergencyTarget; set another mode first")
		}
	}
	for i, n := range q.Numbers {
		if !validQueueNumber.MatchString(n) {
			return bad("number %q: 1–32 digits, letters or + * # . _ -", n)
		}
		if slices.Contains(q.Numbers[:i], n) {
			return bad("number %s is listed twice", n)
		}
		for _, o := range all {
			if o.ID != q.ID && slices.Contains(o.Numbers, n) {
				return bad("number %s is already routed to queue %s", n, o.ID)
			}
		}
	}
	return nil
}

// restartRequired reports whether stored differs from the running queues.
func (s *Server) restartRequired(stored []store.Queue) bool {
	if len(stored) != len(s.runningQueues) {
		return true
	}
	for _, q := range stored {
		i := slices.IndexFunc(s.runningQueues, func(r store.Queue) bool { return r.ID == q.ID })
		if i < 0 {
			return true
		}
		r := s.runningQueues[i]
		if r.Name != q.Name || r.Priority != q.Priority || r.Default != q.Default || !slices.Equal(r.Numbers, q.Numbers) {
			return true
		}
	}
	return false
}

func queueSettings(q store.Queue, users []store.User) QueueSettings {
	out := QueueSettings{Queue: q, Attendants: []string{}}
	for _, u := range users {
		if slices.Contains(u.Queues, q.ID) {
			out.Attendants = append(out.Attendants, u.Username)
		}
	}
	return out
}

// validTarget is the syntax of a forward target: a number, extension or
// username (spaces ignored), or a sip: URI. The switchboard checks it again.
var validTargetRe = regexp.MustCompile(`^(?i:sip:[^\s@]+@[^\s]+|(tel:)?[0-9A-Za-z+*#._ -]{1,64})$`)

func validTarget(t string) bool { return validTargetRe.MatchString(strings.TrimSpace(t)) }

// QueueRuler is what the switchboard offers to change a running queue's
// rules and mode live; without it changes apply at the next start.
type QueueRuler interface {
	SetQueueMode(id string, m queue.Mode) error
	SetQueueRules(id string, r queue.Rules) error
}

// running reports whether the switchboard runs queue id.
func (s *Server) running(id string) bool {
	return slices.ContainsFunc(s.runningQueues, func(r store.Queue) bool { return r.ID == id })
}

// applyRules hands a saved queue's rules to the running switchboard.
func (s *Server) applyRules(q store.Queue) {
	ruler, ok := s.sb.(QueueRuler)
	if !ok || !s.running(q.ID) {
		return
	}
	r := queue.Rules{}
	if q.Rules != nil {
		r = *q.Rules
	}
	if err := ruler.SetQueueRules(q.ID, r); err != nil {
		s.log.Error("api: applying queue rules failed", "queue", q.ID, "error", err)
	}
}

// ModeRequest is the body of PUT /queues/{id}/mode.
type ModeRequest struct {
	Mode queue.Mode `json:"mode"`
}

// QueueMode answers PUT /queues/{id}/mode: the mode and the state it gives
// the queue now ("closed" until the hours open it, …). RestartRequired: the
// queue is not running yet, so the mode applies at the next start.
type QueueMode struct {
	ID   string     `json:"id"`
	Mode queue.Mode `json:"mode"`
	queue.StateInfo
	RestartRequired bool `json:"restartRequired"`
}

// setQueueMode is a supervisor opening, closing, or declaring an emergency
// on a queue (A3, Q9). The mode is stored, so it survives a restart.
func (s *Server) setQueueMode(w http.ResponseWriter, r *http.Request) {
	var req ModeRequest
	if !decode(w, r, &req) {
		return
	}
	id := r.PathValue("id")
	if !queue.ValidMode(req.Mode) {
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf(`mode %q: one of "auto" (by opening hours), "open", "closed", "emergency"`, req.Mode))
		return
	}
	err := s.store.UpdateQueues(func(qs []store.Queue) ([]store.Queue, error) {
		i := slices.IndexFunc(qs, func(o store.Queue) bool { return o.ID == id })
		if i < 0 {
			return nil, fmt.Errorf("%w: %s", errQueueMissing, id)
		}
		if req.Mode == queue.ModeEmergency && (qs[i].Rules == nil || qs[i].Rules.EmergencyTarget == "") {
			return nil, fmt.Errorf("%w: queue %s has no emergency number; an administrator sets it in the queue's rules", errQueueInvalid, id)
		}
		qs[i].Mode = req.Mode
		return qs, nil
	})
	if s.queueStoreError(w, err) {
		return
	}
	out := QueueMode{ID: id, Mode: req.Mode, RestartRequired: true}
	if ruler, ok := s.sb.(QueueRuler); ok && s.running(id) {
		if err := ruler.SetQueueMode(id, req.Mode); err != nil {
			writeError(w, http.StatusInternalServerError, "internal", err.Error())
			return
		}
		out.RestartRequired = false
		for _, q := range s.sb.Snapshot().Queues {
			if q.ID == id {
				out.StateInfo = q.StateInfo
			}
		}
	}
	s.log.Info("api: queue mode set", "queue", id, "mode", req.Mode, "state", out.State)
	writeJSON(w, http.StatusOK, out)
}
