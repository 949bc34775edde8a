package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/auth"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

// engineSB puts the real queue engine behind the API without SIP: offers
// are "answered" only when the test says so. The SIP switchboard is tested
// end to end elsewhere; here the subject is the HTTP contract.
type engineSB struct {
	*queue.Engine
	mu     sync.Mutex
	offers []string // "callID→user"
}

func (e *engineSB) Offer(c queue.Call, to queue.Attendant, pickup bool) {
	e.mu.Lock()
	e.offers = append(e.offers, c.ID+"→"+to.Username)
	e.mu.Unlock()
}
func (e *engineSB) CancelOffer(callID, username string) {}
func (e *engineSB) AttendantOnline(_ context.Context, a queue.Attendant) error {
	e.Engine.Login(a)
	return nil
}
func (e *engineSB) AttendantOffline(_ context.Context, u string) { e.Engine.Logout(u) }
func (e *engineSB) SetAvailable(_ context.Context, u string, on bool) error {
	return e.Engine.SetAvailable(u, on)
}
func (e *engineSB) Answer(_ context.Context, u, id string) error {
	_, err := e.Engine.Answered(id, u)
	return err
}
func (e *engineSB) Reject(_ context.Context, u, id string) error { return e.Engine.Reject(id, u) }
func (e *engineSB) Pickup(_ context.Context, u, id string) error {
	_, err := e.Engine.Pickup(id, u)
	return err
}
func (e *engineSB) Reserve(_ context.Context, u, id string) error { return e.Engine.Reserve(id, u) }

// Call control on bridged calls needs SIP; it is tested in backend/server.
func (e *engineSB) Hold(context.Context, string, string) error   { return queue.ErrNotFound }
func (e *engineSB) Resume(context.Context, string, string) error { return queue.ErrNotFound }
func (e *engineSB) Hangup(context.Context, string, string) error { return queue.ErrNotFound }
func (e *engineSB) Transfer(context.Context, string, string, string, bool) error {
	return queue.ErrNotFound
}
func (e *engineSB) SetNote(_ context.Context, _, id, note string) error {
	return e.Engine.SetNote(id, note)
}

type rig struct {
	srv   *httptest.Server
	sb    *engineSB
	store *store.Store
}

// rigUser is a user a rig's store starts with; the password is name + "-password".
type rigUser struct {
	name string
	role store.Role
}

// newRigBackend opens a fresh store holding users, and a queue engine with the
// reception queue: what every rig's server is built on.
func newRigBackend(t *testing.T, users ...rigUser) (*store.Store, *engineSB) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, u := range users {
		h, _ := auth.HashPassword(u.name + "-password")
		if err := st.PutUser(store.User{Username: u.name, Name: strings.ToUpper(u.name[:1]) + u.name[1:], Role: u.role, PasswordHash: h}); err != nil {
			t.Fatal(err)
		}
	}
	sb := &engineSB{}
	sb.Engine = queue.New(sb)
	t.Cleanup(sb.Engine.Close)
	sb.AddQueue(queue.QueueConfig{ID: "reception", Name: "Reception"})
	return st, sb
}

func newRig(t *testing.T) *rig {
	t.Helper()
	st, sb := newRigBackend(t, rigUser{"admin", store.RoleAdmin}, rigUser{"anna", store.RoleAttendant}, rigUser{"bob", store.RoleAttendant})
	dir, err := directory.New(st)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(NewServer(st, sb, WithOfflineGrace(50*time.Millisecond), WithDirectory(dir)).Handler())
	t.Cleanup(srv.Close)
	return &rig{srv: srv, sb: sb, store: st}
}

func (r *rig) client() *Client { return NewClient(r.srv.URL, r.srv.Client()) }

func (r *rig) login(t *testing.T, user, ext string) *Client {
	t.Helper()
	c := r.client()
	if _, err := c.Login(context.Background(), LoginRequest{Username: user, Password: user + "-password", Extension: ext}); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c
}

func status(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

func TestHealthNeedsNoAuth(t *testing.T) {
	r := newRig(t)
	h, err := r.client().Health(context.Background())
	if err != nil || h.Status != "ok" {
		t.Fatalf("health: %+v %v", h, err)
	}
}

func TestLoginErrorsAreClear(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	_, err := r.client().Login(ctx, LoginRequest{Username: "anna", Password: "wrong"})
	if status(err) != http.StatusUnauthorized || !strings.Contains(err.Error(), "invalid username or password") {
		t.Fatalf("wrong password: %v", err)
	}
	_, err = r.client().Login(ctx, LoginRequest{Username: "ghost", Password: "x"})
	if status(err) != http.StatusUnauthorized {
		t.Fatalf("unknown user: %v", err)
	}
	// Malformed JSON and unknown fields are 400 with a message.
	for _, body := range []string{`{`, `{"username":"anna","password":"x","evil":1}`, `[]`} {
		resp, err := r.srv.Client().Post(r.srv.URL+"/api/v1/session", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var e Error
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || e.Error == "" {
			t.Errorf("body %q: status %d error %q", body, resp.StatusCode, e.Error)
		}
	}
}

func TestEveryEndpointNeedsAToken(t *testing.T) {
	r := newRig(t)
	for _, ep := range []struct{ method, path string }{
		{"GET", "/queues"}, {"GET", "/attendants"}, {"GET", "/session"}, {"POST", "/calls/x/pickup"},
		{"PUT", "/calls/x/note"}, {"PUT", "/me/availability"}, {"GET", "/me/settings"}, {"GET", "/history"},
		{"GET", "/users"}, {"POST", "/users"}, {"GET", "/events"},
	} {
		for _, token := range []string{"", "not-a-token"} {
			req, _ := http.NewRequest(ep.method, r.srv.URL+"/api/v1"+ep.path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := r.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s with token %q: %d, want 401", ep.method, ep.path, token, resp.StatusCode)
			}
		}
	}
}

func TestRolesAreEnforced(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	anna := r.login(t, "anna", "201")
	if _, err := anna.CreateUser(ctx, UserRequest{Username: "eve", Role: store.RoleAdmin, Password: "longenough"}); status(err) != http.StatusForbidden {
		t.Fatalf("attendant creating a user: %v, want 403", err)
	}
	if _, err := anna.Users(ctx); status(err) != http.StatusForbidden {
		t.Fatalf("attendant listing users: %v, want 403", err)
	}
	admin := r.login(t, "admin", "")
	if _, err := admin.CreateUser(ctx, UserRequest{Username: "carl", Role: store.RoleAttendant, Password: "short"}); status(err) != http.StatusBadRequest {
		t.Fatalf("weak password: %v, want 400", err)
	}
	u, err := admin.CreateUser(ctx, UserRequest{Username: "carl", Name: "Carl", Role: store.RoleAttendant, Password: "carl-password"})
	if err != nil || u.Username != "carl" {
		t.Fatalf("create: %+v %v", u, err)
	}
	stored, _ := r.store.User("carl")
	if !strings.HasPrefix(stored.PasswordHash, "$argon2id$") || strings.Contains(stored.PasswordHash, "carl-password") {
		t.Fatalf("password stored as %q", stored.PasswordHash)
	}
	r.login(t, "carl", "203")
	// An admin without an extension has no call control (L2).
	if err := admin.CallAction(ctx, "x", "pickup"); status(err) != http.StatusForbidden {
		t.Fatalf("pickup without extension: %v, want 403", err)
	}
}

// streamRecorder collects what Follow delivers.
type streamRecorder struct {
	mu     sync.Mutex
	snaps  []queue.Snapshot
	events []queue.Event
	states []string
}

func (s *streamRecorder) Snapshot(x queue.Snapshot) {
	s.mu.Lock()
	s.snaps = append(s.snaps, x)
	s.mu.Unlock()
}
func (s *streamRecorder) Event(e queue.Event) {
	s.mu.Lock()
	s.events = append(s.events, e)
	s.mu.Unlock()
}
func (s *streamRecorder) Connection(st string, _ error) {
	s.mu.Lock()
	s.states = append(s.states, st)
	s.mu.Unlock()
}

func (s *streamRecorder) waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		done := ok()
		s.mu.Unlock()
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestEventStreamAndExactlyOncePickup(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	anna, bob := r.login(t, "anna", "201"), r.login(t, "bob", "202")
	var ra, rb streamRecorder
	go anna.Follow(ctx, &ra)
	go bob.Follow(ctx, &rb)
	// Opening the stream brings the attendant online.
	ra.waitFor(t, "both attendants online", func() bool {
		n := 0
		for _, e := range ra.events {
			if e.Type == queue.EventAttendantUpdated {
				n++
			}
		}
		return len(ra.snaps) == 1 && n+len(ra.snaps[0].Attendants) >= 2
	})
	// Both are busy, so the call waits rather than being offered.
	if err := anna.SetAvailable(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := bob.SetAvailable(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := r.sb.Enqueue(queue.Call{ID: "c1", QueueID: "reception", CallerNumber: "+33142000000", CallerName: "Dupont"}); err != nil {
		t.Fatal(err)
	}
	rb.waitFor(t, "call.queued at bob", func() bool {
		for _, e := range rb.events {
			if e.Type == queue.EventCallQueued && e.Call.ID == "c1" {
				return true
			}
		}
		return false
	})
	qs, err := anna.Queues(ctx)
	if err != nil || len(qs) != 1 || len(qs[0].Calls) != 1 || qs[0].Calls[0].CallerNumber != "+33142000000" {
		t.Fatalf("queues: %+v %v", qs, err)
	}
	if err := anna.SetNote(ctx, "c1", "wants accounting"); err != nil {
		t.Fatal(err)
	}

	// Both pick the call up at once: exactly one wins, the other gets 409.
	errs := make(chan error, 2)
	for _, c := range []*Client{anna, bob} {
		go func() { errs <- c.CallAction(ctx, "c1", "pickup") }()
	}
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) {
		t.Fatalf("pickup results %v and %v: want exactly one success", e1, e2)
	}
	loser := e1
	if loser == nil {
		loser = e2
	}
	if status(loser) != http.StatusConflict {
		t.Fatalf("loser got %v, want 409", loser)
	}

	// Every event arrives in order without gaps at both consoles.
	for _, rec := range []*streamRecorder{&ra, &rb} {
		rec.mu.Lock()
		prev := rec.snaps[0].Seq
		for _, e := range rec.events {
			if e.Seq != prev+1 {
				t.Errorf("seq %d after %d", e.Seq, prev)
			}
			prev = e.Seq
		}
		rec.mu.Unlock()
	}
	if n := status(anna.CallAction(ctx, "nope", "pickup")); n != http.StatusNotFound {
		t.Fatalf("pickup of unknown call: %d, want 404", n)
	}
}

func TestConsoleGoneTakesAttendantOffline(t *testing.T) {
	r := newRig(t)
	anna := r.login(t, "anna", "201")
	ctx, cancel := context.WithCancel(context.Background())
	var rec streamRecorder
	done := make(chan struct{})
	go func() { anna.Follow(ctx, &rec); close(done) }()
	online := func() bool {
		for _, a := range r.sb.Snapshot().Attendants {
			if a.Username == "anna" {
				return true
			}
		}
		return false
	}
	rec.waitFor(t, "anna online", online)
	cancel()
	<-done
	rec.waitFor(t, "anna offline after the grace period", func() bool { return !online() })
}

func TestResumeReplaysMissedEvents(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	anna := r.login(t, "anna", "")
	var first streamRecorder
	c1, stop1 := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { anna.Follow(c1, &first); close(done) }()
	first.waitFor(t, "snapshot", func() bool { return len(first.snaps) == 1 })
	r.sb.Enqueue(queue.Call{ID: "a", QueueID: "reception", CallerNumber: "1"})
	first.waitFor(t, "first event", func() bool { return len(first.events) == 1 })
	stop1()
	<-done
	last := first.events[0].Seq
	// Two events happen while the console is away.
	r.sb.Enqueue(queue.Call{ID: "b", QueueID: "reception", CallerNumber: "2"})
	r.sb.Engine.SetNote("a", "x")

	// A fresh stream tells the epoch of this switchboard run.
	probe, _, err := dialEvents(ctx, anna, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	var snap StreamMessage
	if err := readJSON(ctx, probe, &snap); err != nil || snap.Kind != "snapshot" || snap.Epoch == "" {
		t.Fatalf("first message: %+v %v", snap, err)
	}
	probe.CloseNow()

	// Resuming with another run's epoch must not replay: a snapshot comes.
	other, _, err := dialEvents(ctx, anna, last, "another-run")
	if err != nil {
		t.Fatal(err)
	}
	var m0 StreamMessage
	if err := readJSON(ctx, other, &m0); err != nil || m0.Kind != "snapshot" {
		t.Fatalf("resume with a foreign epoch: %+v %v", m0, err)
	}
	other.CloseNow()

	conn, _, err := dialEvents(ctx, anna, last, snap.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	for i, want := range []string{"b", "a"} {
		var m StreamMessage
		if err := readJSON(ctx, conn, &m); err != nil {
			t.Fatal(err)
		}
		if m.Kind != "event" || m.Event.Seq != last+uint64(i)+1 || m.Event.Call.ID != want {
			t.Fatalf("message %d after resume: %+v", i, m)
		}
	}
}
