package audio

import (
	"fmt"

	"github.com/gordonklaus/portaudio"
)

// Device describes one PortAudio device. Name is what the Open functions take.
type Device struct {
	Name              string
	HostAPI           string // "ALSA", "JACK", "Core Audio", "Windows WASAPI", …
	Inputs, Outputs   int    // channel counts; 0 means not usable in that direction
	DefaultInput      bool   // the system's default microphone
	DefaultOutput     bool   // the system's default speaker
	DefaultSampleRate float64
}

// Devices lists the devices PortAudio sees now. While a stream is open the list is
// the one from when the first open stream started (PortAudio only rescans when
// nothing uses it).
func (h *Host) Devices() ([]Device, error) {
	paMu.Lock()
	defer paMu.Unlock()
	if err := portaudio.Initialize(); err != nil {
		return nil, fmt.Errorf("audio: initialising PortAudio: %w", err)
	}
	defer portaudio.Terminate()
	devs, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("audio: listing devices: %w", err)
	}
	defIn, _ := portaudio.DefaultInputDevice()
	defOut, _ := portaudio.DefaultOutputDevice()
	out := make([]Device, 0, len(devs))
	for _, d := range devs {
		dev := Device{
			Name:              d.Name,
			Inputs:            d.MaxInputChannels,
			Outputs:           d.MaxOutputChannels,
			DefaultInput:      defIn != nil && defIn.Index == d.Index,
			DefaultOutput:     defOut != nil && defOut.Index == d.Index,
			DefaultSampleRate: d.DefaultSampleRate,
		}
		if d.HostApi != nil {
			dev.HostAPI = d.HostApi.Name
		}
		out = append(out, dev)
	}
	return out, nil
}

type direction int

const (
	input direction = iota
	output
)

func (d direction) String() string {
	if d == input {
		return "input"
	}
	return "output"
}

// findDevice looks a device up by name ("" for the default of that direction).
// PortAudio must be initialised and paMu held.
func findDevice(name string, dir direction) (*portaudio.DeviceInfo, error) {
	if name == "" {
		var d *portaudio.DeviceInfo
		var err error
		if dir == input {
			d, err = portaudio.DefaultInputDevice()
		} else {
			d, err = portaudio.DefaultOutputDevice()
		}
		if err != nil || d == nil {
			return nil, fmt.Errorf("%w: no default %s device", ErrNoDevice, dir)
		}
		return d, nil
	}
	devs, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("audio: listing devices: %w", err)
	}
	for _, d := range devs {
		if d.Name != name {
			continue
		}
		if (dir == input && d.MaxInputChannels < 1) || (dir == output && d.MaxOutputChannels < 1) {
			return nil, fmt.Errorf("%w: %q has no %s channels", ErrNoDevice, name, dir)
		}
		return d, nil
	}
	return nil, fmt.Errorf("%w: no %s device named %q", ErrNoDevice, dir, name)
}
