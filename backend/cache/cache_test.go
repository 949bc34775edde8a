package cache

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTripSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	c, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice := Account{Server: "https://sb.example:8443", Username: "alice"}
	bob := Account{Server: alice.Server, Username: "bob"}
	if err := c.Put(alice, KeySettings, map[string]string{"language": "fr"}); err != nil {
		t.Fatal(err)
	}
	if err := c.PutApp("window", map[string]int{"w": 1200}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	c, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got map[string]string
	if ok, err := c.Get(alice, KeySettings, &got); err != nil || !ok || got["language"] != "fr" {
		t.Fatalf("alice's settings after reopen: ok=%v err=%v %v", ok, err, got)
	}
	if ok, err := c.Get(bob, KeySettings, &got); err != nil || ok {
		t.Fatalf("bob has no settings: ok=%v err=%v", ok, err)
	}
	var win map[string]int
	if ok, err := c.GetApp("window", &win); err != nil || !ok || win["w"] != 1200 {
		t.Fatalf("window: ok=%v err=%v %v", ok, err, win)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("cache file mode: %v %v", info.Mode(), err)
	}
}

// TestGarbageFileIsMovedAside writes garbage where the cache lives: Open must
// keep the bytes aside, log it, and hand back a working empty cache.
func TestGarbageFileIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.db")
	garbage := bytes.Repeat([]byte("not a bbolt file "), 4096)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	c, err := Open(path, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("Open on a garbage file: %v", err)
	}
	defer c.Close()
	a := Account{Server: "s", Username: "u"}
	if err := c.Put(a, KeyProfile, "x"); err != nil {
		t.Fatalf("the rebuilt cache does not take writes: %v", err)
	}
	matches, _ := filepath.Glob(path + ".corrupt-*")
	if len(matches) != 1 {
		t.Fatalf("want the garbage moved aside, got %v", matches)
	}
	if kept, _ := os.ReadFile(matches[0]); !bytes.Equal(kept, garbage) {
		t.Fatal("the moved-aside file is not the original bytes")
	}
	if !strings.Contains(logs.String(), "moved aside") {
		t.Fatalf("want a log line, got %q", logs.String())
	}
}

// TestDamagedPagesAreMovedAside corrupts the data pages of a real cache file
// (the meta pages stay valid, so bbolt opens it) and expects the check to catch it.
func TestDamagedPagesAreMovedAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	c, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if err := c.Put(Account{Server: "s", Username: fmt.Sprint("user", i)}, KeySettings, strings.Repeat("x", 500)); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := os.Getpagesize()
	for i := 2 * page; i < len(data); i++ { // keep the two meta pages
		data[i] ^= 0x5a
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = Open(path, nil)
	if err != nil {
		t.Fatalf("Open on damaged pages: %v", err)
	}
	defer c.Close()
	var v string
	if ok, err := c.Get(Account{Server: "s", Username: "user1"}, KeySettings, &v); err != nil || ok {
		t.Fatalf("want an empty rebuilt cache, got ok=%v err=%v", ok, err)
	}
	if m, _ := filepath.Glob(path + ".corrupt-*"); len(m) != 1 {
		t.Fatalf("want the damaged file moved aside, got %v", m)
	}
}

func TestSearchesKeepTheMostRecent(t *testing.T) {
	c, err := Open(filepath.Join(t.TempDir(), "cache.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a := Account{Server: "s", Username: "u"}
	for i := range MaxSearches + 5 {
		if err := c.PutSearch(a, fmt.Sprint("q", i), []int{i}); err != nil {
			t.Fatal(err)
		}
	}
	var got []int
	if ok, _ := c.Search(a, "q0", &got); ok {
		t.Fatal("the oldest search should have been pruned")
	}
	last := fmt.Sprint("q", MaxSearches+4)
	if ok, err := c.Search(a, last, &got); err != nil || !ok || got[0] != MaxSearches+4 {
		t.Fatalf("latest search: ok=%v err=%v %v", ok, err, got)
	}
	if ok, _ := c.Search(a, "q5", &got); !ok {
		t.Fatal("q5 is among the most recent and should be kept")
	}
}
