package console

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/calendar/caltest"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/server"
)

// The console reads a colleague's week from a real Radicale through the
// switchboard; offline it says so rather than showing an old schedule.
func TestCalendarThroughTheConsole(t *testing.T) {
	rad := caltest.Start(t, nil)
	rad.PutSamples(t, "anna.martin")
	ctx := context.Background()
	srv, err := server.Start(ctx, *embedded(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := New(Config{Server: srv.URL(), Fingerprint: srv.Fingerprint(), Cache: openCache(t, filepath.Join(t.TempDir(), "cache.db")),
		Secrets: &memSecrets{m: map[string]string{}}}, &recorder{}, nil)
	defer c.Close()
	if _, err := c.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret", Server: srv.URL()}); err != nil {
		t.Fatal(err)
	}
	set, err := c.SaveCalendarSettings(ctx, api.CalendarSettingsUpdate{Kind: "caldav", URL: rad.URL + "/{user}/calendar/",
		Username: caltest.ServiceUser, Password: caltest.ServicePassword})
	if err != nil || !set.PasswordSet || set.Kind != "caldav" {
		t.Fatalf("save settings: %+v %v", set, err)
	}
	if got, err := c.CalendarSettings(ctx); err != nil || got.URL != set.URL {
		t.Fatalf("settings: %+v %v", got, err)
	}
	if res, err := c.TestCalendar(ctx, "anna.martin@example.com"); err != nil || !res.OK {
		t.Fatalf("connection test: %+v %v", res, err)
	}
	ct, err := c.SaveContact(ctx, directory.Contact{DisplayName: "Anna Martin", Emails: []string{"anna.martin@example.com"}, Visibility: directory.Public})
	if err != nil {
		t.Fatal(err)
	}
	from, to := caltest.WeekStart.Format(time.RFC3339), caltest.WeekEnd.Format(time.RFC3339)
	s, err := c.ContactCalendar(ctx, ct.ID, from, to)
	if err != nil || !s.Configured || s.Source != "caldav" || len(s.Events) != 8 || s.Events[1].Summary != "Budget review" {
		t.Fatalf("Anna's week: %+v %v", s, err)
	}
	if _, err := c.ContactCalendar(ctx, ct.ID, "monday", to); err == nil {
		t.Fatal("a bad time was accepted")
	}
	if _, err := c.ContactCalendar(ctx, ct.ID, from, caltest.WeekStart.AddDate(0, 0, 20).Format(time.RFC3339)); err == nil {
		t.Fatal("a 20-day range was accepted")
	}

	srv.Close()
	// No old schedule from a cache: a clear error.
	if _, err := c.ContactCalendar(ctx, ct.ID, from, to); err == nil ||
		!(errors.Is(err, ErrOffline) || strings.Contains(err.Error(), "switchboard unreachable")) {
		t.Fatalf("switchboard gone: %v", err)
	}
}
