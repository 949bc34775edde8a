package console

import (
	"context"
	"strings"
	"testing"

	"github.com/concierge-console/concierge/backend/api"
)

// An administrator manages users and queues through the console; the
// switchboard's refusals arrive as its own clear messages, and a user
// without the role is told why.
func TestAdminManagesUsersAndQueues(t *testing.T) {
	c := New(Config{Embedded: *embedded(t)}, &recorder{}, nil)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Users(ctx); err != ErrNotLoggedIn {
		t.Fatalf("users before login: %v", err)
	}
	if _, err := c.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret"}); err != nil {
		t.Fatal(err)
	}

	u, err := c.SaveUser(ctx, api.UserRequest{Username: "alice", Name: "Alice", Role: "attendant", Password: "alice-secret", Queues: []string{"reception"}}, true)
	if err != nil || u.Username != "alice" || len(u.Queues) != 1 {
		t.Fatalf("create user: %+v %v", u, err)
	}
	if _, err := c.SaveUser(ctx, api.UserRequest{Username: "alice", Name: "Alice", Role: "attendant", Password: "alice-secret"}, true); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate user: %v", err)
	}
	if _, err := c.SaveUser(ctx, api.UserRequest{Username: "bob", Role: "attendant", Password: "short"}, true); err == nil || !strings.Contains(err.Error(), "at least 8 characters") {
		t.Fatalf("weak password: %v", err)
	}
	// An update without password keeps the old one.
	if u, err = c.SaveUser(ctx, api.UserRequest{Username: "alice", Name: "Alice B.", Role: "supervisor"}, false); err != nil || u.Role != "supervisor" {
		t.Fatalf("update user: %+v %v", u, err)
	}

	saved, err := c.SaveQueue(ctx, api.QueueRequest{ID: "sales", Name: "Sales", Numbers: []string{"200"}, Priority: 1}, true)
	if err != nil || !saved.RestartRequired || saved.Queue.ID != "sales" {
		t.Fatalf("create queue: %+v %v", saved, err)
	}
	if _, err := c.SaveQueue(ctx, api.QueueRequest{ID: "support", Name: "Support", Numbers: []string{"200"}}, true); err == nil || !strings.Contains(err.Error(), "already routed to queue sales") {
		t.Fatalf("duplicate number: %v", err)
	}
	list, err := c.AdminQueues(ctx)
	if err != nil || len(list.Queues) != 2 || !list.RestartRequired {
		t.Fatalf("queues: %+v %v", list, err)
	}
	if list, err = c.DeleteQueue(ctx, "sales"); err != nil || len(list.Queues) != 1 || list.RestartRequired {
		t.Fatalf("delete queue: %+v %v", list, err)
	}

	// A supervisor reads the queues; edits are refused with a message that says why.
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(ctx, LoginRequest{Username: "alice", Password: "alice-secret"}); err != nil {
		t.Fatalf("alice logs in with her unchanged password: %v", err)
	}
	if _, err := c.AdminQueues(ctx); err != nil {
		t.Fatalf("supervisor lists queues (read-only): %v", err)
	}
	if err := c.DeleteUser(ctx, "admin"); err == nil || !strings.Contains(err.Error(), "only administrators") {
		t.Fatalf("supervisor deletes admin: %v", err)
	}
}
