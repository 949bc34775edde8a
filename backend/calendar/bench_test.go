package calendar_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/concierge-console/concierge/backend/calendar"
	"github.com/concierge-console/concierge/backend/calendar/caltest"
)

// BenchmarkCalendarCalDAVWeek: one person's week from a real Radicale
// (PROPFIND + REPORT + expansion), what a cache miss costs.
func BenchmarkCalendarCalDAVWeek(b *testing.B) {
	r := caltest.Start(b, nil)
	r.PutSamples(b, "anna")
	src := &calendar.CalDAV{URL: r.URL + "/{user}/calendar/", Username: caltest.ServiceUser, Password: caltest.ServicePassword, Location: paris}
	ctx := context.Background()
	for b.Loop() {
		if _, err := src.Events(ctx, "anna@example.com", caltest.WeekStart, caltest.WeekEnd); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCalendarCachedWeek: the same through the service within the TTL,
// what every other console looking at that person costs.
func BenchmarkCalendarCachedWeek(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(caltest.SampleICS())) }))
	defer srv.Close()
	svc, _ := calendar.NewService(calendar.Config{}, calendar.WithLocation(paris),
		calendar.WithSource(&calendar.ICS{URL: srv.URL + "/{user}.ics", Location: paris}))
	ctx := context.Background()
	for b.Loop() {
		if r := svc.Events(ctx, "anna@example.com", caltest.WeekStart, caltest.WeekEnd); len(r.Events) != 8 {
			b.Fatalf("%+v", r)
		}
	}
}
