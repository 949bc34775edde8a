package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/auth"
	"github.com/concierge-console/concierge/backend/calendar"
	"github.com/concierge-console/concierge/backend/callbacks"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/presence"
	"github.com/concierge-console/concierge/backend/stats"
	"github.com/concierge-console/concierge/backend/store"
)

// Server is a running switchboard.
type Server struct {
	cfg   Config
	log   *slog.Logger
	store *store.Store
	dir   *directory.Directory
	sb    *engine
	http  *http.Server
	ln    net.Listener
	cert  tls.Certificate

	cancel context.CancelFunc
	done   chan error
}

// Start opens the store, creates the admin account on a fresh data dir,
// starts SIP and the HTTPS API, and returns once all listen.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DataDir == "" {
		return nil, errors.New("server: no data dir")
	}
	if cfg.Site.Realm == "" {
		cfg.Site = DefaultSite()
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	st, err := store.Open(filepath.Join(cfg.DataDir, "switchboard.db"))
	if err != nil {
		return nil, err
	}
	s.store = st
	if err := s.bootstrap(); err != nil {
		st.Close()
		return nil, err
	}
	queues, running, err := storedQueues(st, cfg.Site, s.log)
	if err != nil {
		st.Close()
		return nil, err
	}
	cfg.Site.Queues = queues
	cert, err := api.LoadOrCreateCert(cfg.DataDir)
	if err != nil {
		st.Close()
		return nil, err
	}
	s.cert = cert

	dir, err := directory.New(st, directory.WithLogger(s.log))
	if err != nil {
		st.Close()
		return nil, err
	}
	s.dir = dir

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	hub := presence.New()
	sb, err := newEngine(runCtx, cfg, st, dir, hub)
	if err != nil {
		cancel()
		st.Close()
		return nil, err
	}
	s.sb = sb
	runPresence(runCtx, hub, sb.Engine(), dir, s.log)
	// Today's statistics: rebuilt from the history before the API serves them.
	qstats := stats.New(sb, st, stats.WithLogger(s.log))
	<-qstats.Run(runCtx)

	ranker := dir.NewRanker(favoriteIDs(st), transferDestinations(st))
	dir.SetRanker(ranker)
	go ranker.Reload() // counted before the first keystroke needs it
	// LDAP settings saved by an administrator win over the site file's.
	var siteLDAP directory.LDAPConfig
	if l := cfg.Site.LDAP; l != nil {
		siteLDAP = l.Config()
	}
	ldapCfg, err := api.LoadLDAPConfig(st, siteLDAP)
	if err != nil {
		s.log.Error("directory: LDAP settings unreadable; using the site file's", "err", err)
	}
	ldapSync := dir.NewLDAPSync(runCtx)
	ldapSync.Configure(ldapCfg)
	// Contacts' calendars (D2), and as a presence source (D3).
	calCfg, err := api.LoadCalendarConfig(st)
	if err != nil {
		s.log.Error("calendar: settings unreadable; no calendar source", "err", err)
	}
	cal, err := calendar.NewService(calCfg)
	if err != nil {
		s.log.Error("calendar: saved settings invalid; no calendar source", "err", err)
		cal, _ = calendar.NewService(calendar.Config{})
	}
	go newCalendarFeed(hub, cal, s.log).run(runCtx)
	// Callback requests (W15), e-mailed with the administrator's mail settings.
	cbs, err := callbacks.NewService(st, callbacks.WithLogger(s.log))
	if err != nil {
		s.log.Error("callbacks: mail settings unreadable; e-mail delivery off", "err", err)
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		cancel()
		sb.Close()
		st.Close()
		return nil, fmt.Errorf("server: listen API on %s: %w", cfg.HTTPAddr, err)
	}
	s.ln = ln
	mux := http.NewServeMux()
	mux.Handle("/api/", api.NewServer(st, sb, api.WithLogger(s.log), api.WithDirectory(dir), api.WithPresence(hub), api.WithLDAPSync(ldapSync), api.WithQueueAdmin(running), api.WithRealm(cfg.Site.Realm), api.WithSIPAddr(sb.SIPAddr()), api.WithStats(qstats), api.WithCalendar(cal), api.WithCallbacks(cbs)).Handler())
	s.http = &http.Server{
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.http.ServeTLS(ln, "", "") }()
	s.log.Info("switchboard: API listening", "url", s.URL(), "tls_sha256", s.Fingerprint())
	return s, nil
}

// URL is the API base address.
func (s *Server) URL() string { return "https://" + s.ln.Addr().String() }

// Fingerprint is the SHA-256 of the API's TLS certificate, for pinning.
func (s *Server) Fingerprint() string { return api.Fingerprint(s.cert) }

// SIPAddr is the SIP UDP address callers and softphones use.
func (s *Server) SIPAddr() string { return s.sb.SIPAddr() }

// Store is the switchboard's database.
func (s *Server) Store() *store.Store { return s.store }

// Close stops the API, hangs up every call and closes the store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errs := []error{}
	if err := s.http.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("stop API: %w", err))
	}
	s.cancel()
	if err := s.sb.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := s.store.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// bootstrap creates user admin on a fresh store.
func (s *Server) bootstrap() error {
	n, err := s.store.CountUsers()
	if err != nil {
		return fmt.Errorf("server: count users: %w", err)
	}
	if n > 0 {
		return nil
	}
	password, generated := s.cfg.AdminPassword, false
	if password == "" {
		password, generated = auth.RandomPassword(), true
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	admin := store.User{
		Username: "admin", Name: "Administrator", Role: store.RoleAdmin,
		PasswordHash: hash, SIPHA1: auth.SIPHA1("admin", s.cfg.Site.Realm, password),
	}
	if err := s.store.PutUser(admin); err != nil {
		return fmt.Errorf("server: create admin: %w", err)
	}
	if generated {
		path := filepath.Join(s.cfg.DataDir, "initial-admin-password")
		if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
			return fmt.Errorf("server: save initial admin password: %w", err)
		}
		fmt.Fprintf(os.Stderr, "\nConcierge: created user \"admin\" with password %s (also in %s)\n\n", password, path)
	}
	return nil
}
