package calendar_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/calendar"
	"github.com/concierge-console/concierge/backend/calendar/caltest"
)

var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// wantWeek is the sample week as a console shows it, in UTC: the weekly
// standup without its excluded Wednesday, the all-day training as a Paris
// day, the private appointment without its words, the New York call at
// 14:00 UTC, no cancelled lunch, nothing from next year.
var wantWeek = []string{
	"2026-12-07T08:30:00Z 2026-12-07T09:00:00Z busy Team standup",
	"2026-12-08T09:00:00Z 2026-12-08T10:00:00Z busy Budget review @Room 4",
	"2026-12-08T23:00:00Z 2026-12-09T23:00:00Z busy Training day allday",
	"2026-12-10T12:00:00Z 2026-12-10T13:00:00Z busy private",
	"2026-12-10T14:00:00Z 2026-12-10T15:00:00Z busy Call with New York",
	"2026-12-11T08:00:00Z 2026-12-11T08:30:00Z free Expenses reminder",
	"2026-12-11T08:30:00Z 2026-12-11T09:00:00Z busy Team standup",
	"2026-12-11T15:00:00Z 2026-12-11T16:00:00Z tentative Maybe offsite",
}

func describe(evs []calendar.Event) []string {
	out := []string{}
	for _, e := range evs {
		s := fmt.Sprintf("%s %s %s", e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339), e.Status)
		if e.Summary != "" {
			s += " " + e.Summary
		}
		if e.Location != "" {
			s += " @" + e.Location
		}
		if e.AllDay {
			s += " allday"
		}
		if e.Private {
			s += " private"
		}
		out = append(out, s)
	}
	return out
}

func sameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\ngot\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestCalendarCalDAVRadicale(t *testing.T) {
	r := caltest.Start(t, nil)
	r.PutSamples(t, "anna")
	ctx := context.Background()
	for _, tmpl := range []string{
		r.URL + "/{user}/calendar/", // the calendar itself
		r.URL + "/{user}/",          // the user's home: its calendars are found
	} {
		src := &calendar.CalDAV{URL: tmpl, Username: caltest.ServiceUser, Password: caltest.ServicePassword, Location: paris}
		evs, err := src.Events(ctx, "anna@example.com", caltest.WeekStart, caltest.WeekEnd)
		if err != nil {
			t.Fatalf("%s: %v", tmpl, err)
		}
		sameList(t, tmpl, describe(evs), wantWeek)
	}
	// One day only: the range is cut exactly.
	src := &calendar.CalDAV{URL: r.URL + "/{user}/calendar/", Username: caltest.ServiceUser, Password: caltest.ServicePassword, Location: paris}
	evs, err := src.Events(ctx, "anna@example.com", time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sameList(t, "Friday morning", describe(evs), wantWeek[5:7])

	// A wrong password is named as such.
	bad := &calendar.CalDAV{URL: src.URL, Username: caltest.ServiceUser, Password: "wrong"}
	if _, err := bad.Events(ctx, "anna@example.com", caltest.WeekStart, caltest.WeekEnd); !errors.Is(err, calendar.ErrUnauthorized) ||
		!strings.Contains(err.Error(), "calendar server refused the credentials") {
		t.Fatalf("wrong password: %v", err)
	}
	// Someone without a calendar: a clear "no calendar".
	if _, err := src.Events(ctx, "nobody@example.com", caltest.WeekStart, caltest.WeekEnd); !errors.Is(err, calendar.ErrNotFound) {
		t.Fatalf("no calendar: %v", err)
	}
	// The server is down: unreachable.
	r.Stop()
	if _, err := src.Events(ctx, "anna@example.com", caltest.WeekStart, caltest.WeekEnd); !errors.Is(err, calendar.ErrUnreachable) {
		t.Fatalf("server stopped: %v", err)
	}
}

// icsServer publishes the sample calendar at /cal/{user}.ics and counts the
// requests.
func icsServer(t *testing.T, body func() string) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != "/cal/anna.ics" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		fmt.Fprint(w, body())
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestCalendarICSURL(t *testing.T) {
	srv, _ := icsServer(t, caltest.SampleICS)
	ctx := context.Background()
	src := &calendar.ICS{URL: srv.URL + "/cal/{user}.ics", Location: paris}
	evs, err := src.Events(ctx, "anna@example.com", caltest.WeekStart, caltest.WeekEnd)
	if err != nil {
		t.Fatal(err)
	}
	sameList(t, "published ics", describe(evs), wantWeek)
	if _, err := src.Events(ctx, "bob@example.com", caltest.WeekStart, caltest.WeekEnd); !errors.Is(err, calendar.ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}
	broken, _ := icsServer(t, func() string { return "<html>login page</html>" })
	src.URL = broken.URL + "/cal/{user}.ics"
	if _, err := src.Events(ctx, "anna@example.com", caltest.WeekStart, caltest.WeekEnd); !errors.Is(err, calendar.ErrBadICS) {
		t.Fatalf("not iCalendar: %v", err)
	}
}

// Many consoles looking at one person cause one fetch; a failing source
// answers with the last good events, stale, and the reason.
func TestCalendarServiceCacheAndStale(t *testing.T) {
	var fail atomic.Bool
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock() // serialise: a slow source while everyone waits
		defer mu.Unlock()
		if fail.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, caltest.SampleICS())
	}))
	t.Cleanup(srv.Close)
	var hits atomic.Int64
	counted := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		hits.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	svc, err := calendar.NewService(calendar.Config{}, calendar.WithLocation(paris), calendar.WithTTL(time.Hour),
		calendar.WithSource(&calendar.ICS{URL: srv.URL + "/{user}.ics", HTTP: counted, Location: paris}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	from, to := caltest.WeekStart, caltest.WeekEnd
	var wg sync.WaitGroup
	results := make([]calendar.Result, 20)
	for i := range results {
		wg.Go(func() { results[i] = svc.Events(ctx, "Anna@Example.com", from.Add(time.Duration(i)*time.Minute), to) })
	}
	wg.Wait()
	if hits.Load() != 1 {
		t.Fatalf("20 concurrent looks at one person made %d fetches, want 1", hits.Load())
	}
	for _, r := range results {
		if r.Stale || r.Err != "" || r.Fetched.IsZero() || len(r.Events) != len(wantWeek) {
			t.Fatalf("result: %+v", r)
		}
	}
	// Within the TTL: served from the cache, even with the source down.
	fail.Store(true)
	if r := svc.Events(ctx, "anna@example.com", from, to); hits.Load() != 1 || r.Stale {
		t.Fatalf("within the TTL: %d fetches, stale %v", hits.Load(), r.Stale)
	}

	svc2, _ := calendar.NewService(calendar.Config{}, calendar.WithLocation(paris), calendar.WithTTL(0),
		calendar.WithSource(&calendar.ICS{URL: srv.URL + "/{user}.ics", Location: paris}))
	fail.Store(false)
	if r := svc2.Events(ctx, "anna@example.com", from, to); r.Stale || len(r.Events) != len(wantWeek) {
		t.Fatalf("first: %+v", r)
	}
	fail.Store(true)
	r := svc2.Events(ctx, "anna@example.com", from, to)
	if !r.Stale || !strings.Contains(r.Err, "503") || len(r.Events) != len(wantWeek) {
		t.Fatalf("source failing: stale %v err %q events %d", r.Stale, r.Err, len(r.Events))
	}
	// Never fetched: the error, no events, not stale.
	r = svc2.Events(ctx, "bob@example.com", from, to)
	if r.Stale || r.Err == "" || len(r.Events) != 0 || r.Events == nil {
		t.Fatalf("never fetched: %+v", r)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCalendarConfigValidate(t *testing.T) {
	for _, c := range []calendar.Config{
		{Kind: "exchange"},
		{Kind: "caldav", URL: "ftp://x/{user}"},
		{Kind: "caldav", URL: "not a url"},
		{Kind: "ics", URL: "https://cal.example.com/all.ics"},
		{Kind: "graph", Tenant: "t"},
		{Kind: "graph", ClientID: "c", Password: "s"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
	for _, c := range []calendar.Config{
		{Kind: "none"}, {},
		{Kind: "caldav", URL: "https://dav.example.com/{user}/calendar/"},
		{Kind: "ics", URL: "https://cal.example.com/{email}.ics"},
		{Kind: "graph", Tenant: "contoso.onmicrosoft.com", ClientID: "c", Password: "s"},
	} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}
