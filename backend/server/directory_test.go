package server

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/favorites"
	"github.com/concierge-console/concierge/backend/store"
)

// The ranking reads favorites and transfer destinations from the store: a user's favorite and
// a frequent destination come first among equally good matches.
func TestSearchRanksFavoritesAndFrequentDestinations(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir, err := directory.New(st)
	if err != nil {
		t.Fatal(err)
	}
	dir.SetRanker(dir.NewRanker(favoriteIDs(st), transferDestinations(st)))
	admin := directory.Viewer{Username: "admin", Admin: true}
	add := func(first, ext string) directory.Contact {
		c, err := dir.Create(admin, directory.Contact{FirstName: first, LastName: "Martin", Visibility: directory.Public,
			Phones: []directory.Phone{{Type: directory.PhoneExtension, Number: ext}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	add("Anne", "201")
	bruno := add("Bruno", "202")
	add("Claire", "203")
	for range 3 {
		if _, err := st.AddHistory(store.HistoryEntry{Outcome: "transferred", Destination: "203", Attendant: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := favorites.New(st, dir).Put(directory.Viewer{Username: "anna"}, []favorites.Group{{ID: "default", ContactIDs: []string{bruno.ID}}}); err != nil {
		t.Fatal(err)
	}
	order := func(user string) []string {
		res, err := dir.Search(context.Background(), directory.Viewer{Username: user}, "martin", 10)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range res {
			names = append(names, r.Contact.FirstName)
		}
		return names
	}
	if got := order("anna"); !slices.Equal(got, []string{"Bruno", "Claire", "Anne"}) {
		t.Errorf("anna (favorite Bruno): %v", got)
	}
	if got := order("bob"); !slices.Equal(got, []string{"Claire", "Anne", "Bruno"}) {
		t.Errorf("bob (no favorites; Claire is the frequent destination): %v", got)
	}
}
