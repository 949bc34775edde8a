package audio

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Ringtone is a cadenced tone for the ringer: Freqs summed, On then Off, repeated.
type Ringtone struct {
	Name    string
	Freqs   []float64
	On, Off time.Duration
}

// Ringtones are the built-in choices of the settings page, all generated (no files
// to ship). The first is the default.
var Ringtones = []Ringtone{
	{Name: "classic", Freqs: []float64{440, 480}, On: 2 * time.Second, Off: 4 * time.Second},
	{Name: "europe", Freqs: []float64{425}, On: time.Second, Off: 4 * time.Second},
	{Name: "uk", Freqs: []float64{400, 450}, On: 400 * time.Millisecond, Off: 200 * time.Millisecond},
	{Name: "soft", Freqs: []float64{660}, On: 300 * time.Millisecond, Off: 2 * time.Second},
}

// RingtoneByName returns the built-in ringtone of that name.
func RingtoneByName(name string) (Ringtone, bool) {
	for _, r := range Ringtones {
		if r.Name == name {
			return r, true
		}
	}
	return Ringtone{}, false
}

// Ring plays tone on the named output device (the ringer, usually the computer's
// speakers rather than the headset) until ctx is done, which is the normal way to
// stop it: it then returns nil. Other errors (no such device, device gone) are
// returned as they happen.
func (h *Host) Ring(ctx context.Context, device string, tone Ringtone) error {
	if len(tone.Freqs) == 0 || tone.On <= 0 {
		return fmt.Errorf("audio: ringtone %q has no tone", tone.Name)
	}
	out, err := h.OpenPlayback(device)
	if err != nil {
		return err
	}
	defer out.Close()
	src := NewTone(tone.Freqs...)
	silence := make([]byte, FrameBytes)
	for {
		if err := playFor(ctx, out, src, tone.On); err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil
			}
			return err
		}
		for range int(tone.Off / FrameDuration) {
			if ctx.Err() != nil {
				return nil
			}
			if _, err := out.Write(silence); err != nil {
				return err
			}
		}
	}
}
