package store

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRecordsSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "switchboard.db")
	s := open(t, path)
	if err := s.PutUser(User{Username: "anna", Name: "Anna", Role: RoleAttendant}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSettings("anna", json.RawMessage(`{"language":"fr"}`)); err != nil {
		t.Fatal(err)
	}
	for i, outcome := range []string{"answered", "abandoned", "transferred"} {
		if _, err := s.AddHistory(HistoryEntry{CallID: string(rune('a' + i)), Outcome: outcome, Started: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path)
	defer s.Close()
	u, err := s.User("anna")
	if err != nil || u.Name != "Anna" {
		t.Fatalf("user after reopen: %+v, %v", u, err)
	}
	doc, err := s.Settings("anna")
	if err != nil || string(doc) != `{"language":"fr"}` {
		t.Fatalf("settings after reopen: %s, %v", doc, err)
	}
	h, err := s.History(2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Outcome != "transferred" || h[1].Outcome != "abandoned" {
		t.Fatalf("history newest first, limit 2: %+v", h)
	}
	if _, err := s.User("nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing user: %v", err)
	}
}

func TestSecondOpenFailsClearly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s := open(t, path)
	defer s.Close()
	if _, err := Open(path); err == nil {
		t.Fatal("second Open of a locked database succeeded")
	}
}

func TestPruneSessions(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "s.db"))
	defer s.Close()
	now := time.Now()
	s.PutSession(Session{TokenHash: "old", Username: "a", Expires: now.Add(-time.Minute)})
	s.PutSession(Session{TokenHash: "new", Username: "a", Expires: now.Add(time.Hour)})
	n, err := s.PruneSessions(now)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	if _, err := s.Session("new"); err != nil {
		t.Fatalf("live session pruned: %v", err)
	}
}
