package queue

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fwd records what the engine forwards.
type fwd struct {
	*recorder
	forwarded []string // "callID→target (reason)"
}

func (f *fwd) Forward(c Call, target, reason string) {
	f.forwarded = append(f.forwarded, c.ID+"→"+target+" ("+reason+")")
}

func TestOpeningHours(t *testing.T) {
	h := &Hours{TimeZone: "Europe/Brussels", Days: map[string][]TimeRange{
		"mon": {{From: "08:00", To: "12:00"}, {From: "13:00", To: "18:00"}},
		"fri": {{From: "08:00", To: "24:00"}},
	}, ClosedDates: []string{"2026-03-09"}}
	if err := (Rules{Hours: h}).Validate(nil); err != nil {
		t.Fatal(err)
	}
	loc := h.location()
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, c := range []struct {
		now, next string
		open      bool
	}{
		{"2026-03-02 07:59", "2026-03-02 08:00", false}, // Monday morning
		{"2026-03-02 08:00", "2026-03-02 12:00", true},
		{"2026-03-02 12:30", "2026-03-02 13:00", false}, // lunch
		{"2026-03-02 18:00", "2026-03-06 08:00", false}, // to Friday
		{"2026-03-06 23:59", "2026-03-07 00:00", true},  // 24:00
		{"2026-03-08 10:00", "2026-03-13 08:00", false}, // Monday 9th is a closed date
	} {
		now := at(c.now)
		if got := h.openAt(now, loc); got != c.open {
			t.Errorf("%s: open %v, want %v", c.now, got, c.open)
		}
		if got := h.next(now, loc); !got.Equal(at(c.next)) {
			t.Errorf("%s: next change %s, want %s", c.now, got.In(loc), c.next)
		}
	}
}

// Arrival rules: emergency beats everything, a closed queue forwards to night
// service only when told to, nobody logged in forwards, and a failed forward
// leaves the call in the queue for good.
func TestArrivalRules(t *testing.T) {
	f := &fwd{recorder: &recorder{}}
	e := New(f)
	defer e.Close()
	e.AddQueue(QueueConfig{ID: "q", Mode: ModeClosed, Rules: &Rules{WhenClosed: ClosedWait, NoAttendantTarget: "100", EmergencyTarget: "112"}})
	e.Login(Attendant{Username: "ann", Available: false})
	must(t, e.Enqueue(Call{ID: "c1", QueueID: "q"}))
	if len(f.forwarded) != 0 || len(e.Snapshot().Queues[0].Calls) != 1 {
		t.Fatalf("closed+wait forwarded %v", f.forwarded)
	}
	must(t, e.SetRules("q", Rules{WhenClosed: ClosedForward, ClosedTarget: "200", NoAttendantTarget: "100", EmergencyTarget: "112"}))
	must(t, e.Enqueue(Call{ID: "c2", QueueID: "q"}))
	must(t, e.SetMode("q", ModeEmergency))
	must(t, e.Enqueue(Call{ID: "c3", QueueID: "q"}))
	must(t, e.SetMode("q", ModeOpen))
	e.Logout("ann") // c1 waits for nobody now
	must(t, e.Enqueue(Call{ID: "c4", QueueID: "q"}))
	must(t, e.ForwardFailed(Call{ID: "c4", QueueID: "q"}))
	want := []string{"c2→200 (closed)", "c3→112 (emergency)", "c1→100 (no attendant)", "c4→100 (no attendant)"}
	if len(f.forwarded) != len(want) {
		t.Fatalf("forwarded %v, want %v", f.forwarded, want)
	}
	for i := range want {
		if f.forwarded[i] != want[i] {
			t.Errorf("forwarded %v, want %v", f.forwarded, want)
		}
	}
	if q := e.Snapshot().Queues[0]; len(q.Calls) != 1 || q.Calls[0].ID != "c4" || q.State != StateOpen {
		t.Errorf("queue = %+v; want c4 back after its failed forward", q)
	}
	if err := e.SetMode("q", "night"); err == nil {
		t.Error("bad mode accepted")
	}
}

// In auto mode the engine publishes the queue's new state when the opening
// hours open it, without anyone asking.
func TestOpeningPublishesState(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Date(2026, 3, 2, 8, 0, 0, 0, loc) // a Monday
	offset := opens.Add(-300 * time.Millisecond).Sub(time.Now())
	e := New(&fwd{recorder: &recorder{}}, WithClock(func() time.Time { return time.Now().Add(offset) }))
	defer e.Close()
	e.AddQueue(QueueConfig{ID: "q", Rules: &Rules{Hours: &Hours{TimeZone: "Europe/Brussels",
		Days: map[string][]TimeRange{"mon": {{From: "08:00", To: "18:00"}}}}}})
	q := e.Snapshot().Queues[0]
	if q.State != StateClosed || q.Until == nil || !q.Until.Equal(opens) {
		t.Fatalf("before 08:00: %+v, until %v", q.StateInfo, q.Until)
	}
	sub := e.Subscribe(e.Snapshot().Seq)
	defer sub.Close()
	ev := <-sub.C // fires about a second after 08:00
	if ev.Type != EventQueueUpdated || ev.Queue.State != StateOpen || ev.Queue.Until == nil || ev.Queue.Until.Hour() != 18 {
		t.Fatalf("event = %+v %+v", ev, ev.Queue)
	}
}

// A failed forward puts the call back saying where to and why: the call.queued
// event carries it, so do later events about the call (a note), the snapshot,
// and its JSON; a requeue later is a new situation and drops it.
func TestForwardFailedCarriesReason(t *testing.T) {
	e, _, _ := newEngine(t)
	sub := e.Subscribe(0)
	defer sub.Close()
	must(t, e.ForwardFailed(Call{ID: "c1", QueueID: "q", ForwardFailed: &ForwardFailure{Target: "0612345678", Reason: "busy"}}))
	ev := <-sub.C
	if ev.Type != EventCallQueued || ev.Reason != ReasonForwardFailed || ev.Call.ForwardFailed == nil ||
		*ev.Call.ForwardFailed != (ForwardFailure{Target: "0612345678", Reason: "busy"}) {
		t.Fatalf("event = %+v (call %+v)", ev, ev.Call)
	}
	js, err := json.Marshal(ev)
	must(t, err)
	if !strings.Contains(string(js), `"forwardFailed":{"target":"0612345678","reason":"busy"}`) {
		t.Errorf("event JSON: %s", js)
	}
	must(t, e.SetNote("c1", "asked for Mr Smith"))
	if ev := <-sub.C; ev.Call.ForwardFailed == nil || ev.Call.ForwardFailed.Reason != "busy" {
		t.Errorf("note event lost the failure: %+v", ev.Call)
	}
	if c := e.Snapshot().Queues[0].Calls[0]; c.ForwardFailed == nil || c.ForwardFailed.Target != "0612345678" {
		t.Errorf("snapshot call = %+v", c)
	}
	if _, err := e.Abandon("c1"); err != nil {
		t.Fatal(err)
	}
	must(t, e.Requeue(Call{ID: "c1", QueueID: "q", ForwardFailed: &ForwardFailure{Target: "x", Reason: "busy"}}, false))
	if c := e.Snapshot().Queues[0].Calls[0]; c.ForwardFailed != nil {
		t.Errorf("requeued call still shows the old failure: %+v", c.ForwardFailed)
	}
	if (Call{}).clone().ForwardFailed != nil {
		t.Error("clone invents a failure")
	}
}

// The service-level goal: defaults, bounds, and consoles see each queue's.
func TestServiceGoalRules(t *testing.T) {
	for _, c := range []struct {
		r    Rules
		want string
	}{
		{Rules{ServiceLevelSeconds: 4}, "serviceLevelSeconds 4"},
		{Rules{ServiceLevelSeconds: 601}, "serviceLevelSeconds 601"},
		{Rules{ServiceLevelTarget: 101}, "serviceLevelTarget 101"},
		{Rules{ServiceLevelTarget: -3}, "serviceLevelTarget -3"},
		{Rules{ServiceLevelSeconds: 5, ServiceLevelTarget: 1}, ""},
		{Rules{ServiceLevelSeconds: 600, ServiceLevelTarget: 100}, ""},
	} {
		err := c.r.Validate(nil)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.r, err, c.want)
		}
	}
	e, _, _ := newEngine(t)
	if q := e.Snapshot().Queues[0]; q.ServiceGoal != (ServiceGoal{20, 80}) {
		t.Errorf("default goal %+v", q.ServiceGoal)
	}
	sub := e.Subscribe(0)
	defer sub.Close()
	must(t, e.SetRules("q", Rules{ServiceLevelSeconds: 30, ServiceLevelTarget: 90}))
	if ev := <-sub.C; ev.Type != EventQueueUpdated || ev.Queue.ServiceGoal != (ServiceGoal{30, 90}) {
		t.Errorf("queue.updated = %+v", ev.Queue)
	}
}
