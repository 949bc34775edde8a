package directory

import (
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Boosts of the Ranker. Match scores are whole numbers (tier×10 + column
// weight), so boosts that add up to less than one only reorder contacts whose
// matches are equally good: an exact or prefix match always stays ahead.
const (
	favoriteBoost = 0.6
	frequentBoost = 0.35 // the most frequent destination; others scale down (log)
)

// Ranker lifts the searching user's favorites and the switchboard's frequent
// transfer destinations among equally good matches (C1). Each user's lift
// (favorites and destinations together) is computed once and cached until
// FavoritesChanged or the next count of destinations, which reloads from the
// call history in the background at most every refresh.
type Ranker struct {
	favorites    func(username string) ([]string, error)
	destinations func() ([]string, error)
	resolve      func(dest string) (string, bool)
	refresh      time.Duration

	mu     sync.RWMutex
	lift   map[string]*liftSet // username → what to lift for them
	freq   map[string]float64  // contact ID → boost
	gen    uint64              // counts reloads, so a lift built on old counts is not cached
	loaded time.Time

	reloading sync.Mutex // one count of the history at a time
}

// NewRanker returns a Ranker. favorites lists a user's favorite contact IDs;
// destinations lists the transfer destinations of recent calls as the
// attendants gave them (numbers, extensions, sip: URIs), one per call. Both
// are read outside any directory lock.
func (d *Directory) NewRanker(favorites func(username string) ([]string, error), destinations func() ([]string, error)) *Ranker {
	return &Ranker{
		favorites: favorites, destinations: destinations, refresh: 30 * time.Second,
		resolve: func(dest string) (string, bool) {
			c, ok := d.LookupNumber(destinationNumber(dest))
			return c.ID, ok
		},
		lift: map[string]*liftSet{},
	}
}

// SetRanker makes every later search rank with r (nil: no personal boost).
func (d *Directory) SetRanker(r *Ranker) { d.ranker.Store(r) }

// FavoritesChanged drops the cached lift of a user after they saved new
// favorites, so the next search ranks with them.
func (d *Directory) FavoritesChanged(username string) {
	if r := d.ranker.Load(); r != nil {
		r.mu.Lock()
		delete(r.lift, username)
		r.mu.Unlock()
	}
}

// liftSet is what to lift for one user: contact ID → boost, and the same as
// index slots, resolved once per change of the index (a search then pays an
// array write per lifted contact, not a map lookup).
type liftSet struct {
	m map[string]float64

	mu    sync.Mutex
	ix    *index
	ver   uint64
	slots []uint32
	vals  []float32
}

// resolve returns the lifted slots of ix. Called under the directory's read lock.
func (l *liftSet) resolve(ix *index) ([]uint32, []float32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ix != ix || l.ver != ix.ver {
		l.slots, l.vals = l.slots[:0], l.vals[:0]
		for id, b := range l.m {
			if slot, ok := ix.slotOf[id]; ok {
				l.slots, l.vals = append(l.slots, slot), append(l.vals, float32(b))
			}
		}
		l.ix, l.ver = ix, ix.ver
	}
	return l.slots, l.vals
}

// boosts returns what to lift for v. It is small (favorites and frequent
// destinations), cached per user, and may read the directory
// (LookupNumber): never call it under the directory's lock.
func (r *Ranker) boosts(v Viewer) *liftSet {
	r.maybeReload()
	r.mu.RLock()
	ls, ok := r.lift[v.Username]
	freq, gen := r.freq, r.gen
	r.mu.RUnlock()
	if ok {
		return ls
	}
	var ids []string
	if v.Username != "" {
		var err error
		if ids, err = r.favorites(v.Username); err != nil {
			ids = nil // ranking without favorites beats failing the search
		}
	}
	m := make(map[string]float64, len(freq)+len(ids))
	for id, b := range freq {
		m[id] = b
	}
	for _, id := range ids {
		m[id] += favoriteBoost
	}
	ls = &liftSet{m: m}
	r.mu.Lock()
	if r.gen == gen {
		r.lift[v.Username] = ls
	}
	r.mu.Unlock()
	return ls
}

// maybeReload counts destinations again in the background once the counts are
// older than refresh; the first search of a fresh switchboard waits for it.
func (r *Ranker) maybeReload() {
	r.mu.RLock()
	stale, never := time.Since(r.loaded) > r.refresh, r.loaded.IsZero()
	r.mu.RUnlock()
	switch {
	case never:
		r.reloading.Lock() // a load already under way (the server's at start) is waited for
		r.mu.RLock()
		still := r.loaded.IsZero()
		r.mu.RUnlock()
		if still {
			r.reload()
		}
		r.reloading.Unlock()
	case stale && r.reloading.TryLock():
		go func() {
			defer r.reloading.Unlock()
			r.reload()
		}()
	}
}

// Reload counts the destinations in the call history again now.
func (r *Ranker) Reload() {
	r.reloading.Lock()
	defer r.reloading.Unlock()
	r.reload()
}

func (r *Ranker) reload() {
	dests, err := r.destinations()
	counts := map[string]int{}
	if err == nil {
		byDest := map[string]string{} // resolve each distinct destination once
		for _, d := range dests {
			id, seen := byDest[d]
			if !seen {
				if cid, ok := r.resolve(d); ok {
					id = cid
				}
				byDest[d] = id
			}
			if id != "" {
				counts[id]++
			}
		}
	}
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	freq := make(map[string]float64, len(counts))
	for id, n := range counts {
		freq[id] = frequentBoost * math.Log1p(float64(n)) / math.Log1p(float64(top))
	}
	r.mu.Lock()
	r.freq, r.loaded = freq, time.Now()
	r.gen++
	clear(r.lift)
	r.mu.Unlock()
}

// destinationNumber is the number part of a transfer target as an attendant
// typed it: "sip:201@pbx" → "201".
func destinationNumber(dest string) string {
	d := strings.TrimSpace(dest)
	if i := strings.IndexByte(d, ':'); i >= 0 && strings.HasPrefix(strings.ToLower(d), "sip") {
		d = d[i+1:]
	}
	if i := strings.IndexByte(d, '@'); i >= 0 {
		d = d[:i]
	}
	return d
}

// LookupDestination finds the public contact a transfer target names, as an
// attendant typed it (number, extension or sip: URI), for call history.
func (d *Directory) LookupDestination(dest string) (Contact, bool) {
	return d.LookupNumber(destinationNumber(dest))
}

// SameNumber reports whether a and b are one phone number, whatever their
// format ("+33 1 42 00 00 01", "0142000001").
func SameNumber(a, b string) bool {
	ka := lookupKeys(a)
	for _, k := range lookupKeys(b) {
		if slices.Contains(ka, k) {
			return true
		}
	}
	return false
}
