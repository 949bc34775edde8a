package server

import (
	"context"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/calendar/caltest"
	"github.com/concierge-console/concierge/backend/directory"
)

// D3 through a running switchboard: while a meeting in a real Radicale
// covers now, a contact on screen shows away, with the meeting's summary
// (none for a private one) and its end, and whether it is a meeting or an
// absence from the office.
func TestCalendarPresence(t *testing.T) {
	rad := caltest.Start(t, nil)
	now := time.Now().UTC().Truncate(time.Second)
	start, end := now.Add(-30*time.Minute), now.Add(45*time.Minute)
	event := func(uid, extra string) string { return caltest.EventAt(uid, start, end, extra) }
	rad.CreateCalendar(t, "anna.martin")
	rad.Put(t, "anna.martin", "board", event("board@test", "SUMMARY:Board meeting\n"))
	rad.CreateCalendar(t, "bob.prive")
	rad.Put(t, "bob.prive", "doctor", event("doctor@test", "SUMMARY:Doctor\nCLASS:PRIVATE\n"))
	rad.CreateCalendar(t, "carl.free")
	rad.Put(t, "carl.free", "focus", event("focus@test", "SUMMARY:Focus\nTRANSP:TRANSPARENT\n"))
	rad.CreateCalendar(t, "dana.away")
	rad.Put(t, "dana.away", "fair", event("fair@test", "SUMMARY:Trade fair\nX-MICROSOFT-CDO-BUSYSTATUS:OOF\n"))

	s := start_(t)
	ctx := context.Background()
	c := signIn(ctx, t, s, "admin", "calendar-admin-pw")
	if _, err := c.SaveCalendarSettings(ctx, api.CalendarSettingsUpdate{Kind: "caldav", URL: rad.URL + "/{user}/calendar/",
		Username: caltest.ServiceUser, Password: caltest.ServicePassword}); err != nil {
		t.Fatal(err)
	}
	mk := func(name, email, ext string) string {
		ct, err := c.CreateContact(ctx, directory.Contact{DisplayName: name, Emails: []string{email}, Visibility: directory.Public,
			Phones: []directory.Phone{{Type: directory.PhoneExtension, Number: ext}}})
		if err != nil {
			t.Fatal(err)
		}
		return ct.ID
	}
	anna, bob, carl := mk("Anna Martin", "anna.martin@example.com", "2201"), mk("Bob Privé", "bob.prive@example.com", "2202"), mk("Carl Free", "carl.free@example.com", "2203")
	dana := mk("Dana Away", "dana.away@example.com", "2204")

	// The first look marks them wanted; the feed polls them at once.
	deadline := time.Now().Add(20 * time.Second)
	var got map[string]api.ContactPresence
	for {
		ps, err := c.Presence(ctx, []string{anna, bob, carl, dana})
		if err != nil {
			t.Fatal(err)
		}
		got = map[string]api.ContactPresence{}
		for _, p := range ps {
			got[p.ID] = p
		}
		if got[anna].Source == "calendar" && got[bob].Source == "calendar" && got[dana].Source == "calendar" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if p := got[anna]; p.State != "away" || p.Source != "calendar" || p.Message != "Board meeting" || !p.Until.Equal(end) ||
		p.Activity != "meeting" {
		t.Fatalf("anna in a meeting: %+v", p)
	}
	if p := got[bob]; p.State != "away" || p.Source != "calendar" || p.Message != "" || !p.Until.Equal(end) {
		t.Fatalf("bob at a private appointment: %+v", p)
	}
	if p := got[carl]; p.Source == "calendar" || p.State == "away" {
		t.Fatalf("carl's transparent event makes him away: %+v", p)
	}
	if p := got[dana]; p.State != "away" || p.Source != "calendar" || p.Message != "Trade fair" || p.Activity != "oof" {
		t.Fatalf("dana out of office: %+v", p)
	}
}

func start_(t *testing.T) *Server {
	t.Helper()
	s := start(t, t.TempDir(), "calendar-admin-pw")
	t.Cleanup(func() { s.Close() })
	return s
}
