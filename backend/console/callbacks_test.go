package console

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/callbacks"
	"github.com/concierge-console/concierge/backend/callbacks/smtptest"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/server"
)

// callbackEmitter keeps the "callbacks:changed" events a console sends its front-end.
// The first "queue:snapshot" tells the stream is open, listening for changes.
type callbackEmitter struct {
	ch    chan callbacks.Callback
	snaps chan struct{}
}

func (e *callbackEmitter) Emit(name string, data any) {
	switch name {
	case "callbacks:changed":
		e.ch <- data.(callbacks.Callback)
	case "queue:snapshot":
		select {
		case e.snaps <- struct{}{}:
		default:
		}
	}
}

func (e *callbackEmitter) next(t *testing.T) callbacks.Callback {
	t.Helper()
	select {
	case cb := <-e.ch:
		return cb
	case <-time.After(10 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("no callbacks:changed event")
		return callbacks.Callback{}
	}
}

// A callback request taken on one console is e-mailed by the switchboard
// and shows up live on a colleague's console; only an administrator sets
// the mail server.
func TestCallbacksReachEveryConsole(t *testing.T) {
	mail := smtptest.Start(t, smtptest.None)
	ctx := context.Background()
	srv, err := server.Start(ctx, *embedded(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	newConsole := func(emit Emitter) *Console {
		return New(Config{Server: srv.URL(), Fingerprint: srv.Fingerprint(), Cache: openCache(t, filepath.Join(t.TempDir(), "cache.db")),
			Secrets: &memSecrets{m: map[string]string{}}}, emit, nil)
	}
	admin := newConsole(&recorder{})
	defer admin.Close()
	if _, err := admin.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret", Server: srv.URL()}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.SaveUser(ctx, api.UserRequest{Username: "alice", Name: "Alice Dubois", Role: "attendant", Password: "alice-secret"}, true); err != nil {
		t.Fatal(err)
	}
	events := &callbackEmitter{ch: make(chan callbacks.Callback, 16), snaps: make(chan struct{}, 1)}
	alice := newConsole(events)
	defer alice.Close()
	if _, err := alice.Login(ctx, LoginRequest{Username: "alice", Password: "alice-secret", Server: srv.URL()}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.MailSettings(ctx); err == nil || !strings.Contains(err.Error(), "only administrators can set the mail server") {
		t.Errorf("attendant reads mail settings: %v", err)
	}
	if _, err := admin.SaveMailSettings(ctx, callbacks.MailSettingsUpdate{Host: mail.Host, Port: mail.Port, From: "reception@example.com", Security: "none"}); err != nil {
		t.Fatal(err)
	}
	paul, err := admin.SaveContact(ctx, directory.Contact{DisplayName: "Paul Martin", Emails: []string{"paul.martin@example.com"}, Visibility: directory.Public})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateCallback(ctx, callbacks.Request{CallerNumber: "100"}); err == nil || !strings.Contains(err.Error(), "say who should call back") {
		t.Errorf("request without target: %v", err)
	}
	// Alice's console follows the stream from its login; its first snapshot
	// says the switchboard listens for her.
	select {
	case <-events.snaps:
	case <-time.After(10 * time.Second):
		t.Fatal("alice's console never got a snapshot")
	}
	cb, err := admin.CreateCallback(ctx, callbacks.Request{ForID: paul.ID, CallerName: "Mrs Dupont", CallerNumber: "+3225550100", Message: "Invoice 4711"})
	if err != nil || cb.Delivery != callbacks.DeliverySent {
		t.Fatalf("create: %+v, %v", cb, err)
	}
	// Stored, then e-mailed: two changes, the last one sent.
	if got := events.next(t); got.ID != cb.ID {
		t.Errorf("alice saw %+v", got)
	}
	if got := events.next(t); got.ID != cb.ID || got.Delivery != callbacks.DeliverySent {
		t.Errorf("alice saw %+v after delivery", got)
	}
	if m := mail.Messages(t); len(m) != 1 || !strings.Contains(m[0].To, "paul.martin@example.com") || !strings.Contains(m[0].Body, "Invoice 4711") {
		t.Errorf("e-mail: %+v", m)
	}
	done, err := alice.CallbackDone(ctx, cb.ID)
	if err != nil || done.DoneByName != "Alice Dubois" {
		t.Fatalf("done: %+v, %v", done, err)
	}
	if got := events.next(t); got.Status != callbacks.StatusDone {
		t.Errorf("alice saw %+v after done", got)
	}
	list, err := alice.Callbacks(ctx)
	if err != nil || len(list) != 1 || list[0].Status != callbacks.StatusDone {
		t.Errorf("list: %+v, %v", list, err)
	}
}
