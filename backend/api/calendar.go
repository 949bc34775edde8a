package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/concierge-console/concierge/backend/calendar"
	"github.com/concierge-console/concierge/backend/store"
)

// CalendarMetaKey is where the calendar source settings are kept in the store.
const CalendarMetaKey = "calendar"

// MaxCalendarSpan bounds GET /contacts/{id}/calendar: a console shows a day
// or a week, and a wider range would only load the calendar server.
const MaxCalendarSpan = 14 * 24 * time.Hour

// WithCalendar serves contacts' calendars (D2) from svc, and the calendar
// settings to administrators under /admin/calendar.
func WithCalendar(svc *calendar.Service) Option { return func(s *Server) { s.cal = svc } }

// CalendarSettings is the calendar source as an administrator sees it. The
// password (or Graph client secret) is never sent back: PasswordSet says
// whether there is one.
type CalendarSettings struct {
	Kind        string `json:"kind"` // none, caldav, ics, graph
	URL         string `json:"url"`
	Username    string `json:"username"`
	PasswordSet bool   `json:"passwordSet"`
	Tenant      string `json:"tenant"`
	ClientID    string `json:"clientId"`
	GraphURL    string `json:"graphUrl"`
	TokenURL    string `json:"tokenUrl"`
}

// CalendarSettingsUpdate is the body of PUT /admin/calendar. An empty or
// missing password keeps the stored one.
type CalendarSettingsUpdate struct {
	Kind     string `json:"kind"`
	URL      string `json:"url"`
	Username string `json:"username"`
	Password string `json:"password,omitempty"`
	Tenant   string `json:"tenant"`
	ClientID string `json:"clientId"`
	GraphURL string `json:"graphUrl"`
	TokenURL string `json:"tokenUrl"`
}

// CalendarTestRequest is the body of POST /admin/calendar/test.
type CalendarTestRequest struct {
	Email string `json:"email"`
}

// CalendarTest is the outcome of fetching one person's events of today
// with the saved settings.
type CalendarTest struct {
	OK     bool   `json:"ok"`
	Events int    `json:"events"`
	Error  string `json:"error"`
}

// Schedule is a contact's calendar for a range (D2). It is always answered
// for a visible contact: Configured false says there is nothing to ask
// (Reason "none": no source; "noEmail": the contact has no e-mail), Error
// that the source failed (then Stale says Events are the last good ones).
type Schedule struct {
	ContactID  string           `json:"contactId"`
	Configured bool             `json:"configured"`
	Reason     string           `json:"reason,omitempty"` // none, noEmail (when not configured)
	Source     string           `json:"source"`           // caldav, ics, graph, ""
	From       time.Time        `json:"from"`
	To         time.Time        `json:"to"`
	Events     []calendar.Event `json:"events"`
	Fetched    time.Time        `json:"fetched,omitzero"`
	Stale      bool             `json:"stale"`
	Error      string           `json:"error"`
}

// LoadCalendarConfig returns the calendar settings saved by an
// administrator (Kind "none" when none were saved).
func LoadCalendarConfig(st *store.Store) (calendar.Config, error) {
	doc, err := st.Meta(CalendarMetaKey)
	if errors.Is(err, store.ErrNotFound) {
		return calendar.Config{Kind: calendar.KindNone}, nil
	}
	if err != nil {
		return calendar.Config{Kind: calendar.KindNone}, fmt.Errorf("load calendar settings: %w", err)
	}
	var cfg calendar.Config
	if err := json.Unmarshal(doc, &cfg); err != nil {
		return calendar.Config{Kind: calendar.KindNone}, fmt.Errorf("decode calendar settings: %w", err)
	}
	return cfg, nil
}

func calendarView(cfg calendar.Config) CalendarSettings {
	kind := cfg.Kind
	if kind == "" {
		kind = calendar.KindNone
	}
	return CalendarSettings{Kind: kind, URL: cfg.URL, Username: cfg.Username, PasswordSet: cfg.Password != "",
		Tenant: cfg.Tenant, ClientID: cfg.ClientID, GraphURL: cfg.GraphURL, TokenURL: cfg.TokenURL}
}

func (s *Server) getCalendarSettings(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, calendarView(s.cal.Config()))
}

func (s *Server) putCalendarSettings(w http.ResponseWriter, r *http.Request) {
	var in CalendarSettingsUpdate
	if !decode(w, r, &in) {
		return
	}
	cfg := s.cal.Config()
	cfg.Kind = strings.ToLower(strings.TrimSpace(in.Kind))
	if cfg.Kind == "" {
		cfg.Kind = calendar.KindNone
	}
	cfg.URL, cfg.Username = strings.TrimSpace(in.URL), strings.TrimSpace(in.Username)
	cfg.Tenant, cfg.ClientID = strings.TrimSpace(in.Tenant), strings.TrimSpace(in.ClientID)
	cfg.GraphURL, cfg.TokenURL = strings.TrimSpace(in.GraphURL), strings.TrimSpace(in.TokenURL)
	if in.Password != "" {
		cfg.Password = in.Password
	}
	if err := cfg.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_calendar", err.Error())
		return
	}
	doc, err := json.Marshal(cfg)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	if err := s.store.PutMeta(CalendarMetaKey, doc); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "cannot save the calendar settings: "+err.Error())
		return
	}
	if err := s.cal.Configure(cfg); err != nil { // validated above: cannot fail
		writeError(w, http.StatusBadRequest, "invalid_calendar", err.Error())
		return
	}
	s.log.Info("api: calendar settings changed", "user", from(r).user.Username, "kind", cfg.Kind, "url", cfg.URL)
	writeJSON(w, http.StatusOK, calendarView(cfg))
}

func (s *Server) testCalendar(w http.ResponseWriter, r *http.Request) {
	var in CalendarTestRequest
	if !decode(w, r, &in) {
		return
	}
	if in.Email = strings.TrimSpace(in.Email); in.Email == "" || !strings.Contains(in.Email, "@") {
		writeError(w, http.StatusBadRequest, "bad_request", "give the e-mail address of someone whose calendar to read")
		return
	}
	n, err := s.cal.Test(r.Context(), in.Email)
	out := CalendarTest{OK: err == nil, Events: n}
	if err != nil {
		out.Error = err.Error()
	}
	writeJSON(w, http.StatusOK, out)
}

// contactCalendar answers GET /contacts/{id}/calendar?from=&to= for a
// contact the caller may see (else 404, as GET /contacts/{id}).
func (s *Server) contactCalendar(w http.ResponseWriter, r *http.Request) {
	ct, err := s.dir.Get(viewer(from(r)), r.PathValue("id"))
	if err != nil {
		directoryError(w, err)
		return
	}
	q := r.URL.Query()
	start, err1 := time.Parse(time.RFC3339, q.Get("from"))
	end, err2 := time.Parse(time.RFC3339, q.Get("to"))
	switch {
	case err1 != nil || err2 != nil:
		writeError(w, http.StatusBadRequest, "bad_request", "from and to must be RFC 3339 times, such as 2026-12-07T00:00:00Z")
		return
	case !start.Before(end):
		writeError(w, http.StatusBadRequest, "bad_request", "from must be before to")
		return
	case end.Sub(start) > MaxCalendarSpan:
		writeError(w, http.StatusBadRequest, "bad_request", "at most 14 days at a time")
		return
	}
	out := Schedule{ContactID: ct.ID, From: start, To: end, Events: []calendar.Event{}}
	cfg := s.cal.Config()
	switch {
	case !cfg.Enabled():
		out.Reason = "none"
	case len(ct.Emails) == 0:
		out.Reason = "noEmail"
	default:
		res := s.cal.Events(r.Context(), ct.Emails[0], start, end)
		out.Configured, out.Source = res.Configured, res.Kind
		out.Events, out.Fetched, out.Stale, out.Error = res.Events, res.Fetched, res.Stale, res.Err
		if !res.Configured {
			out.Reason = "none"
		}
		if res.Err != "" {
			s.log.Debug("api: calendar fetch failed", "contact", ct.ID, "stale", res.Stale, "err", res.Err)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
