package calendar

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// ICS reads a published calendar (.ics) per person: URL is a template with
// {email} or {user}. The whole file is fetched; the range is cut here.
type ICS struct {
	URL                string
	Username, Password string // optional basic auth
	HTTP               *http.Client
	Location           *time.Location
}

// Events fetches the person's .ics and returns its occurrences in the range.
func (s *ICS) Events(ctx context.Context, email string, from, to time.Time) ([]Event, error) {
	target := expand(s.URL, email)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("calendar URL: %w", err)
	}
	req.Header.Set("Accept", "text/calendar")
	resp, err := newDoer(s.HTTP, s.Username, s.Password).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", req.URL.Redacted(), resp.Status)
	}
	return decodeICS(resp.Body, from, to, s.Location)
}
