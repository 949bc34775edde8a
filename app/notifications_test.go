package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/concierge-console/concierge/backend/console"
	"github.com/concierge-console/concierge/backend/demo"
	"github.com/concierge-console/concierge/backend/server"
)

// desktop is a notification service on a private session bus, as a desktop
// runs one; it records what it is asked to show and to close.
type desktop struct {
	mu     sync.Mutex
	shown  []string // "title|body"
	closed []uint32
}

func (d *desktop) Notify(app string, replaces uint32, icon, title, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.shown = append(d.shown, title+"|"+body)
	return uint32(len(d.shown)), nil
}

func (d *desktop) CloseNotification(id uint32) *dbus.Error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = append(d.closed, id)
	return nil
}

func (d *desktop) state() ([]string, []uint32) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.shown...), append([]uint32(nil), d.closed...)
}

func startDesktop(t *testing.T) *desktop {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("skipping: dbus-daemon not installed (Debian: dbus)")
	}
	startSessionBus(t)
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	d := &desktop{}
	if err := conn.Export(d, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	return d
}

// startSessionBus starts a private session bus (dbus-daemon) and points the
// process at it, so the test owns org.freedesktop.Notifications there.
func startSessionBus(t *testing.T) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "bus")
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

// offerOneCall runs a console with its embedded switchboard and desktop
// notifications, logs in with the softphone and has one demo caller ring the
// reception queue, hanging up after 3 s unanswered. Everything stops with the test.
func offerOneCall(t *testing.T) demo.Caller {
	t.Helper()
	emitter := &Emitter{}
	con := console.New(console.Config{Phone: true, Audio: noHeadset{}, Embedded: server.Config{
		DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", SIPAddr: "127.0.0.1:0",
		AdminPassword: "notify-secret", Site: server.DefaultSite(), Logger: slog.Default(),
	}}, emitter, slog.Default())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := con.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { con.Close() })
	stop := StartNotifications(ctx, con, emitter, slog.Default())
	t.Cleanup(stop)
	if _, err := con.Login(ctx, console.LoginRequest{Username: "admin", Password: "notify-secret", Extension: "201"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); con.PhoneState().State != "registered"; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("softphone: %+v", con.PhoneState())
		}
	}
	caller := demo.Callers(1)[0]
	go demo.Run(ctx, con.Embedded().SIPAddr(), "reception", []demo.Caller{caller}, demo.WithHold(3*time.Second))
	return caller
}

type noHeadset struct{}

func (noHeadset) OpenAudio() (io.ReadCloser, io.WriteCloser, error) {
	return nil, nil, errors.New("no headset in this test")
}

// TestOfferedCallNotifies: a queue call offered to the logged-in attendant
// shows a desktop notification with the caller; when the caller hangs up
// before it is answered, the notification is taken down.
func TestOfferedCallNotifies(t *testing.T) {
	d := startDesktop(t)
	caller := offerOneCall(t)

	wait := func(what string, ok func(shown []string, closed []uint32) bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			shown, closed := d.state()
			if ok(shown, closed) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; shown %q, closed %v", what, shown, closed)
			}
		}
	}
	wait("a notification of the offer", func(shown []string, _ []uint32) bool {
		return len(shown) == 1 && strings.HasPrefix(shown[0], "Call for you|") && strings.Contains(shown[0], caller.Number)
	})
	wait("the notification taken down when the caller hangs up", func(shown []string, closed []uint32) bool {
		return len(closed) == 1 && closed[0] == 1 && len(shown) == 1
	})
}
