package store

import (
	"path/filepath"
	"testing"
)

func TestRecentHistoryReadsABoundedWindow(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, out := range []string{"transferred", "answered", "transferred", "answered", "answered"} {
		if _, err := s.AddHistory(HistoryEntry{CallID: string(rune('a' + i)), Outcome: out}); err != nil {
			t.Fatal(err)
		}
	}
	transferred := func(e HistoryEntry) bool { return e.Outcome == "transferred" }
	got, err := s.RecentHistory(3, transferred) // e, d, c: only c matches
	if err != nil || len(got) != 1 || got[0].CallID != "c" {
		t.Fatalf("last 3: %+v %v", got, err)
	}
	if got, _ := s.RecentHistory(100, transferred); len(got) != 2 || got[0].CallID != "c" || got[1].CallID != "a" {
		t.Fatalf("all: %+v", got)
	}
}
