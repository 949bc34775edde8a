// Package notify shows desktop notifications through the freedesktop
// Notifications service on the session bus (GNOME, KDE, XFCE, dunst…), and
// reports when the attendant clicks one.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/godbus/dbus/v5"
)

const (
	service = "org.freedesktop.Notifications"
	path    = dbus.ObjectPath("/org/freedesktop/Notifications")
	iface   = "org.freedesktop.Notifications"
)

// Notifier is one connection to the session bus's notification service.
type Notifier struct {
	conn    *dbus.Conn
	app     string
	log     *slog.Logger
	onClick func(id uint32)
	signals chan *dbus.Signal

	mu   sync.Mutex
	mine map[uint32]bool // notifications this notifier showed
}

// Option configures a Notifier.
type Option func(*Notifier)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(n *Notifier) { n.log = l } }

// WithOnClick is called, on its own goroutine, when the attendant clicks one
// of this notifier's notifications (its default action).
func WithOnClick(f func(id uint32)) Option { return func(n *Notifier) { n.onClick = f } }

// New connects to the session bus. It fails when there is none (a headless
// machine); the caller then simply shows no notifications.
func New(app string, opts ...Option) (*Notifier, error) {
	// Without an address godbus would autolaunch a bus nobody listens on.
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return nil, errors.New("notify: no session bus")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("notify: session bus: %w", err)
	}
	n := &Notifier{conn: conn, app: app, log: slog.Default(), mine: map[uint32]bool{}, signals: make(chan *dbus.Signal, 16)}
	for _, o := range opts {
		o(n)
	}
	err = conn.AddMatchSignal(dbus.WithMatchObjectPath(path), dbus.WithMatchInterface(iface))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("notify: subscribe to clicks: %w", err)
	}
	conn.Signal(n.signals)
	go n.listen()
	return n, nil
}

func (n *Notifier) listen() {
	for sig := range n.signals { // closed by dbus when the connection closes
		switch sig.Name {
		case iface + ".ActionInvoked":
			var id uint32
			var action string
			if dbus.Store(sig.Body, &id, &action) != nil || action != "default" {
				continue
			}
			n.mu.Lock()
			mine := n.mine[id]
			n.mu.Unlock()
			if mine && n.onClick != nil {
				go n.onClick(id)
			}
		case iface + ".NotificationClosed":
			var id, reason uint32
			if dbus.Store(sig.Body, &id, &reason) == nil {
				n.mu.Lock()
				delete(n.mine, id)
				n.mu.Unlock()
			}
		}
	}
}

// Notify shows a critical notification (it stays until clicked or closed)
// and returns its id.
func (n *Notifier) Notify(ctx context.Context, title, body string) (uint32, error) {
	hints := map[string]dbus.Variant{
		"urgency":       dbus.MakeVariant(byte(2)),
		"category":      dbus.MakeVariant("call.incoming"),
		"desktop-entry": dbus.MakeVariant("concierge"),
	}
	var id uint32
	err := n.conn.Object(service, path).CallWithContext(ctx, iface+".Notify", 0,
		n.app, uint32(0), "call-start", title, body, []string{"default", "Open"}, hints, int32(-1)).Store(&id)
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	n.mu.Lock()
	n.mine[id] = true
	n.mu.Unlock()
	return id, nil
}

// Close removes a notification (the call was answered elsewhere or hung up).
func (n *Notifier) Close(ctx context.Context, id uint32) error {
	n.mu.Lock()
	delete(n.mine, id)
	n.mu.Unlock()
	if err := n.conn.Object(service, path).CallWithContext(ctx, iface+".CloseNotification", 0, id).Err; err != nil {
		return fmt.Errorf("notify: close %d: %w", id, err)
	}
	return nil
}

// Shutdown closes the bus connection.
func (n *Notifier) Shutdown() error { return n.conn.Close() }
