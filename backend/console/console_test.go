package console

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/nettest"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/server"
)

type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) Emit(name string, _ any) {
	r.mu.Lock()
	r.events = append(r.events, name)
	r.mu.Unlock()
}

func (r *recorder) has(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e == name {
			return true
		}
	}
	return false
}

func embedded(t *testing.T) *server.Config {
	return &server.Config{
		DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", SIPAddr: "127.0.0.1:0",
		AdminPassword: "console-secret", Site: server.DefaultSite(), Logger: slog.Default(),
	}
}

func TestEmbeddedLoginMirrorsTheSwitchboard(t *testing.T) {
	rec := &recorder{}
	c := New(Config{Embedded: *embedded(t)}, rec, nil)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Config().Embedded {
		t.Fatal("no server configured, yet not embedded")
	}
	ctx := context.Background()
	if _, err := c.Login(ctx, LoginRequest{Username: "admin", Password: "nope"}); err == nil || err.Error() != "invalid username or password" {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := c.Snapshot(); err != ErrNotLoggedIn {
		t.Fatalf("snapshot before login: %v", err)
	}
	info, err := c.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret", Extension: "201"})
	if err != nil || !info.Telephony || info.Role != "admin" {
		t.Fatalf("login: %+v %v", info, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !rec.has("queue:snapshot") || !rec.has("connection:state") {
		if time.Now().After(deadline) {
			t.Fatalf("events so far: %v", rec.events)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The attendant's own login comes back through the stream into the mirror.
	for {
		s, _ := c.Snapshot()
		if len(s.Queues) == 1 && s.Queues[0].ID == "reception" && len(s.Attendants) == 1 && s.Attendants[0].Extension == "201" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("mirror: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Current() != nil {
		t.Fatal("still logged in after logout")
	}
}

func TestRemoteErrorsAreClear(t *testing.T) {
	dead := nettest.RefusedTCPAddr(t) // nobody listens there
	c := New(Config{Server: dead}, &recorder{}, nil)
	_, err := c.Login(context.Background(), LoginRequest{Username: "a", Password: "b"})
	if err == nil || !strings.Contains(err.Error(), "switchboard unreachable") {
		t.Fatalf("dead switchboard: %v", err)
	}
	if _, err := New(Config{Server: "http://" + dead}, &recorder{}, nil).Login(context.Background(), LoginRequest{Username: "a", Password: "b"}); err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("plain http: %v", err)
	}

	// A live switchboard whose certificate is not the pinned one.
	srv, err := server.Start(context.Background(), *embedded(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c = New(Config{Server: srv.URL(), Fingerprint: strings.Repeat("ab", 32)}, &recorder{}, nil)
	_, err = c.Login(context.Background(), LoginRequest{Username: "admin", Password: "console-secret"})
	if err == nil || !strings.Contains(err.Error(), "TLS certificate") {
		t.Fatalf("wrong pin: %v", err)
	}
	c = New(Config{Server: srv.URL(), Fingerprint: srv.Fingerprint()}, &recorder{}, nil)
	if _, err := c.Login(context.Background(), LoginRequest{Username: "admin", Password: "console-secret"}); err != nil {
		t.Fatalf("right pin: %v", err)
	}
	c.Close()
}

func TestMirrorAppliesEvents(t *testing.T) {
	m := NewMirror()
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	m.Reset(queue.Snapshot{Seq: 5, Queues: []queue.Queue{{ID: "r", Calls: []queue.Call{{ID: "a", QueueID: "r", EnteredAt: t0}}}}})
	m.Apply(queue.Event{Seq: 6, Type: queue.EventCallQueued, Call: &queue.Call{ID: "b", QueueID: "r", EnteredAt: t0.Add(time.Minute), VIP: true}})
	m.Apply(queue.Event{Seq: 7, Type: queue.EventCallQueued, Call: &queue.Call{ID: "c", QueueID: "r", EnteredAt: t0.Add(-time.Minute)}})
	m.Apply(queue.Event{Seq: 8, Type: queue.EventCallTaken, Call: &queue.Call{ID: "a", QueueID: "r"},
		Attendant: &queue.Attendant{Username: "anna", OnCall: true}})
	m.Apply(queue.Event{Seq: 9, Type: queue.EventQueueUpdated, Queue: &queue.QueueConfig{ID: "s", Name: "Sales"}})
	s := m.Snapshot()
	var ids []string
	for _, c := range s.Queues[0].Calls {
		ids = append(ids, c.ID)
	}
	if a, ok := m.Attendant("anna"); !ok || !a.OnCall {
		t.Fatalf("the attendant who took the call is not on a call: %+v", a)
	}
	if s.Seq != 9 || strings.Join(ids, ",") != "b,c" || len(s.Queues) != 2 {
		t.Fatalf("seq %d calls %v queues %d: want 9, VIP first then oldest, 2 queues", s.Seq, ids, len(s.Queues))
	}
}
