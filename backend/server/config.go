// Package server runs a complete switchboard: the store, the queue engine,
// the SIP B2BUA and the HTTPS API. The headless binary and the console's
// embedded mode both start it, so they cannot behave differently.
package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

// Config is how a switchboard is started.
type Config struct {
	DataDir  string // bbolt database, TLS certificate
	HTTPAddr string // API listen address, e.g. 127.0.0.1:8443 (port 0 = ephemeral)
	SIPAddr  string // SIP listen address for UDP and TCP
	// AdminPassword sets the password of user "admin" on a fresh data dir;
	// empty generates one, printed once and saved beside the database.
	AdminPassword string
	Site          Site
	Logger        *slog.Logger
}

// Site is the switchboard's telephony set-up, read from the -config file.
type Site struct {
	Realm        string        `json:"realm"`
	Queues       []QueueConfig `json:"queues"`
	PBX          *PBX          `json:"pbx,omitempty"`
	MOH          string        `json:"moh,omitempty"`
	OfferTimeout Duration      `json:"offerTimeout,omitempty"`
	// MaxCalls caps the calls held at once (default 1000); more INVITEs get 503.
	MaxCalls int `json:"maxCalls,omitempty"`
	// TrustedPeers, if set, are the addresses (CIDRs or IPs, e.g. the PBX) calls are
	// taken from; INVITEs from elsewhere get 403.
	TrustedPeers []string `json:"trustedPeers,omitempty"`
	LDAP         *LDAP    `json:"ldap,omitempty"`
}

// LDAP is the directory sync from LDAP or Active Directory (C10), with
// durations written like "1h".
type LDAP struct {
	directory.LDAPConfig
	Interval Duration `json:"interval,omitempty"`
	Timeout  Duration `json:"timeout,omitempty"`
}

// Config returns the sync's settings.
func (l LDAP) Config() directory.LDAPConfig {
	c := l.LDAPConfig
	c.Interval, c.Timeout = time.Duration(l.Interval), time.Duration(l.Timeout)
	return c
}

// QueueConfig defines a queue: the numbers routed to it and its priority.
type QueueConfig struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Numbers  []string `json:"numbers,omitempty"`
	Priority int      `json:"priority,omitempty"`
	Default  bool     `json:"default,omitempty"`
	// Q9 rules and mode; the site file may seed them, the store then keeps them.
	Mode  queue.Mode   `json:"mode,omitempty"`
	Rules *queue.Rules `json:"rules,omitempty"`
}

// PBX is the company PBX through which desk-phone extensions and outside
// numbers are reached.
type PBX struct {
	Proxy    string `json:"proxy"` // host:port
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// Duration reads "20s" style durations from JSON.
type Duration time.Duration

// UnmarshalJSON accepts a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"20s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// DefaultSite is the embedded default: one queue "reception" that receives
// every call.
func DefaultSite() Site {
	return Site{
		Realm:  "concierge",
		Queues: []QueueConfig{{ID: "reception", Name: "Reception", Default: true}},
	}
}

// LoadSite reads a site file; a missing path gives DefaultSite.
func LoadSite(path string) (Site, error) {
	if path == "" {
		return DefaultSite(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Site{}, fmt.Errorf("read config: %w", err)
	}
	site := DefaultSite()
	site.Queues = nil
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&site); err != nil {
		return Site{}, fmt.Errorf("config %s: %w", path, err)
	}
	if len(site.Queues) == 0 {
		return Site{}, fmt.Errorf("config %s: at least one queue is needed", path)
	}
	return site, nil
}

// storedQueues returns the queues the switchboard runs with. The store is the
// truth (administrators edit it, A4); on a fresh store it is seeded with the
// site's queues (the site file's, or the default "reception"). Site queues
// that differ from the stored ones are ignored with a warning.
func storedQueues(st *store.Store, site Site, log *slog.Logger) ([]QueueConfig, []store.Queue, error) {
	seed := make([]store.Queue, len(site.Queues))
	for i, q := range site.Queues {
		seed[i] = store.Queue{ID: q.ID, Name: q.Name, Numbers: slices.Clone(q.Numbers), Priority: q.Priority, Default: q.Default, Mode: q.Mode, Rules: q.Rules}
	}
	seeded, err := st.SeedQueues(seed)
	if err != nil {
		return nil, nil, fmt.Errorf("server: seed queues: %w", err)
	}
	stored, err := st.Queues()
	if err != nil {
		return nil, nil, fmt.Errorf("server: load queues: %w", err)
	}
	if len(stored) == 0 {
		return nil, nil, errors.New("server: no queue configured")
	}
	if seeded {
		log.Info("switchboard: queues stored from the site configuration", "queues", len(stored))
	} else if !sameQueues(seed, stored) {
		log.Warn("switchboard: the site file's queues differ from the stored ones and are ignored; edit queues with the admin API (/api/v1/admin/queues)")
	}
	out := make([]QueueConfig, len(stored))
	for i, q := range stored {
		out[i] = QueueConfig{ID: q.ID, Name: q.Name, Numbers: q.Numbers, Priority: q.Priority, Default: q.Default, Mode: q.Mode, Rules: q.Rules}
	}
	return out, stored, nil
}

func sameQueues(a, b []store.Queue) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(q store.Queue) bool {
		return !slices.ContainsFunc(b, func(r store.Queue) bool {
			return r.ID == q.ID && r.Name == q.Name && r.Priority == q.Priority && r.Default == q.Default && slices.Equal(r.Numbers, q.Numbers)
		})
	})
}
