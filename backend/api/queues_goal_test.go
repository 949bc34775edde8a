package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concierge-console/concierge/backend/auth"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

// A queue's service-level goal (Q10) is part of its rules: validated with a
// clear 400, applied live to the running queue, and still there after a
// restart (a new store handle and a new engine built from it).
func TestQueueServiceGoal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := auth.HashPassword("admin-password")
	if err := st.PutUser(store.User{Username: "admin", Name: "Admin", Role: store.RoleAdmin, PasswordHash: h}); err != nil {
		t.Fatal(err)
	}
	running := []store.Queue{{ID: "reception", Name: "Reception", Numbers: []string{}, Default: true}}
	if _, err := st.SeedQueues(running); err != nil {
		t.Fatal(err)
	}
	sb := &engineSB{}
	sb.Engine = queue.New(sb)
	t.Cleanup(sb.Engine.Close)
	sb.AddQueue(queue.QueueConfig{ID: "reception", Name: "Reception"})
	srv := httptest.NewTLSServer(NewServer(st, sb, WithQueueAdmin(running)).Handler())
	r := &rig{srv: srv, sb: sb, store: st}
	admin := r.login(t, "admin", "")
	ctx := context.Background()

	if q := running0(t, sb); q.ServiceLevelSeconds != 20 || q.ServiceLevelTarget != 80 {
		t.Fatalf("default goal %+v, want 20 s / 80 %%", q.ServiceGoal)
	}
	base := QueueRequest{ID: "reception", Name: "Reception", Default: true}
	for _, c := range []struct {
		rules queue.Rules
		want  string
	}{
		{queue.Rules{ServiceLevelSeconds: 4}, "serviceLevelSeconds 4: seconds between 5 and 600"},
		{queue.Rules{ServiceLevelSeconds: 601}, "serviceLevelSeconds 601"},
		{queue.Rules{ServiceLevelSeconds: -20}, "serviceLevelSeconds -20"},
		{queue.Rules{ServiceLevelTarget: 101}, "serviceLevelTarget 101: a percentage between 1 and 100"},
		{queue.Rules{ServiceLevelTarget: -1}, "serviceLevelTarget -1"},
	} {
		req := base
		req.Rules = &c.rules
		_, err := admin.SaveQueue(ctx, req)
		if status(err) != http.StatusBadRequest || !strings.Contains(err.Error(), c.want) {
			t.Errorf("rules %+v: %v; want 400 %q", c.rules, err, c.want)
		}
	}

	req := base
	req.Rules = &queue.Rules{ServiceLevelSeconds: 45, ServiceLevelTarget: 95}
	saved, err := admin.SaveQueue(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if saved.RestartRequired || saved.Queue.Rules == nil || saved.Queue.Rules.ServiceLevelSeconds != 45 {
		t.Fatalf("saved = %+v", saved)
	}
	if q := running0(t, sb); q.ServiceLevelSeconds != 45 || q.ServiceLevelTarget != 95 {
		t.Fatalf("running goal %+v, want 45 s / 95 %% without a restart", q.ServiceGoal)
	}
	list, err := admin.QueueSettings(ctx)
	if err != nil || list.Queues[0].Rules == nil || list.Queues[0].Rules.ServiceLevelTarget != 95 {
		t.Fatalf("listed: %+v, %v", list, err)
	}

	// Restart: the stored rules are what the next engine runs with.
	srv.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	qs, err := st.Queues()
	if err != nil || len(qs) != 1 || qs[0].Rules == nil {
		t.Fatalf("stored queues after restart: %+v, %v", qs, err)
	}
	next := &engineSB{}
	next.Engine = queue.New(next)
	defer next.Engine.Close()
	next.AddQueue(queue.QueueConfig{ID: qs[0].ID, Name: qs[0].Name, Rules: qs[0].Rules})
	if q := running0(t, next); q.ServiceLevelSeconds != 45 || q.ServiceLevelTarget != 95 {
		t.Fatalf("goal after restart %+v", q.ServiceGoal)
	}
}

func running0(t *testing.T, sb *engineSB) queue.Queue {
	t.Helper()
	qs := sb.Snapshot().Queues
	if len(qs) == 0 {
		t.Fatal("no queue running")
	}
	return qs[0]
}
