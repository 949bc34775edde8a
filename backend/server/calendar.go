package server

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/concierge-console/concierge/backend/calendar"
	"github.com/concierge-console/concierge/backend/presence"
)

// The calendar as a presence source (D3): while a busy or out-of-office
// event covers now, the people on screen show "away" with the meeting's
// summary, until its end, and whether it is a meeting or out of office.
const (
	calendarSource = "calendar"
	// calendarPerMinute bounds the people polled per minute, whatever the
	// screens show: the calendar server serves the switchboard, not the
	// other way round. Polls reuse the consoles' cache (today's range).
	calendarPerMinute = 60
	// calendarEvery is how often a person is polled again, at most.
	calendarEvery = 2 * time.Minute
	// calendarWindow: people not looked at for this long are no longer polled.
	calendarWindow = 10 * time.Minute
	calendarTick   = 5 * time.Second
	// calendarPollTime bounds one round of polls.
	calendarPollTime = 30 * time.Second
)

// calendarFeed polls the calendars of wanted people into the hub.
type calendarFeed struct {
	hub *presence.Hub
	cal *calendar.Service
	log *slog.Logger
	now func() time.Time

	polled   map[string]time.Time // e-mail → last polled
	reported map[string][]string  // e-mail → keys reported away
	budget   float64              // polls allowed now (refills calendarPerMinute a minute)
	last     time.Time
}

func newCalendarFeed(hub *presence.Hub, cal *calendar.Service, log *slog.Logger) *calendarFeed {
	return &calendarFeed{hub: hub, cal: cal, log: log, now: time.Now, polled: map[string]time.Time{},
		reported: map[string][]string{}, budget: calendarPerMinute / 4}
}

// run polls until ctx ends: at every tick, and at once when someone new is
// looked at.
func (f *calendarFeed) run(ctx context.Context) {
	t := time.NewTicker(calendarTick)
	defer t.Stop()
	for {
		f.poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.hub.PeopleC():
		}
	}
}

// poll asks the calendars of the wanted people not polled recently, most
// recently wanted first, within the budget.
func (f *calendarFeed) poll(ctx context.Context) {
	// A hanging calendar server must not hold the feed for long: what is
	// not polled now is at the next tick.
	ctx, cancel := context.WithTimeout(ctx, calendarPollTime)
	defer cancel()
	now := f.now()
	if !f.last.IsZero() {
		f.budget = min(f.budget+now.Sub(f.last).Minutes()*calendarPerMinute, calendarPerMinute)
	}
	f.last = now
	people := f.hub.WantedPeople(calendarWindow)
	wanted := map[string]bool{}
	for _, p := range people {
		wanted[p.ID] = true
	}
	for id := range f.reported { // scrolled out of sight: their reports go
		if !wanted[id] {
			f.set(id, nil, nil)
			delete(f.polled, id)
		}
	}
	if !f.cal.Config().Enabled() {
		for id := range f.reported {
			f.set(id, nil, nil)
		}
		return
	}
	for _, p := range people {
		if f.budget < 1 || ctx.Err() != nil {
			return
		}
		if at, ok := f.polled[p.ID]; ok && now.Sub(at) < calendarEvery {
			continue
		}
		f.budget--
		f.polled[p.ID] = now
		res := f.cal.Events(ctx, p.ID, now, now.Add(time.Minute))
		if res.Err != "" && !res.Stale {
			f.log.Debug("presence: calendar unreadable", "email", p.ID, "err", res.Err)
			continue // nothing known: keep what was reported (it ends by itself)
		}
		f.set(p.ID, p.Keys, current(res.Events, now))
	}
}

// current is the busy or out-of-office event covering now, if any: out of
// office first, then the one ending last (back-to-back meetings).
func current(evs []calendar.Event, now time.Time) *calendar.Event {
	var best *calendar.Event
	for i := range evs {
		e := &evs[i]
		if (e.Status != calendar.Busy && e.Status != calendar.OOF) || now.Before(e.Start) || !now.Before(e.End) {
			continue
		}
		switch {
		case best == nil:
			best = e
		case (e.Status == calendar.OOF) != (best.Status == calendar.OOF):
			if e.Status == calendar.OOF {
				best = e
			}
		case e.End.After(best.End):
			best = e
		}
	}
	return best
}

// set reports person id away on keys during ev, or withdraws (ev nil).
func (f *calendarFeed) set(id string, keys []string, ev *calendar.Event) {
	for _, k := range f.reported[id] {
		if ev == nil || !slices.Contains(keys, k) {
			f.hub.Update(presence.Update{Source: calendarSource, Key: k})
		}
	}
	if ev == nil {
		delete(f.reported, id)
		return
	}
	activity := presence.ActivityMeeting
	if ev.Status == calendar.OOF {
		activity = presence.ActivityOOF
	}
	for _, k := range keys {
		f.hub.Update(presence.Update{Source: calendarSource, Key: k, State: presence.Away, Message: ev.Summary, Until: ev.End,
			Activity: activity})
	}
	f.reported[id] = keys
}
