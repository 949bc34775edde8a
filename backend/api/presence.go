package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/concierge-console/concierge/backend/directory"
	presencehub "github.com/concierge-console/concierge/backend/presence"
	"github.com/concierge-console/concierge/backend/store"
)

// ContactPresence is the merged presence of one contact (C3, F1, D1, D3):
// the most significant state over its numbers, its absence message, and
// whether what is known is stale.
type ContactPresence struct {
	ID string `json:"id"`
	presencehub.Presence
}

const (
	// MaxPresenceIDs bounds one GET /presence: a screen shows fewer.
	MaxPresenceIDs = 500
	// maxWatched bounds the contacts one user gets deltas for; the least
	// recently asked are dropped first (they have scrolled out of sight).
	maxWatched = 2000
	// presenceCoalesce groups a burst of changes into one stream message.
	presenceCoalesce = 200 * time.Millisecond
)

// WithPresence serves GET /presence and presence deltas on the event stream
// from hub. Requires WithDirectory.
func WithPresence(hub *presencehub.Hub) Option {
	return func(s *Server) {
		s.pres = &presenceState{hub: hub, watched: map[string]*watchSet{}}
	}
}

// presenceState remembers, per user, which contacts they asked about, so the
// event stream sends each user deltas for those only: never a contact they
// cannot see (the directory's visibility is checked again on every delta).
type presenceState struct {
	hub *presencehub.Hub

	mu      sync.Mutex
	watched map[string]*watchSet // username → the contacts they asked about
}

// watchSet is one user's watched contacts, indexed by presence key so that a
// change costs a map lookup per changed key, not a pass over every contact.
type watchSet struct {
	asked map[string]time.Time           // contact ID → last asked
	keys  map[string][]string            // contact ID → its keys
	byKey map[string]map[string]struct{} // key → contact IDs
}

func (w *watchSet) put(id string, keys []string) {
	w.drop(id)
	w.keys[id] = keys
	for _, k := range keys {
		if w.byKey[k] == nil {
			w.byKey[k] = map[string]struct{}{}
		}
		w.byKey[k][id] = struct{}{}
	}
}

func (w *watchSet) drop(id string) {
	for _, k := range w.keys[id] {
		delete(w.byKey[k], id)
		if len(w.byKey[k]) == 0 {
			delete(w.byKey, k)
		}
	}
	delete(w.keys, id)
}

func keysOf(c directory.Contact) []string {
	var keys []string
	for _, ph := range c.Phones {
		if k := presencehub.Key(ph.Number); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// watch records that user asked about these contacts.
func (p *presenceState) watch(user string, cs []directory.Contact) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := p.watched[user]
	if w == nil {
		w = &watchSet{asked: map[string]time.Time{}, keys: map[string][]string{}, byKey: map[string]map[string]struct{}{}}
		p.watched[user] = w
	}
	now := time.Now()
	for _, c := range cs {
		w.asked[c.ID] = now
		w.put(c.ID, keysOf(c))
	}
	for len(w.asked) > maxWatched {
		oldest, at := "", time.Time{}
		for id, t := range w.asked {
			if oldest == "" || t.Before(at) {
				oldest, at = id, t
			}
		}
		delete(w.asked, oldest)
		w.drop(oldest)
	}
}

// touched returns the contacts of user that have one of keys.
func (p *presenceState) touched(user string, keys map[string]struct{}) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := p.watched[user]
	if w == nil {
		return nil
	}
	var ids []string
	for k := range keys {
		for id := range w.byKey[k] {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// refresh re-indexes a contact whose numbers may have changed since it was asked about.
func (p *presenceState) refresh(user string, c directory.Contact) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w := p.watched[user]; w != nil {
		if _, ok := w.asked[c.ID]; ok {
			w.put(c.ID, keysOf(c))
		}
	}
}

func viewerOf(c caller) directory.Viewer {
	return directory.Viewer{Username: c.user.Username, Admin: c.user.Role == store.RoleAdmin}
}

// contactPresence computes one visible contact's presence; ok is false for a
// contact the viewer may not see (or that is gone).
func (s *Server) contactPresence(v directory.Viewer, id string) (ContactPresence, directory.Contact, bool) {
	ct, err := s.dir.Get(v, id)
	if err != nil {
		return ContactPresence{}, ct, false
	}
	return ContactPresence{ID: id, Presence: s.pres.hub.Contact(numbers(ct), ct.AbsenceMessage)}, ct, true
}

func numbers(c directory.Contact) []string {
	out := make([]string, 0, len(c.Phones))
	for _, ph := range c.Phones {
		out = append(out, ph.Number)
	}
	return out
}

// internalNumbers are the numbers of a contact worth a BLF subscription at
// the PBX: extensions, and short numbers that can only be internal. A mobile
// or an outside number has no lamp at the PBX.
func internalNumbers(c directory.Contact) []string {
	var out []string
	for _, ph := range c.Phones {
		if k := presencehub.Key(ph.Number); ph.Type == directory.PhoneExtension || len(k) <= maxInternalDigits {
			out = append(out, ph.Number)
		}
	}
	return out
}

// maxInternalDigits: numbers this short are extensions whatever their type.
const maxInternalDigits = 6

// getPresence answers GET /presence?ids=a,b,c with the presence of the
// contacts the caller can see (others are left out, never revealed), and
// subscribes the caller's event stream to their changes.
func (s *Server) getPresence(w http.ResponseWriter, r *http.Request) {
	var ids []string
	for _, v := range r.URL.Query()["ids"] {
		for id := range strings.SplitSeq(v, ",") {
			if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > MaxPresenceIDs {
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("at most %d ids per request", MaxPresenceIDs))
		return
	}
	c := from(r)
	v := viewerOf(c)
	out := make([]ContactPresence, 0, len(ids))
	var seen []directory.Contact
	var internal []string
	var people []presencehub.Person
	for _, id := range ids {
		cp, ct, ok := s.contactPresence(v, id)
		if !ok {
			continue
		}
		out = append(out, cp)
		seen = append(seen, ct)
		internal = append(internal, internalNumbers(ct)...)
		if len(ct.Emails) > 0 {
			people = append(people, presencehub.Person{ID: ct.Emails[0], Keys: numbers(ct)})
		}
	}
	s.pres.hub.Want(internal...)     // BLF on demand for what is on screen
	s.pres.hub.WantPeople(people...) // and their calendars (D3)
	s.pres.watch(c.user.Username, seen)
	writeJSON(w, http.StatusOK, out)
}

// presenceFeed turns the hub's changed keys into coalesced presence messages
// for one event stream. A nil feed (no presence configured) never fires.
type presenceFeed struct {
	s     *Server
	user  string
	v     directory.Viewer
	l     *presencehub.Listener
	timer *time.Timer
	due   <-chan time.Time
	keys  map[string]struct{}
}

func (s *Server) newPresenceFeed(c caller) *presenceFeed {
	if s.pres == nil || s.dir == nil {
		return nil
	}
	return &presenceFeed{s: s, user: c.user.Username, v: viewerOf(c), l: s.pres.hub.Listen(), keys: map[string]struct{}{}}
}

// signal fires when keys changed; call arm then.
func (f *presenceFeed) signal() <-chan struct{} {
	if f == nil {
		return nil
	}
	return f.l.C
}

// fire fires when a coalesced message is due; call flush then.
func (f *presenceFeed) fire() <-chan time.Time {
	if f == nil {
		return nil
	}
	return f.due
}

// arm collects the changed keys and starts the coalescing delay.
func (f *presenceFeed) arm() {
	for _, k := range f.l.Changed() {
		f.keys[k] = struct{}{}
	}
	if f.due == nil && len(f.keys) > 0 {
		f.timer = time.NewTimer(presenceCoalesce)
		f.due = f.timer.C
	}
}

// flush returns the presence of the user's watched contacts touched by the
// collected keys (visibility checked again: a contact made private since is
// left out).
func (f *presenceFeed) flush() []ContactPresence {
	f.due, f.timer = nil, nil
	for _, k := range f.l.Changed() {
		f.keys[k] = struct{}{}
	}
	var out []ContactPresence
	for _, id := range f.s.pres.touched(f.user, f.keys) {
		cp, ct, ok := f.s.contactPresence(f.v, id)
		if !ok {
			continue
		}
		f.s.pres.refresh(f.user, ct)
		out = append(out, cp)
	}
	clear(f.keys)
	slices.SortFunc(out, func(a, b ContactPresence) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (f *presenceFeed) close() {
	if f == nil {
		return
	}
	if f.timer != nil {
		f.timer.Stop()
	}
	f.l.Close()
}

// PresenceHandler is implemented by a StreamHandler that wants presence
// deltas (C3): each message lists contacts whose presence changed.
type PresenceHandler interface {
	Presence([]ContactPresence)
}

// Presence returns the presence of the contacts with these ids that the user
// may see, and subscribes the event stream to their changes.
func (c *Client) Presence(ctx context.Context, ids []string) ([]ContactPresence, error) {
	var out []ContactPresence
	if len(ids) == 0 {
		return []ContactPresence{}, nil
	}
	q := url.Values{"ids": {strings.Join(ids, ",")}}
	err := c.do(ctx, http.MethodGet, "/presence?"+q.Encode(), nil, &out)
	if out == nil {
		out = []ContactPresence{}
	}
	return out, err
}
