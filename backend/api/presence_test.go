package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/auth"
	"github.com/concierge-console/concierge/backend/directory"
	presencehub "github.com/concierge-console/concierge/backend/presence"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

func newPresenceRig(t *testing.T) (*rig, *presencehub.Hub) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, u := range []string{"anna", "bob"} {
		h, _ := auth.HashPassword(u + "-password")
		if err := st.PutUser(store.User{Username: u, Name: u, Role: store.RoleAttendant, PasswordHash: h}); err != nil {
			t.Fatal(err)
		}
	}
	sb := &engineSB{}
	sb.Engine = queue.New(sb)
	t.Cleanup(sb.Engine.Close)
	dir, err := directory.New(st)
	if err != nil {
		t.Fatal(err)
	}
	hub := presencehub.New()
	srv := httptest.NewTLSServer(NewServer(st, sb, WithDirectory(dir), WithPresence(hub)).Handler())
	t.Cleanup(srv.Close)
	return &rig{srv: srv, sb: sb, store: st}, hub
}

// presenceWatcher follows an event stream and collects presence messages.
type presenceWatcher struct {
	connected chan struct{}
	got       chan []ContactPresence
}

func (w *presenceWatcher) Snapshot(queue.Snapshot) {}
func (w *presenceWatcher) Event(queue.Event)       {}
func (w *presenceWatcher) Connection(state string, _ error) {
	if state == "connected" {
		select {
		case w.connected <- struct{}{}:
		default:
		}
	}
}
func (w *presenceWatcher) Presence(ps []ContactPresence) { w.got <- ps }

func follow(t *testing.T, c *Client) *presenceWatcher {
	w := &presenceWatcher{connected: make(chan struct{}, 1), got: make(chan []ContactPresence, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Follow(ctx, w) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-w.connected:
	case <-time.After(5 * time.Second):
		t.Fatal("event stream did not connect")
	}
	return w
}

// next waits for a presence message naming id.
func (w *presenceWatcher) next(t *testing.T, id string) ContactPresence {
	t.Helper()
	all := w.until(t, id)
	return all[len(all)-1]
}

// until returns every presence received up to and including the first for id.
func (w *presenceWatcher) until(t *testing.T, id string) []ContactPresence {
	t.Helper()
	deadline := time.After(5 * time.Second)
	var all []ContactPresence
	for {
		select {
		case ps := <-w.got:
			for _, p := range ps {
				all = append(all, p)
				if p.ID == id {
					return all
				}
			}
		case <-deadline:
			t.Fatalf("no presence message for %s", id)
		}
	}
}

// Presence through the API: GET answers for visible contacts only, merges a
// contact's numbers, and the event stream brings each user the changes of
// the contacts they asked about — never those of someone else's private contact.
func TestPresenceAPI(t *testing.T) {
	r, hub := newPresenceRig(t)
	ctx := context.Background()
	anna, bob := r.login(t, "anna", ""), r.login(t, "bob", "")
	secret, err := anna.CreateContact(ctx, directory.Contact{DisplayName: "Zoé Secret", Visibility: directory.Private,
		Phones: []directory.Phone{{Type: directory.PhoneExtension, Number: "2001"}}})
	if err != nil {
		t.Fatal(err)
	}
	paul, err := anna.CreateContact(ctx, directory.Contact{DisplayName: "Paul Martin", Visibility: directory.Public,
		Phones: []directory.Phone{{Type: directory.PhoneMobile, Number: "+33 6 11 22 33 44"}, {Type: directory.PhoneExtension, Number: "2002"}}})
	if err != nil {
		t.Fatal(err)
	}
	hub.Update(presencehub.Update{Source: "blf", Key: "2001", State: presencehub.Busy, TTL: time.Minute})
	hub.Update(presencehub.Update{Source: "blf", Key: "2002", State: presencehub.Ringing, TTL: time.Minute})

	if _, err := r.client().Presence(ctx, []string{paul.ID}); status(err) != http.StatusUnauthorized {
		t.Fatalf("without a session: %v", err)
	}
	got, err := bob.Presence(ctx, []string{secret.ID, paul.ID, "no-such-id"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != paul.ID || got[0].State != presencehub.Ringing || got[0].Source != "blf" {
		t.Fatalf("bob's presence = %+v, want only Paul, ringing", got)
	}
	if got, err := anna.Presence(ctx, []string{secret.ID}); err != nil || len(got) != 1 || got[0].State != presencehub.Busy {
		t.Fatalf("anna's own private contact: %+v, %v", got, err)
	}
	// Shown extensions are wanted for BLF at the PBX; a mobile has no lamp there.
	if want := strings.Join(hub.Wanted(time.Minute), ","); !strings.Contains(want, "2002") || strings.Contains(want, "611223344") {
		t.Fatalf("wanted for BLF: %v, want 2002 and not the mobile", want)
	}

	bobStream, annaStream := follow(t, bob), follow(t, anna)
	hub.Update(presencehub.Update{Source: "blf", Key: "2002", State: presencehub.Busy, TTL: time.Minute})
	if p := bobStream.next(t, paul.ID); p.State != presencehub.Busy {
		t.Fatalf("bob's delta for Paul: %+v", p)
	}
	hub.Update(presencehub.Update{Source: "blf", Key: "2001", State: presencehub.Available, TTL: time.Minute})
	if p := annaStream.next(t, secret.ID); p.State != presencehub.Available {
		t.Fatalf("anna's delta for her contact: %+v", p)
	}
	// Bob never hears of anna's private contact, though its number changes
	// (2001 above and now): every message he gets until Paul's is checked.
	hub.Update(presencehub.Update{Source: "blf", Key: "2001", State: presencehub.Ringing, TTL: time.Minute})
	hub.Update(presencehub.Update{Source: "blf", Key: "2002", State: presencehub.Available, TTL: time.Minute})
	for _, p := range bobStream.until(t, paul.ID) {
		if p.ID == secret.ID {
			t.Fatalf("bob got the private contact's presence: %+v", p)
		}
	}

	ids := make([]string, MaxPresenceIDs+1)
	for i := range ids {
		ids[i] = fmt.Sprint("id-", i)
	}
	if _, err := bob.Presence(ctx, ids); status(err) != http.StatusBadRequest {
		t.Fatalf("%d ids: %v, want 400", len(ids), err)
	}
}

// The cost of one coalesced presence message for a user watching 2000
// contacts (the bound), when one extension changed.
func BenchmarkPresenceFlush(b *testing.B) {
	dir, err := directory.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	hub := presencehub.New()
	s := NewServer(nil, nil, WithDirectory(dir), WithPresence(hub))
	v := directory.Viewer{Username: "anna"}
	var cs []directory.Contact
	for i := range maxWatched {
		c, err := dir.Create(v, directory.Contact{DisplayName: fmt.Sprint("Contact ", i), Visibility: directory.Public,
			Phones: []directory.Phone{{Type: directory.PhoneExtension, Number: fmt.Sprint(10000 + i)}}})
		if err != nil {
			b.Fatal(err)
		}
		cs = append(cs, c)
	}
	s.pres.watch("anna", cs)
	f := s.newPresenceFeed(caller{user: store.User{Username: "anna", Role: store.RoleAttendant}})
	defer f.close()
	states := []presencehub.State{presencehub.Busy, presencehub.Available}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		hub.Update(presencehub.Update{Source: "blf", Key: "10042", State: states[i%2]})
		f.arm()
		if got := f.flush(); len(got) != 1 {
			b.Fatalf("flush = %d contacts", len(got))
		}
	}
}
