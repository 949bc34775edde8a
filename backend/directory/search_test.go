package directory

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// fixture builds a small directory with the cases of C1/C2.
func fixture(t *testing.T, opts ...Option) *Directory {
	t.Helper()
	d, _ := newDir(t, opts...)
	for _, c := range []Contact{
		{FirstName: "David", LastName: "Martin", Department: "Ventes", JobTitle: "Commercial",
			Phones: []Phone{{PhoneWork, "+33 1 42 00 00 01"}}, Emails: []string{"david.martin@example.com"}},
		{FirstName: "Dave", LastName: "Janssen", Department: "Ventes", Phones: []Phone{{PhoneMobile, "06 12 34 56 78"}}},
		{FirstName: "Davina", LastName: "Schmidt", Department: "Comptabilité"},
		{FirstName: "Hélène", LastName: "Dubois", Department: "Support", Location: "Paris, bureau 204",
			Phones: []Phone{{PhoneWork, "01 42 00 00 00"}, {PhoneExtension, "1204"}}},
		{FirstName: "Jürgen", LastName: "Müller", Department: "Technik", JobTitle: "Ingenieur",
			Phones: []Phone{{PhoneWork, "+49 30 1234567"}}},
		{FirstName: "Anna", LastName: "de Vries", Department: "Support", Manager: "David Martin",
			Custom: map[string]string{"badge": "AV-1234"}},
		{FirstName: "Marc", LastName: "Leduc", Department: "Ventes", Responsibilities: "grands comptes, davantage de clients"},
		{FirstName: "Jean-Pierre", LastName: "d'Artagnan", Department: "Direction"},
	} {
		mustCreate(t, d, alice, c)
	}
	return d
}

func TestSearchFragmentsAllMustMatch(t *testing.T) {
	d := fixture(t)
	// Marc Leduc matches too ("davantage" in his responsibilities, in
	// Ventes) but a word in a minor column ranks after the names.
	got := search(t, d, bob, "dav ventes")
	if !slices.Equal(got, []string{"Dave Janssen", "David Martin", "Marc Leduc"}) {
		t.Fatalf("dav ventes = %q", got)
	}
	// Order of fragments does not matter; each keystroke refines.
	for _, q := range []string{"ventes dav", "VENTES   Dav", "dav ven"} {
		if got := search(t, d, bob, q); len(got) != 3 {
			t.Errorf("%q = %q", q, got)
		}
	}
	if got := search(t, d, bob, "dav technik"); len(got) != 0 {
		t.Errorf("dav technik = %q, want none", got)
	}
}

func TestSearchEveryColumn(t *testing.T) {
	d := fixture(t)
	for q, want := range map[string]string{
		"commercial":     "David Martin",  // job title
		"david.martin@":  "David Martin",  // e-mail, with punctuation
		"example.com":    "David Martin",  // e-mail domain
		"bureau 204":     "Hélène Dubois", // location, two fragments
		"av-1234":        "Anna de Vries", // custom field
		"grands comptes": "Marc Leduc",    // responsibilities
		"ingenieur":      "Jürgen Müller", // job title, folded
		"jean-pierre":    "Jean-Pierre d'Artagnan",
		"d'artagnan":     "Jean-Pierre d'Artagnan",
		"d’Artagnan":     "Jean-Pierre d'Artagnan", // typographic apostrophe
	} {
		got := search(t, d, bob, q)
		if len(got) == 0 || got[0] != want {
			t.Errorf("%q = %q, want %q first", q, got, want)
		}
	}
}

func TestSearchAccentsAndCase(t *testing.T) {
	d := fixture(t)
	for _, q := range []string{"helene", "HÉLÈNE", "Hélène", "hele"} {
		if got := search(t, d, bob, q); len(got) != 1 || got[0] != "Hélène Dubois" {
			t.Errorf("%q = %q", q, got)
		}
	}
	for _, q := range []string{"muller", "MÜLLER", "jurgen", "Jürg"} {
		if got := search(t, d, bob, q); len(got) != 1 || got[0] != "Jürgen Müller" {
			t.Errorf("%q = %q", q, got)
		}
	}
	if got := search(t, d, bob, "comptabilite"); len(got) != 1 || got[0] != "Davina Schmidt" {
		t.Errorf("comptabilite = %q", got)
	}
}

func TestSearchPhoneFormats(t *testing.T) {
	d := fixture(t)
	for _, q := range []string{"+33 1 42 00 00 00", "0142000000", "01 42 00 00 00", "01.42.00.00.00", "0033142000000", "+33142000000"} {
		got := search(t, d, bob, q)
		if len(got) == 0 || got[0] != "Hélène Dubois" {
			t.Errorf("%q = %q, want Hélène Dubois first", q, got)
		}
	}
	// The national form finds a number stored in international form.
	if got := search(t, d, bob, "01 42 00 00 01"); len(got) != 1 || got[0] != "David Martin" {
		t.Errorf("national for international = %q", got)
	}
	if got := search(t, d, bob, "+33 6 12 34 56 78"); len(got) != 1 || got[0] != "Dave Janssen" {
		t.Errorf("international for national = %q", got)
	}
	// A piece of a number, and an extension.
	if got := search(t, d, bob, "345678"); len(got) != 1 || got[0] != "Dave Janssen" {
		t.Errorf("345678 = %q", got)
	}
	if got := search(t, d, bob, "1204"); len(got) != 1 || got[0] != "Hélène Dubois" {
		t.Errorf("1204 = %q", got)
	}
	// Digits with a word still need both.
	if got := search(t, d, bob, "dave 0612"); len(got) != 1 {
		t.Errorf("dave 0612 = %q", got)
	}
}

func TestSearchRanking(t *testing.T) {
	d := fixture(t)
	// Exact word > word start > inside a word; names before other columns.
	got := search(t, d, bob, "dav")
	if len(got) < 4 {
		t.Fatalf("dav = %q", got)
	}
	// Dave/David/Davina start with "dav" in the first name; David Martin is
	// also the manager of Anna (a weaker column); "davantage" is in Marc's
	// responsibilities (weakest).
	if !slices.Equal(got[:3], []string{"Dave Janssen", "David Martin", "Davina Schmidt"}) {
		t.Errorf("name prefix matches first, alphabetically: %q", got)
	}
	if got[len(got)-1] != "Marc Leduc" {
		t.Errorf("a match in responsibilities ranks last: %q", got)
	}
	got = search(t, d, bob, "dave")
	if got[0] != "Dave Janssen" {
		t.Errorf("exact first name first: %q", got)
	}
	got = search(t, d, bob, "martin")
	if got[0] != "David Martin" || got[1] != "Anna de Vries" {
		t.Errorf("last name before manager column: %q", got)
	}
}

func TestSearchBoost(t *testing.T) {
	var davina string
	d := fixture(t, WithBoost(func(id string) float64 {
		if id == davina {
			return 5
		}
		return 0
	}))
	for _, r := range mustSearch(t, d, bob, "davina") {
		davina = r.Contact.ID
	}
	if got := search(t, d, bob, "dav"); got[0] != "Davina Schmidt" {
		t.Errorf("boosted favorite first among equal matches: %q", got)
	}
}

func mustSearch(t *testing.T, d *Directory, v Viewer, q string) []Result {
	t.Helper()
	rs, err := d.Search(context.Background(), v, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestSearchInjectionIsText(t *testing.T) {
	d := fixture(t)
	mustCreate(t, d, alice, Contact{DisplayName: "Weird", Responsibilities: "filter a*)(uid=*b and 100% sure"})
	for _, q := range []string{"*", "%", "*)(uid=*", "' OR 1=1 --", ".*", "\\", "\x00", "[a-z]"} {
		rs := mustSearch(t, d, bob, q)
		for _, r := range rs {
			if r.Contact.DisplayName != "Weird" {
				t.Errorf("%q matched %q: a query is text, not a pattern", q, r.Contact.DisplayName)
			}
		}
	}
	if got := search(t, d, bob, "*)(uid=*"); len(got) != 1 || got[0] != "Weird" {
		t.Errorf("literal text is found: %q", got)
	}
	if got := search(t, d, bob, "100%"); len(got) != 1 || got[0] != "Weird" {
		t.Errorf("100%% = %q", got)
	}
	if got := search(t, d, bob, ""); got != nil && len(got) != 0 {
		t.Errorf("empty query = %q", got)
	}
}

func TestSearchPrivateContacts(t *testing.T) {
	d := fixture(t)
	mustCreate(t, d, alice, Contact{FirstName: "Secret", LastName: "Davidson", Visibility: Private,
		Phones: []Phone{{PhoneMobile, "+33 6 99 99 99 99"}}})
	if got := search(t, d, alice, "secret"); len(got) != 1 {
		t.Errorf("owner finds her private contact: %q", got)
	}
	if got := search(t, d, admin, "secret"); len(got) != 1 {
		t.Errorf("admin finds it: %q", got)
	}
	for _, q := range []string{"secret", "davidson", "0699999999", "dav"} {
		for _, n := range search(t, d, bob, q) {
			if n == "Secret Davidson" {
				t.Errorf("bob finds alice's private contact with %q", q)
			}
		}
	}
	if got := search(t, d, Viewer{}, "secret"); len(got) != 0 {
		t.Errorf("anonymous viewer finds it: %q", got)
	}
	if _, ok := d.LookupNumber("0699999999"); ok {
		t.Error("caller lookup uses a private contact")
	}
}

func TestSearchLimitAndCancel(t *testing.T) {
	d := fixture(t)
	rs, err := d.Search(context.Background(), bob, "ventes", 2)
	if err != nil || len(rs) != 2 {
		t.Fatalf("limit 2: %d, %v", len(rs), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Search(ctx, bob, "ventes", 2); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled search: %v", err)
	}
}

func TestLookupNumber(t *testing.T) {
	d := fixture(t)
	for _, n := range []string{"+33142000000", "0142000000", "33142000000", "0033142000000", "01 42 00 00 00", "sip:+33142000000"} {
		c, ok := d.LookupNumber(n)
		if !ok || c.Name() != "Hélène Dubois" {
			t.Errorf("LookupNumber(%q) = %q, %v", n, c.Name(), ok)
		}
	}
	if c, ok := d.LookupNumber("1204"); !ok || c.LastName != "Dubois" {
		t.Errorf("extension lookup: %q %v", c.Name(), ok)
	}
	if c, ok := d.LookupNumber("+49301234567"); !ok || c.LastName != "Müller" {
		t.Errorf("german lookup: %q %v", c.Name(), ok)
	}
	for _, n := range []string{"0142000009", "42", "", "anonymous"} {
		if c, ok := d.LookupNumber(n); ok {
			t.Errorf("LookupNumber(%q) = %q, want none", n, c.Name())
		}
	}
}

// FuzzSearch checks that no query, however odd, panics or returns a private
// contact of someone else.
func FuzzSearch(f *testing.F) {
	for _, q := range []string{"dav ventes", "+33 1 42", "*)(uid=*", "d'", "'", "a.b@", "\xff\xfe", "ß", "0", "00", "+", "é é é"} {
		f.Add(q)
	}
	d, err := New(nil, quiet())
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range generate(300, 7) {
		if _, err := d.Create(alice, c); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := d.Create(alice, Contact{DisplayName: "Hidden Dave", Visibility: Private, Phones: []Phone{{PhoneWork, "0142"}}}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		rs, err := d.Search(context.Background(), bob, q, 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Contact.Visibility == Private {
				t.Fatalf("%q returned a private contact", q)
			}
		}
		d.LookupNumber(q)
	})
}
