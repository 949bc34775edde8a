package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/concierge-console/concierge/backend/auth"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

// The engine behind the API applies rules and modes live (QueueRuler).
func (e *engineSB) SetQueueMode(id string, m queue.Mode) error   { return e.Engine.SetMode(id, m) }
func (e *engineSB) SetQueueRules(id string, r queue.Rules) error { return e.Engine.SetRules(id, r) }

// rulesRig is queueRig with both queues running in the engine and a supervisor, sue.
func rulesRig(t *testing.T) *rig {
	t.Helper()
	r := queueRig(t)
	r.sb.AddQueue(queue.QueueConfig{ID: "sales", Name: "Sales", Priority: 1})
	h, _ := auth.HashPassword("sue-password")
	if err := r.store.PutUser(store.User{Username: "sue", Name: "Sue", Role: store.RoleSupervisor, PasswordHash: h}); err != nil {
		t.Fatal(err)
	}
	return r
}

func running(t *testing.T, r *rig, id string) queue.Queue {
	t.Helper()
	for _, q := range r.sb.Snapshot().Queues {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("queue %s not running", id)
	return queue.Queue{}
}

// Supervisors read the queues and set their mode; attendants may not; editing
// stays with administrators.
func TestQueueModeRoles(t *testing.T) {
	r := rulesRig(t)
	ctx := context.Background()
	if _, err := r.client().SetQueueMode(ctx, "sales", queue.ModeClosed); status(err) != http.StatusUnauthorized {
		t.Errorf("anonymous mode: %v, want 401", err)
	}
	anna := r.login(t, "anna", "")
	if _, err := anna.SetQueueMode(ctx, "sales", queue.ModeClosed); status(err) != http.StatusForbidden {
		t.Errorf("attendant mode: %v, want 403", err)
	}
	sue := r.login(t, "sue", "")
	if list, err := sue.QueueSettings(ctx); err != nil || len(list.Queues) != 2 {
		t.Errorf("supervisor lists queues: %+v, %v", list, err)
	}
	if _, err := sue.SaveQueue(ctx, QueueRequest{ID: "sales", Name: "Mine"}); status(err) != http.StatusForbidden {
		t.Errorf("supervisor edits a queue: %v, want 403", err)
	}
	got, err := sue.SetQueueMode(ctx, "sales", queue.ModeClosed)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "sales" || got.Mode != queue.ModeClosed || got.State != queue.StateClosed || got.RestartRequired {
		t.Errorf("mode answer = %+v", got)
	}
	if q := running(t, r, "sales"); q.State != queue.StateClosed {
		t.Errorf("running sales = %+v, want closed", q)
	}
	if qs, _ := r.store.Queues(); qs[0].ID != "sales" || qs[0].Mode != queue.ModeClosed {
		t.Errorf("stored = %+v; want the mode kept", qs[0])
	}
	// An administrator's edit of the queue keeps the mode the supervisor set.
	admin := r.login(t, "admin", "")
	if _, err := admin.SaveQueue(ctx, QueueRequest{ID: "sales", Name: "Sales desk", Numbers: []string{"200"}, Priority: 1}); err != nil {
		t.Fatal(err)
	}
	if qs, _ := r.store.Queues(); qs[0].Mode != queue.ModeClosed {
		t.Errorf("mode lost on edit: %+v", qs[0])
	}
}

// Bad modes and rules are refused with a message that says what is wrong.
func TestQueueRulesValidation(t *testing.T) {
	r := rulesRig(t)
	ctx := context.Background()
	admin := r.login(t, "admin", "")
	for _, c := range []struct {
		mode queue.Mode
		id   string
		code int
		want string
	}{
		{"night", "sales", http.StatusBadRequest, `mode "night"`},
		{queue.ModeEmergency, "sales", http.StatusBadRequest, "no emergency number"},
		{queue.ModeOpen, "nope", http.StatusNotFound, "nope"},
	} {
		_, err := admin.SetQueueMode(ctx, c.id, c.mode)
		if status(err) != c.code || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("mode %q on %s: %v; want %d %q", c.mode, c.id, err, c.code, c.want)
		}
	}
	base := QueueRequest{ID: "sales", Name: "Sales", Numbers: []string{"200", "+33142000200"}, Priority: 1}
	for _, c := range []struct {
		rules queue.Rules
		want  string
	}{
		{queue.Rules{WhenClosed: "forward"}, "needs a closedTarget"},
		{queue.Rules{WhenClosed: "hangup"}, `whenClosed "hangup"`},
		{queue.Rules{OverflowAfter: 30}, "overflowAfter needs an overflowTarget"},
		{queue.Rules{OverflowAfter: -1, OverflowTarget: "1"}, "overflowAfter -1"},
		{queue.Rules{EmergencyTarget: "06 12; DROP"}, `emergencyTarget "06 12; DROP"`},
		{queue.Rules{Hours: &queue.Hours{TimeZone: "Mars/Olympus"}}, `timeZone "Mars/Olympus"`},
		{queue.Rules{Hours: &queue.Hours{TimeZone: "Europe/Paris", Days: map[string][]queue.TimeRange{"monday": {{From: "08:00", To: "12:00"}}}}}, `day "monday"`},
		{queue.Rules{Hours: &queue.Hours{TimeZone: "Europe/Paris", Days: map[string][]queue.TimeRange{"mon": {{From: "18:00", To: "08:00"}}}}}, "ends before it starts"},
		{queue.Rules{Hours: &queue.Hours{TimeZone: "Europe/Paris", Days: map[string][]queue.TimeRange{"mon": {{From: "8h", To: "12:00"}}}}}, `from "8h"`},
		{queue.Rules{Hours: &queue.Hours{TimeZone: "Europe/Paris", ClosedDates: []string{"25/12/2026"}}}, `closed date "25/12/2026"`},
	} {
		req := base
		req.Rules = &c.rules
		_, err := admin.SaveQueue(ctx, req)
		if status(err) != http.StatusBadRequest || !strings.Contains(err.Error(), c.want) {
			t.Errorf("rules %+v: %v; want 400 %q", c.rules, err, c.want)
		}
	}

	// Good rules are stored and apply live: closed all the time (no opening hours
	// at all) with night service; then the emergency mode is accepted.
	req := base
	req.Rules = &queue.Rules{
		Hours:      &queue.Hours{TimeZone: "Europe/Brussels", Days: map[string][]queue.TimeRange{}, ClosedDates: []string{"2026-12-25"}},
		WhenClosed: queue.ClosedForward, ClosedTarget: "0612345678", EmergencyTarget: "sip:crisis@pbx.example.com",
	}
	saved, err := admin.SaveQueue(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if saved.RestartRequired || saved.Queue.Rules == nil || saved.Queue.Rules.ClosedTarget != "0612345678" {
		t.Errorf("saved = %+v", saved)
	}
	if q := running(t, r, "sales"); q.Mode != queue.ModeAuto || q.State != queue.StateClosed {
		t.Errorf("running sales = %+v; want auto, closed by its hours", q)
	}
	if got, err := admin.SetQueueMode(ctx, "sales", queue.ModeEmergency); err != nil || got.State != queue.StateEmergency {
		t.Errorf("emergency: %+v, %v", got, err)
	}
	// Emergency needs its number: removing it is refused while the mode holds.
	req.Rules = &queue.Rules{}
	if _, err := admin.SaveQueue(ctx, req); status(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "emergency mode") {
		t.Errorf("emptying the rules in emergency: %v; want 400", err)
	}
}
