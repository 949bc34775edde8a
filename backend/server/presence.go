package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/presence"
	"github.com/concierge-console/concierge/backend/queue"
)

// extensionsEvery is how often the directory's extension numbers are handed
// to the BLF subscriptions again (they stay wanted for the BLF window).
const extensionsEvery = 10 * time.Minute

// runPresence feeds the hub until ctx ends: stale sweeps, the attendants as
// the queue engine sees them, and the extensions of the public directory as
// numbers to watch by BLF.
func runPresence(ctx context.Context, hub *presence.Hub, eng *queue.Engine, dir *directory.Directory, log *slog.Logger) {
	go hub.Run(ctx, time.Second)
	go wantExtensions(ctx, hub, dir)
	go func() {
		f := &attendantFeed{hub: hub, known: map[string]queue.Attendant{}}
		for ctx.Err() == nil {
			followAttendants(ctx, f, eng)
			log.Debug("presence: attendant feed resubscribing")
		}
	}()
}

// wantExtensions marks the extension numbers of public contacts as wanted,
// so their BLF is there before anyone searches for them.
func wantExtensions(ctx context.Context, hub *presence.Hub, dir *directory.Directory) {
	t := time.NewTicker(extensionsEvery)
	defer t.Stop()
	for {
		var numbers []string
		for _, c := range dir.All(directory.Viewer{}) { // public contacts only
			for _, p := range c.Phones {
				if p.Type == directory.PhoneExtension {
					numbers = append(numbers, p.Number)
				}
			}
		}
		hub.Want(numbers...)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// attendantSource is the hub source of logged-in attendants' state.
const attendantSource = "attendant"

// followAttendants reports each logged-in attendant, by username and by
// extension: on a call = busy, a call offered = ringing, unavailable = away,
// else available. It returns when the subscription ends (it lagged: the
// caller resubscribes and the snapshot rebuilds every report) or ctx does.
func followAttendants(ctx context.Context, f *attendantFeed, eng *queue.Engine) {
	sub := eng.Subscribe(0)
	defer sub.Close()
	f.offered = map[string]string{}
	if sub.Snapshot != nil {
		online := map[string]bool{}
		for _, a := range sub.Snapshot.Attendants {
			online[a.Username] = true
		}
		for u := range f.known {
			if !online[u] {
				f.withdraw(u)
			}
		}
		for _, q := range sub.Snapshot.Queues {
			for _, c := range q.Calls {
				if c.OfferedTo != "" {
					f.offered[c.ID] = c.OfferedTo
				}
			}
		}
		for _, a := range sub.Snapshot.Attendants {
			f.set(a)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-sub.C:
			if !ok {
				return
			}
			f.apply(ev)
		}
	}
}

type attendantFeed struct {
	hub     *presence.Hub
	offered map[string]string          // call ID → username it rings
	known   map[string]queue.Attendant // username → last reported
}

func (f *attendantFeed) apply(ev queue.Event) {
	touched := map[string]bool{}
	if c := ev.Call; c != nil {
		if old := f.offered[c.ID]; old != "" {
			touched[old] = true
		}
		switch {
		case ev.Type == queue.EventCallTaken || ev.Type == queue.EventCallAbandoned || c.OfferedTo == "":
			delete(f.offered, c.ID)
		default:
			f.offered[c.ID] = c.OfferedTo
			touched[c.OfferedTo] = true
		}
	}
	if a := ev.Attendant; a != nil {
		if ev.Type == queue.EventAttendantLeft {
			f.withdraw(a.Username)
		} else {
			f.set(*a)
		}
		delete(touched, a.Username)
	}
	for u := range touched {
		if a, ok := f.known[u]; ok {
			f.set(a)
		}
	}
}

func (f *attendantFeed) set(a queue.Attendant) {
	if old, ok := f.known[a.Username]; ok && old.Extension != a.Extension {
		f.hub.Update(presence.Update{Source: attendantSource, Key: old.Extension})
	}
	f.known[a.Username] = a
	st := presence.Available
	switch {
	case a.OnCall:
		st = presence.Busy
	case f.ringing(a.Username):
		st = presence.Ringing
	case !a.Available:
		st = presence.Away
	}
	for _, k := range []string{a.Username, a.Extension} {
		f.hub.Update(presence.Update{Source: attendantSource, Key: k, State: st})
	}
}

func (f *attendantFeed) ringing(username string) bool {
	for _, u := range f.offered {
		if u == username {
			return true
		}
	}
	return false
}

func (f *attendantFeed) withdraw(username string) {
	a, ok := f.known[username]
	if !ok {
		return
	}
	delete(f.known, username)
	for _, k := range []string{a.Username, a.Extension} {
		f.hub.Update(presence.Update{Source: attendantSource, Key: k})
	}
}
