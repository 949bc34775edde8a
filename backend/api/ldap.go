package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/store"
)

// LDAPMetaKey is where the LDAP sync settings are kept in the store; they
// win over the site file's once an administrator saved them.
const LDAPMetaKey = "ldap"

// WithLDAPSync lets administrators edit the LDAP sync settings and run a sync
// (C10) under /directory/ldap.
func WithLDAPSync(l *directory.LDAPSync) Option { return func(s *Server) { s.ldap = l } }

// LDAPSettings is the LDAP sync as an administrator sees it. The bind
// password is never sent back: PasswordSet says whether there is one.
type LDAPSettings struct {
	URL         string               `json:"url"`
	BindDN      string               `json:"bindDn"`
	PasswordSet bool                 `json:"passwordSet"`
	BaseDN      string               `json:"baseDn"`
	Filter      string               `json:"filter"`
	Attributes  directory.Mapping    `json:"attributes"`
	Interval    string               `json:"interval"` // Go duration: "1h", "30m"
	StartTLS    bool                 `json:"startTls"`
	Status      directory.LDAPStatus `json:"status"`
}

// LDAPSettingsUpdate is the body of PUT /directory/ldap. A missing password
// keeps the stored one; "" removes it (anonymous bind).
type LDAPSettingsUpdate struct {
	URL        string            `json:"url"`
	BindDN     string            `json:"bindDn"`
	Password   *string           `json:"password,omitempty"`
	BaseDN     string            `json:"baseDn"`
	Filter     string            `json:"filter"`
	Attributes directory.Mapping `json:"attributes"`
	Interval   string            `json:"interval"`
	StartTLS   bool              `json:"startTls"`
}

// LoadLDAPConfig returns the LDAP settings saved by an administrator, or
// fallback (the site file's) when none were saved.
func LoadLDAPConfig(st *store.Store, fallback directory.LDAPConfig) (directory.LDAPConfig, error) {
	doc, err := st.Meta(LDAPMetaKey)
	if errors.Is(err, store.ErrNotFound) {
		return fallback, nil
	}
	if err != nil {
		return fallback, fmt.Errorf("load ldap settings: %w", err)
	}
	var cfg directory.LDAPConfig
	if err := json.Unmarshal(doc, &cfg); err != nil {
		return fallback, fmt.Errorf("decode ldap settings: %w", err)
	}
	return cfg, nil
}

func (s *Server) ldapView() LDAPSettings {
	cfg := s.ldap.Config()
	iv := cfg.Interval
	if iv <= 0 {
		iv = directory.DefaultLDAPInterval
	}
	return LDAPSettings{
		URL: cfg.URL, BindDN: cfg.BindDN, PasswordSet: cfg.Password != "", BaseDN: cfg.BaseDN, Filter: cfg.Filter,
		Attributes: cfg.Attributes, Interval: iv.String(), StartTLS: cfg.StartTLS, Status: s.ldap.Status(),
	}
}

func (s *Server) getLDAP(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.ldapView())
}

// Bounds of the settings: a sync more often than every minute would load the
// domain controller for nothing.
const (
	minLDAPInterval = time.Minute
	maxLDAPField    = 2000
)

func (s *Server) putLDAP(w http.ResponseWriter, r *http.Request) {
	var in LDAPSettingsUpdate
	if !decode(w, r, &in) {
		return
	}
	cfg := s.ldap.Config() // keeps what the form does not show (CA file, page size, schema…)
	cfg.URL, cfg.BindDN = strings.TrimSpace(in.URL), strings.TrimSpace(in.BindDN)
	cfg.BaseDN, cfg.Filter = strings.TrimSpace(in.BaseDN), strings.TrimSpace(in.Filter)
	cfg.Attributes, cfg.StartTLS = in.Attributes, in.StartTLS
	if in.Password != nil {
		cfg.Password = *in.Password
	}
	cfg.Interval = 0
	if v := strings.TrimSpace(in.Interval); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < minLDAPInterval {
			writeError(w, http.StatusBadRequest, "invalid_ldap", "interval must be a duration of at least 1m, such as 30m or 1h")
			return
		}
		cfg.Interval = d
	}
	if msg := validateLDAP(cfg); msg != "" {
		writeError(w, http.StatusBadRequest, "invalid_ldap", msg)
		return
	}
	doc, err := json.Marshal(cfg)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	if err := s.store.PutMeta(LDAPMetaKey, doc); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "cannot save the LDAP settings: "+err.Error())
		return
	}
	s.ldap.Configure(cfg)
	s.log.Info("api: ldap settings changed", "user", from(r).user.Username, "url", cfg.URL, "base", cfg.BaseDN)
	writeJSON(w, http.StatusOK, s.ldapView())
}

// validateLDAP returns what is wrong with cfg for the administrator, or "".
// An empty URL is valid: it turns the sync off.
func validateLDAP(cfg directory.LDAPConfig) string {
	for name, v := range map[string]string{"URL": cfg.URL, "bind DN": cfg.BindDN, "base DN": cfg.BaseDN, "filter": cfg.Filter, "password": cfg.Password} {
		if len(v) > maxLDAPField {
			return fmt.Sprintf("%s longer than %d characters", name, maxLDAPField)
		}
	}
	if cfg.URL == "" {
		return ""
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Host == "" {
		return "URL must look like ldap://host:389 or ldaps://host:636"
	}
	if cfg.BaseDN == "" {
		return "base DN is required"
	}
	if cfg.Filter != "" && (!strings.HasPrefix(cfg.Filter, "(") || !strings.HasSuffix(cfg.Filter, ")")) {
		return "filter must be an LDAP filter in parentheses, such as (objectClass=inetOrgPerson)"
	}
	return ""
}

// ldapSyncTimeout bounds "Sync now": a directory of 100 000 entries syncs in
// well under a minute.
const ldapSyncTimeout = 5 * time.Minute

func (s *Server) syncLDAP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), ldapSyncTimeout)
	defer cancel()
	_, err := s.ldap.SyncNow(ctx)
	switch {
	case errors.Is(err, directory.ErrLDAPNotConfigured):
		writeError(w, http.StatusConflict, "ldap_not_configured", "no LDAP server is configured")
		return
	case err != nil:
		// The outcome is in the status too; the last good directory stays.
		writeError(w, http.StatusBadGateway, "ldap_sync_failed", strings.TrimPrefix(err.Error(), "directory: "))
		return
	}
	writeJSON(w, http.StatusOK, s.ldapView())
}
