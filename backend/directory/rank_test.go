package directory

import (
	"slices"
	"testing"
)

// ranked returns a fixture whose Ranker gives bob the favorites favs and
// counts dests as the history's transfer destinations.
func rankedFixture(t *testing.T, favs map[string][]string, dests []string) (*Directory, *Ranker) {
	t.Helper()
	d := fixture(t)
	byName := map[string]string{}
	for _, c := range d.All(admin) {
		byName[c.Name()] = c.ID
	}
	r := d.NewRanker(func(user string) ([]string, error) {
		var ids []string
		for _, n := range favs[user] {
			ids = append(ids, byName[n])
		}
		return ids, nil
	}, func() ([]string, error) { return dests, nil })
	d.SetRanker(r)
	return d, r
}

func TestRankFavoritesOfTheSearchingUserFirstAmongEquals(t *testing.T) {
	d, _ := rankedFixture(t, map[string][]string{"bob": {"Davina Schmidt", "Marc Leduc"}}, nil)
	if got := search(t, d, bob, "dav"); !slices.Equal(got[:3], []string{"Davina Schmidt", "Dave Janssen", "David Martin"}) {
		t.Errorf("bob's dav = %q, want his favorite Davina first", got)
	}
	if got := search(t, d, alice, "dav"); !slices.Equal(got[:3], []string{"Dave Janssen", "David Martin", "Davina Schmidt"}) {
		t.Errorf("alice's dav = %q, want alphabetical: bob's favorites are his own", got)
	}
	// Marc is bob's favorite but only matches inside a minor column: better
	// matches stay ahead of him.
	if got := search(t, d, bob, "dav ventes"); !slices.Equal(got, []string{"Dave Janssen", "David Martin", "Marc Leduc"}) {
		t.Errorf("bob's dav ventes = %q", got)
	}
	// An exact match beats a favorite's prefix match.
	if got := search(t, d, bob, "david"); got[0] != "David Martin" {
		t.Errorf("bob's david = %q", got)
	}
}

func TestRankFavoritesChangeTakesEffect(t *testing.T) {
	favs := map[string][]string{"bob": {"Davina Schmidt"}}
	d, _ := rankedFixture(t, favs, nil)
	if got := search(t, d, bob, "dav"); got[0] != "Davina Schmidt" {
		t.Fatalf("dav = %q", got)
	}
	// An edit moves Davina to another slot of the index: she is still lifted.
	for _, c := range d.All(admin) {
		if c.Name() == "Davina Schmidt" {
			c.JobTitle = "Comptable"
			if _, err := d.Update(admin, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := search(t, d, bob, "dav"); got[0] != "Davina Schmidt" {
		t.Fatalf("after an edit dav = %q", got)
	}
	favs["bob"] = []string{"David Martin"}
	d.FavoritesChanged("bob")
	if got := search(t, d, bob, "dav"); got[0] != "David Martin" {
		t.Errorf("after the change dav = %q, want David Martin first", got)
	}
}

func TestRankFrequentDestinations(t *testing.T) {
	// David Martin's number as attendants typed it, in three formats, and
	// Davina once through no number the directory knows.
	dests := []string{"0142000001", "+33 1 42 00 00 01", "sip:+33142000001@pbx.example.com", "4711", "1204"}
	d, r := rankedFixture(t, nil, dests)
	if got := search(t, d, alice, "dav"); !slices.Equal(got[:3], []string{"David Martin", "Dave Janssen", "Davina Schmidt"}) {
		t.Errorf("dav = %q, want the frequent destination David first", got)
	}
	// Lifted: David and Hélène (extension 1204); 4711 is nobody's.
	if got, want := r.boosts(alice).m, 2; len(got) != want {
		t.Errorf("boosted contacts = %v, want %d", got, want)
	}
}
