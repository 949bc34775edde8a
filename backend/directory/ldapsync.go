package directory

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
)

// LDAPStatus is what the last sync did, for the administrator's settings view.
type LDAPStatus struct {
	Enabled  bool        `json:"enabled"`           // a URL is configured: the sync runs on schedule
	Running  bool        `json:"running"`           // a sync is in progress now
	LastSync time.Time   `json:"lastSync,omitzero"` // when the last sync ended
	LastOK   time.Time   `json:"lastOk,omitzero"`   // when the last successful sync ended
	Error    string      `json:"error,omitempty"`   // why the last sync failed; "" after a success
	Report   *SyncReport `json:"report,omitempty"`  // what the last successful sync did
}

// LDAPSync runs the scheduled LDAP sync with settings an administrator can
// change while the switchboard runs (C10): a new configuration stops the old
// schedule and starts the new one with a sync at once. It is safe for
// concurrent use.
type LDAPSync struct {
	d   *Directory
	ctx context.Context // the switchboard's lifetime

	mu     sync.Mutex
	cfg    LDAPConfig
	cancel context.CancelFunc // of the running schedule
	done   chan struct{}      // closed when it has stopped
	status LDAPStatus

	syncing sync.Mutex // one sync at a time: two would both create the new entries
}

// NewLDAPSync returns a sync that runs until ctx ends. It does nothing until
// Configure gives it a URL.
func (d *Directory) NewLDAPSync(ctx context.Context) *LDAPSync {
	return &LDAPSync{d: d, ctx: ctx}
}

// Configure replaces the settings. A config without URL stops the schedule;
// the contacts of the last sync stay.
func (l *LDAPSync) Configure(cfg LDAPConfig) {
	l.mu.Lock()
	cancel, done := l.cancel, l.done
	l.cfg, l.cancel, l.done = cfg, nil, nil
	l.status.Enabled = cfg.URL != ""
	l.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done // the old schedule's sync is over before the new one begins
	}
	if cfg.URL == "" {
		return
	}
	ctx, cancel := context.WithCancel(l.ctx)
	done = make(chan struct{})
	l.mu.Lock()
	l.cancel, l.done = cancel, done
	l.mu.Unlock()
	go func() {
		defer close(done)
		l.d.runLDAPSchedule(ctx, cfg, nil, l.sync)
	}()
}

// Config returns the current settings (password included: callers must not
// hand it out).
func (l *LDAPSync) Config() LDAPConfig {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cfg
}

// Status returns the outcome of the last sync.
func (l *LDAPSync) Status() LDAPStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.status
	if s.Report != nil {
		r := *s.Report
		s.Report = &r
	}
	return s
}

// ErrLDAPNotConfigured is returned by SyncNow without a URL.
var ErrLDAPNotConfigured = errors.New("directory: ldap sync: no server configured")

// SyncNow runs one sync with the current settings and waits for it.
func (l *LDAPSync) SyncNow(ctx context.Context) (SyncReport, error) {
	cfg := l.Config()
	if cfg.URL == "" {
		return SyncReport{}, ErrLDAPNotConfigured
	}
	return l.sync(ctx, cfg)
}

// sync runs one sync and records its outcome.
func (l *LDAPSync) sync(ctx context.Context, cfg LDAPConfig) (SyncReport, error) {
	l.syncing.Lock()
	defer l.syncing.Unlock()
	l.mu.Lock()
	l.status.Running = true
	l.mu.Unlock()
	rep, err := l.d.SyncLDAP(ctx, cfg)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.status.Running = false
	if ctx.Err() != nil && err != nil {
		return rep, err // cut short by a new configuration or shutdown: no verdict on the server
	}
	l.status.LastSync = time.Now()
	if err != nil {
		l.status.Error = strings.TrimPrefix(err.Error(), "directory: ")
	} else {
		l.status.Error, l.status.LastOK, l.status.Report = "", l.status.LastSync, &rep
	}
	return rep, err
}
