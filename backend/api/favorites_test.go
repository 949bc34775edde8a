package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/favorites"
)

func TestFavoritesPerUser(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	anna, bob := r.login(t, "anna", ""), r.login(t, "bob", "")

	// A new user starts with one empty group.
	groups, err := anna.Favorites(ctx)
	if err != nil || len(groups) != 1 || len(groups[0].Contacts) != 0 {
		t.Fatalf("first favorites: %+v %v", groups, err)
	}
	pub, _ := anna.CreateContact(ctx, directory.Contact{DisplayName: "Marc Lefèvre", Visibility: directory.Public})
	mine, _ := anna.CreateContact(ctx, directory.Contact{DisplayName: "Private Doctor", Visibility: directory.Private})
	out, err := anna.SaveFavorites(ctx, []favorites.Group{
		{ID: "default", Name: "", ContactIDs: []string{pub.ID, mine.ID}},
		{ID: "it", Name: "IT support", ContactIDs: []string{pub.ID}, Fields: []string{"jobTitle"}},
	})
	if err != nil || len(out) != 2 || len(out[0].Contacts) != 2 || out[1].Contacts[0].DisplayName != "Marc Lefèvre" {
		t.Fatalf("save: %+v %v", out, err)
	}
	// Favorites are per user: bob's are untouched, and he cannot add anna's
	// private contact to his own (that would leak it).
	if g, _ := bob.Favorites(ctx); len(g) != 1 || len(g[0].Contacts) != 0 {
		t.Fatalf("bob sees anna's favorites: %+v", g)
	}
	_, err = bob.SaveFavorites(ctx, []favorites.Group{{ID: "default", ContactIDs: []string{mine.ID}}})
	if status(err) != http.StatusBadRequest {
		t.Fatalf("bob favoriting a private contact: %v, want 400", err)
	}
	// Removing from favorites never deletes the contact (F4); deleting the
	// contact drops it from favorites.
	if _, err := anna.SaveFavorites(ctx, []favorites.Group{{ID: "default", ContactIDs: []string{mine.ID}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := anna.Contact(ctx, pub.ID); err != nil {
		t.Fatalf("contact gone after unfavoriting: %v", err)
	}
	if err := anna.DeleteContact(ctx, mine.ID); err != nil {
		t.Fatal(err)
	}
	if g, _ := anna.Favorites(ctx); len(g[0].Contacts) != 0 || len(g[0].ContactIDs) != 0 {
		t.Fatalf("deleted contact still in favorites: %+v", g)
	}
	for _, bad := range [][]favorites.Group{
		{},
		{{ID: "a"}, {ID: "a"}},
		{{ID: "a", Name: strings.Repeat("x", 101)}},
		{{ID: "a", ContactIDs: []string{pub.ID, pub.ID}}},
	} {
		if _, err := anna.SaveFavorites(ctx, bad); status(err) != http.StatusBadRequest {
			t.Errorf("%+v: %v, want 400", bad, err)
		}
	}
}
