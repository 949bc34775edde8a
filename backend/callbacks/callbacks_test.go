package callbacks_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/callbacks"
	"github.com/concierge-console/concierge/backend/callbacks/smtptest"
	"github.com/concierge-console/concierge/backend/nettest"
	"github.com/concierge-console/concierge/backend/store"
)

var anna = callbacks.User{Username: "anna", Name: "Anna Attendant"}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newService(t *testing.T, opts ...callbacks.Option) (*callbacks.Service, *store.Store) {
	t.Helper()
	st := openStore(t, filepath.Join(t.TempDir(), "sb.db"))
	t.Cleanup(func() { st.Close() })
	svc, err := callbacks.NewService(st, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return svc, st
}

func TestRequestsAreCheckedWithClearErrors(t *testing.T) {
	svc, _ := newService(t)
	for _, tc := range []struct {
		name string
		req  callbacks.Request
		want string
	}{
		{"no target", callbacks.Request{CallerNumber: "+3225550100"}, "say who should call back"},
		{"no caller", callbacks.Request{ForName: "Paul Martin", Message: "urgent"}, "caller's number or name"},
		{"long message", callbacks.Request{ForName: "Paul", CallerNumber: "1", Message: strings.Repeat("é", 2001)}, "longer than 2000"},
		{"line break in name", callbacks.Request{ForName: "Paul\r\nBcc: x@example.com", CallerNumber: "1"}, "forName must be on one line"},
		{"long number", callbacks.Request{ForName: "Paul", CallerNumber: strings.Repeat("1", 65)}, "callerNumber longer than 64"},
	} {
		_, err := svc.Create(context.Background(), anna, tc.req, callbacks.Target{})
		if !errors.Is(err, callbacks.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want ErrInvalid saying %q", tc.name, err, tc.want)
		}
	}
	if list, _ := svc.List(anna); len(list) != 0 {
		t.Errorf("invalid requests were stored: %+v", list)
	}
	// A 2000-character message is fine.
	c, err := svc.Create(context.Background(), anna, callbacks.Request{ForName: " Paul ", CallerName: "Mr Smith", Message: strings.Repeat("é", 2000)}, callbacks.Target{})
	if err != nil || c.ForName != "Paul" || c.Status != callbacks.StatusOpen || c.Delivery != callbacks.DeliveryNone {
		t.Errorf("valid request: %+v, %v", c, err)
	}
}

func TestRequestsSurviveARestartAndAreMarkedDoneOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	st := openStore(t, path)
	svc, _ := callbacks.NewService(st)
	l := svc.Listen()
	defer l.Close()
	c, err := svc.Create(context.Background(), anna, callbacks.Request{ForName: "Paul Martin", ForNumber: "201", CallerName: "Mrs Dupont", CallerNumber: "+3225550100", Message: "About the invoice"}, callbacks.Target{})
	if err != nil {
		t.Fatal(err)
	}
	if got := (<-l.C).Callback; got.ID != c.ID || got.Status != callbacks.StatusOpen {
		t.Errorf("listener got %+v at creation", got)
	}
	bob := callbacks.User{Username: "bob", Name: "Bob"}
	d, err := svc.Done(c.ID, bob)
	if err != nil || d.Status != callbacks.StatusDone || d.DoneBy != "bob" || d.DoneByName != "Bob" || d.DoneAt == nil {
		t.Fatalf("done: %+v, %v", d, err)
	}
	if got := (<-l.C).Callback; got.Status != callbacks.StatusDone {
		t.Errorf("listener got %+v after done", got)
	}
	// A second click (another attendant) changes nothing.
	again, err := svc.Done(c.ID, anna)
	if err != nil || again.DoneBy != "bob" {
		t.Errorf("done again: %+v, %v", again, err)
	}
	if _, err := svc.Done("no-such-id", anna); !errors.Is(err, callbacks.ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
	st.Close()

	st = openStore(t, path)
	defer st.Close()
	svc, _ = callbacks.NewService(st)
	list, err := svc.List(anna)
	if err != nil || len(list) != 1 {
		t.Fatalf("after restart: %+v, %v", list, err)
	}
	got := list[0]
	if got.ID != c.ID || got.CallerName != "Mrs Dupont" || got.Message != "About the invoice" || got.Status != callbacks.StatusDone || got.DoneBy != "bob" || got.CreatedBy != "anna" {
		t.Errorf("after restart: %+v", got)
	}
	r, err := svc.Reopen(c.ID, anna)
	if err != nil || r.Status != callbacks.StatusOpen || r.DoneAt != nil || r.DoneBy != "" {
		t.Errorf("reopen: %+v, %v", r, err)
	}
}

func TestDoneRequestsLeaveTheListAfterAWeek(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	svc, _ := newService(t, callbacks.WithClock(func() time.Time { return now }))
	old, _ := svc.Create(context.Background(), anna, callbacks.Request{ForName: "A", CallerNumber: "1"}, callbacks.Target{})
	open, _ := svc.Create(context.Background(), anna, callbacks.Request{ForName: "B", CallerNumber: "2"}, callbacks.Target{})
	svc.Done(old.ID, anna)
	now = now.Add(callbacks.DoneKept + time.Hour)
	fresh, _ := svc.Create(context.Background(), anna, callbacks.Request{ForName: "C", CallerNumber: "3"}, callbacks.Target{})
	list, _ := svc.List(anna)
	if len(list) != 2 || list[0].ID != fresh.ID || list[1].ID != open.ID {
		t.Errorf("list %+v: want the new one, then the week-old open one; not the one done a week ago", list)
	}
}

func mailSettings(s *smtptest.Server, sec callbacks.Security) callbacks.MailSettingsUpdate {
	return callbacks.MailSettingsUpdate{Host: s.Host, Port: s.Port, From: "Concierge <concierge@example.com>", Security: sec}
}

func TestCallbackIsEmailedToTheTarget(t *testing.T) {
	for _, sec := range []callbacks.Security{callbacks.SecurityNone, callbacks.SecurityStartTLS, callbacks.SecurityTLS} {
		t.Run(string(sec), func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Security(sec))
			svc, _ := newService(t, callbacks.WithTLSConfig(&tls.Config{RootCAs: srv.Roots}))
			if _, err := svc.SaveMailSettings(mailSettings(srv, sec)); err != nil {
				t.Fatal(err)
			}
			c, err := svc.Create(context.Background(), anna, callbacks.Request{ForName: "Paul Martin", CallerName: "Mrs Éloïse Dupont", CallerNumber: "+32 2 555 01 00", Message: "About invoice 4711.\nPlease call before noon."}, callbacks.Target{Email: "paul.martin@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if c.Delivery != callbacks.DeliverySent || c.DeliveredTo != "paul.martin@example.com" || c.DeliveryError != "" {
				t.Fatalf("delivery: %+v", c)
			}
			msgs := srv.Messages(t)
			if len(msgs) != 1 {
				t.Fatalf("server received %d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if !strings.Contains(m.To, "paul.martin@example.com") || !strings.Contains(m.From, "concierge@example.com") {
				t.Errorf("To %q, From %q", m.To, m.From)
			}
			if m.Subject != "Please call back Mrs Éloïse Dupont (+32 2 555 01 00)" {
				t.Errorf("subject %q", m.Subject)
			}
			for _, want := range []string{"Mrs Éloïse Dupont", "+32 2 555 01 00", "About invoice 4711.\nPlease call before noon.", "Taken by Anna Attendant", "for Paul Martin"} {
				if !strings.Contains(m.Body, want) {
					t.Errorf("body lacks %q:\n%s", want, m.Body)
				}
			}
		})
	}
}

func TestDeadMailServerMarksTheRequestFailedAndKeepsIt(t *testing.T) {
	svc, _ := newService(t)
	host, port, _ := net.SplitHostPort(nettest.RefusedTCPAddr(t))
	p, _ := strconv.Atoi(port)
	if _, err := svc.SaveMailSettings(callbacks.MailSettingsUpdate{Host: host, Port: p, From: "concierge@example.com", Security: callbacks.SecurityNone}); err != nil {
		t.Fatal(err)
	}
	c, err := svc.Create(context.Background(), anna, callbacks.Request{ForName: "Paul", CallerNumber: "100"}, callbacks.Target{Email: "paul@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	// Read by attendants on the request: the address and the gist, not Go's dial chain.
	if want := "cannot reach the mail server " + host + ":" + port + ": connection refused"; c.Delivery != callbacks.DeliveryFailed || c.DeliveryError != want || c.Status != callbacks.StatusOpen {
		t.Errorf("dead server: %+v", c)
	}
	list, _ := svc.List(anna)
	if len(list) != 1 || list[0].Delivery != callbacks.DeliveryFailed {
		t.Errorf("request not kept as failed: %+v", list)
	}
	mt, err := svc.TestMail(context.Background(), "admin@example.com")
	if err != nil || mt.OK || !strings.Contains(mt.Error, "cannot reach the mail server") {
		t.Errorf("test mail to a dead server: %+v, %v", mt, err)
	}
}

func TestMailSettingsKeepTheirSecretAndAreChecked(t *testing.T) {
	srv := smtptest.Start(t, smtptest.None)
	svc, st := newService(t)
	if s := svc.MailSettings(); s.Host != "" || s.Security != callbacks.SecurityStartTLS {
		t.Errorf("defaults: %+v", s)
	}
	up := mailSettings(srv, callbacks.SecurityNone)
	up.Username, up.Password = "relay", "s3cret"
	s, err := svc.SaveMailSettings(up)
	if err != nil || !s.PasswordSet || s.Username != "relay" {
		t.Fatalf("save: %+v, %v", s, err)
	}
	up.Password = "" // keep it
	if s, _ = svc.SaveMailSettings(up); !s.PasswordSet {
		t.Errorf("an empty password dropped the stored one")
	}
	// Settings survive a new service over the same store.
	svc2, err := callbacks.NewService(st)
	if err != nil || !svc2.MailSettings().PasswordSet || svc2.MailSettings().Port != srv.Port {
		t.Errorf("reloaded: %+v, %v", svc2.MailSettings(), err)
	}
	// aiosmtpd offers no login: the test says so rather than sending unauthenticated.
	mt, _ := svc.TestMail(context.Background(), "admin@example.com")
	if mt.OK || !strings.Contains(mt.Error, "does not accept a login") {
		t.Errorf("test with a username on a server without AUTH: %+v", mt)
	}
	up.Username = ""
	svc.SaveMailSettings(up)
	if mt, err := svc.TestMail(context.Background(), "admin@example.com"); err != nil || !mt.OK {
		t.Errorf("test mail: %+v, %v", mt, err)
	}
	if msgs := srv.Messages(t); len(msgs) != 1 || msgs[0].Subject != "Concierge test e-mail" || !strings.Contains(msgs[0].To, "admin@example.com") {
		t.Errorf("test mail received: %+v", msgs)
	}
	if _, err := svc.TestMail(context.Background(), "not an address"); !errors.Is(err, callbacks.ErrInvalidMail) {
		t.Errorf("bad test address: %v", err)
	}
	for _, bad := range []callbacks.MailSettingsUpdate{
		{Host: "smtp.example.com", From: "x@example.com", Security: "ssl"},
		{Host: "smtp.example.com:587", From: "x@example.com"},
		{Host: "smtp.example.com", From: "not-an-address"},
		{Host: "smtp.example.com"},
		{Host: "smtp.example.com", Port: 70000, From: "x@example.com"},
	} {
		if _, err := svc.SaveMailSettings(bad); !errors.Is(err, callbacks.ErrInvalidMail) {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	if s, _ := svc.SaveMailSettings(callbacks.MailSettingsUpdate{Host: "smtp.example.com", From: "x@example.com", Security: "tls"}); s.Port != 465 {
		t.Errorf("tls default port %d, want 465", s.Port)
	}
}

func TestRequestsAboutAPrivateContactStayWithItsOwner(t *testing.T) {
	svc, _ := newService(t)
	bob := callbacks.User{Username: "bob", Name: "Bob"}
	admin := callbacks.User{Username: "admin", Name: "Admin", Admin: true}
	l := svc.Listen()
	defer l.Close()
	c, err := svc.Create(context.Background(), bob, callbacks.Request{ForID: "c1", ForName: "Dr Zoé Secret", CallerNumber: "100"}, callbacks.Target{PrivateTo: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if ch := <-l.C; ch.VisibleTo(anna) || !ch.VisibleTo(bob) || !ch.VisibleTo(admin) {
		t.Errorf("change visible to anna %v, bob %v, admin %v; want false, true, true", ch.VisibleTo(anna), ch.VisibleTo(bob), ch.VisibleTo(admin))
	}
	for _, u := range []callbacks.User{bob, admin} {
		if list, _ := svc.List(u); len(list) != 1 {
			t.Errorf("%s sees %d requests, want 1", u.Username, len(list))
		}
	}
	if list, _ := svc.List(anna); len(list) != 0 {
		t.Errorf("anna sees bob's private request: %+v", list)
	}
	if _, err := svc.Done(c.ID, anna); !errors.Is(err, callbacks.ErrNotFound) {
		t.Errorf("anna marks bob's private request done: %v, want ErrNotFound", err)
	}
	if d, err := svc.Done(c.ID, bob); err != nil || d.Status != callbacks.StatusDone {
		t.Errorf("bob marks it done: %+v, %v", d, err)
	}
}
