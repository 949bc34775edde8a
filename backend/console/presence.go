package console

import (
	"context"

	"github.com/concierge-console/concierge/backend/api"
)

// Presence returns the presence of the contacts with these ids (those the
// user may see), and makes the event stream bring their changes as
// "presence:changed" events (C3, F1, D1).
func (c *Console) Presence(ctx context.Context, ids []string) ([]api.ContactPresence, error) {
	cl, _, err := c.api()
	if err != nil {
		return nil, err
	}
	return cl.Presence(ctx, ids)
}

// Presence forwards the switchboard's presence deltas to the front-end.
func (f *follower) Presence(ps []api.ContactPresence) {
	f.c.emit.Emit("presence:changed", ps)
}
