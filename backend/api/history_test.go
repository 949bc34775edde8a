package api

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/store"
)

func TestHistoryNamesTransferDestinations(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	anna, bob := r.login(t, "anna", ""), r.login(t, "bob", "")
	if _, err := anna.CreateContact(ctx, directory.Contact{
		DisplayName: "Hélène Dubois", Department: "Ventes", Visibility: directory.Public,
		Phones: []directory.Phone{{Type: directory.PhoneWork, Number: "+33 1 42 00 00 01"}},
	}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	add := func(e store.HistoryEntry) {
		t.Helper()
		t0 = t0.Add(time.Minute)
		e.Started, e.Ended = t0, t0.Add(30*time.Second)
		if _, err := r.store.AddHistory(e); err != nil {
			t.Fatal(err)
		}
	}
	// The same caller, written two ways by the PBX, transferred twice to
	// Hélène (her number in two formats) and once to extension 300.
	add(store.HistoryEntry{CallID: "1", Direction: "in", CallerNumber: "+33 6 11 22 33 44", Attendant: "anna", Outcome: "transferred", Destination: "0142000001"})
	add(store.HistoryEntry{CallID: "2", Direction: "in", CallerNumber: "0611223344", Attendant: "bob", Outcome: "transferred", Destination: "300"})
	add(store.HistoryEntry{CallID: "3", Direction: "in", CallerNumber: "0611223344", Attendant: "anna", Outcome: "transferred", Destination: "sip:+33142000001@pbx"})
	add(store.HistoryEntry{CallID: "4", Direction: "in", CallerNumber: "0699999999", Attendant: "anna", Outcome: "answered"})
	add(store.HistoryEntry{CallID: "5", Direction: "in", CallerNumber: "0611223344", Attendant: "anna", Outcome: "recalled", Destination: "301"})

	h, err := anna.History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range h {
		ids = append(ids, e.CallID)
	}
	if !slices.Equal(ids, []string{"5", "4", "3", "1"}) {
		t.Fatalf("anna's history = %v, want her own calls, newest first", ids)
	}
	if h[2].DestinationName != "Hélène Dubois" || h[2].DestinationDepartment != "Ventes" || h[2].DestinationContactID == "" {
		t.Fatalf("transfer to a sip: URI of Hélène's number: %+v", h[2])
	}
	if h[1].DestinationName != "" {
		t.Fatalf("an answered call has no destination: %+v", h[1])
	}

	// C5: bob asks where this caller went before, in yet another format.
	d, err := bob.HistoryDestinations(ctx, "+33611223344", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 2 || d[0].Target != "sip:+33142000001@pbx" || d[0].Name != "Hélène Dubois" || d[0].Count != 2 || d[1].Target != "300" || d[1].Count != 1 {
		t.Fatalf("destinations = %+v", d)
	}
	if d, err := bob.HistoryDestinations(ctx, "0700000000", 5); err != nil || len(d) != 0 {
		t.Fatalf("a new caller has no destinations: %+v %v", d, err)
	}
	if _, err := bob.HistoryDestinations(ctx, "", 5); status(err) != 400 {
		t.Fatalf("no number: %v, want 400", err)
	}
}
