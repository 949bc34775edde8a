package presence

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Update is one source's report about one key.
type Update struct {
	// Source names who reports, "kind" or "kind:instance" ("blf", "attendant",
	// "call:<id>"). Reports of different sources about one key are merged;
	// the kind is what Presence.Source shows.
	Source string
	Key    string // number or username, any format (see Key)
	// State "" withdraws the source's report.
	State State
	// TTL: after it the report is stale until the source reports again.
	// 0 means it stays fresh until replaced or withdrawn.
	TTL     time.Duration
	Message string
	// Until, when set, withdraws the report at that time (a meeting's end).
	Until time.Time
	// Activity: what the calendar says the person is doing (Presence.Activity).
	Activity string
}

type report struct {
	state    State
	message  string
	updated  time.Time
	expires  time.Time // zero: never
	until    time.Time // zero: never; past it the report is gone
	activity string
}

// Hub holds every source's reports and tells listeners which keys changed.
// It is safe for concurrent use.
type Hub struct {
	now func() time.Time

	mu        sync.Mutex
	keys      map[string]map[string]report // key → source → report
	expiring  map[string]time.Time         // key → earliest expiry not yet announced
	listeners map[*Listener]struct{}
	wanted    map[string]time.Time // key → last time someone looked at it
	wantC     chan struct{}
	people    map[string]wantedPerson // ID (e-mail) → its keys, last looked at
	peopleC   chan struct{}
}

// Option configures a Hub.
type Option func(*Hub)

// WithClock sets the time source (tests).
func WithClock(now func() time.Time) Option { return func(h *Hub) { h.now = now } }

// MaxWanted bounds the keys the hub remembers as wanted (on-demand BLF).
const MaxWanted = 2000

// New returns an empty hub.
func New(opts ...Option) *Hub {
	h := &Hub{
		now:       time.Now,
		keys:      map[string]map[string]report{},
		expiring:  map[string]time.Time{},
		listeners: map[*Listener]struct{}{},
		wanted:    map[string]time.Time{},
		wantC:     make(chan struct{}, 1),
		people:    map[string]wantedPerson{},
		peopleC:   make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Update applies a source's report. Reports that change nothing a listener
// could see (same state, message and freshness) only refresh the TTL.
func (h *Hub) Update(u Update) {
	k := Key(u.Key)
	if k == "" || u.Source == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	before := h.get(k)
	srcs := h.keys[k]
	if u.State == "" {
		delete(srcs, u.Source)
		if len(srcs) == 0 {
			delete(h.keys, k)
		}
	} else {
		if srcs == nil {
			srcs = map[string]report{}
			h.keys[k] = srcs
		}
		now := h.now()
		r := report{state: u.State, message: u.Message, updated: now, until: u.Until, activity: u.Activity}
		if u.TTL > 0 {
			r.expires = now.Add(u.TTL)
		}
		for _, at := range []time.Time{r.expires, r.until} {
			if e, ok := h.expiring[k]; !at.IsZero() && (!ok || at.Before(e)) {
				h.expiring[k] = at
			}
		}
		srcs[u.Source] = r
	}
	after := h.get(k)
	if before.State != after.State || before.Stale != after.Stale || before.Message != after.Message ||
		before.Source != after.Source || !before.Until.Equal(after.Until) || before.Activity != after.Activity {
		h.notify(k)
	}
}

// Get returns the merged presence of one key.
func (h *Hub) Get(key string) Presence {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.get(Key(key))
}

func (h *Hub) get(k string) Presence {
	best := Presence{State: Unknown}
	now := h.now()
	for src, r := range h.keys[k] {
		if !r.until.IsZero() && !now.Before(r.until) {
			continue // over: the next sweep removes it
		}
		kind, _, _ := strings.Cut(src, ":")
		p := Presence{State: r.state, Updated: r.updated, Source: kind, Message: r.message, Until: r.until, Activity: r.activity,
			Stale: !r.expires.IsZero() && now.After(r.expires)}
		if p.More(best) {
			best = p
		}
	}
	return best
}

// Contact merges the presence of a person's numbers: the most significant
// fresh state wins. A manual absence message makes an otherwise idle or
// unknown person Away; a call in progress still shows, with the message.
func (h *Hub) Contact(numbers []string, absence string) Presence {
	h.mu.Lock()
	best := Presence{State: Unknown}
	for i, n := range numbers {
		p := h.get(Key(n))
		if i == 0 || p.More(best) {
			best = p
		}
	}
	h.mu.Unlock()
	if absence = strings.TrimSpace(absence); absence != "" {
		best.Message = absence
		if best.State.rank() < Away.rank() || best.Stale {
			best.State, best.Source, best.Stale, best.Until, best.Activity = Away, "status", false, time.Time{}, ""
		}
	}
	return best
}

// Run announces reports turning stale until ctx ends.
func (h *Hub) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.Sweep()
		}
	}
}

// Sweep tells listeners about keys whose reports went stale since the last
// sweep, and forgets reports that have been stale for a day.
func (h *Hub) Sweep() {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	for k, at := range h.expiring {
		if now.Before(at) {
			continue
		}
		delete(h.expiring, k)
		next := time.Time{}
		for src, r := range h.keys[k] {
			if !r.until.IsZero() {
				if !now.Before(r.until) {
					delete(h.keys[k], src)
					continue
				}
				if next.IsZero() || r.until.Before(next) {
					next = r.until
				}
			}
			switch {
			case r.expires.IsZero():
			case now.Sub(r.expires) > 24*time.Hour:
				delete(h.keys[k], src)
			case r.expires.After(now) && (next.IsZero() || r.expires.Before(next)):
				next = r.expires
			}
		}
		if len(h.keys[k]) == 0 {
			delete(h.keys, k)
		}
		if !next.IsZero() {
			h.expiring[k] = next
		}
		h.notify(k)
	}
}

// Listener receives the keys that changed. C is signalled (never blocking
// the hub) when Changed has something; bursts coalesce.
type Listener struct {
	C <-chan struct{}
	c chan struct{}
	h *Hub

	mu      sync.Mutex
	pending map[string]struct{}
}

// Listen registers a listener; Close it when done.
func (h *Hub) Listen() *Listener {
	c := make(chan struct{}, 1)
	l := &Listener{C: c, c: c, h: h, pending: map[string]struct{}{}}
	h.mu.Lock()
	h.listeners[l] = struct{}{}
	h.mu.Unlock()
	return l
}

// Changed returns and forgets the keys changed since the last call.
func (l *Listener) Changed() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := slices.Sorted(maps.Keys(l.pending))
	clear(l.pending)
	return keys
}

// Close unregisters the listener.
func (l *Listener) Close() {
	l.h.mu.Lock()
	delete(l.h.listeners, l)
	l.h.mu.Unlock()
}

func (h *Hub) notify(k string) {
	for l := range h.listeners {
		l.mu.Lock()
		l.pending[k] = struct{}{}
		l.mu.Unlock()
		select {
		case l.c <- struct{}{}:
		default:
		}
	}
}

// Want records that someone is looking at these keys, so that on-demand
// sources (BLF subscriptions) cover them. The oldest are forgotten beyond
// MaxWanted.
func (h *Hub) Want(keys ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now, added := h.now(), false
	for _, raw := range keys {
		k := Key(raw)
		if k == "" {
			continue
		}
		if _, ok := h.wanted[k]; !ok {
			added = true
		}
		h.wanted[k] = now
	}
	for len(h.wanted) > MaxWanted {
		oldest, at := "", time.Time{}
		for k, t := range h.wanted {
			if oldest == "" || t.Before(at) {
				oldest, at = k, t
			}
		}
		delete(h.wanted, oldest)
	}
	if added {
		select {
		case h.wantC <- struct{}{}:
		default:
		}
	}
}

// Wanted returns the keys wanted within the last window, most recently
// wanted first (what is on screen now matters most when subscriptions are
// capped), and forgets the others.
func (h *Hub) Wanted(window time.Duration) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	cut := h.now().Add(-window)
	var out []string
	for k, t := range h.wanted {
		if t.After(cut) {
			out = append(out, k)
		} else {
			delete(h.wanted, k)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if c := h.wanted[b].Compare(h.wanted[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out
}

// WantC is signalled when a new key is wanted.
func (h *Hub) WantC() <-chan struct{} { return h.wantC }

// Person is someone looked at on a screen, for sources that know people
// rather than numbers (the calendar): ID is their e-mail, Keys their numbers.
type Person struct {
	ID   string
	Keys []string
}

type wantedPerson struct {
	keys []string
	at   time.Time
}

// WantPeople records that someone is looking at these people, so that the
// calendar source covers them. The oldest are forgotten beyond MaxWanted.
func (h *Hub) WantPeople(people ...Person) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now, added := h.now(), false
	for _, p := range people {
		id := strings.ToLower(strings.TrimSpace(p.ID))
		if id == "" || len(p.Keys) == 0 {
			continue
		}
		if _, ok := h.people[id]; !ok {
			added = true
		}
		h.people[id] = wantedPerson{keys: slices.Clone(p.Keys), at: now}
	}
	for len(h.people) > MaxWanted {
		oldest, at := "", time.Time{}
		for id, w := range h.people {
			if oldest == "" || w.at.Before(at) {
				oldest, at = id, w.at
			}
		}
		delete(h.people, oldest)
	}
	if added {
		select {
		case h.peopleC <- struct{}{}:
		default:
		}
	}
}

// WantedPeople returns the people wanted within the last window, most
// recently wanted first, and forgets the others.
func (h *Hub) WantedPeople(window time.Duration) []Person {
	h.mu.Lock()
	defer h.mu.Unlock()
	cut := h.now().Add(-window)
	var out []Person
	for id, w := range h.people {
		if w.at.After(cut) {
			out = append(out, Person{ID: id, Keys: slices.Clone(w.keys)})
		} else {
			delete(h.people, id)
		}
	}
	slices.SortFunc(out, func(a, b Person) int {
		if c := h.people[b.ID].at.Compare(h.people[a.ID].at); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// PeopleC is signalled when a new person is wanted.
func (h *Hub) PeopleC() <-chan struct{} { return h.peopleC }
