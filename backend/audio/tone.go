package audio

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Tone generates an endless sine wave in the package's PCM format. It is an
// io.Reader, so it can feed a Playback or stand in for a microphone in tests.
type Tone struct {
	Freqs     []float64 // summed; e.g. {440, 480} for a North American ring
	Amplitude float64   // peak of the sum, 0..1 of full scale
	phase     []float64
}

// NewTone returns a tone at -6 dBFS made of the given frequencies.
func NewTone(freqs ...float64) *Tone {
	return &Tone{Freqs: freqs, Amplitude: 0.5}
}

// Read fills p with whole samples; it never fails.
func (t *Tone) Read(p []byte) (int, error) {
	if len(t.phase) != len(t.Freqs) {
		t.phase = make([]float64, len(t.Freqs))
	}
	n := len(p) / 2
	amp := t.Amplitude * math.MaxInt16
	if len(t.Freqs) > 0 {
		amp /= float64(len(t.Freqs))
	}
	for i := range n {
		var v float64
		for k, f := range t.Freqs {
			v += math.Sin(t.phase[k])
			t.phase[k] += 2 * math.Pi * f / SampleRate
			if t.phase[k] > 2*math.Pi {
				t.phase[k] -= 2 * math.Pi
			}
		}
		s := uint16(clamp16(v * amp))
		p[2*i], p[2*i+1] = byte(s), byte(s>>8)
	}
	return 2 * n, nil
}

// PlayTone plays a sine of freq Hz for dur on the named output device ("" for the
// default): the settings page's "test tone". It returns when the tone has been
// handed to the device (plus the device's own latency), or early with ctx's error.
func (h *Host) PlayTone(ctx context.Context, device string, freq float64, dur time.Duration) error {
	if freq <= 0 || freq >= SampleRate/2 {
		return fmt.Errorf("audio: test tone of %g Hz is outside the telephone band", freq)
	}
	out, err := h.OpenPlayback(device)
	if err != nil {
		return err
	}
	defer out.Close()
	return playFor(ctx, out, NewTone(freq), dur)
}

// playFor copies dur worth of src to out, frame by frame, with a short fade in and
// out so the tone starts and stops without a click.
func playFor(ctx context.Context, out *Playback, src *Tone, dur time.Duration) error {
	frames := int(dur / FrameDuration)
	buf := make([]byte, FrameBytes)
	const fade = 40 // samples, 5 ms
	for i := range frames {
		if err := ctx.Err(); err != nil {
			return err
		}
		src.Read(buf)
		if i == 0 || i == frames-1 {
			for s := range fade {
				j := s
				if i == frames-1 {
					j = FrameSamples - 1 - s
				}
				v := int16(uint16(buf[2*j]) | uint16(buf[2*j+1])<<8)
				v = int16(int(v) * s / fade)
				buf[2*j], buf[2*j+1] = byte(v), byte(uint16(v)>>8)
			}
		}
		if _, err := out.Write(buf); err != nil {
			return err
		}
	}
	return out.Drain()
}
