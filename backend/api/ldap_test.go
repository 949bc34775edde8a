package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/nettest"
)

// ldapRig is the test rig's store and engine behind a server that also
// serves the LDAP settings.
func ldapRig(t *testing.T) (*rig, *directory.LDAPSync) {
	t.Helper()
	r := newRig(t)
	dir, err := directory.New(r.store)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	l := dir.NewLDAPSync(ctx)
	t.Cleanup(func() { l.Configure(directory.LDAPConfig{}) })
	srv := httptest.NewTLSServer(NewServer(r.store, r.sb, WithDirectory(dir), WithLDAPSync(l)).Handler())
	t.Cleanup(srv.Close)
	r.srv = srv
	return r, l
}

func TestLDAPSettingsAreForAdministratorsOnly(t *testing.T) {
	r, _ := ldapRig(t)
	ctx := context.Background()
	anna := r.login(t, "anna", "")
	if _, err := anna.LDAPSettings(ctx); status(err) != http.StatusForbidden {
		t.Errorf("attendant GET: %v, want 403", err)
	}
	if _, err := anna.SaveLDAPSettings(ctx, LDAPSettingsUpdate{URL: "ldap://evil.example"}); status(err) != http.StatusForbidden {
		t.Errorf("attendant PUT: %v, want 403", err)
	}
	if _, err := anna.SyncLDAP(ctx); status(err) != http.StatusForbidden {
		t.Errorf("attendant sync: %v, want 403", err)
	}
	if _, err := r.client().LDAPSettings(ctx); status(err) != http.StatusUnauthorized {
		t.Errorf("anonymous GET: %v, want 401", err)
	}
}

func TestLDAPPasswordIsWriteOnlyAndSettingsPersist(t *testing.T) {
	r, l := ldapRig(t)
	ctx := context.Background()
	admin := r.login(t, "admin", "")
	pw := "s3cret-bind-pw"
	addr := nettest.RefusedTCPAddr(t)
	in := LDAPSettingsUpdate{
		URL: "ldap://" + addr, BindDN: "cn=concierge,dc=example,dc=com", Password: &pw,
		BaseDN: "dc=example,dc=com", Filter: "(objectClass=inetOrgPerson)", Interval: "2h",
		Attributes: directory.Mapping{Custom: map[string]string{"employeeNumber": "badge"}},
	}
	got, err := admin.SaveLDAPSettings(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !got.PasswordSet || got.Interval != "2h0m0s" || got.BaseDN != in.BaseDN || got.Attributes.Custom["employeeNumber"] != "badge" {
		t.Fatalf("saved settings: %+v", got)
	}
	// The answer carries the password in no field.
	for _, path := range []string{"/api/v1/directory/ldap"} {
		req, _ := http.NewRequest("GET", r.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+admin.Token())
		resp, err := r.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), pw) || strings.Contains(string(body), `"password"`) {
			t.Fatalf("GET %s leaks the password: %s", path, body)
		}
	}
	// Saving without a password keeps it; the sync uses it.
	in.Password, in.Interval = nil, "30m"
	if _, err := admin.SaveLDAPSettings(ctx, in); err != nil {
		t.Fatal(err)
	}
	if cfg := l.Config(); cfg.Password != pw || cfg.Interval != 30*time.Minute {
		t.Fatalf("running config after a save without password: interval %v, password kept %v", cfg.Interval, cfg.Password == pw)
	}
	// Persisted in the store: what a restarted switchboard starts with.
	stored, err := LoadLDAPConfig(r.store, directory.LDAPConfig{URL: "ldap://site-file"})
	if err != nil || stored.URL != in.URL || stored.Password != pw || stored.Attributes.Custom["employeeNumber"] != "badge" {
		t.Fatalf("stored: %+v %v", stored.URL, err)
	}
	// The server is down: Sync now says so, and the status keeps the error.
	_, err = admin.SyncLDAP(ctx)
	if status(err) != http.StatusBadGateway {
		t.Fatalf("sync against a closed port: %v, want 502", err)
	}
	st, err := admin.LDAPSettings(ctx)
	if err != nil || st.Status.Error == "" || st.Status.LastSync.IsZero() || !st.Status.Enabled {
		t.Fatalf("status after a failed sync: %+v %v", st.Status, err)
	}
	// An empty password removes it.
	empty := ""
	in.Password = &empty
	if got, err := admin.SaveLDAPSettings(ctx, in); err != nil || got.PasswordSet {
		t.Fatalf("after clearing the password: %+v %v", got, err)
	}
}

func TestLDAPSettingsBadInput(t *testing.T) {
	r, _ := ldapRig(t)
	ctx := context.Background()
	admin := r.login(t, "admin", "")
	for _, in := range []LDAPSettingsUpdate{
		{URL: "http://dc1.example.com", BaseDN: "dc=example"},
		{URL: "ldap://dc1.example.com"},
		{URL: "ldap://dc1.example.com", BaseDN: "dc=example", Interval: "5s"},
		{URL: "ldap://dc1.example.com", BaseDN: "dc=example", Interval: "soon"},
		{URL: "ldap://dc1.example.com", BaseDN: "dc=example", Filter: "objectClass=*"},
		{URL: "ldap://dc1.example.com", BaseDN: strings.Repeat("x", 3000)},
	} {
		if _, err := admin.SaveLDAPSettings(ctx, in); status(err) != http.StatusBadRequest {
			t.Errorf("%+v: %v, want 400", in, err)
		}
	}
	if got, err := admin.LDAPSettings(ctx); err != nil || got.URL != "" {
		t.Fatalf("nothing bad was kept: %+v %v", got, err)
	}
	// No server configured: Sync now is a clear conflict.
	if _, err := admin.SyncLDAP(ctx); status(err) != http.StatusConflict {
		t.Fatalf("sync without a server: %v, want 409", err)
	}
}
