package console

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// secretService starts a private session bus with gnome-keyring's Secret
// Service on it, its "login" keyring unlocked, and points this process at it.
func secretService(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("skipping: %s not installed (Debian: dbus, gnome-keyring)", bin)
		}
	}
	dir := t.TempDir()
	bus := "unix:path=" + filepath.Join(dir, "bus")
	start := func(stdin string, name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+bus, "HOME="+dir,
			"XDG_RUNTIME_DIR="+dir, "XDG_DATA_HOME="+filepath.Join(dir, "data"))
		cmd.Stdin = strings.NewReader(stdin)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
	}
	start("", "dbus-daemon", "--session", "--nofork", "--address="+bus)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the private session bus did not come up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus)
	start("test-keyring-password", "gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	// Ready once the unlocked login keyring is the default collection; asking
	// earlier would make go-keyring create one, which needs a prompt. Ask the
	// bus about the name first: asking the service before it is up would have
	// D-Bus start a second, locked gnome-keyring.
	send := func(args ...string) string {
		out, _ := exec.Command("dbus-send", append([]string{"--session", "--print-reply"}, args...)...).CombinedOutput()
		return string(out)
	}
	for {
		up := strings.Contains(send("--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"), "boolean true")
		if up && strings.Contains(send("--dest=org.freedesktop.secrets", "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.ReadAlias", "string:default"), "/collection/login") {
			return
		}
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatal("gnome-keyring did not come up on the private bus")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestOSKeyring stores, reads and deletes a password through the real
// Secret Service over D-Bus, and reports no keyring on a bus without one.
func TestOSKeyring(t *testing.T) {
	if _, err := exec.LookPath("gnome-keyring-daemon"); err != nil {
		t.Skip("skipping: gnome-keyring not installed")
	}
	t.Run("no Secret Service", func(t *testing.T) {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "nobody"))
		if s, err := OSKeyring(); err == nil || s != nil {
			t.Fatalf("want no keyring without a session bus, got %v %v", s, err)
		}
	})
	secretService(t)
	var s Secrets
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for s, err = OSKeyring(); err != nil; s, err = OSKeyring() {
		if time.Now().After(deadline) {
			t.Fatalf("Secret Service: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	const acct = "anna on https://sb.example:8443"
	if _, err := s.Get(acct); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("before Set: %v", err)
	}
	if err := s.Set(acct, "s3cret pässword"); err != nil {
		t.Fatal(err)
	}
	if pw, err := s.Get(acct); err != nil || pw != "s3cret pässword" {
		t.Fatalf("Get: %q %v", pw, err)
	}
	if err := s.Delete(acct); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(acct); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("after Delete: %v", err)
	}
}
