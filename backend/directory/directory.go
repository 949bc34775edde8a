package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/concierge-console/concierge/backend/store"
)

// Persister keeps contacts across restarts. *store.Store implements it; a
// later cluster mode can put another engine behind the same two methods.
type Persister interface {
	WriteContacts(puts []store.ContactRecord, deletes []string) error
	ForEachContact(fn func(id string, doc json.RawMessage) error) error
}

// Directory holds the contacts, persists every change and keeps the search
// index in step. It is safe for concurrent use: searches run in parallel,
// changes are serialised.
type Directory struct {
	persist  Persister
	log      *slog.Logger
	boost    func(contactID string) float64
	now      func() time.Time
	minInfix int
	ranker   atomic.Pointer[Ranker]

	wmu sync.Mutex   // one writer at a time: store order == index order
	mu  sync.RWMutex // guards ix
	ix  *index

	scratch sync.Pool
}

// Option configures a Directory.
type Option func(*Directory)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(d *Directory) { d.log = l } }

// WithBoost adds f(contactID) to the score of every search candidate: the
// hook for favorites and frequent transfer destinations. A match tier is
// worth 10 (whole word > word start > inside a word) and the column 1 to 4
// (names highest), so a boost of a few points reorders contacts that match
// equally well without lifting a poor match above a good one. f is called
// for every candidate, under the index read lock: keep it cheap and never
// call back into the Directory from it.
func WithBoost(f func(contactID string) float64) Option { return func(d *Directory) { d.boost = f } }

// WithClock sets the time source of Updated stamps (tests).
func WithClock(now func() time.Time) Option { return func(d *Directory) { d.now = now } }

// WithMinInfix sets the shortest fragment matched inside words (default 3).
// Shorter fragments match word starts only: "e" inside a word matches
// almost every contact and helps nobody, while "e" at a word start is
// exactly what an attendant typing "e" for Emma means.
func WithMinInfix(n int) Option { return func(d *Directory) { d.minInfix = max(1, n) } }

// New loads every contact from p and builds the index. A nil p keeps contacts
// in memory only (tests, benchmarks). Unreadable records are logged and
// skipped, so one bad record does not take the directory down.
func New(p Persister, opts ...Option) (*Directory, error) {
	d := &Directory{persist: p, log: slog.Default(), now: time.Now, minInfix: 3}
	for _, o := range opts {
		o(d)
	}
	d.scratch.New = func() any { return new(scratch) }
	d.ix = newIndex(0)
	if p == nil {
		return d, nil
	}
	start := time.Now()
	var all []Contact
	err := p.ForEachContact(func(id string, doc json.RawMessage) error {
		var c Contact
		if err := json.Unmarshal(doc, &c); err != nil {
			d.log.Warn("directory: skipping unreadable contact", "id", id, "err", err)
			return nil
		}
		c.ID = id
		all = append(all, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("directory: load contacts: %w", err)
	}
	d.ix = buildIndex(all)
	d.log.Info("directory: loaded", "contacts", len(all), "took", time.Since(start))
	return d, nil
}

// buildIndex indexes contacts from scratch.
func buildIndex(all []Contact) *index {
	ix := newIndex(len(all))
	ix.fill(all)
	return ix
}

// Len returns the number of contacts (of every visibility).
func (d *Directory) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.ix.live()
}

// Search finds contacts matching every fragment of query, best first, at
// most limit of them (DefaultLimit when limit <= 0, never above MaxLimit).
// Private contacts of other users are never returned to non-admins.
func (d *Directory) Search(ctx context.Context, v Viewer, query string, limit int) ([]Result, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	frags := parseQuery(query, d.minInfix)
	if len(frags) == 0 {
		return nil, nil
	}
	var lift *liftSet
	if r := d.ranker.Load(); r != nil {
		lift = r.boosts(v) // before the lock: it may look numbers up
	}
	s := d.scratch.Get().(*scratch)
	defer d.scratch.Put(s)
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.ix.search(ctx, v, frags, limit, d.safeBoost(), lift, s)
}

// safeBoost drops NaN and infinite boosts, which would break the ordering.
func (d *Directory) safeBoost() func(string) float64 {
	if d.boost == nil {
		return nil
	}
	return func(id string) float64 {
		b := d.boost(id)
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return 0
		}
		return b
	}
}

// LookupNumber finds the public contact that owns a number, written in any
// format, for the caller name of an incoming call (Q3). Private contacts are
// never used: every attendant sees the queue. When several contacts share a
// number (a switchboard line), the most recently updated one wins.
func (d *Directory) LookupNumber(number string) (Contact, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, k := range lookupKeys(number) {
		var best *entry
		for slot := range d.ix.byNumber.slots(k) {
			e := d.ix.docs[slot]
			if e == nil || e.c.Visibility != Public {
				continue
			}
			if best == nil || e.c.Updated.After(best.c.Updated) {
				best = e
			}
		}
		if best != nil {
			return best.c.Clone(), true
		}
	}
	return Contact{}, false
}

// Get returns one contact. A private contact of someone else is ErrNotFound.
func (d *Directory) Get(v Viewer, id string) (Contact, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	e, ok := d.ix.get(id)
	if !ok || !v.canSee(&e.c) {
		return Contact{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return e.c.Clone(), nil
}

// All returns every contact the viewer can see, in name order (export).
func (d *Directory) All(v Viewer) []Contact {
	d.mu.RLock()
	var es []*entry
	for _, e := range d.ix.docs {
		if e != nil && v.canSee(&e.c) {
			es = append(es, e)
		}
	}
	d.mu.RUnlock()
	sortEntries(es)
	out := make([]Contact, len(es))
	for i, e := range es {
		out[i] = e.c.Clone()
	}
	return out
}

func sortEntries(es []*entry) {
	slices.SortFunc(es, func(a, b *entry) int {
		if c := strings.Compare(a.sortKey, b.sortKey); c != 0 {
			return c
		}
		return strings.Compare(a.c.ID, b.c.ID)
	})
}

// Create adds a contact owned by the viewer and returns it as stored. The ID
// is always generated: a client never chooses where a record lands. Only an
// administrator may create a contact on behalf of another owner.
func (d *Directory) Create(v Viewer, c Contact) (Contact, error) {
	c.ID = newID()
	if c.Owner == "" || !v.Admin {
		c.Owner = v.Username
	}
	c.normalize()
	if err := c.Validate(); err != nil {
		return Contact{}, err
	}
	d.wmu.Lock()
	defer d.wmu.Unlock()
	c.Updated = d.now().UTC()
	if err := d.write([]Contact{c}, nil); err != nil {
		return Contact{}, err
	}
	d.log.Debug("directory: contact created", "id", c.ID, "by", v.Username)
	return c.Clone(), nil
}

// Update replaces a contact the viewer can see. Source and ExternalID stay as
// they were (they belong to the sync that made the contact); the owner
// changes only by an administrator.
func (d *Directory) Update(v Viewer, c Contact) (Contact, error) {
	d.wmu.Lock()
	defer d.wmu.Unlock()
	old, err := d.Get(v, c.ID)
	if err != nil {
		return Contact{}, err
	}
	if c.Owner == "" {
		c.Owner = old.Owner
	}
	if c.Owner != old.Owner && !v.Admin {
		return Contact{}, fmt.Errorf("%w: only an administrator can change the owner of a contact", ErrForbidden)
	}
	if c.Visibility == "" {
		c.Visibility = old.Visibility
	}
	if c.Visibility != old.Visibility && !v.Admin && old.Owner != v.Username {
		// Anyone may edit a public contact, but hiding it from everyone else
		// is for its owner (or an administrator) to decide.
		return Contact{}, fmt.Errorf("%w: only the owner or an administrator can change the visibility of a contact", ErrForbidden)
	}
	c.Source, c.ExternalID = old.Source, old.ExternalID
	c.normalize()
	if err := c.Validate(); err != nil {
		return Contact{}, err
	}
	if equalContent(c, old) {
		return old, nil
	}
	c.Updated = d.now().UTC()
	if err := d.write([]Contact{c}, nil); err != nil {
		return Contact{}, err
	}
	return c.Clone(), nil
}

// Delete removes a contact the viewer can see.
func (d *Directory) Delete(v Viewer, id string) error {
	d.wmu.Lock()
	defer d.wmu.Unlock()
	if _, err := d.Get(v, id); err != nil {
		return err
	}
	return d.write(nil, []string{id})
}

// write persists a batch, then applies it to the index. The caller holds
// wmu. The store goes first: a contact is searchable only once it would
// survive a restart.
func (d *Directory) write(puts []Contact, deletes []string) error {
	if d.persist != nil {
		recs := make([]store.ContactRecord, 0, len(puts))
		for _, c := range puts {
			doc, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("directory: encode contact %s: %w", c.ID, err)
			}
			recs = append(recs, store.ContactRecord{ID: c.ID, Doc: doc})
		}
		if err := d.persist.WriteContacts(recs, deletes); err != nil {
			return fmt.Errorf("directory: %w", err)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, id := range deletes {
		d.ix.remove(id)
	}
	for _, c := range puts {
		d.ix.put(c)
	}
	d.ix.sortTail(false)
	if d.ix.needsCompaction() {
		start := time.Now()
		d.ix = d.ix.compacted()
		d.log.Debug("directory: index compacted", "contacts", d.ix.live(), "took", time.Since(start))
	}
	return nil
}

// newID returns a time-ordered UUID: bbolt appends instead of splitting
// pages when a bulk import creates thousands of contacts.
func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}
