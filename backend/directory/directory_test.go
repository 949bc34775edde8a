package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCRUDAuthorization(t *testing.T) {
	d, _ := newDir(t)
	priv := mustCreate(t, d, alice, Contact{FirstName: "Private", LastName: "Person", Visibility: Private})
	pub := mustCreate(t, d, alice, Contact{FirstName: "Public", LastName: "Person", Visibility: Public})
	if priv.Owner != "alice" || priv.ID == "" || priv.Updated.IsZero() || priv.Source != SourceLocal {
		t.Fatalf("created: %+v", priv)
	}

	// Bob: the private contact does not exist for him.
	if _, err := d.Get(bob, priv.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob get private: %v", err)
	}
	priv2 := priv
	priv2.JobTitle = "hacked"
	if _, err := d.Update(bob, priv2); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob update private: %v", err)
	}
	if err := d.Delete(bob, priv.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob delete private: %v", err)
	}
	if _, err := d.Get(bob, "no-such-id"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v", err)
	}

	// Everyone may edit a public contact, but not take it over or hide it.
	pub.JobTitle = "Receptionist"
	if got, err := d.Update(bob, pub); err != nil || got.JobTitle != "Receptionist" || got.Owner != "alice" {
		t.Errorf("bob edits public: %+v, %v", got, err)
	}
	hide := pub
	hide.Visibility = Private
	if _, err := d.Update(bob, hide); !errors.Is(err, ErrForbidden) {
		t.Errorf("bob hides alice's public contact: %v", err)
	}
	steal := pub
	steal.Owner = "bob"
	if _, err := d.Update(bob, steal); !errors.Is(err, ErrForbidden) {
		t.Errorf("bob takes ownership: %v", err)
	}
	if _, err := d.Update(admin, steal); err != nil {
		t.Errorf("admin changes owner: %v", err)
	}

	// Owner and admin see, edit and delete the private one.
	priv.JobTitle = "Secret agent"
	if _, err := d.Update(alice, priv); err != nil {
		t.Errorf("owner update: %v", err)
	}
	if c, err := d.Get(admin, priv.ID); err != nil || c.JobTitle != "Secret agent" {
		t.Errorf("admin get: %+v %v", c, err)
	}
	if err := d.Delete(admin, priv.ID); err != nil {
		t.Errorf("admin delete: %v", err)
	}
	if _, err := d.Get(alice, priv.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if got := search(t, d, admin, "private"); len(got) != 0 {
		t.Errorf("deleted contact still found: %q", got)
	}

	// The ID of a new contact is never the client's.
	c, err := d.Create(bob, Contact{ID: pub.ID, DisplayName: "Impostor", Visibility: Public})
	if err != nil || c.ID == pub.ID {
		t.Errorf("create with existing id: %+v %v", c, err)
	}
	// A non-admin cannot create on behalf of someone else.
	if c, _ := d.Create(bob, Contact{DisplayName: "X", Owner: "alice", Visibility: Private}); c.Owner != "bob" {
		t.Errorf("owner = %q", c.Owner)
	}
}

func TestValidation(t *testing.T) {
	d, _ := newDir(t)
	long := strings.Repeat("é", MaxNameLen+1)
	for _, tc := range []struct {
		c     Contact
		field string
	}{
		{Contact{}, "displayName"},
		{Contact{FirstName: long}, "firstName"},
		{Contact{DisplayName: "x", Department: strings.Repeat("a", MaxTextLen+1)}, "department"},
		{Contact{DisplayName: "x", Responsibilities: strings.Repeat("a", MaxResponsibilitiesLen+1)}, "responsibilities"},
		{Contact{DisplayName: "x", Phones: []Phone{{"fax", "123"}}}, "phones[0].type"},
		{Contact{DisplayName: "x", Phones: []Phone{{PhoneWork, "call me"}}}, "phones[0].number"},
		{Contact{DisplayName: "x", Emails: []string{"not an address"}}, "emails[0]"},
		{Contact{DisplayName: "x", Emails: []string{"Bob <bob@example.com>"}}, "emails[0]"},
		{Contact{DisplayName: "x", ImageURI: "javascript:alert(1)"}, "imageUri"},
		{Contact{DisplayName: "x", ImageURI: "data:text/html,<script>"}, "imageUri"},
		{Contact{DisplayName: "x", Visibility: "everyone"}, "visibility"},
		{Contact{DisplayName: "line\x00break"}, "displayName"},
		{Contact{DisplayName: "x", Custom: map[string]string{"a:b": "v"}}, `custom key "a:b"`},
		{Contact{DisplayName: "x", Custom: map[string]string{"k": strings.Repeat("v", MaxCustomValueLen+1)}}, "custom.k"},
	} {
		_, err := d.Create(alice, tc.c)
		var ve *ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) || ve.Field != tc.field {
			t.Errorf("%+v: err = %v, want field %s", tc.c, err, tc.field)
		}
	}
	// Multi-line text is fine where it belongs.
	if _, err := d.Create(alice, Contact{DisplayName: "ok", Responsibilities: "a\nb", ImageURI: "https://x.example/a.png"}); err != nil {
		t.Error(err)
	}
	if d.Len() != 1 {
		t.Errorf("invalid contacts stored: %d", d.Len())
	}
}

func TestPersistenceAcrossReopen(t *testing.T) {
	d, path := newDir(t)
	a := mustCreate(t, d, alice, Contact{FirstName: "Hélène", LastName: "Dubois", Phones: []Phone{{PhoneWork, "01 42 00 00 00"}},
		Custom: map[string]string{"badge": "42"}, VIP: true})
	b := mustCreate(t, d, alice, Contact{DisplayName: "Gone"})
	p := mustCreate(t, d, alice, Contact{DisplayName: "Mine", Visibility: Private})
	a.Department = "Support"
	if _, err := d.Update(alice, a); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(alice, b.ID); err != nil {
		t.Fatal(err)
	}
	// Reopen from the store file (the helper's store is still open: close it
	// by opening a second directory on a copy is not possible with bbolt's
	// lock, so reopen after closing).
	d.persist.(interface{ Close() error }).Close()
	st := openStore(t, path)
	defer st.Close()
	d2, err := New(st, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if d2.Len() != 2 {
		t.Fatalf("after reopen: %d contacts", d2.Len())
	}
	got, err := d2.Get(alice, a.ID)
	if err != nil || got.Department != "Support" || !got.VIP || got.Custom["badge"] != "42" {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
	if _, err := d2.Get(bob, p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("private survives as private: %v", err)
	}
	if got := search(t, d2, bob, "helene support"); len(got) != 1 {
		t.Errorf("index rebuilt: %q", got)
	}
	if _, ok := d2.LookupNumber("+33142000000"); !ok {
		t.Error("lookup after reopen")
	}
}

func TestManyUpdatesCompactIndex(t *testing.T) {
	d, err := New(nil, quiet())
	if err != nil {
		t.Fatal(err)
	}
	c := mustCreate(t, d, alice, Contact{FirstName: "Zoé", LastName: "Roux"})
	for i := range 10000 {
		c.JobTitle = fmt.Sprintf("title%d", i)
		if c, err = d.Update(alice, c); err != nil {
			t.Fatal(err)
		}
	}
	d.mu.RLock()
	slots := len(d.ix.docs)
	d.mu.RUnlock()
	if slots > 5000 {
		t.Errorf("index kept %d slots for one contact: no compaction", slots)
	}
	if got := search(t, d, bob, "title9999"); len(got) != 1 {
		t.Errorf("latest version found: %q", got)
	}
	if got := search(t, d, bob, "title99"); len(got) != 1 {
		t.Errorf("one result per contact, not per version: %q", got)
	}
	if got := search(t, d, bob, "title41"); len(got) != 0 {
		t.Errorf("old version found: %q", got)
	}
}

func TestUpdateWithoutChangeKeepsStamp(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d, _ := newDir(t, WithClock(func() time.Time { return now }))
	c := mustCreate(t, d, alice, Contact{DisplayName: "Same"})
	now = now.Add(time.Hour)
	got, err := d.Update(alice, c)
	if err != nil || !got.Updated.Equal(c.Updated) {
		t.Errorf("no-op update changed the stamp: %v %v", got.Updated, err)
	}
}

func TestConcurrentSearchAndWrite(t *testing.T) {
	d, err := New(nil, quiet())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range generate(500, 1) {
		mustCreate(t, d, alice, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := 0; i < 300 && ctx.Err() == nil; i++ {
				if _, err := d.Search(ctx, bob, []string{"ma", "dav ven", "01", "sup"}[i%4], 20); err != nil && ctx.Err() == nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; i < 300 && ctx.Err() == nil; i++ {
			c := mustCreate(t, d, alice, Contact{DisplayName: fmt.Sprintf("Temp %d", i)})
			if err := d.Delete(alice, c.ID); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
}

func TestIncrementalIndexMatchesRebuilt(t *testing.T) {
	d, err := New(nil, quiet())
	if err != nil {
		t.Fatal(err)
	}
	cs := generate(3000, 3) // more new words than one sort of the tail
	for _, c := range cs {
		mustCreate(t, d, alice, c)
	}
	rebuilt, err := New(nil, quiet())
	if err != nil {
		t.Fatal(err)
	}
	rebuilt.ix = buildIndex(d.All(admin))
	for _, q := range []string{"d", "da", "ma", "zo", "dav ven", "helene", "0142", "bureau 3", "ller", "company.ex", "b-0", "1004"} {
		a, b := search(t, d, bob, q), search(t, rebuilt, bob, q)
		if !slices.Equal(a, b) {
			t.Errorf("%q: incremental %q\nrebuilt %q", q, a, b)
		}
	}
}
