package directory

import (
	"slices"
	"strings"
	"testing"
)

// columnValues returns the searchable values of c by column, as the index
// keys them (the custom field k as "k v").
func columnValues(c *Contact) [numFields][]string {
	var v [numFields][]string
	for f, s := range map[field]string{
		fieldFirstName: c.FirstName, fieldLastName: c.LastName, fieldDisplayName: c.DisplayName,
		fieldDepartment: c.Department, fieldJobTitle: c.JobTitle, fieldResponsibilities: c.Responsibilities,
		fieldLocation: c.Location, fieldManager: c.Manager,
	} {
		if s != "" {
			v[f] = []string{s}
		}
	}
	v[fieldEmail] = slices.Clone(c.Emails)
	for k, val := range c.Custom {
		v[fieldCustom] = append(v[fieldCustom], k+" "+val)
	}
	return v
}

// foldedColumns is what the index keeps of c for punctuated fragments: each
// column's folded values, each followed by "\x00".
func foldedColumns(c *Contact) [numFields][]byte {
	var out [numFields][]byte
	for f, vals := range columnValues(c) {
		for _, s := range vals {
			out[f] = append(append(out[f], fold(s)...), 0)
		}
	}
	return out
}

// literalByFolding is the check the folded columns replace: fold each value
// of the column and look for text in it.
func literalByFolding(c *Contact, text string, f field) tier {
	best := tierNone
	for _, v := range columnValues(c)[f] {
		fv := fold(v)
		i := strings.Index(fv, text)
		if i < 0 {
			continue
		}
		t := tierInfix
		switch {
		case fv == text:
			t = tierExact
		case !wordBefore(fv, i) || !wordBefore(text, 1):
			t = tierPrefix
		}
		best = max(best, t)
	}
	return best
}

// TestLiteralMatchesFolding checks that the folded columns grade every
// punctuated fragment in every column of every contact as folding the
// contact's fields does, contacts changed and removed after the build
// included.
func TestLiteralMatchesFolding(t *testing.T) {
	cs := generate(3000, 7)
	cs = append(cs,
		Contact{FirstName: "Jean-Pierre", LastName: "d’Artagnan", Emails: []string{"JP.dArtagnan@Example.COM", "jp@b.example"},
			Custom: map[string]string{"badge": "AV-1234", "room": "B-12"}, Manager: "Hélène Dubois-Martin"},
		Contact{FirstName: "Œdipe", LastName: "Straße", Location: "Genève, bureau 2", Emails: []string{"a.b@x.example"}},
		// Found twice: in one value the first place counts (infix here),
		// over several values the best (prefix in the first e-mail).
		Contact{FirstName: "Twice", Responsibilities: "Contrats xa-b, clients a-b", Emails: []string{"jp@b.example", "xjp@b.example"}},
	)
	for i := range cs {
		cs[i].ID = newID()
	}
	ix := buildIndex(cs)
	cs[0].Emails = []string{"changed.name@other.example"}
	ix.put(cs[0])
	ix.put(cs[len(cs)-1]) // same contact, new slot: the old one is dead
	ix.remove(cs[1].ID)
	if ix.dead != 3 {
		t.Fatalf("dead slots = %d, want 3", ix.dead)
	}

	queries := []string{"company.example", "@company", ".example", "dubois-martin", "d'artagnan", "jean-pierre",
		"av-1234", "b-12", "badge b-0", "straße", "strasse", "geneve, bureau", ", bureau 2", "x.example",
		"changed.name", "a.b@x.example", "example.com", "jp.d", "martin@", "e.", "-", "a-b", "jp@b"}
	checked := 0
	for _, q := range queries {
		text := fold(q)
		perSlot, dense := newLiteralScan(text), newLiteralScan(text)
		for slot, e := range ix.docs {
			if e == nil {
				continue
			}
			for f := range numFields {
				if f == fieldPhone {
					continue // numbers are matched on digits
				}
				want := literalByFolding(&e.c, text, f)
				vals := ix.cols[f].values(uint32(slot))
				if got := newLiteralText(text).in(vals); got != want {
					t.Fatalf("%q in column %d of %q: tier %d, want %d (values %q)", q, f, e.c.Name(), got, want, vals)
				}
				for name, ls := range map[string]*literalScan{"per slot": perSlot, "dense": dense} {
					sc, ok := ls.score(ix, uint32(slot), f, name == "dense")
					if ok != (want != tierNone) || ok && sc != score(want, f) {
						t.Fatalf("%q in column %d of %q, %s: score %v %v, want tier %d (values %q)", q, f, e.c.Name(), name, sc, ok, want, vals)
					}
				}
				if want != tierNone {
					checked++
				}
			}
		}
	}
	if checked < 3000 {
		t.Fatalf("only %d matches checked", checked)
	}
}

// TestLiteralFollowsChanges searches punctuated fragments through the API
// after a contact's e-mail changed and after it was deleted.
func TestLiteralFollowsChanges(t *testing.T) {
	d, _ := newDir(t)
	c := mustCreate(t, d, alice, Contact{FirstName: "Zoé", LastName: "Lefèvre", Emails: []string{"zoe.lefevre@old.example"}})
	mustCreate(t, d, alice, Contact{FirstName: "Tom", LastName: "Smit", Emails: []string{"tom.smit@new.example"}})
	if got := search(t, d, bob, "lefevre@old.example"); !slices.Equal(got, []string{"Zoé Lefèvre"}) {
		t.Fatalf("before the change: %q", got)
	}
	c.Emails = []string{"Zoe.Lefèvre@New.Example"}
	if _, err := d.Update(alice, c); err != nil {
		t.Fatal(err)
	}
	if got := search(t, d, bob, "lefevre@old.example"); len(got) != 0 {
		t.Errorf("old e-mail still found: %q", got)
	}
	if got := search(t, d, bob, "@new.example"); !slices.Equal(got, []string{"Tom Smit", "Zoé Lefèvre"}) {
		t.Errorf("@new.example = %q", got)
	}
	if err := d.Delete(alice, c.ID); err != nil {
		t.Fatal(err)
	}
	if got := search(t, d, bob, "@new.example"); !slices.Equal(got, []string{"Tom Smit"}) {
		t.Errorf("after delete: %q", got)
	}
}
