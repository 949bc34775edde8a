package directory

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/nettest"
)

// waitStatus polls the sync's status until ok says it is the one wanted.
func waitStatus(t *testing.T, l *LDAPSync, ok func(LDAPStatus) bool) LDAPStatus {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		st := l.Status()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never came: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Settings changed at run time (C10 admin view): the new server is synced at once, a server
// that is down is reported with the last good directory kept, "Sync now" syncs on demand.
func TestLDAPSyncSettingsAtRunTime(t *testing.T) {
	ldif, _ := peopleLDIF(10, 1)
	srv := startSlapd(t, ldif, nil)
	d, _ := newDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := d.NewLDAPSync(ctx)
	defer l.Configure(LDAPConfig{})

	if _, err := l.SyncNow(ctx); !errors.Is(err, ErrLDAPNotConfigured) {
		t.Fatalf("SyncNow unconfigured: %v", err)
	}
	if st := l.Status(); st.Enabled {
		t.Fatalf("enabled without a URL: %+v", st)
	}

	cfg := readerConfig(srv)
	l.Configure(cfg)
	st := waitStatus(t, l, func(s LDAPStatus) bool { return s.Report != nil })
	if !st.Enabled || st.Error != "" || st.Report.Created != 11 || d.Len() != 11 {
		t.Fatalf("first sync: %+v, %d contacts", st, d.Len())
	}

	// Pointed at a server that is down: the error shows, the contacts stay.
	bad := cfg
	bad.URL = "ldap://" + nettest.RefusedTCPAddr(t)
	l.Configure(bad)
	st = waitStatus(t, l, func(s LDAPStatus) bool { return s.Error != "" })
	if !strings.Contains(st.Error, "connect") || strings.HasPrefix(st.Error, "directory:") || st.LastOK.IsZero() {
		t.Fatalf("status with the server down: %+v", st)
	}
	if d.Len() != 11 {
		t.Fatalf("contacts after a failed sync: %d", d.Len())
	}

	// Back to the good server; Sync now clears the error.
	l.Configure(cfg)
	rep, err := l.SyncNow(ctx)
	if err != nil || rep.Unchanged+rep.Created != 11 {
		t.Fatalf("SyncNow: %+v %v", rep, err)
	}
	if st := l.Status(); st.Error != "" || st.Running {
		t.Fatalf("status after Sync now: %+v", st)
	}
}
