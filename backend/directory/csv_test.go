package directory

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
)

const frenchCSV = "\ufeffPrénom;Nom;Service;Fonction;Téléphone;Portable;Poste;E-mail;Bureau;VIP;Badge\n" +
	"Hélène;Dubois;Support;Technicienne;01 42 00 00 00;;1204;helene.dubois@example.com;Paris;oui;B-1\n" +
	"David;Martin;Ventes;Commercial;+33 1 42 00 00 01;06 12 34 56 78;1205;david.martin@example.com;Lyon;;B-2\n" +
	"Too;Few;Fields\n" +
	"Jürgen;Müller;Technik;Ingenieur;+49 30 1234567;;;juergen@example.com;Berlin;non;\n" +
	"Bad\"Quote;X;Y;Z;;;;;;;\n" +
	"Nope;Mail;Ventes;;;;;not-an-address;;;\n" +
	"\"Anna\nMarie\";de Vries;Support;;;;1206;anna@example.com;Amsterdam;;\n" +
	"Sam;Vip;Ventes;;;;;sam@example.com;;maybe;\n" +
	";;;;;;;;;;\n" +
	"Zoé;Roux;Comptabilité;Comptable;01.42.00.00.09;;1207;zoe.roux@example.com;Paris;;B-9\n"

func TestImportCSV(t *testing.T) {
	d, _ := newDir(t)
	ctx := context.Background()
	rep, err := d.ImportCSV(ctx, alice, strings.NewReader(frenchCSV))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 4 || rep.Failed != 6 {
		t.Fatalf("report: %+v", rep)
	}
	lines := map[int]string{}
	for _, p := range rep.Problems {
		lines[p.Line] = p.Message
	}
	// Line 8 holds a quoted cell over two lines: the lines after it are
	// still counted right.
	for _, line := range []int{4, 6, 7, 8, 10, 11} {
		if lines[line] == "" {
			t.Errorf("line %d not reported; problems: %+v", line, rep.Problems)
		}
	}
	if !strings.Contains(lines[7], "emails[0]") || !strings.Contains(lines[10], "vip") || !strings.Contains(lines[11], "name") {
		t.Errorf("messages name the field: %+v", rep.Problems)
	}

	h := mustSearch(t, d, bob, "helene")
	if len(h) != 1 {
		t.Fatalf("helene: %v", names(h))
	}
	c := h[0].Contact
	if c.Department != "Support" || c.JobTitle != "Technicienne" || !c.VIP || c.Location != "Paris" ||
		c.Custom["Badge"] != "B-1" || c.Source != SourceCSV || c.Visibility != Public || c.Owner != "alice" ||
		!reflect.DeepEqual(c.Phones, []Phone{{PhoneWork, "01 42 00 00 00"}, {PhoneExtension, "1204"}}) {
		t.Errorf("imported: %+v", c)
	}
	if !strings.Contains(lines[8], "firstName") {
		t.Errorf("a line break in a name is refused: %q", lines[8])
	}

	// The same file again: nothing new, nothing changed.
	rep, err = d.ImportCSV(ctx, alice, strings.NewReader(frenchCSV))
	if err != nil || rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 4 {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
	if d.Len() != 4 {
		t.Fatalf("duplicates: %d contacts", d.Len())
	}

	// A partial file updates by e-mail and keeps the columns it lacks.
	rep, err = d.ImportCSV(ctx, bob, strings.NewReader("email,department\nhelene.dubois@example.com,Direction\n"))
	if err != nil || rep.Updated != 1 || rep.Created != 0 {
		t.Fatalf("partial: %+v %v", rep, err)
	}
	c2, _ := d.Get(bob, c.ID)
	if c2.Department != "Direction" || !c2.VIP || c2.JobTitle != "Technicienne" || len(c2.Phones) != 2 {
		t.Errorf("partial update: %+v", c2)
	}
	// By number and name, when there is no e-mail.
	rep, err = d.ImportCSV(ctx, bob, strings.NewReader("firstName,lastName,phone,jobTitle\nZoé,Roux,+33142000009,Cheffe comptable\nOther,Person,+33142000009,x\n"))
	if err != nil || rep.Updated != 1 || rep.Created != 1 {
		t.Fatalf("by number: %+v %v", rep, err)
	}
}

func TestImportCSVPrivateContactsOfOthersAreNotTouched(t *testing.T) {
	d, _ := newDir(t)
	p := mustCreate(t, d, alice, Contact{DisplayName: "Secret", Emails: []string{"s@example.com"}, Visibility: Private})
	rep, err := d.ImportCSV(context.Background(), bob, strings.NewReader("id,name,email\n"+p.ID+",Overwrite,s@example.com\n"))
	if err != nil || rep.Created != 1 || rep.Updated != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	if c, _ := d.Get(alice, p.ID); c.DisplayName != "Secret" {
		t.Fatalf("private contact overwritten: %+v", c)
	}
}

func TestImportCSVRejectsUnknownHeader(t *testing.T) {
	d, _ := newDir(t)
	if _, err := d.ImportCSV(context.Background(), alice, strings.NewReader("foo,bar\n1,2\n")); err == nil {
		t.Fatal("a file with no known column is an error")
	}
}

func TestCSVExportRoundTrip(t *testing.T) {
	d, _ := newDir(t)
	src := []Contact{
		{FirstName: "Hélène", LastName: "Dubois", Department: "Support", JobTitle: "=HYPERLINK(\"x\")",
			Phones: []Phone{{PhoneWork, "+33 1 42 00 00 00"}, {PhoneMobile, "06 12 34 56 78"}, {PhoneMobile, "07 00 00 00 01"}},
			Emails: []string{"h@example.com", "helene@example.org"}, VIP: true, Manager: "@boss", Location: "Paris, 2e",
			Custom: map[string]string{"badge": "B-1", "note": "-5 points"}, Responsibilities: "line 1\nline 2"},
		{DisplayName: "Accueil", Phones: []Phone{{PhoneExtension, "9"}}, ExternalID: "ext-1", AbsenceMessage: "fermé"},
	}
	for _, c := range src {
		mustCreate(t, d, alice, c)
	}
	mustCreate(t, d, alice, Contact{DisplayName: "Private", Visibility: Private})
	var buf bytes.Buffer
	if err := d.ExportCSV(&buf, bob); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "Private") {
		t.Error("export leaks a private contact of someone else")
	}
	if !strings.Contains(out, "'=HYPERLINK") || !strings.Contains(out, "'@boss") || !strings.Contains(out, "'-5 points") {
		t.Errorf("formulas not defused:\n%s", out)
	}

	d2, _ := newDir(t)
	rep, err := d2.ImportCSV(context.Background(), bob, strings.NewReader(out))
	if err != nil || rep.Created != 2 || rep.Failed != 0 {
		t.Fatalf("import of export: %+v %v", rep, err)
	}
	for _, want := range src {
		want.normalize()
		rs := mustSearch(t, d2, bob, want.Name())
		if len(rs) == 0 {
			t.Fatalf("%s missing", want.Name())
		}
		got := rs[0].Contact
		got.ID, got.Updated, got.Owner, got.Source = "", want.Updated, "", want.Source
		want.Visibility = Public
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
	}
}

func TestImportCSVVisibility(t *testing.T) {
	d, _ := newDir(t)
	csvText := "name,visibility\nDefault,\nShared,public\nMine,privé\n"
	rep, err := d.ImportCSV(context.Background(), alice, strings.NewReader(csvText), WithImportVisibility(Private))
	if err != nil || rep.Created != 3 {
		t.Fatalf("%+v %v", rep, err)
	}
	if got := search(t, d, bob, "default"); len(got) != 0 {
		t.Errorf("empty cell takes the import's default (private): %q", got)
	}
	if got := search(t, d, bob, "shared"); len(got) != 1 {
		t.Errorf("public cell: %q", got)
	}
	if got := search(t, d, alice, "mine"); len(got) != 1 {
		t.Errorf("owner sees her private import: %q", got)
	}
	if got := search(t, d, bob, "mine"); len(got) != 0 {
		t.Errorf("private cell: %q", got)
	}
}
