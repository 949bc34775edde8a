package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/concierge-console/concierge/backend/audio"
)

// DeviceSettings are the attendant's sound devices (S6), kept as the
// "devices" field of the user's settings document. Empty names mean the
// system's default device.
type DeviceSettings struct {
	Ringer   string `json:"ringer"`   // output that rings (often the PC's speakers)
	Input    string `json:"input"`    // headset microphone
	Output   string `json:"output"`   // headset earpiece
	Ringtone string `json:"ringtone"` // one of audio.Ringtones
}

// SoundDevice is a device the settings can choose, as the front-end lists it.
type SoundDevice struct {
	Name          string `json:"name"`
	Input         bool   `json:"input"`
	Output        bool   `json:"output"`
	DefaultInput  bool   `json:"defaultInput"`
	DefaultOutput bool   `json:"defaultOutput"`
}

// SoundDevices lists the devices PortAudio sees now.
func (c *Console) SoundDevices() ([]SoundDevice, error) {
	devs, err := audio.New(audio.WithLogger(c.log)).Devices()
	if err != nil {
		return nil, err
	}
	out := make([]SoundDevice, 0, len(devs))
	for _, d := range devs {
		out = append(out, SoundDevice{Name: d.Name, Input: d.Inputs > 0, Output: d.Outputs > 0,
			DefaultInput: d.DefaultInput, DefaultOutput: d.DefaultOutput})
	}
	return out, nil
}

// Ringtones names the built-in ringtones, the default first.
func (c *Console) Ringtones() []string {
	out := make([]string, len(audio.Ringtones))
	for i, r := range audio.Ringtones {
		out[i] = r.Name
	}
	return out
}

// DeviceSettings returns the attendant's device choice from the settings.
func (c *Console) DeviceSettings(ctx context.Context) (DeviceSettings, error) {
	doc, err := c.Settings(ctx)
	if err != nil {
		return DeviceSettings{}, err
	}
	d := devicesOf(doc)
	c.setDevices(d)
	return d, nil
}

// SaveDeviceSettings stores the device choice in the settings document,
// keeping its other fields; the softphone uses it from the next call.
func (c *Console) SaveDeviceSettings(ctx context.Context, d DeviceSettings) error {
	if d.Ringtone != "" {
		if _, ok := audio.RingtoneByName(d.Ringtone); !ok {
			return fmt.Errorf("unknown ringtone %q", d.Ringtone)
		}
	}
	doc, err := c.Settings(ctx)
	if err != nil {
		return err
	}
	fields := map[string]json.RawMessage{}
	if len(doc) > 0 {
		if err := json.Unmarshal(doc, &fields); err != nil || fields == nil {
			fields = map[string]json.RawMessage{}
		}
	}
	if fields["devices"], err = json.Marshal(d); err != nil {
		return fmt.Errorf("devices: %w", err)
	}
	merged, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("devices: %w", err)
	}
	if err := c.SaveSettings(ctx, merged); err != nil {
		return err
	}
	c.setDevices(d)
	return nil
}

func devicesOf(doc json.RawMessage) DeviceSettings {
	var s struct {
		Devices DeviceSettings `json:"devices"`
	}
	_ = json.Unmarshal(doc, &s) // a document without devices means the defaults
	return s.Devices
}

func (c *Console) setDevices(d DeviceSettings) {
	c.mu.Lock()
	c.devices = d
	c.mu.Unlock()
}

// Devices is the device choice the softphone uses for its next call.
func (c *Console) Devices() DeviceSettings {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.devices
}

// loadDevices reads the device choice at the start of a session, so the
// first call rings where the attendant chose without a round trip then.
func (c *Console) loadDevices(ctx context.Context) {
	if _, err := c.DeviceSettings(ctx); err != nil && !errors.Is(err, ErrNotLoggedIn) {
		c.log.Warn("console: device settings", "err", err)
	}
}

// TestTone plays a one-second 1 kHz tone on an output device (S6).
func (c *Console) TestTone(ctx context.Context, device string) error {
	return audio.New(audio.WithLogger(c.log)).PlayTone(ctx, device, 1000, time.Second)
}

// PlayRingtone plays a few seconds of a ringtone on the ringer device.
func (c *Console) PlayRingtone(ctx context.Context, device, ringtone string) error {
	r, ok := audio.RingtoneByName(ringtone)
	if !ok {
		r = audio.Ringtones[0]
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return audio.New(audio.WithLogger(c.log)).Ring(ctx, device, r)
}

// MicLevel records the input device for a moment and returns its loudest
// 20 ms in dBFS (-96 for silence), for the settings' level meter.
func (c *Console) MicLevel(ctx context.Context, device string) (float64, error) {
	in, err := audio.New(audio.WithLogger(c.log)).OpenCapture(device)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	buf := make([]byte, audio.FrameBytes)
	peak := 0.0
	for range int(700 * time.Millisecond / audio.FrameDuration) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if _, err := io.ReadFull(in, buf); err != nil {
			return 0, fmt.Errorf("microphone: %w", err)
		}
		peak = max(peak, rms(buf))
	}
	if peak < 1 {
		return -96, nil
	}
	return math.Round(20*math.Log10(peak/math.MaxInt16)*10) / 10, nil
}

func rms(pcm []byte) float64 {
	var sum float64
	n := len(pcm) / 2
	for i := range n {
		v := float64(int16(uint16(pcm[2*i]) | uint16(pcm[2*i+1])<<8))
		sum += v * v
	}
	return math.Sqrt(sum / float64(max(n, 1)))
}

// chosenHeadset opens, at each call, the headset the settings name then.
type chosenHeadset struct {
	host    *audio.Host
	devices func() DeviceSettings
}

func (h chosenHeadset) OpenAudio() (io.ReadCloser, io.WriteCloser, error) {
	d := h.devices()
	return audio.Headset{Host: h.host, Input: d.Input, Output: d.Output}.OpenAudio()
}
