package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/concierge-console/concierge/backend/directory"
)

// C7 through the API: a private contact is invisible, uneditable and
// undeletable for other non-admin users; its owner and administrators see it.
func TestPrivateContactsStayPrivate(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	anna, bob, admin := r.login(t, "anna", ""), r.login(t, "bob", ""), r.login(t, "admin", "")

	secret, err := anna.CreateContact(ctx, directory.Contact{
		DisplayName: "Dr Zoé Secret", Department: "Direction", Visibility: directory.Private,
		Phones: []directory.Phone{{Type: directory.PhoneMobile, Number: "+33 6 11 22 33 44"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if secret.Owner != "anna" || secret.ID == "" {
		t.Fatalf("created: %+v", secret)
	}
	shared, err := anna.CreateContact(ctx, directory.Contact{DisplayName: "Zoé Public", Department: "Direction", Visibility: directory.Public})
	if err != nil {
		t.Fatal(err)
	}

	names := func(c *Client, q string) string {
		res, err := c.SearchContacts(ctx, q, 50)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, r := range res {
			n = append(n, r.Contact.DisplayName)
		}
		return strings.Join(n, ",")
	}
	if got := names(anna, "zoe direction"); !strings.Contains(got, "Dr Zoé Secret") || !strings.Contains(got, "Zoé Public") {
		t.Fatalf("owner's search: %q", got)
	}
	if got := names(admin, "zoe"); !strings.Contains(got, "Dr Zoé Secret") {
		t.Fatalf("admin's search: %q", got)
	}
	if got := names(bob, "zoe"); got != "Zoé Public" {
		t.Fatalf("bob's search: %q, want only the public contact", got)
	}
	if got := names(bob, "0611223344"); got != "" {
		t.Fatalf("bob found the private contact by number: %q", got)
	}
	// Not found rather than forbidden: existence does not leak.
	if _, err := bob.Contact(ctx, secret.ID); status(err) != http.StatusNotFound {
		t.Fatalf("bob get: %v", err)
	}
	secret.JobTitle = "hacked"
	if _, err := bob.UpdateContact(ctx, secret); status(err) != http.StatusNotFound {
		t.Fatalf("bob update: %v", err)
	}
	if err := bob.DeleteContact(ctx, secret.ID); status(err) != http.StatusNotFound {
		t.Fatalf("bob delete: %v", err)
	}
	if c, err := anna.Contact(ctx, secret.ID); err != nil || c.JobTitle == "hacked" {
		t.Fatalf("after bob's attempts: %+v %v", c, err)
	}
	// A public contact is editable by everyone (C7 "visible to all").
	shared.JobTitle = "CEO"
	if _, err := bob.UpdateContact(ctx, shared); err != nil {
		t.Fatalf("bob edits a public contact: %v", err)
	}
	if err := admin.DeleteContact(ctx, secret.ID); err != nil {
		t.Fatalf("admin deletes a private contact: %v", err)
	}
}

func TestContactInputErrors(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	anna := r.login(t, "anna", "")
	_, err := anna.CreateContact(ctx, directory.Contact{DisplayName: strings.Repeat("x", 5000), Visibility: directory.Public})
	if status(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "isplayName") {
		t.Fatalf("oversized name: %v", err)
	}
	if _, err := anna.SearchContacts(ctx, `*)(uid=*))(|(uid=*`, 10); err != nil {
		t.Fatalf("an LDAP-filter-looking query is just text: %v", err)
	}
	// Import is for supervisors and administrators only.
	req, _ := http.NewRequest("POST", r.srv.URL+"/api/v1/contacts/import", strings.NewReader("displayName\nX\n"))
	req.Header.Set("Authorization", "Bearer "+anna.Token())
	req.Header.Set("Content-Type", "text/csv")
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("attendant import: %d, want 403", resp.StatusCode)
	}
}

func TestImportReportsBadLinesAndKeepsTheRest(t *testing.T) {
	r := newRig(t)
	admin := r.login(t, "admin", "")
	csv := "first_name,last_name,department,work_phone,email\n" +
		"Hélène,Dubois,Ventes,+33 1 42 00 00 01,helene@example.com\n" +
		"\"broken,quote,Ventes,1,x\n"
	req, _ := http.NewRequest("POST", r.srv.URL+"/api/v1/contacts/import?format=csv", strings.NewReader(csv))
	req.Header.Set("Authorization", "Bearer "+admin.Token())
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep directory.ImportReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || resp.StatusCode != 200 {
		t.Fatalf("import: %d %v", resp.StatusCode, err)
	}
	if rep.Created != 1 || rep.Failed != 1 || len(rep.Problems) != 1 || rep.Problems[0].Line != 3 {
		t.Fatalf("report %+v: want 1 created, line 3 reported", rep)
	}
	res, err := admin.SearchContacts(context.Background(), "helene vent", 10)
	if err != nil || len(res) != 1 {
		t.Fatalf("imported contact not found: %+v %v", res, err)
	}
}
