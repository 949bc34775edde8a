package caltest

import (
	"strings"
	"testing"
	"time"
)

// The sample week: Monday 7 to Monday 14 December 2026. Fixed dates keep the
// tests independent of the day they run.
var (
	WeekStart = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	WeekEnd   = WeekStart.AddDate(0, 0, 7)
)

const vtimezones = `BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
`

func vcal(body string) string {
	return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Concierge//caltest//EN\n" + vtimezones + body + "END:VCALENDAR\n"
}

// EventAt is one event from start to end (stored in UTC) with extra
// properties, each ending in a newline ("SUMMARY:Board meeting\n"): for tests
// that need something happening now.
func EventAt(uid string, start, end time.Time, extra string) string {
	const utc = "20060102T150405Z"
	return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Concierge//caltest//EN\nBEGIN:VEVENT\nUID:" + uid + "\nDTSTAMP:20260101T000000Z\n" +
		"DTSTART:" + start.UTC().Format(utc) + "\nDTEND:" + end.UTC().Format(utc) + "\n" + extra + "END:VEVENT\nEND:VCALENDAR\n"
}

// SampleEvents are real iCalendar objects (name → .ics) covering what a
// calendar source must handle, in the sample week:
//
//   - single: "Budget review", Tue 8 Dec 09:00–10:00 UTC, in "Room 4"
//   - allday: "Training day", Wed 9 Dec, all day
//   - weekly: "Team standup", Mon/Wed/Fri 09:30–10:00 Europe/Paris from
//     23 Nov, Wed 9 Dec excluded (EXDATE): Mon 7 and Fri 11 in the week
//   - private: CLASS:PRIVATE "Doctor appointment" at "Clinic", Thu 10 Dec
//     12:00–13:00 UTC (shown without summary nor location)
//   - newyork: "Call with New York", Thu 10 Dec 09:00–10:00 America/New_York
//     (14:00–15:00 UTC)
//   - cancelled: STATUS:CANCELLED "Cancelled lunch", Tue 8 Dec (not shown)
//   - tentative: STATUS:TENTATIVE "Maybe offsite", Fri 11 Dec 15:00–16:00 UTC
//   - transparent: TRANSP:TRANSPARENT "Expenses reminder", Fri 11 Dec
//     08:00–08:30 UTC (free)
//   - later: "Next year", 5 Jan 2027 (outside the week)
var SampleEvents = map[string]string{
	"single": vcal(`BEGIN:VEVENT
UID:single@caltest
DTSTAMP:20261101T000000Z
DTSTART:20261208T090000Z
DTEND:20261208T100000Z
SUMMARY:Budget review
LOCATION:Room 4
END:VEVENT
`),
	"allday": vcal(`BEGIN:VEVENT
UID:allday@caltest
DTSTAMP:20261101T000000Z
DTSTART;VALUE=DATE:20261209
DTEND;VALUE=DATE:20261210
SUMMARY:Training day
END:VEVENT
`),
	"weekly": vcal(`BEGIN:VEVENT
UID:weekly@caltest
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Paris:20261123T093000
DTEND;TZID=Europe/Paris:20261123T100000
RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=20
EXDATE;TZID=Europe/Paris:20261209T093000
SUMMARY:Team standup
END:VEVENT
`),
	"private": vcal(`BEGIN:VEVENT
UID:private@caltest
DTSTAMP:20261101T000000Z
DTSTART:20261210T120000Z
DTEND:20261210T130000Z
CLASS:PRIVATE
SUMMARY:Doctor appointment
LOCATION:Clinic
END:VEVENT
`),
	"newyork": vcal(`BEGIN:VEVENT
UID:newyork@caltest
DTSTAMP:20261101T000000Z
DTSTART;TZID=America/New_York:20261210T090000
DTEND;TZID=America/New_York:20261210T100000
SUMMARY:Call with New York
END:VEVENT
`),
	"cancelled": vcal(`BEGIN:VEVENT
UID:cancelled@caltest
DTSTAMP:20261101T000000Z
DTSTART:20261208T120000Z
DTEND:20261208T130000Z
STATUS:CANCELLED
SUMMARY:Cancelled lunch
END:VEVENT
`),
	"tentative": vcal(`BEGIN:VEVENT
UID:tentative@caltest
DTSTAMP:20261101T000000Z
DTSTART:20261211T150000Z
DTEND:20261211T160000Z
STATUS:TENTATIVE
SUMMARY:Maybe offsite
END:VEVENT
`),
	"transparent": vcal(`BEGIN:VEVENT
UID:transparent@caltest
DTSTAMP:20261101T000000Z
DTSTART:20261211T080000Z
DTEND:20261211T083000Z
TRANSP:TRANSPARENT
SUMMARY:Expenses reminder
END:VEVENT
`),
	"later": vcal(`BEGIN:VEVENT
UID:later@caltest
DTSTAMP:20261101T000000Z
DTSTART:20270105T090000Z
DTEND:20270105T100000Z
SUMMARY:Next year
END:VEVENT
`),
}

// SampleICS is every sample event in one published calendar file.
func SampleICS() string {
	body := ""
	for _, name := range []string{"single", "allday", "weekly", "private", "newyork", "cancelled", "tentative", "transparent", "later"} {
		s := SampleEvents[name]
		// Keep the VEVENT only; the zones once, from vcal.
		i := strings.Index(s, "BEGIN:VEVENT")
		j := strings.Index(s, "END:VCALENDAR")
		body += s[i:j]
	}
	return vcal(body)
}

// PutSamples creates user's calendar and stores every sample event in it.
func (r *Radicale) PutSamples(t testing.TB, user string) string {
	t.Helper()
	u, err := r.AddSamples(user)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// AddSamples is PutSamples outside a test.
func (r *Radicale) AddSamples(user string) (string, error) {
	u, err := r.MakeCalendar(user)
	if err != nil {
		return "", err
	}
	for name, ics := range SampleEvents {
		if err := r.PutEvent(user, name, ics); err != nil {
			return "", err
		}
	}
	return u, nil
}
