package calendar

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// maxOccurrences bounds the expansion of one recurring event in a range: a
// range is at most a few weeks, so only a rule every few minutes gets near.
const maxOccurrences = 1000

// decodeICS reads one iCalendar stream (possibly several VCALENDARs, as a
// CalDAV server may return) and returns its events overlapping [from, to).
// Times without a zone ("floating") and all-day dates are read in loc.
func decodeICS(r io.Reader, from, to time.Time, loc *time.Location) ([]Event, error) {
	dec := ical.NewDecoder(r)
	var cals []*ical.Calendar
	for {
		cal, err := dec.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadICS, err)
		}
		cals = append(cals, cal)
	}
	if len(cals) == 0 {
		return nil, fmt.Errorf("%w: no VCALENDAR", ErrBadICS)
	}
	return expandEvents(cals, from, to, loc)
}

// expandEvents expands the VEVENTs of cals into occurrences overlapping
// [from, to), sorted by start. A rescheduled occurrence (RECURRENCE-ID)
// replaces the one its rule would give.
func expandEvents(cals []*ical.Calendar, from, to time.Time, loc *time.Location) ([]Event, error) {
	if loc == nil {
		loc = time.Local
	}
	type series struct {
		master    *ical.Component
		overrides []*ical.Component
	}
	byUID := map[string]*series{}
	var order []string
	for _, cal := range cals {
		for _, c := range cal.Children {
			if c.Name != ical.CompEvent {
				continue
			}
			uid, _ := c.Props.Text(ical.PropUID)
			if uid == "" {
				uid = fmt.Sprintf("\x00%p", c) // no UID: a series of its own
			}
			s := byUID[uid]
			if s == nil {
				s = &series{}
				byUID[uid] = s
				order = append(order, uid)
			}
			if c.Props.Get(ical.PropRecurrenceID) != nil {
				s.overrides = append(s.overrides, c)
			} else if s.master == nil {
				s.master = c
			}
		}
	}
	out := []Event{}
	for _, uid := range order {
		s := byUID[uid]
		var moved []time.Time
		for _, o := range s.overrides {
			if rid, _, err := propTime(o.Props.Get(ical.PropRecurrenceID), loc); err == nil {
				moved = append(moved, rid)
			}
			evs, err := occurrences(o, nil, from, to, loc)
			if err != nil {
				return nil, fmt.Errorf("%w: event %q: %w", ErrBadICS, uid, err)
			}
			out = append(out, evs...)
		}
		if s.master != nil {
			evs, err := occurrences(s.master, moved, from, to, loc)
			if err != nil {
				return nil, fmt.Errorf("%w: event %q: %w", ErrBadICS, uid, err)
			}
			out = append(out, evs...)
		}
	}
	sortEvents(out)
	return out, nil
}

func sortEvents(evs []Event) {
	slices.SortStableFunc(evs, func(a, b Event) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return a.End.Compare(b.End)
	})
}

// occurrences returns the occurrences of one VEVENT overlapping [from, to);
// skip are occurrence starts replaced by a RECURRENCE-ID override.
func occurrences(c *ical.Component, skip []time.Time, from, to time.Time, loc *time.Location) ([]Event, error) {
	base, ok := describe(c)
	if !ok {
		return nil, nil // cancelled
	}
	startProp := c.Props.Get(ical.PropDateTimeStart)
	if startProp == nil {
		return nil, fmt.Errorf("no DTSTART")
	}
	start, allDay, err := propTime(startProp, loc)
	if err != nil {
		return nil, fmt.Errorf("DTSTART: %w", err)
	}
	base.AllDay = allDay
	// The length of each occurrence: all-day events span whole days (a day
	// across a DST change is 23 or 25 hours), others a fixed duration.
	var dur time.Duration
	days := 0
	switch {
	case c.Props.Get(ical.PropDateTimeEnd) != nil:
		end, _, err := propTime(c.Props.Get(ical.PropDateTimeEnd), loc)
		if err != nil {
			return nil, fmt.Errorf("DTEND: %w", err)
		}
		if allDay {
			days = int((dateOf(end).Sub(dateOf(start)) + 12*time.Hour) / (24 * time.Hour))
		}
		dur = end.Sub(start)
	case c.Props.Get(ical.PropDuration) != nil:
		d, err := c.Props.Get(ical.PropDuration).Duration()
		if err != nil {
			return nil, fmt.Errorf("DURATION: %w", err)
		}
		dur = d
		if allDay {
			days = int(d / (24 * time.Hour))
		}
	case allDay:
		days = 1
	}
	if allDay && days < 1 {
		days = 1
	}
	endOf := func(s time.Time) time.Time {
		if allDay {
			return s.AddDate(0, 0, days)
		}
		return s.Add(dur)
	}
	at := func(s time.Time) Event {
		e := base
		e.Start, e.End = s, endOf(s)
		return e
	}
	overlaps := func(e Event) bool {
		if e.End.Equal(e.Start) { // a zero-length event is an instant
			return !e.Start.Before(from) && e.Start.Before(to)
		}
		return e.Start.Before(to) && e.End.After(from)
	}

	if c.Props.Get(ical.PropRecurrenceRule) == nil && c.Props.Get(ical.PropRecurrenceDates) == nil {
		if e := at(start); overlaps(e) {
			return []Event{e}, nil
		}
		return nil, nil
	}
	set, err := recurrence(c, start, allDay, skip, loc)
	if err != nil {
		return nil, err
	}
	// An occurrence overlapping from may have started up to one length before.
	span := endOf(start).Sub(start)
	var out []Event
	it := set.Iterator()
	for range maxOccurrences * 100 { // the rule may give many starts before the range
		s, ok := it()
		if !ok || !s.Before(to) {
			break
		}
		if s.Add(span).Before(from) {
			continue
		}
		if e := at(s); overlaps(e) {
			out = append(out, e)
			if len(out) >= maxOccurrences {
				break
			}
		}
	}
	return out, nil
}

// recurrence builds the rule set of a recurring VEVENT with go-ical's RRULE
// parser. EXDATE and RDATE are read here rather than by
// Component.RecurrenceSet: they may list several dates in one property
// (EXDATE:20261201T100000,20261208T100000), each in its TZID.
func recurrence(c *ical.Component, start time.Time, allDay bool, skip []time.Time, loc *time.Location) (*rrule.Set, error) {
	set := &rrule.Set{}
	opt, err := c.Props.RecurrenceRule()
	if err != nil {
		return nil, err
	}
	if opt != nil {
		opt.Dtstart = start
		if !opt.Until.IsZero() && allDay {
			// UNTIL of an all-day series is a date: include that whole day.
			opt.Until = time.Date(opt.Until.Year(), opt.Until.Month(), opt.Until.Day(), 23, 59, 59, 0, loc)
		}
		rule, err := rrule.NewRRule(*opt)
		if err != nil {
			return nil, fmt.Errorf("RRULE: %w", err)
		}
		set.RRule(rule)
	}
	set.DTStart(start)
	if c.Props.Get(ical.PropRecurrenceRule) == nil {
		set.RDate(start) // RDATE only: DTSTART is the first occurrence
	}
	for _, p := range c.Props.Values(ical.PropRecurrenceDates) {
		ts, err := propTimes(&p, loc)
		if err != nil {
			return nil, fmt.Errorf("RDATE: %w", err)
		}
		for _, t := range ts {
			set.RDate(t)
		}
	}
	for _, p := range c.Props.Values(ical.PropExceptionDates) {
		ts, err := propTimes(&p, loc)
		if err != nil {
			return nil, fmt.Errorf("EXDATE: %w", err)
		}
		for _, t := range ts {
			set.ExDate(t)
		}
	}
	for _, t := range skip {
		set.ExDate(t)
	}
	return set, nil
}

// describe reads what an event says apart from its times; ok is false for a
// cancelled event, which is not shown.
func describe(c *ical.Component) (Event, bool) {
	text := func(name string) string {
		v, _ := c.Props.Text(name)
		return strings.TrimSpace(v)
	}
	upper := func(name string) string { return strings.ToUpper(text(name)) }
	if upper(ical.PropStatus) == "CANCELLED" {
		return Event{}, false
	}
	e := Event{Summary: text(ical.PropSummary), Location: text(ical.PropLocation), Status: Busy}
	switch ms := upper("X-MICROSOFT-CDO-BUSYSTATUS"); {
	case ms == "OOF":
		e.Status = OOF
	case ms == "FREE", upper(ical.PropTransparency) == "TRANSPARENT":
		e.Status = Free
	case ms == "TENTATIVE", upper(ical.PropStatus) == "TENTATIVE":
		e.Status = Tentative
	}
	switch upper(ical.PropClass) {
	case "PRIVATE", "CONFIDENTIAL":
		e.Private, e.Summary, e.Location = true, "", ""
	}
	return e, true
}

const (
	icsDate      = "20060102"
	icsDateTime  = "20060102T150405"
	icsDateTimeZ = "20060102T150405Z"
)

// propTime reads a DATE or DATE-TIME property: UTC, in its TZID, or floating
// (in loc). allDay is true for a DATE, which starts at midnight in loc.
func propTime(p *ical.Prop, loc *time.Location) (time.Time, bool, error) {
	if p == nil {
		return time.Time{}, false, fmt.Errorf("missing")
	}
	ts, err := propTimes(p, loc)
	if err != nil {
		return time.Time{}, false, err
	}
	return ts[0], isDate(p), nil
}

func isDate(p *ical.Prop) bool {
	return p.ValueType() == ical.ValueDate || (p.ValueType() == ical.ValueDefault && len(strings.TrimSpace(p.Value)) == len(icsDate))
}

// propTimes reads a property that may list several comma-separated values.
func propTimes(p *ical.Prop, loc *time.Location) ([]time.Time, error) {
	zone := loc
	if tzid := p.Params.Get(ical.PropTimezoneID); tzid != "" {
		zone = location(tzid, loc)
	}
	var out []time.Time
	for v := range strings.SplitSeq(p.Value, ",") {
		v = strings.TrimSpace(v)
		var (
			t   time.Time
			err error
		)
		switch {
		case len(v) == len(icsDate):
			t, err = time.ParseInLocation(icsDate, v, loc)
		case strings.HasSuffix(v, "Z"):
			t, err = time.ParseInLocation(icsDateTimeZ, v, time.UTC)
		default:
			t, err = time.ParseInLocation(icsDateTime, v, zone)
		}
		if err != nil {
			return nil, fmt.Errorf("bad date %q", v)
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty date")
	}
	return out, nil
}

// windowsZones maps the Windows zone names Exchange and Outlook put in TZID
// to IANA names, for the zones of the sites this runs at.
var windowsZones = map[string]string{
	"W. Europe Standard Time":        "Europe/Berlin",
	"Romance Standard Time":          "Europe/Paris",
	"Central Europe Standard Time":   "Europe/Budapest",
	"GMT Standard Time":              "Europe/London",
	"Greenwich Standard Time":        "Atlantic/Reykjavik",
	"E. Europe Standard Time":        "Europe/Chisinau",
	"FLE Standard Time":              "Europe/Kiev",
	"Eastern Standard Time":          "America/New_York",
	"Central Standard Time":          "America/Chicago",
	"Mountain Standard Time":         "America/Denver",
	"Pacific Standard Time":          "America/Los_Angeles",
	"UTC":                            "UTC",
	"Coordinated Universal Time":     "UTC",
	"Central European Standard Time": "Europe/Warsaw",
}

// location resolves a TZID: an IANA name, a Windows name, or a name with a
// vendor prefix ("/mozilla.org/20050126_1/Europe/Paris"). Unknown zones fall
// back to loc rather than losing the event.
func location(tzid string, loc *time.Location) *time.Location {
	tzid = strings.Trim(tzid, `"`)
	if l, err := time.LoadLocation(tzid); err == nil {
		return l
	}
	if n, ok := windowsZones[tzid]; ok {
		if l, err := time.LoadLocation(n); err == nil {
			return l
		}
	}
	parts := strings.Split(tzid, "/")
	for i := range parts {
		if l, err := time.LoadLocation(strings.Join(parts[i:], "/")); err == nil && i > 0 {
			return l
		}
	}
	return loc
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
