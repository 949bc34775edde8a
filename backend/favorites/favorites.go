// Package favorites keeps each attendant's favorite contacts (F1–F5): named
// groups (tabs), each an ordered list of directory contacts and the fields
// to show for them.
package favorites

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/store"
)

// Group is one favorites tab as stored.
type Group struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	ContactIDs []string `json:"contactIds"`
	// Fields are the contact fields shown in the panel (F5), e.g.
	// "jobTitle", "department", "phones"; empty shows the defaults.
	Fields []string `json:"fields"`
}

// View is a group with its contacts resolved for the viewer: deleted
// contacts and private contacts the viewer may not see are left out.
type View struct {
	Group
	Contacts []directory.Contact `json:"contacts"`
}

// Limits keep a favorites document small enough to send on every change.
const (
	MaxGroups    = 50
	MaxContacts  = 500
	MaxFields    = 30
	MaxNameRunes = 100
)

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("favorites: invalid")

// Service reads and writes favorites. It is safe for concurrent use.
type Service struct {
	store *store.Store
	dir   *directory.Directory
}

// New returns a Service over st, resolving contacts through dir.
func New(st *store.Store, dir *directory.Directory) *Service { return &Service{store: st, dir: dir} }

// defaultGroups is what a user who never saved favorites starts with.
func defaultGroups() []Group {
	return []Group{{ID: "default", Name: "", ContactIDs: []string{}, Fields: []string{}}}
}

// Get returns the viewer's groups with their contacts.
func (s *Service) Get(v directory.Viewer) ([]View, error) {
	doc, err := s.store.Favorites(v.Username)
	groups := defaultGroups()
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("favorites: load: %w", err)
	default:
		if err := json.Unmarshal(doc, &groups); err != nil {
			return nil, fmt.Errorf("favorites: decode: %w", err)
		}
	}
	return s.resolve(v, groups), nil
}

// Put replaces the viewer's groups after validating them. Contacts the
// viewer cannot see are refused, so favorites never leak a private contact.
func (s *Service) Put(v directory.Viewer, groups []Group) ([]View, error) {
	if err := s.validate(v, groups); err != nil {
		return nil, err
	}
	doc, err := json.Marshal(groups)
	if err != nil {
		return nil, fmt.Errorf("favorites: encode: %w", err)
	}
	if err := s.store.PutFavorites(v.Username, doc); err != nil {
		return nil, fmt.Errorf("favorites: save: %w", err)
	}
	return s.resolve(v, groups), nil
}

func (s *Service) validate(v directory.Viewer, groups []Group) error {
	if len(groups) == 0 || len(groups) > MaxGroups {
		return fmt.Errorf("%w: between 1 and %d groups", ErrInvalid, MaxGroups)
	}
	ids := map[string]bool{}
	for i, g := range groups {
		switch {
		case g.ID == "" || len(g.ID) > 64:
			return fmt.Errorf("%w: group %d: id must have 1 to 64 characters", ErrInvalid, i+1)
		case ids[g.ID]:
			return fmt.Errorf("%w: group %d: id %q used twice", ErrInvalid, i+1, g.ID)
		case utf8.RuneCountInString(g.Name) > MaxNameRunes || strings.ContainsAny(g.Name, "\x00\r\n"):
			return fmt.Errorf("%w: group %d: name longer than %d characters or with line breaks", ErrInvalid, i+1, MaxNameRunes)
		case len(g.ContactIDs) > MaxContacts:
			return fmt.Errorf("%w: group %q: more than %d contacts", ErrInvalid, g.Name, MaxContacts)
		case len(g.Fields) > MaxFields:
			return fmt.Errorf("%w: group %q: more than %d fields", ErrInvalid, g.Name, MaxFields)
		}
		ids[g.ID] = true
		seen := map[string]bool{}
		for _, id := range g.ContactIDs {
			if seen[id] {
				return fmt.Errorf("%w: group %q: contact %s listed twice", ErrInvalid, g.Name, id)
			}
			seen[id] = true
			if _, err := s.dir.Get(v, id); err != nil {
				return fmt.Errorf("%w: group %q: contact %s: %w", ErrInvalid, g.Name, id, err)
			}
		}
	}
	return nil
}

func (s *Service) resolve(v directory.Viewer, groups []Group) []View {
	out := make([]View, 0, len(groups))
	for _, g := range groups {
		if g.ContactIDs == nil {
			g.ContactIDs = []string{}
		}
		if g.Fields == nil {
			g.Fields = []string{}
		}
		view := View{Group: g, Contacts: []directory.Contact{}}
		view.ContactIDs = []string{}
		for _, id := range g.ContactIDs {
			// A contact deleted from the directory (or made private by its
			// owner) drops out of the view; the stored list is cleaned on the
			// next save, since clients send back the IDs they were shown.
			if c, err := s.dir.Get(v, id); err == nil {
				view.Contacts = append(view.Contacts, c)
				view.ContactIDs = append(view.ContactIDs, id)
			}
		}
		out = append(out, view)
	}
	return out
}
