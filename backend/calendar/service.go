package calendar

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

const (
	// DefaultTTL is how long fetched events are served without asking the
	// source again: a meeting moved a minute ago may show a minute late.
	DefaultTTL = time.Minute
	// maxEntries bounds the cache; past it the least recently fetched go.
	maxEntries = 5000
	// keepStale is how long the last good events stay to answer for a
	// failing source.
	keepStale = 24 * time.Hour
	// fetchTimeout bounds one fetch, whoever waits for it.
	fetchTimeout = 20 * time.Second
)

// Result is one person's events for a range as the Service knows them.
type Result struct {
	Configured bool
	Kind       string // the source's kind; "" when not configured
	Events     []Event
	Fetched    time.Time // when Events were fetched from the source
	Stale      bool      // the source failed; Events are the last good ones
	Err        string    // why the source failed ("" when it answered)
}

// Service serves events from the configured source through a cache.
// It is safe for concurrent use.
type Service struct {
	ttl time.Duration
	now func() time.Time
	loc *time.Location

	sf singleflight.Group

	mu    sync.Mutex
	cfg   Config
	src   Source
	gen   uint64 // bumped by Configure: answers of an old source are not cached
	cache map[cacheKey]*entry
}

type cacheKey struct {
	gen      uint64
	email    string
	from, to int64 // day-aligned range, Unix seconds
}

type entry struct {
	events  []Event // last good answer, for the whole day-aligned range
	fetched time.Time
	checked time.Time // last attempt, good or not
	err     string
}

// Option configures a Service.
type Option func(*Service)

// WithTTL sets how long answers are reused (0: every call asks the source,
// concurrent calls still share one fetch).
func WithTTL(d time.Duration) Option { return func(s *Service) { s.ttl = d } }

// WithLocation sets the zone of floating times, all-day dates and of the
// day boundaries of the cache (default time.Local).
func WithLocation(l *time.Location) Option { return func(s *Service) { s.loc = l } }

// WithSource replaces the source Configure would build (tests).
func WithSource(src Source) Option { return func(s *Service) { s.src = src } }

// NewService returns a service over the source cfg describes.
func NewService(cfg Config, opts ...Option) (*Service, error) {
	s := &Service{ttl: DefaultTTL, now: time.Now, loc: time.Local, cache: map[cacheKey]*entry{}}
	for _, o := range opts {
		o(s)
	}
	if s.src != nil {
		s.cfg = cfg
		return s, nil
	}
	return s, s.Configure(cfg)
}

// Configure switches to the source cfg describes, and forgets what the old
// one answered.
func (s *Service) Configure(cfg Config) error {
	src, err := NewSource(cfg)
	if err != nil {
		return err
	}
	s.setLocation(src)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg, s.src = cfg, src
	s.gen++
	clear(s.cache)
	return nil
}

func (s *Service) setLocation(src Source) {
	switch v := src.(type) {
	case *CalDAV:
		v.Location = s.loc
	case *ICS:
		v.Location = s.loc
	case *Graph:
		v.Location = s.loc
	}
}

// Config returns the configuration in use (with its secret).
func (s *Service) Config() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Events returns the events of the person with this e-mail overlapping
// [from, to). The source is asked for whole days, at most once per TTL per
// person and range, however many callers ask at once; when it fails, the
// last good events come back with Stale and Err.
func (s *Service) Events(ctx context.Context, email string, from, to time.Time) Result {
	email = strings.ToLower(strings.TrimSpace(email))
	s.mu.Lock()
	src, kind, gen := s.src, s.cfg.Kind, s.gen
	s.mu.Unlock()
	if src == nil {
		return Result{Events: []Event{}}
	}
	df, dt := s.days(from, to)
	key := cacheKey{gen: gen, email: email, from: df.Unix(), to: dt.Unix()}
	now := s.now()

	s.mu.Lock()
	e := s.cache[key]
	fresh := e != nil && now.Sub(e.checked) < s.ttl
	s.mu.Unlock()
	if !fresh {
		ch := s.sf.DoChan(fmt.Sprint(key), func() (any, error) {
			// A flight that ended between our cache check and now has filled it.
			s.mu.Lock()
			e := s.cache[key]
			fresh := e != nil && s.now().Sub(e.checked) < s.ttl
			s.mu.Unlock()
			if fresh {
				return nil, nil
			}
			// Not the caller's context: others wait on this fetch too.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
			defer cancel()
			evs, err := src.Events(fctx, email, df, dt)
			s.store(key, evs, err)
			return nil, nil
		})
		select {
		case <-ch:
		case <-ctx.Done():
			return Result{Configured: true, Kind: kind, Events: []Event{}, Err: ctx.Err().Error()}
		}
		s.mu.Lock()
		e = s.cache[key]
		s.mu.Unlock()
	}
	r := Result{Configured: true, Kind: kind, Events: []Event{}}
	if e == nil { // configured anew meanwhile
		r.Err = "calendar settings changed; try again"
		return r
	}
	r.Fetched, r.Err = e.fetched, e.err
	r.Stale = e.err != "" && !e.fetched.IsZero()
	for _, ev := range e.events {
		if ev.Start.Before(to) && (ev.End.After(from) || ev.End.Equal(ev.Start) && !ev.Start.Before(from)) {
			r.Events = append(r.Events, ev)
		}
	}
	return r
}

func (s *Service) store(key cacheKey, evs []Event, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if key.gen != s.gen {
		return
	}
	now := s.now()
	e := s.cache[key]
	if e == nil {
		s.evict(now)
		e = &entry{}
		s.cache[key] = e
	}
	e.checked = now
	if err != nil {
		e.err = err.Error()
		return
	}
	e.events, e.fetched, e.err = evs, now, ""
}

// evict makes room for one entry: first what is too old to serve even
// stale, then the least recently checked.
func (s *Service) evict(now time.Time) {
	if len(s.cache) < maxEntries {
		return
	}
	var oldest cacheKey
	var at time.Time
	for k, e := range s.cache {
		if now.Sub(e.checked) > keepStale {
			delete(s.cache, k)
			continue
		}
		if at.IsZero() || e.checked.Before(at) {
			oldest, at = k, e.checked
		}
	}
	if len(s.cache) >= maxEntries {
		delete(s.cache, oldest)
	}
}

// days widens [from, to) to whole days in the service's zone, so that
// consoles asking for slightly different ranges share one cache entry.
func (s *Service) days(from, to time.Time) (time.Time, time.Time) {
	f := from.In(s.loc)
	df := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, s.loc)
	t := to.In(s.loc)
	dt := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
	if dt.Before(to) {
		dt = dt.AddDate(0, 0, 1)
	}
	return df, dt
}

// Test fetches today's events of one person straight from the source,
// bypassing the cache: what an administrator wants after changing settings.
func (s *Service) Test(ctx context.Context, email string) (int, error) {
	s.mu.Lock()
	src := s.src
	s.mu.Unlock()
	if src == nil {
		return 0, errors.New("no calendar source is configured")
	}
	from, to := s.days(s.now(), s.now())
	to = from.AddDate(0, 0, 1)
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	evs, err := src.Events(ctx, strings.TrimSpace(email), from, to)
	return len(evs), err
}
