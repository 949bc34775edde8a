package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/godbus/dbus/v5"
	"github.com/wailsapp/wails/v2/pkg/options"
)

// RaiseRunning asks the console already running under uniqueID (Wails'
// SingleInstanceLock) to show its window, as Wails' own check would. It
// runs before the second console opens anything: the running one holds the
// cache and the embedded switchboard's database, which would otherwise fail
// to open with a less helpful error.
func RaiseRunning(uniqueID string) error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" { // godbus would autolaunch a bus
		return errors.New("no session bus")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return fmt.Errorf("session bus: %w", err)
	}
	defer conn.Close()
	// The names Wails v2 uses on Linux (internal/frontend/desktop/linux/single_instance.go).
	id := "wails_app_" + strings.NewReplacer("-", "_", ".", "_").Replace(uniqueID)
	name, path := "org."+id+".SingleInstance", dbus.ObjectPath("/org/"+id+"/SingleInstance")
	data := options.SecondInstanceData{Args: os.Args[1:]}
	data.WorkingDirectory, _ = os.Getwd()
	msg, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if err := conn.Object(name, path).Call(name+".SendMessage", 0, string(msg)).Err; err != nil {
		return fmt.Errorf("the running console does not answer: %w", err)
	}
	return nil
}
