package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/concierge-console/concierge/backend/console"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/favorites"
	"github.com/concierge-console/concierge/backend/queue"
)

// Services returns the objects bound to the front-end, in binding order. The
// front-end reaches them as window.go.app.<Type>.<Method>, or through the
// bridge as POST /bridge/call {service: "<Type>", method, args}.
func Services(ctx context.Context, c *console.Console) []any {
	return []any{
		&Session{ctx: ctx, c: c}, &Queue{ctx: ctx, c: c}, &Presence{ctx: ctx, c: c},
		&Settings{ctx: ctx, c: c}, &Directory{ctx: ctx, c: c}, &Phone{ctx: ctx, c: c},
		&Favorites{ctx: ctx, c: c},
		&Devices{ctx: ctx, c: c},
		&History{ctx: ctx, c: c},
		&Calls{ctx: ctx, c: c},
		&Admin{ctx: ctx, c: c},
		&Stats{ctx: ctx, c: c},
		&Callbacks{ctx: ctx, c: c},
	}
}

// Session is login and logout (L1, L5).
type Session struct {
	ctx context.Context
	c   *console.Console
}

// Config tells the login window whether the switchboard is embedded.
func (s *Session) Config() (console.SessionConfig, error) { return s.c.Config(), nil }

// Login opens a session on the switchboard.
func (s *Session) Login(req console.LoginRequest) (console.SessionInfo, error) {
	return s.c.Login(s.ctx, req)
}

// Logout ends the session.
func (s *Session) Logout() error { return s.c.Logout(s.ctx) }

// Current returns the logged-in user, or null.
func (s *Session) Current() (*console.SessionInfo, error) { return s.c.Current(), nil }

// Queue is the queue panel's data and commands (Q1–Q6, W5, W7, W13).
type Queue struct {
	ctx context.Context
	c   *console.Console
}

// Snapshot returns every queue with its waiting calls, and the attendants.
func (q *Queue) Snapshot() (queue.Snapshot, error) { return q.c.Snapshot() }

// Pickup takes a waiting call directly (Q5).
func (q *Queue) Pickup(callID string) error { return q.c.CallAction(q.ctx, callID, "pickup") }

// Reserve sets "priority in queue" on a call for me (Q6).
func (q *Queue) Reserve(callID string) error { return q.c.CallAction(q.ctx, callID, "reserve") }

// Answer answers a call offered to me (W5).
func (q *Queue) Answer(callID string) error { return q.c.CallAction(q.ctx, callID, "answer") }

// Reject sends an offered call back to the queue (W7).
func (q *Queue) Reject(callID string) error { return q.c.CallAction(q.ctx, callID, "reject") }

// Hold puts my call on hold: the caller hears music (W10).
func (q *Queue) Hold(callID string) error { return q.c.CallAction(q.ctx, callID, "hold") }

// Resume takes my call off hold (W10).
func (q *Queue) Resume(callID string) error { return q.c.CallAction(q.ctx, callID, "resume") }

// Transfer blind-transfers my call to target (W8); safe brings it back when
// the target does not answer (W14).
func (q *Queue) Transfer(callID, target string, safe bool) error {
	return q.c.Transfer(q.ctx, callID, target, safe)
}

// SetNote sets a call's note (W13).
func (q *Queue) SetNote(callID, note string) error { return q.c.SetNote(q.ctx, callID, note) }

// Presence is the attendant's own availability (L4) and the contacts' presence (C3, F1, D3).
type Presence struct {
	ctx context.Context
	c   *console.Console
}

// SetAvailable switches between available and busy.
func (p *Presence) SetAvailable(on bool) error { return p.c.SetAvailable(p.ctx, on) }

// Settings are the user's preferences, kept on the switchboard (S1–S4).
type Settings struct {
	ctx context.Context
	c   *console.Console
}

// UserSettings is the settings document. Unknown fields survive a round
// trip so older consoles do not erase newer settings.
type UserSettings struct {
	Language   string         `json:"language"`
	Theme      string         `json:"theme"`
	PanelOrder []string       `json:"panelOrder"`
	Collapsed  []string       `json:"collapsed"`
	Sizes      map[string]int `json:"sizes"`
	// Shortcuts are the keys the user remapped (S5), by action id.
	Shortcuts   map[string][]string `json:"shortcuts"`
	EnterAction string              `json:"enterAction"`
}

// Get returns the settings, with defaults for what was never saved.
func (s *Settings) Get() (UserSettings, error) {
	doc, err := s.c.Settings(s.ctx)
	if err != nil {
		return UserSettings{}, err
	}
	out := UserSettings{Theme: "system", PanelOrder: []string{}, Collapsed: []string{}, Sizes: map[string]int{}}
	if err := json.Unmarshal(doc, &out); err != nil {
		return UserSettings{}, fmt.Errorf("settings: %w", err)
	}
	return out, nil
}

// Save stores the settings, keeping fields this console does not know.
func (s *Settings) Save(in UserSettings) error {
	old, err := s.c.Settings(s.ctx)
	if err != nil {
		return err
	}
	merged := map[string]json.RawMessage{}
	if err := json.Unmarshal(old, &merged); err != nil || merged == nil {
		merged = map[string]json.RawMessage{}
	}
	mine, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal(mine, &fields); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	for k, v := range fields {
		merged[k] = v
	}
	doc, err := json.Marshal(merged)
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return s.c.SaveSettings(s.ctx, doc)
}

// Directory is the contacts and details panels' data (C1–C9, D1).
type Directory struct {
	ctx context.Context
	c   *console.Console
}

// Search returns ranked contacts matching every fragment of query.
func (d *Directory) Search(query string, limit int) ([]directory.Result, error) {
	res, err := d.c.SearchContacts(d.ctx, query, limit)
	if res == nil && err == nil {
		res = []directory.Result{}
	}
	return res, err
}

// Get returns one contact.
func (d *Directory) Get(id string) (directory.Contact, error) { return d.c.Contact(d.ctx, id) }

// Create adds a contact.
func (d *Directory) Create(c directory.Contact) (directory.Contact, error) {
	c.ID = ""
	return d.c.SaveContact(d.ctx, c)
}

// Update replaces a contact.
func (d *Directory) Update(c directory.Contact) (directory.Contact, error) {
	if c.ID == "" {
		return directory.Contact{}, fmt.Errorf("update: the contact has no id")
	}
	return d.c.SaveContact(d.ctx, c)
}

// Delete removes a contact.
func (d *Directory) Delete(id string) error { return d.c.DeleteContact(d.ctx, id) }

// Phone is the built-in softphone's calls (T2, W6, W11).
type Phone struct {
	ctx context.Context
	c   *console.Console
}

// Calls lists the calls on the softphone.
func (p *Phone) Calls() ([]console.PhoneCall, error) { return p.c.PhoneCalls(), nil }

// State is the softphone's registration state.
func (p *Phone) State() (console.PhoneState, error) { return p.c.PhoneState(), nil }

// Hangup ends a call on the softphone.
func (p *Phone) Hangup(id string) error { return p.c.Hangup(p.ctx, id) }

// Mute mutes or unmutes the microphone.
func (p *Phone) Mute(on bool) error { return p.c.Mute(on) }

// Favorites is the favorites panel's groups (F1–F5) and the favorite tabs of
// the settings (S2).
type Favorites struct {
	ctx context.Context
	c   *console.Console
}

// Get returns the groups with their contacts.
func (f *Favorites) Get() ([]favorites.View, error) { return f.c.Favorites(f.ctx) }

// Save replaces the groups and returns them resolved.
func (f *Favorites) Save(groups []favorites.Group) ([]favorites.View, error) {
	return f.c.SaveFavorites(f.ctx, groups)
}
