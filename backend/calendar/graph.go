package calendar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Microsoft Graph defaults.
const (
	DefaultGraphURL = "https://graph.microsoft.com/v1.0"
	graphScope      = "https://graph.microsoft.com/.default"
	maxGraphPages   = 20 // 20 pages of 100 events: more than a fortnight holds
)

// Graph reads Microsoft 365 calendars through Graph's calendarView with an
// application's client credentials (Calendars.ReadBasic or Calendars.Read,
// application permission).
type Graph struct {
	BaseURL  string // default DefaultGraphURL
	TokenURL string // default https://login.microsoftonline.com/{Tenant}/oauth2/v2.0/token
	Tenant   string
	ClientID string
	Secret   string
	HTTP     *http.Client
	Location *time.Location // all-day dates; nil: time.Local

	mu      sync.Mutex
	token   string
	expires time.Time
}

type graphTime struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

type graphEvent struct {
	Subject     string    `json:"subject"`
	Start       graphTime `json:"start"`
	End         graphTime `json:"end"`
	IsAllDay    bool      `json:"isAllDay"`
	IsCancelled bool      `json:"isCancelled"`
	ShowAs      string    `json:"showAs"`
	Sensitivity string    `json:"sensitivity"`
	Location    struct {
		DisplayName string `json:"displayName"`
	} `json:"location"`
}

type graphPage struct {
	Value    []graphEvent `json:"value"`
	NextLink string       `json:"@odata.nextLink"`
}

// Events lists calendarView of the user for the range, following paging.
func (g *Graph) Events(ctx context.Context, email string, from, to time.Time) ([]Event, error) {
	loc := g.Location
	if loc == nil {
		loc = time.Local
	}
	base := strings.TrimRight(g.BaseURL, "/")
	if base == "" {
		base = DefaultGraphURL
	}
	q := url.Values{
		"startDateTime": {from.UTC().Format(time.RFC3339)},
		"endDateTime":   {to.UTC().Format(time.RFC3339)},
		"$select":       {"subject,start,end,isAllDay,isCancelled,showAs,sensitivity,location"},
		"$top":          {"100"},
	}
	next := base + "/users/" + url.PathEscape(email) + "/calendarView?" + q.Encode()
	out := []Event{}
	for page := 0; next != ""; page++ {
		if page == maxGraphPages {
			return nil, fmt.Errorf("%w: more than %d pages of events", ErrTooLarge, maxGraphPages)
		}
		var p graphPage
		if err := g.get(ctx, next, &p); err != nil {
			return nil, err
		}
		for _, ge := range p.Value {
			e, ok, err := ge.event(loc)
			if err != nil {
				return nil, fmt.Errorf("graph event %q: %w", ge.Subject, err)
			}
			if ok && e.Start.Before(to) && (e.End.After(from) || e.End.Equal(e.Start) && !e.Start.Before(from)) {
				out = append(out, e)
			}
		}
		next = p.NextLink
	}
	sortEvents(out)
	return out, nil
}

func (ge graphEvent) event(loc *time.Location) (Event, bool, error) {
	if ge.IsCancelled {
		return Event{}, false, nil
	}
	start, err := ge.Start.parse(ge.IsAllDay, loc)
	if err != nil {
		return Event{}, false, err
	}
	end, err := ge.End.parse(ge.IsAllDay, loc)
	if err != nil {
		return Event{}, false, err
	}
	e := Event{Start: start, End: end, AllDay: ge.IsAllDay, Summary: strings.TrimSpace(ge.Subject),
		Location: strings.TrimSpace(ge.Location.DisplayName), Status: Busy}
	switch strings.ToLower(ge.ShowAs) {
	case "free", "workingelsewhere": // reachable, just not at their desk
		e.Status = Free
	case "tentative":
		e.Status = Tentative
	case "oof":
		e.Status = OOF
	}
	switch strings.ToLower(ge.Sensitivity) {
	case "private", "confidential":
		e.Private, e.Summary, e.Location = true, "", ""
	}
	return e, true, nil
}

// parse reads Graph's dateTimeTimeZone ("2026-11-26T10:00:00.0000000" in
// "UTC" unless a Prefer header asked otherwise). All-day events are at
// midnight: the date is kept, in loc.
func (t graphTime) parse(allDay bool, loc *time.Location) (time.Time, error) {
	zone := time.UTC
	if t.TimeZone != "" {
		zone = location(t.TimeZone, time.UTC)
	}
	v, err := time.ParseInLocation("2006-01-02T15:04:05.9999999", t.DateTime, zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad dateTime %q", t.DateTime)
	}
	if allDay {
		return time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, loc), nil
	}
	return v, nil
}

func (g *Graph) get(ctx context.Context, target string, v any) error {
	tok, err := g.accessToken(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("graph URL: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	resp, err := newDoer(g.HTTP, "", "").Do(req)
	if err != nil {
		if errors.Is(err, ErrUnauthorized) {
			g.forget()
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("graph: %s", graphError(resp))
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("graph: bad answer: %w", err)
	}
	return nil
}

func graphError(resp *http.Response) string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
		return resp.Status + ": " + e.Error.Message
	}
	return resp.Status
}

func (g *Graph) forget() {
	g.mu.Lock()
	g.token = ""
	g.mu.Unlock()
}

// accessToken returns a client-credentials token, reused until a minute
// before it expires.
func (g *Graph) accessToken(ctx context.Context) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.token != "" && time.Now().Before(g.expires) {
		return g.token, nil
	}
	tokenURL := g.TokenURL
	if tokenURL == "" {
		tokenURL = "https://login.microsoftonline.com/" + url.PathEscape(g.Tenant) + "/oauth2/v2.0/token"
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {g.ClientID},
		"client_secret": {g.Secret}, "scope": {graphScope}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("token URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := newDoer(g.HTTP, "", "").Do(req)
	if err != nil {
		return "", fmt.Errorf("get a Graph token: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return "", fmt.Errorf("get a Graph token: bad answer (%s): %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		if tok.Error == "invalid_client" || tok.Error == "unauthorized_client" {
			return "", fmt.Errorf("%w (%s)", ErrUnauthorized, tok.Error)
		}
		return "", fmt.Errorf("get a Graph token: %s %s", resp.Status, tok.Error)
	}
	g.token = tok.AccessToken
	g.expires = time.Now().Add(time.Duration(tok.ExpiresIn)*time.Second - time.Minute)
	return g.token, nil
}
