package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/presence"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
	"github.com/concierge-console/concierge/backend/switchboard"
)

// engine is the SIP switchboard as the API sees it: it adapts a few
// signatures and owns the goroutine that serves SIP.
type engine struct {
	*switchboard.Switchboard
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan error

	closeOnce sync.Once
	closeErr  error
}

func newEngine(ctx context.Context, cfg Config, st *store.Store, dir *directory.Directory, hub *presence.Hub) (*engine, error) {
	site := cfg.Site
	sc := switchboard.Config{
		SIPAddr: cfg.SIPAddr, Realm: site.Realm, MOH: site.MOH,
		OfferTimeout: time.Duration(site.OfferTimeout), MaxCalls: site.MaxCalls,
		TrustedPeers: site.TrustedPeers,
	}
	for _, q := range site.Queues {
		sc.Queues = append(sc.Queues, switchboard.QueueConfig{ID: q.ID, Name: q.Name, Numbers: q.Numbers, Priority: q.Priority, Default: q.Default, Mode: q.Mode, Rules: q.Rules})
	}
	if site.PBX != nil {
		sc.PBX = &switchboard.PBXConfig{Proxy: site.PBX.Proxy, Username: site.PBX.Username, Password: site.PBX.Password}
	}
	sb, err := switchboard.New(sc,
		switchboard.WithLogger(cfg.Logger),
		switchboard.WithCredentials(switchboard.CredentialsFunc(func(username, realm string) (string, bool) {
			u, err := st.User(username)
			if err != nil || u.SIPHA1 == "" || realm != site.Realm {
				return "", false
			}
			return u.SIPHA1, true
		})),
		// Callers are named from the public directory (Q3), VIPs served first (Q7).
		switchboard.WithDirectory(switchboard.DirectoryFunc(func(number string) (string, bool, bool) {
			c, ok := dir.LookupNumber(number)
			return c.DisplayName, c.VIP, ok
		})),
		switchboard.WithHistory(switchboard.HistoryFunc(func(_ context.Context, e switchboard.HistoryEntry) error {
			_, err := st.AddHistory(historyEntry(e))
			return err
		})),
		switchboard.WithPresence(hub, switchboard.BLFConfig{}), // BLF needs site.PBX
	)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	e := &engine{Switchboard: sb, log: cfg.Logger, cancel: cancel, done: make(chan error, 1)}
	go func() { e.done <- sb.Serve(ctx) }()
	select {
	case <-sb.Ready():
		return e, nil
	case err := <-e.done:
		cancel()
		return nil, fmt.Errorf("server: SIP on %s: %w", cfg.SIPAddr, err)
	}
}

func historyEntry(e switchboard.HistoryEntry) store.HistoryEntry {
	return store.HistoryEntry{
		CallID: e.CallID, Direction: cmp.Or(e.Direction, "in"), QueueID: e.QueueID,
		CallerNumber: e.CallerNumber, CallerName: e.CallerName, Attendant: e.Attendant,
		Outcome: string(e.Outcome), Reason: e.Reason, Note: e.Note, Destination: e.Destination,
		Started: e.EnteredAt, AnsweredAt: e.AnsweredAt, Ended: e.EndedAt,
	}
}

// SIPAddr is the UDP address of the SIP listener.
func (e *engine) SIPAddr() string {
	udp, _ := e.Switchboard.SIPAddr()
	if udp == nil {
		return ""
	}
	return udp.String()
}

func (e *engine) Snapshot() queue.Snapshot                   { return e.Engine().Snapshot() }
func (e *engine) Subscribe(since uint64) *queue.Subscription { return e.Engine().Subscribe(since) }

func (e *engine) AttendantOffline(ctx context.Context, username string) {
	if err := e.Switchboard.AttendantOffline(ctx, username); err != nil {
		e.log.Warn("switchboard: attendant offline", "user", username, "err", err)
	}
}

func (e *engine) Pickup(ctx context.Context, username, callID string) error {
	_, err := e.Switchboard.Pickup(ctx, username, callID)
	return classify(err)
}

func (e *engine) Answer(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.Answer(ctx, username, callID))
}

func (e *engine) Reject(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.Reject(ctx, username, callID))
}

func (e *engine) Reserve(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.Reserve(ctx, username, callID))
}

func (e *engine) SetNote(ctx context.Context, username, callID, note string) error {
	return classify(e.Switchboard.SetNote(ctx, username, callID, note))
}

func (e *engine) Hold(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.Hold(ctx, username, callID))
}

func (e *engine) Resume(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.Resume(ctx, username, callID))
}

func (e *engine) Hangup(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.Hangup(ctx, username, callID))
}

func (e *engine) Transfer(ctx context.Context, username, callID, target string, safe bool) error {
	return classify(e.Switchboard.Transfer(ctx, username, callID, target, switchboard.TransferOptions{Safe: safe}))
}

// classified keeps the switchboard's message (written for the attendant)
// while letting the API pick the HTTP status.
type classified struct{ err, class error }

func (c classified) Error() string   { return c.err.Error() }
func (c classified) Unwrap() []error { return []error{c.err, c.class} }

func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, switchboard.ErrNoSuchCall):
		return classified{err, api.ErrNotFound}
	case errors.Is(err, switchboard.ErrNotYourCall), errors.Is(err, switchboard.ErrNoEndpoint),
		errors.Is(err, switchboard.ErrNotBridged), errors.Is(err, switchboard.ErrConsulting),
		errors.Is(err, switchboard.ErrNotConsulting), errors.Is(err, switchboard.ErrNotParked):
		return classified{err, api.ErrConflict}
	case errors.Is(err, switchboard.ErrInvalidTarget):
		return classified{err, api.ErrBadRequest}
	}
	return err
}

// Close hangs up every call and waits for SIP to stop. Later calls return
// the first result.
func (e *engine) Close() error {
	e.closeOnce.Do(func() {
		e.cancel()
		select {
		case err := <-e.done:
			if err != nil && !errors.Is(err, context.Canceled) {
				e.closeErr = fmt.Errorf("switchboard: %w", err)
			}
		case <-time.After(5 * time.Second):
			e.closeErr = errors.New("switchboard: SIP did not stop within 5 s")
		}
	})
	return e.closeErr
}
