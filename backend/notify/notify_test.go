package notify

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// privateBus starts a dbus-daemon of its own and points the process at it.
func privateBus(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("skipping: dbus-daemon not installed (Debian: dbus)")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "bus")
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--address=unix:path="+sock)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the private bus did not come up")
		}
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+sock)
}

// server is a notification service on the bus, as a desktop runs one: it
// records what it is asked to show and can click or close a notification.
type server struct {
	conn *dbus.Conn
	mu   sync.Mutex
	next uint32
	got  []shown
}

type shown struct {
	app, title, body string
	actions          []string
	urgency          byte
}

func (s *server) Notify(app string, replaces uint32, icon, title, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	u, _ := hints["urgency"].Value().(byte)
	s.got = append(s.got, shown{app: app, title: title, body: body, actions: actions, urgency: u})
	return s.next, nil
}

func (s *server) CloseNotification(id uint32) *dbus.Error {
	if err := s.conn.Emit(path, iface+".NotificationClosed", id, uint32(3)); err != nil {
		return dbus.MakeFailedError(err)
	}
	return nil
}

func startServer(t *testing.T) *server {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &server{conn: conn}
	if err := conn.Export(s, path, iface); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(service, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", service, reply, err)
	}
	return s
}

func TestNotifyAndClick(t *testing.T) {
	privateBus(t)
	srv := startServer(t)
	clicked := make(chan uint32, 4)
	n, err := New("Concierge", WithOnClick(func(id uint32) { clicked <- id }))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Shutdown()

	ctx := context.Background()
	id, err := n.Notify(ctx, "Call for you", "Anna Jansen · +32 2 555 01 01")
	if err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	got := srv.got
	srv.mu.Unlock()
	if len(got) != 1 || got[0].app != "Concierge" || got[0].title != "Call for you" ||
		got[0].body != "Anna Jansen · +32 2 555 01 01" || got[0].urgency != 2 || len(got[0].actions) != 2 || got[0].actions[0] != "default" {
		t.Fatalf("the desktop was asked to show %+v", got)
	}

	// A click on somebody else's notification is not ours.
	if err := srv.conn.Emit(path, iface+".ActionInvoked", id+100, "default"); err != nil {
		t.Fatal(err)
	}
	if err := srv.conn.Emit(path, iface+".ActionInvoked", id, "default"); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-clicked:
		if c != id {
			t.Fatalf("clicked %d, want %d", c, id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the click did not reach the console")
	}

	// Once closed (the call was answered elsewhere), a late click does nothing.
	if err := n.Close(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := srv.conn.Emit(path, iface+".ActionInvoked", id, "default"); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-clicked:
		t.Fatalf("a closed notification was clicked through: %d", c)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestNoSessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "none"))
	if _, err := New("Concierge"); err == nil {
		t.Fatal("want an error without a session bus")
	}
}
