// Package calendar reads colleagues' calendars (D2) so the receptionist sees
// "in a meeting until 11:00" beside a contact, and the presence hub can say
// "away" while such a meeting runs (D3).
//
// A Source fetches one person's events, by e-mail, for a time range: CalDAV
// (a REPORT calendar-query), a published .ics URL, or Microsoft Graph's
// calendarView. A Service puts a short cache and a singleflight in front of
// the configured source, so that many consoles looking at one person cause
// one fetch, and a failing source answers with the last good events.
//
// Private events (CLASS:PRIVATE/CONFIDENTIAL, Graph sensitivity
// private/confidential) keep only their times: the summary and location are
// emptied here, so they never reach a console.
package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Status is how an event counts for the person's availability.
type Status string

const (
	Busy      Status = "busy"
	Tentative Status = "tentative"
	Free      Status = "free"
	OOF       Status = "oof" // out of office
)

// Event is one occurrence of an event in a person's calendar. Recurring
// events are expanded: each occurrence in the range is one Event.
type Event struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	AllDay   bool      `json:"allDay"`
	Summary  string    `json:"summary"`
	Location string    `json:"location"`
	Status   Status    `json:"status"`
	Private  bool      `json:"private"`
}

// Source fetches the events of the person with this e-mail address that
// overlap [from, to).
type Source interface {
	Events(ctx context.Context, email string, from, to time.Time) ([]Event, error)
}

// Kinds of source.
const (
	KindNone   = "none"
	KindCalDAV = "caldav"
	KindICS    = "ics"
	KindGraph  = "graph"
)

// Config selects and configures the source. URL is a template for CalDAV and
// ICS: {email} is replaced by the person's address and {user} by its local
// part (both escaped for a URL path).
type Config struct {
	Kind     string `json:"kind"`
	URL      string `json:"url,omitempty"`
	Username string `json:"username,omitempty"` // CalDAV/ICS basic auth (a service account)
	Password string `json:"password,omitempty"` // basic auth password, or the Graph client secret
	Tenant   string `json:"tenant,omitempty"`   // Graph: Entra ID tenant
	ClientID string `json:"clientId,omitempty"` // Graph: application (client) ID
	GraphURL string `json:"graphUrl,omitempty"` // Graph API base; default https://graph.microsoft.com/v1.0
	TokenURL string `json:"tokenUrl,omitempty"` // OAuth2 token endpoint; default from Tenant
}

// Enabled reports whether a source is configured.
func (c Config) Enabled() bool { return c.Kind != "" && c.Kind != KindNone }

// maxField bounds every setting: URLs and names are short.
const maxField = 2000

// Validate returns what is wrong with c in words an administrator
// understands, or nil.
func (c Config) Validate() error {
	for name, v := range map[string]string{"URL": c.URL, "username": c.Username, "password": c.Password,
		"tenant": c.Tenant, "client ID": c.ClientID, "Graph URL": c.GraphURL, "token URL": c.TokenURL} {
		if len(v) > maxField {
			return fmt.Errorf("%s longer than %d characters", name, maxField)
		}
	}
	switch c.Kind {
	case "", KindNone:
		return nil
	case KindCalDAV, KindICS:
		if err := checkURL("URL", expand(c.URL, "someone@example.com")); err != nil {
			return err
		}
		if c.Kind == KindICS && !strings.Contains(c.URL, "{email}") && !strings.Contains(c.URL, "{user}") {
			return errors.New("the ICS URL must contain {email} or {user}: each person has their own calendar")
		}
		return nil
	case KindGraph:
		if c.ClientID == "" || c.Password == "" {
			return errors.New("Microsoft Graph needs a client ID and a client secret")
		}
		if c.TokenURL == "" && c.Tenant == "" {
			return errors.New("Microsoft Graph needs a tenant (or a token URL)")
		}
		if c.GraphURL != "" {
			if err := checkURL("Graph URL", c.GraphURL); err != nil {
				return err
			}
		}
		if c.TokenURL != "" {
			if err := checkURL("token URL", c.TokenURL); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown calendar kind %q: use none, caldav, ics or graph", c.Kind)
}

func checkURL(name, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s must be an http:// or https:// address, such as https://cal.example.com/{user}/calendar/", name)
	}
	return nil
}

// expand fills a URL template for one person.
func expand(tmpl, email string) string {
	user, _, _ := strings.Cut(email, "@")
	r := strings.NewReplacer("{email}", url.PathEscape(email), "{user}", url.PathEscape(user))
	return r.Replace(tmpl)
}

// NewSource returns the source c describes, or nil for KindNone.
func NewSource(c Config) (Source, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	switch c.Kind {
	case KindCalDAV:
		return &CalDAV{URL: c.URL, Username: c.Username, Password: c.Password}, nil
	case KindICS:
		return &ICS{URL: c.URL, Username: c.Username, Password: c.Password}, nil
	case KindGraph:
		return &Graph{BaseURL: c.GraphURL, TokenURL: c.TokenURL, Tenant: c.Tenant, ClientID: c.ClientID, Secret: c.Password}, nil
	}
	return nil, nil
}

// Errors a source wraps, so callers can tell them apart.
var (
	ErrUnauthorized = errors.New("calendar server refused the credentials")
	ErrUnreachable  = errors.New("calendar server unreachable")
	ErrNotFound     = errors.New("no calendar at this address")
	ErrBadICS       = errors.New("calendar data is not valid iCalendar")
	ErrTooLarge     = errors.New("calendar answer too large")
)
