package calendar

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"
)

// maxCalendars bounds the calendars queried for one person when the URL
// names a home or a principal rather than one calendar.
const maxCalendars = 10

// CalDAV reads calendars from a CalDAV server (Radicale, Nextcloud, SOGo,
// Baïkal…) with a service account that may read everyone's calendars. URL
// names a person's calendar ("https://dav.example.com/{user}/calendar/"), or
// their principal or calendar home, whose event calendars are all read.
type CalDAV struct {
	URL                string
	Username, Password string
	HTTP               *http.Client   // nil: a shared client with a 10 s timeout
	Location           *time.Location // floating times and dates; nil: time.Local
}

// Events runs a calendar-query REPORT with a time range on the person's
// calendars and expands recurring events in the range.
func (s *CalDAV) Events(ctx context.Context, email string, from, to time.Time) ([]Event, error) {
	target := expand(s.URL, email)
	d := newDoer(s.HTTP, s.Username, s.Password)
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("calendar URL %q: %w", target, err)
	}
	endpoint := (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
	cl, err := caldav.NewClient(d, endpoint)
	if err != nil {
		return nil, fmt.Errorf("caldav client: %w", err)
	}
	paths, err := s.calendars(ctx, d, cl, u)
	if err != nil {
		return nil, err
	}
	q := &caldav.CalendarQuery{
		CompRequest: caldav.CalendarCompRequest{Name: ical.CompCalendar, AllProps: true, AllComps: true},
		CompFilter: caldav.CompFilter{Name: ical.CompCalendar, Comps: []caldav.CompFilter{{
			// A day wider: the server reads floating times and all-day
			// dates in its own zone; the range is cut exactly here.
			Name: ical.CompEvent, Start: from.UTC().Add(-24 * time.Hour), End: to.UTC().Add(24 * time.Hour),
		}}},
	}
	var cals []*ical.Calendar
	for _, p := range paths {
		objs, err := cl.QueryCalendar(ctx, p, q)
		if err != nil {
			return nil, fmt.Errorf("calendar query %s: %w", p, err)
		}
		for _, o := range objs {
			if o.Data != nil {
				cals = append(cals, o.Data)
			}
		}
	}
	return expandEvents(cals, from, to, s.Location)
}

// calendars returns the calendar collections to query: the URL itself when
// it is a calendar, else the event calendars of the home it is (or of the
// principal's home).
func (s *CalDAV) calendars(ctx context.Context, d *doer, cl *caldav.Client, u *url.URL) ([]string, error) {
	isCal, err := isCalendar(ctx, d, u.String())
	if err != nil {
		return nil, err
	}
	if isCal {
		return []string{u.Path}, nil
	}
	home := u.Path
	if h, err := cl.FindCalendarHomeSet(ctx, u.Path); err == nil && h != "" {
		home = h
	}
	cals, err := cl.FindCalendars(ctx, home)
	if err != nil {
		return nil, fmt.Errorf("list calendars in %s: %w", home, err)
	}
	var out []string
	for _, c := range cals {
		if len(c.SupportedComponentSet) == 0 || containsFold(c.SupportedComponentSet, ical.CompEvent) {
			out = append(out, c.Path)
		}
		if len(out) == maxCalendars {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s has no event calendar", ErrNotFound, u.Redacted())
	}
	return out, nil
}

func containsFold(l []string, s string) bool {
	for _, v := range l {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

const propfindResourceType = `<?xml version="1.0" encoding="utf-8"?>` +
	`<propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>`

// isCalendar asks (PROPFIND, depth 0) whether target is a calendar
// collection; listing it with depth 1 would list every event in it.
func isCalendar(ctx context.Context, d *doer, target string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, "PROPFIND", target, strings.NewReader(propfindResourceType))
	if err != nil {
		return false, fmt.Errorf("calendar URL: %w", err)
	}
	req.Header.Set("Depth", "0")
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	resp, err := d.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		return false, fmt.Errorf("%s is not a CalDAV server (PROPFIND: %s)", req.URL.Redacted(), resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, fmt.Errorf("read PROPFIND answer: %w", err)
	}
	var ms struct {
		Responses []struct {
			Types []struct {
				Any []xml.Name `xml:",any"`
			} `xml:"propstat>prop>resourcetype"`
		} `xml:"response"`
	}
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&ms); err != nil {
		return false, fmt.Errorf("%s: bad PROPFIND answer: %w", req.URL.Redacted(), err)
	}
	for _, r := range ms.Responses {
		for _, t := range r.Types {
			for _, n := range t.Any {
				if n.Space == "urn:ietf:params:xml:ns:caldav" && n.Local == "calendar" {
					return true, nil
				}
			}
		}
	}
	return false, nil
}
