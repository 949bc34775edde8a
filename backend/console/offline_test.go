package console

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/concierge-console/concierge/backend/cache"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/favorites"
	"github.com/concierge-console/concierge/backend/server"
)

// memSecrets is an in-memory keyring (the real one is TestOSKeyring's).
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memSecrets) Get(k string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pw, ok := s.m[k]
	if !ok {
		return "", ErrNoSecret
	}
	return pw, nil
}

func (s *memSecrets) Set(k, pw string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = pw
	return nil
}

func (s *memSecrets) Delete(k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}

func openCache(t *testing.T, path string) *cache.Cache {
	t.Helper()
	c, err := cache.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCacheKeepsTheConsoleReadableOffline is the attendant's day with a
// remote switchboard that goes away: log in with "remember me", set a
// language and a favorite; the switchboard stops; the console restarts and
// still shows them (and says it is reconnecting); a setting changed offline
// reaches the switchboard once it is back.
func TestCacheKeepsTheConsoleReadableOffline(t *testing.T) {
	ctx := context.Background()
	sbCfg := *embedded(t)
	srv, err := server.Start(ctx, sbCfg)
	if err != nil {
		t.Fatal(err)
	}
	url, pin := srv.URL(), srv.Fingerprint()
	cachePath := filepath.Join(t.TempDir(), "cache.db")
	secrets := &memSecrets{m: map[string]string{}}
	login := LoginRequest{Username: "admin", Password: "console-secret", Server: url, Remember: true}

	// Day one, online.
	store := openCache(t, cachePath)
	c := New(Config{Server: url, Fingerprint: pin, Cache: store, Secrets: secrets}, &recorder{}, nil)
	if _, err := c.Login(ctx, login); err != nil {
		t.Fatal(err)
	}
	if err := c.SaveSettings(ctx, json.RawMessage(`{"language":"nl","panelOrder":["contacts"]}`)); err != nil {
		t.Fatal(err)
	}
	anna, err := c.SaveContact(ctx, directory.Contact{DisplayName: "Anna Jansen", FirstName: "Anna", LastName: "Jansen"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SaveFavorites(ctx, []favorites.Group{{ID: "g1", Name: "Board", ContactIDs: []string{anna.ID}}}); err != nil {
		t.Fatal(err)
	}
	// What the front-end asks for after login is what gets cached.
	if _, err := c.Settings(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Favorites(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := c.SearchContacts(ctx, "jans", 20); err != nil || len(res) != 1 {
		t.Fatalf("search online: %v %v", res, err)
	}
	if _, err := c.History(ctx); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the profile in the cache", func() bool {
		_, ok := c.cachedProfile(cache.Account{Server: url, Username: "admin"})
		return ok
	})
	c.endSession() // the window closes; no logout (that would forget the password)
	c.Close()
	store.Close()

	// The switchboard goes away; the console starts again.
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	store = openCache(t, cachePath)
	defer store.Close()
	rec := &recorder{}
	c = New(Config{Server: url, Fingerprint: pin, Cache: store, Secrets: secrets}, rec, nil)
	defer c.Close()
	if last := c.Config().Last; last == nil || last.Username != "admin" || !last.PasswordSaved {
		t.Fatalf("login window prefill: %+v", last)
	}
	info, err := c.Restore(ctx)
	if err != nil || info == nil || info.Username != "admin" {
		t.Fatalf("restore from the cache: %+v %v", info, err)
	}
	doc, err := c.Settings(ctx)
	if err != nil || !strings.Contains(string(doc), `"nl"`) {
		t.Fatalf("settings offline: %s %v", doc, err)
	}
	favs, err := c.Favorites(ctx)
	if err != nil || len(favs) != 1 || len(favs[0].Contacts) != 1 || favs[0].Contacts[0].DisplayName != "Anna Jansen" {
		t.Fatalf("favorites offline: %+v %v", favs, err)
	}
	if res, err := c.SearchContacts(ctx, "jans", 20); err != nil || len(res) != 1 {
		t.Fatalf("a recent search offline: %v %v", res, err)
	}
	if _, err := c.History(ctx); err != nil {
		t.Fatalf("recent history offline: %v", err)
	}
	if got := c.Connection(); got.State != "reconnecting" || got.Error == "" {
		t.Fatalf("connection offline: %+v", got)
	}
	if err := c.SetAvailable(ctx, true); !errors.Is(err, ErrOffline) {
		t.Fatalf("a command offline: %v", err)
	}
	if err := c.SaveSettings(ctx, json.RawMessage(`{"language":"de"}`)); err != nil {
		t.Fatalf("saving settings offline: %v", err)
	}
	// L4: the Go side's texts (the tray) are told and follow the new language.
	if got := c.Language(); got != "de" || !rec.has(EventSettings) {
		t.Fatalf("after saving offline: language %q, events %v; want de and %s", got, rec.events, EventSettings)
	}

	// The switchboard comes back at the same address with the same data.
	srv, err = server.Start(ctx, server.Config{
		DataDir: sbCfg.DataDir, HTTPAddr: strings.TrimPrefix(url, "https://"), SIPAddr: "127.0.0.1:0",
		AdminPassword: sbCfg.AdminPassword, Site: sbCfg.Site, Logger: sbCfg.Logger,
	})
	if err != nil {
		t.Fatalf("restart the switchboard at %s: %v", url, err)
	}
	defer srv.Close()
	waitUntil(t, "the session to go online", func() bool {
		_, err := c.Snapshot()
		return err == nil && c.Connection().State == "connected"
	})
	waitUntil(t, "the offline setting to reach the switchboard", func() bool {
		doc, err := c.Settings(ctx)
		return err == nil && strings.Contains(string(doc), `"de"`)
	})
	if _, err := c.SaveFavorites(ctx, []favorites.Group{{ID: "g1", Name: "Board"}}); err != nil {
		t.Fatalf("a command once online: %v", err)
	}
}

// TestOfflineLoginNeedsTheRightPassword: with no remembered password, the
// attendant types it; the cache opens only for the password of the last
// successful login, and a wrong one gets the unreachable error.
func TestOfflineLoginNeedsTheRightPassword(t *testing.T) {
	ctx := context.Background()
	srv, err := server.Start(ctx, *embedded(t))
	if err != nil {
		t.Fatal(err)
	}
	url, pin := srv.URL(), srv.Fingerprint()
	store := openCache(t, filepath.Join(t.TempDir(), "cache.db"))
	defer store.Close()
	c := New(Config{Server: url, Fingerprint: pin, Cache: store}, &recorder{}, nil)
	defer c.Close()
	req := LoginRequest{Username: "admin", Password: "console-secret", Server: url, Remember: true}
	if _, err := c.Login(ctx, req); err != nil {
		t.Fatal(err)
	}
	if cfg := c.Config(); cfg.Keyring || cfg.Last == nil || cfg.Last.Username != "admin" || cfg.Last.PasswordSaved {
		t.Fatalf("no keyring: remember the username only, got %+v", cfg)
	}
	if _, err := c.Settings(ctx); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the profile in the cache", func() bool {
		_, ok := c.cachedProfile(cache.Account{Server: url, Username: "admin"})
		return ok
	})
	c.endSession()
	srv.Close()

	if info, err := c.Restore(ctx); info != nil || err != nil {
		t.Fatalf("nothing to restore without a saved password: %+v %v", info, err)
	}
	bad := req
	bad.Password = "guess"
	if _, err := c.Login(ctx, bad); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("wrong password offline: %v", err)
	}
	if _, err := c.Login(ctx, req); err != nil {
		t.Fatalf("right password offline: %v", err)
	}
	if _, err := c.Settings(ctx); err != nil {
		t.Fatalf("settings offline: %v", err)
	}
}

// TestRestoreWithAChangedPassword: the password in the keyring no longer
// works (changed on the switchboard). The session opened from the cache ends
// with "rejected", and the stale password is forgotten.
func TestRestoreWithAChangedPassword(t *testing.T) {
	ctx := context.Background()
	srv, err := server.Start(ctx, *embedded(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url, pin := srv.URL(), srv.Fingerprint()
	store := openCache(t, filepath.Join(t.TempDir(), "cache.db"))
	defer store.Close()
	secrets := &memSecrets{m: map[string]string{}}
	c := New(Config{Server: url, Fingerprint: pin, Cache: store, Secrets: secrets}, &recorder{}, nil)
	if _, err := c.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret", Server: url, Remember: true}); err != nil {
		t.Fatal(err)
	}
	acct := cache.Account{Server: url, Username: "admin"}
	waitUntil(t, "the profile in the cache", func() bool { _, ok := c.cachedProfile(acct); return ok })
	c.endSession()
	c.Close()
	secrets.Set(secretKey(acct), "an old password")

	rec := &recorder{}
	c = New(Config{Server: url, Fingerprint: pin, Cache: store, Secrets: secrets}, rec, nil)
	defer c.Close()
	if info, err := c.Restore(ctx); err != nil || info == nil {
		t.Fatalf("restore: %+v %v", info, err)
	}
	waitUntil(t, "the session to end", func() bool { return rec.has("session:ended") && c.Current() == nil })
	if _, err := secrets.Get(secretKey(acct)); err != ErrNoSecret {
		t.Fatalf("the stale password is still remembered: %v", err)
	}
	if last, _ := c.LastLogin(); last.PasswordSaved || last.Username != "admin" {
		t.Fatalf("last login after a refused restore: %+v", last)
	}
}
