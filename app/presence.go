package app

import "github.com/concierge-console/concierge/backend/api"

// Get returns the presence of the contacts with these ids; changes follow as
// "presence:changed" events.
func (p *Presence) Get(ids []string) ([]api.ContactPresence, error) { return p.c.Presence(p.ctx, ids) }
