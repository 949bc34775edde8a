package app

import (
	"context"

	"github.com/concierge-console/concierge/backend/console"
)

// Restore logs in with the credentials remembered in the OS keyring, from
// the local cache at once when it has the user's data; null when there is
// nothing to restore (the login window shows).
func (s *Session) Restore() (*console.SessionInfo, error) { return s.c.Restore(s.ctx) }

// Connection is the switchboard connection state now (L7), for a banner
// that starts listening after it changed.
func (s *Session) Connection() (console.ConnectionState, error) { return s.c.Connection(), nil }

// Ready is the front-end saying it has painted its first screen (login, or
// the panels with their data); benchmarks time the start up to this line.
// marks are the page's own milestones in ms since it started loading.
func (s *Session) Ready(phase string, marks map[string]float64) error {
	s.c.Ready(phase, marks)
	return nil
}

// Devices is the sound devices section of the settings (S6).
type Devices struct {
	ctx context.Context
	c   *console.Console
}

// List returns the sound devices PortAudio sees now.
func (d *Devices) List() ([]console.SoundDevice, error) { return d.c.SoundDevices() }

// Ringtones names the built-in ringtones, the default first.
func (d *Devices) Ringtones() ([]string, error) { return d.c.Ringtones(), nil }

// Get returns the devices chosen in the user's settings.
func (d *Devices) Get() (console.DeviceSettings, error) { return d.c.DeviceSettings(d.ctx) }

// Save stores the choice; the softphone uses it from the next call.
func (d *Devices) Save(s console.DeviceSettings) error { return d.c.SaveDeviceSettings(d.ctx, s) }

// TestTone plays a one-second tone on an output device ("" the default).
func (d *Devices) TestTone(device string) error { return d.c.TestTone(d.ctx, device) }

// PlayRingtone plays a few seconds of a ringtone on the ringer device.
func (d *Devices) PlayRingtone(device, ringtone string) error {
	return d.c.PlayRingtone(d.ctx, device, ringtone)
}

// MicLevel measures the input device's level in dBFS for a moment.
func (d *Devices) MicLevel(device string) (float64, error) { return d.c.MicLevel(d.ctx, device) }
