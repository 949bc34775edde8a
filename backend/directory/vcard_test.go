package directory

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestVCardRoundTrip(t *testing.T) {
	d, _ := newDir(t)
	src := []Contact{
		{FirstName: "Hélène", LastName: "Dubois", Department: "Support", JobTitle: "Technicienne, niveau 2",
			Responsibilities: "Imprimantes;\nréseau", Phones: []Phone{{PhoneWork, "+33 1 42 00 00 00"}, {PhoneMobile, "06 12 34 56 78"},
				{PhoneExtension, "1204"}, {PhoneHome, "01 00 00 00 00"}, {PhoneOther, "+44 20 7946 0000"}},
			Emails: []string{"h@example.com"}, VIP: true, Manager: "David Martin", Location: "Paris, bureau 204",
			ImageURI: "https://img.example/h.png", AbsenceMessage: "En congés",
			Custom: map[string]string{"badge": "B-1", "organization": "ACME; Paris"}, ExternalID: "emp-1"},
		{DisplayName: "Accueil", Phones: []Phone{{PhoneExtension, "9"}}, Visibility: Private},
	}
	for _, c := range src {
		mustCreate(t, d, alice, c)
	}
	var buf bytes.Buffer
	if err := d.ExportVCard(&buf, alice); err != nil {
		t.Fatal(err)
	}
	// Re-importing our own export into the same directory changes nothing.
	rep, err := d.ImportVCard(context.Background(), alice, bytes.NewReader(buf.Bytes()))
	if err != nil || rep.Unchanged != 2 || rep.Created+rep.Updated+rep.Failed != 0 {
		t.Fatalf("re-import: %+v %v\n%s", rep, err, buf.String())
	}

	d2, _ := newDir(t)
	rep, err = d2.ImportVCard(context.Background(), alice, bytes.NewReader(buf.Bytes()))
	if err != nil || rep.Created != 2 || rep.Failed != 0 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	for _, want := range src {
		if want.Visibility == "" {
			want.Visibility = Public
		}
		want.normalize()
		rs := mustSearch(t, d2, alice, want.Name())
		if len(rs) == 0 {
			t.Fatalf("%s missing", want.Name())
		}
		got := rs[0].Contact
		got.ID, got.Updated, got.Source = "", want.Updated, want.Source
		want.Owner = "alice"
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v\n%s", got, want, buf.String())
		}
	}
}

const outlookVCard = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Janssen;Dave;;;\r\nFN:Dave Janssen\r\n" +
	"ORG:Contoso;Verkoop\r\nTITLE:Accountmanager\r\nTEL;TYPE=WORK,VOICE:+31 20 123 4567\r\n" +
	"TEL;TYPE=CELL:06-12345678\r\nEMAIL;TYPE=INTERNET,PREF:dave@contoso.example\r\n" +
	"X-MS-MANAGER:Anouk Visser\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\nUID:contoso-42\r\nEND:VCARD\r\n" +
	"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No End\r\n" // truncated card

func TestImportThirdPartyVCard(t *testing.T) {
	d, _ := newDir(t)
	rep, err := d.ImportVCard(context.Background(), bob, strings.NewReader(outlookVCard))
	if err != nil || rep.Created != 1 || rep.Failed != 1 || len(rep.Problems) != 1 || rep.Problems[0].Line != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	c := mustSearch(t, d, bob, "dave verkoop")[0].Contact
	want := []Phone{{PhoneWork, "+31 20 123 4567"}, {PhoneMobile, "06-12345678"}}
	if c.FirstName != "Dave" || c.LastName != "Janssen" || c.Department != "Verkoop" || c.Custom["organization"] != "Contoso" ||
		c.Manager != "Anouk Visser" || !reflect.DeepEqual(c.Phones, want) || c.ExternalID != "contoso-42" ||
		!strings.HasPrefix(c.ImageURI, "data:image/jpeg;base64,") || c.Source != SourceVCard {
		t.Errorf("imported: %+v", c)
	}
	if got, ok := d.LookupNumber("+31612345678"); !ok || got.ID != c.ID {
		t.Errorf("lookup of a Dutch mobile: %v", ok)
	}
	// The same card again updates by UID instead of duplicating.
	rep, err = d.ImportVCard(context.Background(), bob, strings.NewReader(strings.Replace(outlookVCard, "Accountmanager", "Sales lead", 1)))
	if err != nil || rep.Updated != 1 || rep.Created != 0 || d.Len() != 1 {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
}
