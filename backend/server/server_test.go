package server

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/store"
)

func start(t *testing.T, dir, password string) *Server {
	t.Helper()
	s, err := Start(context.Background(), Config{DataDir: dir, HTTPAddr: "127.0.0.1:0", SIPAddr: "127.0.0.1:0", AdminPassword: password, Site: DefaultSite()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signIn opens an API client on s, signed in as username.
func signIn(ctx context.Context, t *testing.T, s *Server, username, password string) *api.Client {
	t.Helper()
	c := api.NewClient(s.URL(), api.HTTPClient(s.Fingerprint()))
	if _, err := c.Login(ctx, api.LoginRequest{Username: username, Password: password}); err != nil {
		t.Fatal(err)
	}
	return c
}

func login(t *testing.T, s *Server, password string) error {
	t.Helper()
	c := api.NewClient(s.URL(), api.HTTPClient(s.Fingerprint()))
	_, err := c.Login(context.Background(), api.LoginRequest{Username: "admin", Password: password})
	return err
}

func TestFreshDataDirGetsAnAdmin(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, "")
	data, err := os.ReadFile(filepath.Join(dir, "initial-admin-password"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "initial-admin-password")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("password file mode %v, want 0600", fi.Mode().Perm())
	}
	password := strings.TrimSpace(string(data))
	if err := login(t, s, password); err != nil {
		t.Fatalf("login with the generated password: %v", err)
	}
	fp := s.Fingerprint()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// After a restart: same users, same certificate (pinned consoles keep working),
	// and the env password does not overwrite an existing admin.
	s = start(t, dir, "another-password")
	defer s.Close()
	if s.Fingerprint() != fp {
		t.Fatal("TLS certificate changed across a restart")
	}
	if err := login(t, s, password); err != nil {
		t.Fatalf("login after restart: %v", err)
	}
	if err := login(t, s, "another-password"); err == nil {
		t.Fatal("a restart with CONCIERGE_ADMIN_PASSWORD replaced the existing admin password")
	}
}

func TestEnvPasswordOnFreshDir(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, "from-the-env")
	defer s.Close()
	if err := login(t, s, "from-the-env"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "initial-admin-password")); !os.IsNotExist(err) {
		t.Fatal("a given password was written to disk")
	}
}

func TestSecondSwitchboardOnTheSameDataDirFailsClearly(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, "x-password")
	defer s.Close()
	_, err := Start(context.Background(), Config{DataDir: dir, HTTPAddr: "127.0.0.1:0", SIPAddr: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "switchboard.db") {
		t.Fatalf("second start: %v", err)
	}
}

func TestLoadSite(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	site, err := LoadSite(write("ok.json", `{"queues":[{"id":"sales","name":"Sales","numbers":["200"]}],"offerTimeout":"15s"}`))
	if err != nil || len(site.Queues) != 1 || site.Queues[0].Numbers[0] != "200" || site.Realm != "concierge" {
		t.Fatalf("site: %+v %v", site, err)
	}
	site, err = LoadSite(write("ldap.json", `{"queues":[{"id":"r","default":true}],"ldap":{"url":"ldaps://dc1.example.com","baseDn":"dc=example,dc=com","interval":"2h"}}`))
	if err != nil || site.LDAP == nil || site.LDAP.Config().Interval != 2*time.Hour || site.LDAP.Config().BaseDN != "dc=example,dc=com" {
		t.Fatalf("ldap site: %+v %v", site.LDAP, err)
	}
	for name, body := range map[string]string{
		"syntax.json":  `{"queues":[`,
		"unknown.json": `{"queues":[{"id":"a"}],"qeues":[]}`,
		"empty.json":   `{"realm":"x"}`,
		"dur.json":     `{"queues":[{"id":"a"}],"offerTimeout":"soon"}`,
	} {
		if _, err := LoadSite(write(name, body)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
	if _, err := LoadSite(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestCommandErrorsAreClassified(t *testing.T) {
	s := start(t, t.TempDir(), "classify-pw")
	defer s.Close()
	c := api.NewClient(s.URL(), api.HTTPClient(s.Fingerprint()))
	ctx := context.Background()
	if _, err := c.Login(ctx, api.LoginRequest{Username: "admin", Password: "classify-pw", Extension: "201"}); err != nil {
		t.Fatal(err)
	}
	var se *api.StatusError
	if err := c.CallAction(ctx, "no-such-call", "pickup"); !errors.As(err, &se) || se.Status != 404 {
		t.Fatalf("pickup of an unknown call: %v, want 404", err)
	}
	if err := c.SetNote(ctx, "no-such-call", "x"); !errors.As(err, &se) || se.Status != 404 {
		t.Fatalf("note on an unknown call: %v, want 404", err)
	}
}

// Q3/Q7 end to end: a SIPp caller whose number is in the public directory
// (in another format) is queued under the directory name, as a VIP.
func TestCallerNamedFromTheDirectory(t *testing.T) {
	s := start(t, t.TempDir(), "lookup-pw")
	defer s.Close()
	ctx := context.Background()
	c := signIn(ctx, t, s, "admin", "lookup-pw")
	if _, err := c.CreateContact(ctx, directory.Contact{
		DisplayName: "Camille Dubois", VIP: true, Visibility: directory.Public,
		Phones: []directory.Phone{{Type: directory.PhoneMobile, Number: "+33 6 12 34 56 78"}},
	}); err != nil {
		t.Fatal(err)
	}
	out := placeCall(t, s, "0612345678", 3000)
	deadline := time.Now().Add(10 * time.Second)
	for {
		qs, err := c.Queues(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(qs[0].Calls) == 1 {
			call := qs[0].Calls[0]
			if call.CallerName != "Camille Dubois" || !call.VIP || call.CallerNumber != "0612345678" {
				t.Fatalf("queued call %+v: want the directory name, VIP", call)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no call queued; sipp said:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// placeCall runs a SIPp caller (test/sipp/caller.xml) into s for durationMs
// and returns its output, filled as it runs.
func placeCall(t *testing.T, s *Server, caller string, durationMs int) *strings.Builder {
	t.Helper()
	sipp, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp not installed")
	}
	scenario, _ := filepath.Abs("../../test/sipp/caller.xml")
	cmd := exec.Command(sipp, s.SIPAddr(), "-sf", scenario, "-s", "reception", "-i", "127.0.0.1", "-p", "0",
		"-mi", "127.0.0.1", "-m", "1", "-d", strconv.Itoa(durationMs), "-key", "caller", caller, "-key", "rtpport", "9",
		"-key", "pcap", "/usr/share/sip-tester/g711a.pcap", "-nostdin")
	cmd.Dir = t.TempDir()
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return out
}

// W13 + N2: a note written while the caller waits is in the call history
// after the caller hung up, and the history survives a restart.
func TestNoteIsKeptInHistory(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, "note-pw")
	ctx := context.Background()
	c := signIn(ctx, t, s, "admin", "note-pw")
	out := placeCall(t, s, "0698765432", 2500)
	deadline := time.Now().Add(10 * time.Second)
	for {
		qs, _ := c.Queues(ctx)
		if len(qs) == 1 && len(qs[0].Calls) == 1 {
			if err := c.SetNote(ctx, qs[0].Calls[0].ID, "rappeler avant midi"); err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no call queued; sipp said:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	find := func() *store.HistoryEntry {
		var all []store.HistoryEntry
		entries, err := s.Store().History(50, nil)
		if err != nil {
			t.Fatal(err)
		}
		all = entries
		for i := range all {
			if all[i].CallerNumber == "0698765432" {
				return &all[i]
			}
		}
		return nil
	}
	for find() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("no history entry; sipp said:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if e := find(); e.Outcome != "abandoned" || e.Note != "rappeler avant midi" {
		t.Fatalf("history entry %+v: want abandoned with the note", e)
	}
	s.Close()
	s = start(t, dir, "")
	defer s.Close()
	if e := find(); e == nil || e.Note != "rappeler avant midi" {
		t.Fatalf("after restart: %+v", e)
	}
}
