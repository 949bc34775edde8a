package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/concierge-console/concierge/backend/store"
)

// queueRig serves the queue administration over a store seeded with the
// running queue "reception" (the default) and "sales" on 200.
func queueRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t)
	running := []store.Queue{
		{ID: "reception", Name: "Reception", Numbers: []string{}, Default: true},
		{ID: "sales", Name: "Sales", Numbers: []string{"200", "+33142000200"}, Priority: 1},
	}
	if _, err := r.store.SeedQueues(running); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(NewServer(r.store, r.sb, WithQueueAdmin(running)).Handler())
	t.Cleanup(srv.Close)
	r.srv = srv
	return r
}

func TestQueueAdminIsForAdministratorsOnly(t *testing.T) {
	r := queueRig(t)
	ctx := context.Background()
	anna := r.login(t, "anna", "")
	if _, err := anna.QueueSettings(ctx); status(err) != http.StatusForbidden {
		t.Errorf("attendant GET: %v, want 403", err)
	}
	if _, err := anna.CreateQueue(ctx, QueueRequest{ID: "x", Name: "X"}); status(err) != http.StatusForbidden {
		t.Errorf("attendant POST: %v, want 403", err)
	}
	if _, err := anna.SaveQueue(ctx, QueueRequest{ID: "sales", Name: "Mine"}); status(err) != http.StatusForbidden {
		t.Errorf("attendant PUT: %v, want 403", err)
	}
	if err := anna.DeleteQueue(ctx, "sales"); status(err) != http.StatusForbidden {
		t.Errorf("attendant DELETE: %v, want 403", err)
	}
	if _, err := r.client().QueueSettings(ctx); status(err) != http.StatusUnauthorized {
		t.Errorf("anonymous GET: %v, want 401", err)
	}
	if err := r.client().DeleteQueue(ctx, "sales"); status(err) != http.StatusUnauthorized {
		t.Errorf("anonymous DELETE: %v, want 401", err)
	}
	if qs, _ := r.store.Queues(); len(qs) != 2 || qs[0].Name != "Sales" {
		t.Errorf("queues changed by refused requests: %+v", qs)
	}
}

func TestQueueAdminCreateUpdateDelete(t *testing.T) {
	r := queueRig(t)
	ctx := context.Background()
	admin := r.login(t, "admin", "")
	u, err := r.store.User("anna")
	if err != nil {
		t.Fatal(err)
	}
	u.Queues = []string{"support"}
	if err := r.store.PutUser(u); err != nil {
		t.Fatal(err)
	}

	list, err := admin.QueueSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if list.RestartRequired || len(list.Queues) != 2 || list.Queues[0].ID != "sales" || !slices.Equal(list.Queues[0].Numbers, []string{"200", "+33142000200"}) {
		t.Fatalf("initial list: %+v", list)
	}

	saved, err := admin.CreateQueue(ctx, QueueRequest{ID: "support", Name: " Support ", Numbers: []string{"300"}, Priority: 5, Default: true})
	if err != nil {
		t.Fatal(err)
	}
	if q := saved.Queue; q.Name != "Support" || !q.Default || !slices.Equal(q.Attendants, []string{"anna"}) || !saved.RestartRequired {
		t.Errorf("created: %+v", saved)
	}
	list, err = admin.QueueSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !list.RestartRequired || len(list.Queues) != 3 || list.Queues[0].ID != "support" {
		t.Fatalf("after create: %+v", list)
	}
	for _, q := range list.Queues {
		if q.Default != (q.ID == "support") {
			t.Errorf("queue %s default=%v; the new default must take the role over", q.ID, q.Default)
		}
	}

	if _, err := admin.SaveQueue(ctx, QueueRequest{ID: "sales", Name: "Sales & orders", Numbers: []string{"201"}, Priority: 2}); err != nil {
		t.Fatal(err)
	}
	// 200 is free again, so support may take it.
	if _, err := admin.SaveQueue(ctx, QueueRequest{ID: "support", Name: "Support", Numbers: []string{"300", "200"}, Default: true}); err != nil {
		t.Fatal(err)
	}
	if err := admin.DeleteQueue(ctx, "reception"); err != nil {
		t.Fatal(err)
	}
	qs, err := r.store.Queues()
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[0].ID != "sales" || qs[0].Name != "Sales & orders" || !slices.Equal(qs[1].Numbers, []string{"300", "200"}) {
		t.Errorf("stored: %+v", qs)
	}
	if err := admin.DeleteQueue(ctx, "reception"); status(err) != http.StatusNotFound {
		t.Errorf("deleting a deleted queue: %v, want 404", err)
	}
	if _, err := admin.SaveQueue(ctx, QueueRequest{ID: "nope", Name: "Nope"}); status(err) != http.StatusNotFound {
		t.Errorf("PUT of an unknown queue: %v, want 404", err)
	}
	if err := admin.DeleteQueue(ctx, "sales"); err != nil {
		t.Fatal(err)
	}
	if err := admin.DeleteQueue(ctx, "support"); status(err) != http.StatusConflict {
		t.Errorf("deleting the last queue: %v, want 409", err)
	}
}

// Bad queues get a 400 that says what is wrong, and nothing is stored.
func TestQueueAdminRefusesBadQueues(t *testing.T) {
	r := queueRig(t)
	ctx := context.Background()
	admin := r.login(t, "admin", "")
	for _, tc := range []struct {
		req  QueueRequest
		want string
	}{
		{QueueRequest{ID: "support", Name: "  "}, "name is required"},
		{QueueRequest{ID: "support", Name: "Support", Numbers: []string{"200"}}, "number 200 is already routed to queue sales"},
		{QueueRequest{ID: "support", Name: "Support", Numbers: []string{"300", "300"}}, "number 300 is listed twice"},
		{QueueRequest{ID: "support", Name: "Support", Numbers: []string{"3 00"}}, `number "3 00"`},
		{QueueRequest{ID: "Support Desk", Name: "Support"}, `id "Support Desk"`},
		{QueueRequest{ID: "", Name: "Support"}, `id ""`},
		{QueueRequest{ID: "support", Name: "Support", Priority: 5000}, "priority 5000"},
	} {
		_, err := admin.CreateQueue(ctx, tc.req)
		if status(err) != http.StatusBadRequest || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("create %+v: %v; want 400 saying %q", tc.req, err, tc.want)
		}
	}
	if _, err := admin.CreateQueue(ctx, QueueRequest{ID: "sales", Name: "Again"}); status(err) != http.StatusConflict {
		t.Errorf("duplicate id: %v, want 409", err)
	}
	// The path names the queue; a body naming another is refused, not applied to either.
	err := admin.do(ctx, http.MethodPut, "/admin/queues/sales", QueueRequest{ID: "reception", Name: "Hijack"}, nil)
	if status(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("PUT with another id in the body: %v, want 400", err)
	}
	err = admin.do(ctx, http.MethodPost, "/admin/queues", map[string]any{"id": "x", "name": "X", "colour": "red"}, nil)
	if status(err) != http.StatusBadRequest {
		t.Errorf("unknown field: %v, want 400", err)
	}
	qs, err := r.store.Queues()
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[0].Name != "Sales" || qs[1].Name != "Reception" {
		t.Errorf("bad requests changed the queues: %+v", qs)
	}
}
