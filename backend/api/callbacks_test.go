package api

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/auth"
	"github.com/concierge-console/concierge/backend/callbacks"
	"github.com/concierge-console/concierge/backend/callbacks/smtptest"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/nettest"
	"github.com/concierge-console/concierge/backend/store"
)

// callbackRig serves callbacks over a store at path (kept across restarts),
// with the users admin, sup (supervisor), anna and bob (attendants).
type callbackRig struct {
	*rig
	svc *callbacks.Service
}

func startCallbackRig(t *testing.T, path string) *callbackRig {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []rigUser{{"admin", store.RoleAdmin}, {"sup", store.RoleSupervisor}, {"anna", store.RoleAttendant}, {"bob", store.RoleAttendant}} {
		if _, err := st.User(u.name); err == nil {
			continue
		}
		h, _ := auth.HashPassword(u.name + "-password")
		if err := st.PutUser(store.User{Username: u.name, Name: strings.ToUpper(u.name[:1]) + u.name[1:], Role: u.role, PasswordHash: h}); err != nil {
			t.Fatal(err)
		}
	}
	_, sb := newRigBackend(t)
	dir, err := directory.New(st)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := callbacks.NewService(st)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(NewServer(st, sb, WithDirectory(dir), WithCallbacks(svc)).Handler())
	r := &callbackRig{rig: &rig{srv: srv, sb: sb, store: st}, svc: svc}
	t.Cleanup(r.stop)
	return r
}

func (r *callbackRig) stop() {
	r.srv.Close()
	r.store.Close()
}

func TestCallbacksRolesAndBadInput(t *testing.T) {
	r := startCallbackRig(t, filepath.Join(t.TempDir(), "sb.db"))
	ctx := context.Background()
	anna, sup, admin := r.login(t, "anna", ""), r.login(t, "sup", ""), r.login(t, "admin", "")

	for _, path := range []string{"/callbacks", "/admin/mail"} {
		if code, _ := rawDo(t, r.rig, nil, "GET", path, ""); code != http.StatusUnauthorized {
			t.Errorf("GET %s without a token: %d, want 401", path, code)
		}
	}
	for _, c := range []*Client{anna, sup} {
		if _, err := c.MailSettings(ctx); status(err) != http.StatusForbidden {
			t.Errorf("non-admin reads mail settings: %v, want 403", err)
		}
		if _, err := c.SaveMailSettings(ctx, callbacks.MailSettingsUpdate{}); status(err) != http.StatusForbidden {
			t.Errorf("non-admin saves mail settings: %v, want 403", err)
		}
		if _, err := c.TestMail(ctx, "x@example.com"); status(err) != http.StatusForbidden {
			t.Errorf("non-admin tests mail: %v, want 403", err)
		}
	}
	if _, err := admin.MailSettings(ctx); err != nil {
		t.Errorf("admin reads mail settings: %v", err)
	}

	for _, tc := range []struct{ body, want string }{
		{`{"callerNumber":"100"}`, "say who should call back"},
		{`{"forName":"Paul"}`, "caller's number or name"},
		{`{"forName":"Paul","callerNumber":"1","message":"` + strings.Repeat("x", 2001) + `"}`, "longer than 2000"},
		{`{"forName":"Paul","callerNumber":"1","urgent":true}`, "unknown field"},
		{`not json`, "invalid JSON"},
	} {
		code, body := rawDo(t, r.rig, anna, "POST", "/callbacks", tc.body)
		if code != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("POST /callbacks %.40s: %d %s, want 400 saying %q", tc.body, code, body, tc.want)
		}
	}
	for _, action := range []string{"done", "reopen"} {
		if code, _ := rawDo(t, r.rig, anna, "POST", "/callbacks/nope/"+action, ""); code != http.StatusNotFound {
			t.Errorf("%s of an unknown request: %d, want 404", action, code)
		}
	}
	// Every role takes, lists and closes requests.
	for _, c := range []*Client{anna, sup, admin} {
		cb, err := c.CreateCallback(ctx, callbacks.Request{ForName: "Paul Martin", CallerNumber: "+3225550100"})
		if err != nil || cb.Status != callbacks.StatusOpen || cb.Delivery != callbacks.DeliveryNone {
			t.Fatalf("create: %+v, %v", cb, err)
		}
		if d, err := c.CallbackDone(ctx, cb.ID); err != nil || d.Status != callbacks.StatusDone {
			t.Errorf("done: %+v, %v", d, err)
		}
	}
	if list, err := anna.Callbacks(ctx); err != nil || len(list) != 3 {
		t.Errorf("list: %d, %v; want 3", len(list), err)
	}
}

func TestCallbackForAnotherUsersPrivateContactIsNotFound(t *testing.T) {
	r := startCallbackRig(t, filepath.Join(t.TempDir(), "sb.db"))
	ctx := context.Background()
	anna, bob := r.login(t, "anna", ""), r.login(t, "bob", "")
	secret, err := bob.CreateContact(ctx, directory.Contact{DisplayName: "Dr Zoé Secret", Visibility: directory.Private,
		Phones: []directory.Phone{{Type: "work", Number: "+3225559999"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{secret.ID, "no-such-contact"} {
		_, err := anna.CreateCallback(ctx, callbacks.Request{ForID: id, CallerNumber: "100"})
		if status(err) != http.StatusNotFound || strings.Contains(err.Error(), "Zoé") {
			t.Errorf("forId %s: %v, want 404 without the name", id, err)
		}
	}
	if list, _ := anna.Callbacks(ctx); len(list) != 0 {
		t.Errorf("refused requests were stored: %+v", list)
	}
	// Anna's console follows the stream.
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rec := &callbackRecorder{ch: make(chan callbacks.Callback, 16)}
	go anna.Follow(sctx, rec) //nolint:errcheck // ends with sctx
	rec.waitFor(t, "anna's snapshot", func() bool { return len(rec.snaps) > 0 })

	// The owner may: the contact's name and number fill the request, which
	// stays as private as the contact.
	cb, err := bob.CreateCallback(ctx, callbacks.Request{ForID: secret.ID, CallerName: "Mr Smith"})
	if err != nil || cb.ForName != "Dr Zoé Secret" || cb.ForNumber != "+3225559999" || cb.ForID != secret.ID {
		t.Errorf("owner's request: %+v, %v", cb, err)
	}
	shared, err := bob.CreateCallback(ctx, callbacks.Request{ForName: "Reception", CallerName: "Mr Jones"})
	if err != nil {
		t.Fatal(err)
	}
	// In order on the stream: the first anna sees is the shared one.
	if got := rec.next(t); got.ID != shared.ID {
		t.Errorf("anna's stream carried %+v (%s), want only the shared request", got, got.ForName)
	}
	if list, _ := anna.Callbacks(ctx); len(list) != 1 || list[0].ID != shared.ID {
		t.Errorf("anna lists %+v, want only the shared request", list)
	}
	if _, err := anna.CallbackDone(ctx, cb.ID); status(err) != http.StatusNotFound {
		t.Errorf("anna marks bob's private request done: %v, want 404", err)
	}
	for _, c := range []*Client{bob, r.login(t, "admin", "")} {
		if list, _ := c.Callbacks(ctx); len(list) != 2 {
			t.Errorf("owner and administrator see %d requests, want 2", len(list))
		}
	}
}

func TestCallbackSurvivesASwitchboardRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	r := startCallbackRig(t, path)
	ctx := context.Background()
	anna := r.login(t, "anna", "")
	cb, err := anna.CreateCallback(ctx, callbacks.Request{ForName: "Paul Martin", CallerName: "Mrs Dupont", CallerNumber: "+3225550100", Message: "Invoice 4711"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anna.CallbackDone(ctx, cb.ID); err != nil {
		t.Fatal(err)
	}
	r.stop()

	r = startCallbackRig(t, path)
	bob := r.login(t, "bob", "")
	list, err := bob.Callbacks(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("after restart: %+v, %v", list, err)
	}
	got := list[0]
	if got.ID != cb.ID || got.Message != "Invoice 4711" || got.CallerName != "Mrs Dupont" || got.Status != callbacks.StatusDone || got.DoneBy != "anna" || got.DoneByName != "Anna" || got.CreatedByName != "Anna" {
		t.Errorf("after restart: %+v", got)
	}
	re, err := bob.CallbackReopen(ctx, cb.ID)
	if err != nil || re.Status != callbacks.StatusOpen || re.DoneAt != nil || re.DoneBy != "" {
		t.Errorf("reopen: %+v, %v", re, err)
	}
}

// callbackRecorder is a console's stream handler that keeps callback messages.
type callbackRecorder struct {
	streamRecorder
	ch chan callbacks.Callback
}

func (c *callbackRecorder) Callback(cb callbacks.Callback) { c.ch <- cb }

func (c *callbackRecorder) next(t *testing.T) callbacks.Callback {
	t.Helper()
	select {
	case cb := <-c.ch:
		return cb
	case <-time.After(10 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("no callback message on the stream")
		return callbacks.Callback{}
	}
}

func TestCallbackChangesArePushedToEveryConsole(t *testing.T) {
	r := startCallbackRig(t, filepath.Join(t.TempDir(), "sb.db"))
	anna, bob := r.login(t, "anna", ""), r.login(t, "bob", "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &callbackRecorder{ch: make(chan callbacks.Callback, 16)}
	go bob.Follow(ctx, rec) //nolint:errcheck // ends with ctx
	rec.waitFor(t, "bob's snapshot", func() bool { return len(rec.snaps) > 0 })

	cb, err := anna.CreateCallback(ctx, callbacks.Request{ForName: "Paul Martin", CallerNumber: "+3225550100", Message: "call back"})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.next(t); got.ID != cb.ID || got.Status != callbacks.StatusOpen || got.CreatedBy != "anna" || got.Message != "call back" {
		t.Errorf("bob saw %+v at creation", got)
	}
	if _, err := anna.CallbackDone(ctx, cb.ID); err != nil {
		t.Fatal(err)
	}
	if got := rec.next(t); got.ID != cb.ID || got.Status != callbacks.StatusDone || got.DoneBy != "anna" {
		t.Errorf("bob saw %+v after done", got)
	}
	if _, err := anna.CallbackReopen(ctx, cb.ID); err != nil {
		t.Fatal(err)
	}
	if got := rec.next(t); got.ID != cb.ID || got.Status != callbacks.StatusOpen {
		t.Errorf("bob saw %+v after reopen", got)
	}
}

func TestCallbackIsEmailedAndMailSettingsKeepTheirSecret(t *testing.T) {
	srv := smtptest.Start(t, smtptest.None)
	r := startCallbackRig(t, filepath.Join(t.TempDir(), "sb.db"))
	ctx := context.Background()
	admin, anna := r.login(t, "admin", ""), r.login(t, "anna", "")

	code, body := rawDo(t, r.rig, admin, "PUT", "/admin/mail", `{"host":"127.0.0.1","port":`+strconv.Itoa(srv.Port)+`,"from":"concierge@example.com","username":"relay","password":"hunter2-secret","security":"none"}`)
	if code != http.StatusOK || strings.Contains(body, "hunter2") || !strings.Contains(body, `"passwordSet":true`) {
		t.Fatalf("PUT /admin/mail: %d %s", code, body)
	}
	if code, body := rawDo(t, r.rig, admin, "GET", "/admin/mail", ""); code != http.StatusOK || strings.Contains(body, "hunter2") || !strings.Contains(body, `"passwordSet":true`) {
		t.Errorf("GET /admin/mail: %d %s", code, body)
	}
	if code, body := rawDo(t, r.rig, admin, "PUT", "/admin/mail", `{"host":"smtp.example.com","from":"nope","security":"none"}`); code != http.StatusBadRequest || !strings.Contains(body, "sender address") {
		t.Errorf("bad settings: %d %s", code, body)
	}
	// aiosmtpd has no login: drop the username, keeping the password.
	s, err := admin.SaveMailSettings(ctx, callbacks.MailSettingsUpdate{Host: "127.0.0.1", Port: srv.Port, From: "concierge@example.com", Security: "none"})
	if err != nil || !s.PasswordSet || s.Username != "" {
		t.Fatalf("save without password: %+v, %v", s, err)
	}
	if mt, err := admin.TestMail(ctx, "admin@example.com"); err != nil || !mt.OK {
		t.Errorf("test mail: %+v, %v", mt, err)
	}
	if code, body := rawDo(t, r.rig, admin, "POST", "/admin/mail/test", `{"to":"nobody"}`); code != http.StatusBadRequest || !strings.Contains(body, "not an e-mail address") {
		t.Errorf("test mail to a bad address: %d %s", code, body)
	}

	paul, err := admin.CreateContact(ctx, directory.Contact{DisplayName: "Paul Martin", Visibility: directory.Public, Emails: []string{"paul.martin@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := anna.CreateCallback(ctx, callbacks.Request{ForID: paul.ID, CallerName: "Mrs Dupont", CallerNumber: "+3225550100", Message: "About invoice 4711"})
	if err != nil || cb.Delivery != callbacks.DeliverySent || cb.DeliveredTo != "paul.martin@example.com" || cb.ForName != "Paul Martin" {
		t.Fatalf("create: %+v, %v", cb, err)
	}
	msgs := srv.Messages(t)
	if len(msgs) != 2 {
		t.Fatalf("server got %d messages, want the test and the request", len(msgs))
	}
	m := msgs[1]
	if !strings.Contains(m.To, "paul.martin@example.com") || m.Subject != "Please call back Mrs Dupont (+3225550100)" {
		t.Errorf("To %q, Subject %q", m.To, m.Subject)
	}
	for _, want := range []string{"Mrs Dupont", "+3225550100", "About invoice 4711", "Taken by Anna"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
	// A request for someone typed by hand has no address: not e-mailed.
	if cb, _ := anna.CreateCallback(ctx, callbacks.Request{ForName: "Visitor", CallerNumber: "1"}); cb.Delivery != callbacks.DeliveryNone {
		t.Errorf("hand-typed target: delivery %q", cb.Delivery)
	}
}

func TestDeadMailServerFailsTheDeliveryNotTheRequest(t *testing.T) {
	r := startCallbackRig(t, filepath.Join(t.TempDir(), "sb.db"))
	ctx := context.Background()
	admin, anna := r.login(t, "admin", ""), r.login(t, "anna", "")
	host, port, _ := net.SplitHostPort(nettest.RefusedTCPAddr(t))
	p, _ := strconv.Atoi(port)
	if _, err := admin.SaveMailSettings(ctx, callbacks.MailSettingsUpdate{Host: host, Port: p, From: "concierge@example.com", Security: "none"}); err != nil {
		t.Fatal(err)
	}
	paul, _ := admin.CreateContact(ctx, directory.Contact{DisplayName: "Paul Martin", Visibility: directory.Public, Emails: []string{"paul@example.com"}})
	cb, err := anna.CreateCallback(ctx, callbacks.Request{ForID: paul.ID, CallerNumber: "100"})
	if err != nil || cb.Delivery != callbacks.DeliveryFailed || !strings.Contains(cb.DeliveryError, "cannot reach the mail server") {
		t.Fatalf("create with a dead mail server: %+v, %v", cb, err)
	}
	list, _ := anna.Callbacks(ctx)
	if len(list) != 1 || list[0].Status != callbacks.StatusOpen || list[0].Delivery != callbacks.DeliveryFailed {
		t.Errorf("request not kept open as failed: %+v", list)
	}
	if mt, err := admin.TestMail(ctx, "admin@example.com"); err != nil || mt.OK || mt.Error == "" {
		t.Errorf("test mail to a dead server: %+v, %v", mt, err)
	}
}
