package console

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// Secrets keeps remembered passwords (L1 "remember me") outside the cache
// file: in the OS keyring, never in plain text.
type Secrets interface {
	Get(account string) (string, error) // ErrNoSecret when there is none
	Set(account, password string) error
	Delete(account string) error
}

// ErrNoSecret is returned by Secrets.Get for an account with no password.
var ErrNoSecret = errors.New("no remembered password")

// keyringService names Concierge's entries in the OS keyring.
const keyringService = "Concierge attendant console"

// OSKeyring returns the OS keyring (Secret Service over D-Bus on Linux,
// Keychain, Windows Credential Manager), or nil with the reason when there
// is none, e.g. no session bus or no Secret Service daemon on it.
func OSKeyring() (Secrets, error) {
	if err := secretServiceRunning(); err != nil {
		return nil, fmt.Errorf("no OS keyring: %w", err)
	}
	// A lookup of an entry that does not exist proves the service answers.
	err := bounded(func() error {
		_, err := keyring.Get(keyringService, "concierge-probe")
		return err
	})
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return nil, fmt.Errorf("no OS keyring: %w", err)
	}
	return osKeyring{}, nil
}

type osKeyring struct{}

func (osKeyring) Get(account string) (string, error) {
	var pw string
	err := bounded(func() (err error) {
		pw, err = keyring.Get(keyringService, account)
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNoSecret
	}
	if err != nil {
		return "", fmt.Errorf("keyring: %w", err)
	}
	return pw, nil
}

func (osKeyring) Set(account, password string) error {
	if err := bounded(func() error { return keyring.Set(keyringService, account, password) }); err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	return nil
}

func (osKeyring) Delete(account string) error {
	if err := bounded(func() error { return keyring.Delete(keyringService, account) }); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("keyring: %w", err)
	}
	return nil
}

// errKeyringTimeout: a keyring that waits for an unlock prompt nobody can
// answer (no desktop) must not hold up the console.
var errKeyringTimeout = errors.New("the keyring did not answer (locked, waiting for an unlock prompt?)")

func bounded(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(3 * time.Second):
		return errKeyringTimeout
	}
}

// secretServiceRunning checks that a Secret Service already runs in the
// session (on a desktop the login starts one). Asking an absent one would
// have D-Bus start gnome-keyring, whose first use shows an unlock or
// "new keyring" prompt: unwelcome from a console that has just started.
func secretServiceRunning() error {
	if runtime.GOOS != "linux" {
		return nil // Keychain and Credential Manager are always there
	}
	// Without an address godbus would autolaunch a private bus (and leave it
	// running): no session, no keyring.
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return errors.New("no session bus")
	}
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("no session bus: %w", err)
	}
	var running bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&running)
	if err != nil {
		return fmt.Errorf("session bus: %w", err)
	}
	if !running {
		return errors.New("no Secret Service running in this session")
	}
	return nil
}
