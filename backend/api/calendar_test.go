package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/calendar"
	"github.com/concierge-console/concierge/backend/calendar/caltest"
	"github.com/concierge-console/concierge/backend/directory"
)

// calendarRig is the test rig behind a server that also serves calendars,
// read through a calendar service without cache (TTL 0): each request asks
// the source, as a console would after the TTL.
func calendarRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t)
	dir, err := directory.New(r.store)
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	svc, err := calendar.NewService(calendar.Config{}, calendar.WithTTL(0), calendar.WithLocation(paris))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(NewServer(r.store, r.sb, WithDirectory(dir), WithCalendar(svc)).Handler())
	t.Cleanup(srv.Close)
	r.srv = srv
	return r
}

// rawGet returns the status and body of an authenticated GET.
func rawGet(t *testing.T, r *rig, c *Client, path string) (int, string) {
	t.Helper()
	return rawDo(t, r, c, "GET", path, "")
}

func eventLines(evs []calendar.Event) []string {
	out := []string{}
	for _, e := range evs {
		s := fmt.Sprintf("%s %s %s %q %q", e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339), e.Status, e.Summary, e.Location)
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

// The sample week of caltest as GET /contacts/{id}/calendar answers it.
var wantSchedule = []string{
	`2026-12-07T08:30:00Z 2026-12-07T09:00:00Z busy "Team standup" ""`,
	`2026-12-08T09:00:00Z 2026-12-08T10:00:00Z busy "Budget review" "Room 4"`,
	`2026-12-08T23:00:00Z 2026-12-09T23:00:00Z busy "Training day" "" allday`,
	`2026-12-10T12:00:00Z 2026-12-10T13:00:00Z busy "" "" private`,
	`2026-12-10T14:00:00Z 2026-12-10T15:00:00Z busy "Call with New York" ""`,
	`2026-12-11T08:00:00Z 2026-12-11T08:30:00Z free "Expenses reminder" ""`,
	`2026-12-11T08:30:00Z 2026-12-11T09:00:00Z busy "Team standup" ""`,
	`2026-12-11T15:00:00Z 2026-12-11T16:00:00Z tentative "Maybe offsite" ""`,
}

func checkEvents(t *testing.T, what string, got []calendar.Event, want []string) {
	t.Helper()
	if g := eventLines(got); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\ngot\n  %s\nwant\n  %s", what, strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
}

func weekPath(id string, from, to time.Time) string {
	return "/contacts/" + id + "/calendar?" + url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}.Encode()
}

// D2 end to end: a real Radicale holds Anna's calendar; the switchboard reads
// it with its service account and a console sees her week.
func TestCalendarContactScheduleFromRadicale(t *testing.T) {
	rad := caltest.Start(t, nil)
	rad.PutSamples(t, "anna.martin")
	r := calendarRig(t)
	ctx := context.Background()
	anna, bob, admin := r.login(t, "anna", ""), r.login(t, "bob", ""), r.login(t, "admin", "")
	from, to := caltest.WeekStart, caltest.WeekEnd

	colleague, err := anna.CreateContact(ctx, directory.Contact{DisplayName: "Anna Martin", Emails: []string{"Anna.Martin@example.com"}, Visibility: directory.Public,
		Phones: []directory.Phone{{Type: directory.PhoneExtension, Number: "201"}}})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := anna.CreateContact(ctx, directory.Contact{DisplayName: "Anna's private self", Emails: []string{"anna.martin@example.com"}, Visibility: directory.Private})
	if err != nil {
		t.Fatal(err)
	}
	noMail, err := anna.CreateContact(ctx, directory.Contact{DisplayName: "No Mail", Visibility: directory.Public})
	if err != nil {
		t.Fatal(err)
	}

	// No source configured yet: a plain "not configured".
	s, err := bob.ContactCalendar(ctx, colleague.ID, from, to)
	if err != nil || s.Configured || s.Reason != "none" || s.Error != "" || s.Events == nil || len(s.Events) != 0 {
		t.Fatalf("before configuration: %+v %v", s, err)
	}

	if _, err := admin.SaveCalendarSettings(ctx, CalendarSettingsUpdate{Kind: "caldav", URL: rad.URL + "/{user}/calendar/",
		Username: caltest.ServiceUser, Password: caltest.ServicePassword}); err != nil {
		t.Fatal(err)
	}
	s, err = bob.ContactCalendar(ctx, colleague.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Configured || s.Source != "caldav" || s.ContactID != colleague.ID || s.Stale || s.Error != "" || s.Fetched.IsZero() ||
		!s.From.Equal(from) || !s.To.Equal(to) {
		t.Fatalf("schedule: %+v", s)
	}
	checkEvents(t, "bob's view of Anna's week", s.Events, wantSchedule)
	// The private appointment's words never leave the switchboard.
	code, body := rawGet(t, r, bob, weekPath(colleague.ID, from, to))
	if code != http.StatusOK || strings.Contains(body, "Doctor") || strings.Contains(body, "Clinic") || !strings.Contains(body, `"private":true`) {
		t.Fatalf("raw answer %d: %s", code, body)
	}

	// A private contact of another user does not exist for bob.
	if _, err := bob.ContactCalendar(ctx, secret.ID, from, to); status(err) != http.StatusNotFound {
		t.Fatalf("bob reads a private contact's calendar: %v", err)
	}
	if s, err := anna.ContactCalendar(ctx, secret.ID, from, to); err != nil || len(s.Events) != len(wantSchedule) {
		t.Fatalf("owner reads her private contact's calendar: %v", err)
	}
	if _, err := bob.ContactCalendar(ctx, "no-such-contact", from, to); status(err) != http.StatusNotFound {
		t.Fatalf("unknown contact: %v", err)
	}
	// Bad ranges.
	for _, rg := range [][2]time.Time{{from, from.Add(15 * 24 * time.Hour)}, {to, from}, {from, from}} {
		if _, err := bob.ContactCalendar(ctx, colleague.ID, rg[0], rg[1]); status(err) != http.StatusBadRequest {
			t.Fatalf("range %v–%v: %v, want 400", rg[0], rg[1], err)
		}
	}
	if code, body := rawGet(t, r, bob, "/contacts/"+colleague.ID+"/calendar?from=monday&to=friday"); code != http.StatusBadRequest {
		t.Fatalf("bad times: %d %s", code, body)
	}
	if code, _ := rawGet(t, r, nil, weekPath(colleague.ID, from, to)); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
	// No e-mail: nothing to ask.
	if s, err := bob.ContactCalendar(ctx, noMail.ID, from, to); err != nil || s.Configured || s.Reason != "noEmail" || s.Error != "" {
		t.Fatalf("contact without e-mail: %+v %v", s, err)
	}

	// Radicale stops: the last good week, marked stale, with the reason.
	rad.Stop()
	s, err = bob.ContactCalendar(ctx, colleague.ID, from, to)
	if err != nil || !s.Stale || !strings.Contains(s.Error, "calendar server unreachable") {
		t.Fatalf("radicale stopped: stale %v error %q %v", s.Stale, s.Error, err)
	}
	checkEvents(t, "stale week", s.Events, wantSchedule)
}

func TestCalendarWrongPasswordIsSaidClearly(t *testing.T) {
	rad := caltest.Start(t, nil)
	rad.PutSamples(t, "anna.martin")
	r := calendarRig(t)
	ctx := context.Background()
	anna, admin := r.login(t, "anna", ""), r.login(t, "admin", "")
	c, err := anna.CreateContact(ctx, directory.Contact{DisplayName: "Anna Martin", Emails: []string{"anna.martin@example.com"}, Visibility: directory.Public})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.SaveCalendarSettings(ctx, CalendarSettingsUpdate{Kind: "caldav", URL: rad.URL + "/{user}/calendar/",
		Username: caltest.ServiceUser, Password: "not-the-password"}); err != nil {
		t.Fatal(err)
	}
	s, err := anna.ContactCalendar(ctx, c.ID, caltest.WeekStart, caltest.WeekEnd)
	if err != nil || !s.Configured || s.Stale || len(s.Events) != 0 || !strings.Contains(s.Error, "calendar server refused the credentials") {
		t.Fatalf("wrong password: %+v %v", s, err)
	}
	if got, err := admin.TestCalendar(ctx, "anna.martin@example.com"); err != nil || got.OK || !strings.Contains(got.Error, "refused the credentials") {
		t.Fatalf("test with a wrong password: %+v %v", got, err)
	}
	// Fixing the password (the rest kept) fixes the calendar.
	if _, err := admin.SaveCalendarSettings(ctx, CalendarSettingsUpdate{Kind: "caldav", URL: rad.URL + "/{user}/calendar/",
		Username: caltest.ServiceUser, Password: caltest.ServicePassword}); err != nil {
		t.Fatal(err)
	}
	s, err = anna.ContactCalendar(ctx, c.ID, caltest.WeekStart, caltest.WeekEnd)
	if err != nil || s.Error != "" {
		t.Fatalf("after the fix: %+v %v", s, err)
	}
	checkEvents(t, "after the fix", s.Events, wantSchedule)
}

func TestCalendarAdminSettings(t *testing.T) {
	rad := caltest.Start(t, nil)
	rad.CreateCalendar(t, "anna.martin")
	// Something now (so today, in any zone), to count in the connection test.
	now := time.Now().UTC()
	rad.Put(t, "anna.martin", "today", caltest.EventAt("today@test", now.Add(-time.Minute), now.Add(time.Minute), "SUMMARY:Now\n"))
	r := calendarRig(t)
	ctx := context.Background()
	anna, admin := r.login(t, "anna", ""), r.login(t, "admin", "")

	// Attendants may not read nor change the settings; strangers even less.
	if _, err := anna.CalendarSettings(ctx); status(err) != http.StatusForbidden {
		t.Errorf("attendant GET: %v, want 403", err)
	}
	if _, err := anna.SaveCalendarSettings(ctx, CalendarSettingsUpdate{Kind: "ics", URL: "http://evil.example/{user}.ics"}); status(err) != http.StatusForbidden {
		t.Errorf("attendant PUT: %v, want 403", err)
	}
	if _, err := anna.TestCalendar(ctx, "anna.martin@example.com"); status(err) != http.StatusForbidden {
		t.Errorf("attendant test: %v, want 403", err)
	}
	if _, err := r.client().CalendarSettings(ctx); status(err) != http.StatusUnauthorized {
		t.Errorf("anonymous GET: %v, want 401", err)
	}
	if _, err := r.client().TestCalendar(ctx, "x@example.com"); status(err) != http.StatusUnauthorized {
		t.Errorf("anonymous test: %v, want 401", err)
	}

	got, err := admin.CalendarSettings(ctx)
	if err != nil || got.Kind != "none" || got.PasswordSet {
		t.Fatalf("initial settings: %+v %v", got, err)
	}
	if got, err := admin.TestCalendar(ctx, "anna.martin@example.com"); err != nil || got.OK || got.Error == "" {
		t.Fatalf("test without a source: %+v %v", got, err)
	}
	in := CalendarSettingsUpdate{Kind: "caldav", URL: rad.URL + "/{user}/calendar/", Username: caltest.ServiceUser, Password: caltest.ServicePassword}
	got, err = admin.SaveCalendarSettings(ctx, in)
	if err != nil || got.Kind != "caldav" || got.URL != in.URL || got.Username != caltest.ServiceUser || !got.PasswordSet {
		t.Fatalf("saved: %+v %v", got, err)
	}
	code, body := rawGet(t, r, admin, "/admin/calendar")
	if code != http.StatusOK || strings.Contains(body, caltest.ServicePassword) || strings.Contains(body, `"password"`) {
		t.Fatalf("GET leaks the password: %d %s", code, body)
	}
	// Saving without a password keeps it: the test still logs in.
	in.Password = ""
	if got, err := admin.SaveCalendarSettings(ctx, in); err != nil || !got.PasswordSet {
		t.Fatalf("save without password: %+v %v", got, err)
	}
	if got, err := admin.TestCalendar(ctx, "anna.martin@example.com"); err != nil || !got.OK || got.Events != 1 || got.Error != "" {
		t.Fatalf("connection test: %+v %v", got, err)
	}
	stored, err := LoadCalendarConfig(r.store)
	if err != nil || stored.Kind != "caldav" || stored.Password != caltest.ServicePassword {
		t.Fatalf("stored: %+v %v", stored.Kind, err)
	}
	// Bad input: a clear 400, nothing kept.
	for _, bad := range []CalendarSettingsUpdate{
		{Kind: "exchange", URL: "https://x/{user}"},
		{Kind: "caldav", URL: "ftp://dav.example.com/{user}/"},
		{Kind: "caldav", URL: ""},
		{Kind: "ics", URL: "https://cal.example.com/everyone.ics"},
		{Kind: "graph", Tenant: "contoso"},
	} {
		if _, err := admin.SaveCalendarSettings(ctx, bad); status(err) != http.StatusBadRequest {
			t.Errorf("%+v: %v, want 400", bad, err)
		}
	}
	if got, err := admin.CalendarSettings(ctx); err != nil || got.URL != in.URL {
		t.Fatalf("after bad input: %+v %v", got, err)
	}
	if _, err := admin.TestCalendar(ctx, "not-an-address"); status(err) != http.StatusBadRequest {
		t.Fatalf("test without an address: %v", err)
	}
}

// A published .ics per person (priority 2 source) through the API.
func TestCalendarICSSourceThroughAPI(t *testing.T) {
	ics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/published/anna.martin@example.com.ics" {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		io.WriteString(w, caltest.SampleICS())
	}))
	t.Cleanup(ics.Close)
	r := calendarRig(t)
	ctx := context.Background()
	anna, admin := r.login(t, "anna", ""), r.login(t, "admin", "")
	c, err := anna.CreateContact(ctx, directory.Contact{DisplayName: "Anna Martin", Emails: []string{"anna.martin@example.com"}, Visibility: directory.Public})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.SaveCalendarSettings(ctx, CalendarSettingsUpdate{Kind: "ics", URL: ics.URL + "/published/{email}.ics"}); err != nil {
		t.Fatal(err)
	}
	s, err := anna.ContactCalendar(ctx, c.ID, caltest.WeekStart, caltest.WeekEnd)
	if err != nil || s.Source != "ics" || s.Error != "" {
		t.Fatalf("ics: %+v %v", s, err)
	}
	checkEvents(t, "published calendar", s.Events, wantSchedule)
}
