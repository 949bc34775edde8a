package server

import (
	"encoding/json"
	"errors"

	"github.com/concierge-console/concierge/backend/favorites"
	"github.com/concierge-console/concierge/backend/store"
)

// historyScanned is how many recent calls count for "frequent destinations"
// in search ranking: weeks of a busy reception, read in a few milliseconds.
const historyScanned = 20000

// favoriteIDs lists the contact IDs in a user's favorite groups.
func favoriteIDs(st *store.Store) func(username string) ([]string, error) {
	return func(username string) ([]string, error) {
		doc, err := st.Favorites(username)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var groups []favorites.Group
		if err := json.Unmarshal(doc, &groups); err != nil {
			return nil, err
		}
		var ids []string
		for _, g := range groups {
			ids = append(ids, g.ContactIDs...)
		}
		return ids, nil
	}
}

// transferDestinations lists the targets of the latest completed transfers.
func transferDestinations(st *store.Store) func() ([]string, error) {
	return func() ([]string, error) {
		entries, err := st.RecentHistory(historyScanned, func(e store.HistoryEntry) bool {
			return e.Outcome == "transferred" && e.Destination != ""
		})
		dests := make([]string, len(entries))
		for i, e := range entries {
			dests[i] = e.Destination
		}
		return dests, err
	}
}
