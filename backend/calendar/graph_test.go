package calendar_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/concierge-console/concierge/backend/calendar"
	"github.com/concierge-console/concierge/backend/calendar/caltest"
)

// graphFake answers like Microsoft Graph's token endpoint and calendarView,
// with the JSON shapes Graph documents, two pages long.
func graphFake(t *testing.T) *httptest.Server {
	pages := []string{`{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('anna%40example.com')/calendarView",
  "value": [
    {"subject": "Budget review", "isAllDay": false, "isCancelled": false, "showAs": "busy", "sensitivity": "normal",
     "start": {"dateTime": "2026-12-08T09:00:00.0000000", "timeZone": "UTC"},
     "end": {"dateTime": "2026-12-08T10:00:00.0000000", "timeZone": "UTC"},
     "location": {"displayName": "Room 4", "locationType": "default"}},
    {"subject": "Training day", "isAllDay": true, "showAs": "oof", "sensitivity": "normal",
     "start": {"dateTime": "2026-12-09T00:00:00.0000000", "timeZone": "UTC"},
     "end": {"dateTime": "2026-12-10T00:00:00.0000000", "timeZone": "UTC"},
     "location": {"displayName": ""}},
    {"subject": "Doctor appointment", "isAllDay": false, "showAs": "busy", "sensitivity": "private",
     "start": {"dateTime": "2026-12-10T12:00:00.0000000", "timeZone": "UTC"},
     "end": {"dateTime": "2026-12-10T13:00:00.0000000", "timeZone": "UTC"},
     "location": {"displayName": "Clinic"}}
  ],
  "@odata.nextLink": "NEXT"
}`, `{
  "value": [
    {"subject": "Cancelled lunch", "isCancelled": true, "showAs": "busy", "sensitivity": "normal",
     "start": {"dateTime": "2026-12-08T12:00:00.0000000", "timeZone": "UTC"},
     "end": {"dateTime": "2026-12-08T13:00:00.0000000", "timeZone": "UTC"}, "location": {}},
    {"subject": "Maybe offsite", "showAs": "tentative", "sensitivity": "confidential",
     "start": {"dateTime": "2026-12-11T15:00:00.0000000", "timeZone": "UTC"},
     "end": {"dateTime": "2026-12-11T16:00:00.0000000", "timeZone": "UTC"}, "location": {"displayName": "HQ"}},
    {"subject": "Home office", "showAs": "workingElsewhere", "sensitivity": "normal",
     "start": {"dateTime": "2026-12-11T10:00:00.0000000", "timeZone": "W. Europe Standard Time"},
     "end": {"dateTime": "2026-12-11T12:00:00.0000000", "timeZone": "W. Europe Standard Time"}, "location": {}}
  ]
}`}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/tenant/oauth2/v2.0/token":
			r.ParseForm()
			if r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("client_secret") != "s3cret" ||
				r.Form.Get("scope") != "https://graph.microsoft.com/.default" {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`))
				return
			}
			w.Write([]byte(`{"token_type":"Bearer","expires_in":3599,"access_token":"tok-123"}`))
		case r.Header.Get("Authorization") != "Bearer tok-123":
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}`))
		case r.URL.Path == "/v1.0/users/anna@example.com/calendarView":
			q := r.URL.Query()
			if q.Get("startDateTime") != "2026-12-07T00:00:00Z" || q.Get("endDateTime") != "2026-12-14T00:00:00Z" {
				t.Errorf("range: %v", q)
			}
			page := pages[0]
			if q.Get("page") == "2" {
				page = pages[1]
			}
			next, _ := json.Marshal(srv.URL + r.URL.Path + "?" + q.Encode() + "&page=2")
			w.Write([]byte(strings.Replace(page, `"NEXT"`, string(next), 1)))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":{"code":"ErrorItemNotFound","message":"not found"}}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCalendarGraphFake(t *testing.T) {
	srv := graphFake(t)
	ctx := context.Background()
	g := &calendar.Graph{BaseURL: srv.URL + "/v1.0", TokenURL: srv.URL + "/tenant/oauth2/v2.0/token", ClientID: "app", Secret: "s3cret", Location: paris}
	evs, err := g.Events(ctx, "anna@example.com", caltest.WeekStart, caltest.WeekEnd)
	if err != nil {
		t.Fatal(err)
	}
	sameList(t, "graph", describe(evs), []string{
		"2026-12-08T09:00:00Z 2026-12-08T10:00:00Z busy Budget review @Room 4",
		"2026-12-08T23:00:00Z 2026-12-09T23:00:00Z oof Training day allday",
		"2026-12-10T12:00:00Z 2026-12-10T13:00:00Z busy private",
		"2026-12-11T09:00:00Z 2026-12-11T11:00:00Z free Home office",
		"2026-12-11T15:00:00Z 2026-12-11T16:00:00Z tentative private",
	})
	g2 := &calendar.Graph{BaseURL: srv.URL + "/v1.0", TokenURL: srv.URL + "/tenant/oauth2/v2.0/token", ClientID: "app", Secret: "wrong"}
	if _, err := g2.Events(ctx, "anna@example.com", caltest.WeekStart, caltest.WeekEnd); !errors.Is(err, calendar.ErrUnauthorized) {
		t.Fatalf("wrong secret: %v", err)
	}
	if _, err := g.Events(ctx, "ghost@example.com", caltest.WeekStart, caltest.WeekEnd); !errors.Is(err, calendar.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
}
