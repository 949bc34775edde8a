package presence

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// A calendar report says away until the meeting ends, loses to a call in
// progress, and is gone (listeners told) once the meeting is over.
func TestCalendarReportUntil(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 8, 9, 30, 0, 0, time.UTC)
	h := New(WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now }))
	l := h.Listen()
	defer l.Close()
	end := now.Add(30 * time.Minute)
	h.Update(Update{Source: "calendar", Key: "201", State: Away, Message: "Budget review", Until: end, Activity: ActivityMeeting})
	if p := h.Contact([]string{"201", "+33 1 23 45 67 89"}, ""); p.State != Away || p.Source != "calendar" || p.Message != "Budget review" ||
		!p.Until.Equal(end) || p.Activity != ActivityMeeting {
		t.Fatalf("in a meeting: %+v", p)
	}
	// The same appointment turned out of office: only the activity changes, and that is news.
	l.Changed()
	h.Update(Update{Source: "calendar", Key: "201", State: Away, Message: "Budget review", Until: end, Activity: ActivityOOF})
	if !slices.Contains(l.Changed(), "201") {
		t.Fatal("the change of activity was not announced")
	}
	if p := h.Get("201"); p.Activity != ActivityOOF {
		t.Fatalf("out of office: %+v", p)
	}
	h.Update(Update{Source: "blf", Key: "201", State: Busy, TTL: time.Hour})
	if p := h.Get("201"); p.State != Busy || p.Source != "blf" || p.Activity != "" {
		t.Fatalf("on the phone during the meeting: %+v", p)
	}
	h.Update(Update{Source: "blf", Key: "201", State: Available, TTL: time.Hour})
	if p := h.Get("201"); p.State != Away || p.Source != "calendar" {
		t.Fatalf("hung up, still in the meeting: %+v", p)
	}
	l.Changed()
	mu.Lock()
	now = end
	mu.Unlock()
	if p := h.Get("201"); p.State != Available || p.Source != "blf" || !p.Until.IsZero() {
		t.Fatalf("meeting over: %+v", p)
	}
	h.Sweep()
	if !slices.Contains(l.Changed(), "201") {
		t.Fatal("the end of the meeting was not announced")
	}
	if _, ok := h.keys["201"]["calendar"]; ok {
		t.Fatal("the ended report is still held")
	}
}

func TestCalendarWantedPeople(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	h := New(WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now }))
	h.WantPeople(Person{ID: "Anna@Example.com", Keys: []string{"201"}}, Person{ID: "nokeys@example.com"})
	select {
	case <-h.PeopleC():
	default:
		t.Fatal("a new person was not signalled")
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	h.WantPeople(Person{ID: "bob@example.com", Keys: []string{"202"}})
	got := h.WantedPeople(time.Hour)
	if len(got) != 2 || got[0].ID != "bob@example.com" || got[1].ID != "anna@example.com" || got[1].Keys[0] != "201" {
		t.Fatalf("wanted: %+v", got)
	}
	if got := h.WantedPeople(30 * time.Second); len(got) != 1 || got[0].ID != "bob@example.com" {
		t.Fatalf("recently wanted: %+v", got)
	}
}
