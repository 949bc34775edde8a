package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/store"
)

// HistoryItem is a history entry with its transfer destination named from
// the directory (O2: "for transfers the destination name and department").
type HistoryItem struct {
	store.HistoryEntry
	DestinationContactID  string `json:"destinationContactId,omitempty"`
	DestinationName       string `json:"destinationName,omitempty"`
	DestinationDepartment string `json:"destinationDepartment,omitempty"`
}

// Destination is a target a caller was transferred to before (C5).
type Destination struct {
	Target     string    `json:"target"` // as the attendant gave it
	ContactID  string    `json:"contactId,omitempty"`
	Name       string    `json:"name,omitempty"`
	Department string    `json:"department,omitempty"`
	Count      int       `json:"count"`
	Last       time.Time `json:"last"`
}

// historyScan bounds how far back the destinations of a caller are looked
// for: months of a busy reception, read in a few milliseconds.
const historyScan = 20000

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	c := from(r)
	mine := func(e store.HistoryEntry) bool { return e.Attendant == c.user.Username }
	if c.user.Role.Rank() >= store.RoleSupervisor.Rank() && r.URL.Query().Get("all") == "1" {
		mine = nil
	}
	entries, err := s.store.History(200, mine)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	out := make([]HistoryItem, len(entries))
	for i, e := range entries {
		out[i].HistoryEntry = e
		if dc, ok := s.destinationContact(e.Destination); ok {
			out[i].DestinationContactID, out[i].DestinationName, out[i].DestinationDepartment = dc.ID, dc.Name(), dc.Department
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) destinationContact(dest string) (directory.Contact, bool) {
	if s.dir == nil || dest == "" {
		return directory.Contact{}, false
	}
	return s.dir.LookupDestination(dest)
}

// historyDestinations lists where calls from a number were transferred to,
// most recent first, by any attendant: the colleague a caller asks for again.
func (s *Server) historyDestinations(w http.ResponseWriter, r *http.Request) {
	number := strings.TrimSpace(r.URL.Query().Get("number"))
	if number == "" || len(number) > 64 {
		writeError(w, http.StatusBadRequest, "bad_request", "number is required (at most 64 characters)")
		return
	}
	limit := 5
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			writeError(w, http.StatusBadRequest, "bad_request", "limit must be between 1 and 50")
			return
		}
		limit = n
	}
	entries, err := s.store.RecentHistory(historyScan, func(e store.HistoryEntry) bool {
		return e.Outcome == "transferred" && e.Destination != "" && directory.SameNumber(e.CallerNumber, number)
	})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	out := []Destination{}
	at := map[string]int{} // contact ID, or target when it names no contact → index in out
	for _, e := range entries {
		d := Destination{Target: e.Destination, Count: 1, Last: e.Ended}
		key := "target:" + strings.ToLower(strings.TrimSpace(e.Destination))
		if dc, ok := s.destinationContact(e.Destination); ok {
			d.ContactID, d.Name, d.Department = dc.ID, dc.Name(), dc.Department
			key = "contact:" + dc.ID // one colleague, however their number was typed
		}
		if i, ok := at[key]; ok {
			out[i].Count++
			continue
		}
		if len(out) < limit {
			at[key] = len(out)
			out = append(out, d)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
