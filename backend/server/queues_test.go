//go:build linux

package server

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/loadgen"
	"github.com/concierge-console/concierge/backend/queue"
)

// A queue added by an administrator is stored, said to need a restart, and after the
// restart the switchboard runs it: it is in the queue list, and a call to its number
// waits in it. The site's queues seeded the store on first start and no longer count.
func TestQueueConfigSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := start(t, dir, "admin-password")
	admin := signIn(ctx, t, s, "admin", "admin-password")
	list, err := admin.QueueSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Queues) != 1 || list.Queues[0].ID != "reception" || !list.Queues[0].Default || list.RestartRequired {
		t.Fatalf("fresh store: %+v; want the site's reception queue", list)
	}
	saved, err := admin.CreateQueue(ctx, api.QueueRequest{ID: "sales", Name: "Sales", Numbers: []string{"200"}, Priority: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !saved.RestartRequired {
		t.Error("a new queue should say it needs a restart")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = start(t, dir, "")
	defer s.Close()
	admin = signIn(ctx, t, s, "admin", "admin-password")
	if list, err := admin.QueueSettings(ctx); err != nil || list.RestartRequired || len(list.Queues) != 2 {
		t.Fatalf("after restart: %+v, %v", list, err)
	}
	qs, err := admin.Queues(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(qs, func(q queue.Queue) bool { return q.ID == "sales" }); i != 0 || qs[0].Priority != 3 {
		t.Fatalf("running queues %+v; want sales first (priority 3)", qs)
	}

	done := make(chan error, 1)
	go func() {
		_, err := loadgen.Run(ctx, loadgen.Config{Target: s.SIPAddr(), Number: "200", Calls: 1, Hold: 2 * time.Second}, nil)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		qs, err := admin.Queues(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := slices.IndexFunc(qs, func(q queue.Queue) bool { return q.ID == "sales" && len(q.Calls) == 1 }); n >= 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no call waiting in sales after dialling 200: %+v", qs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
