// Package server runs a complete switchboard: the store, the queue engine,
// the SIP B2BUA and the HTTPS API. The headless binary and the console's
// embedded mode both start it, so they cannot behave differently.
package server

import (
	"bytes"

	"encoding/json"
	"fmt"
	"github.com/concierge-console/concierge/backend/directory"
	"log/slog"
	"os"
	"time"
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
	LDAP         *LDAP         `json:"ldap,omitempty"`
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
