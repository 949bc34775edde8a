package audio

import (
	"math"
	"testing"
)

func TestResampleRoundTrip(t *testing.T) {
	src := make([]byte, SampleRate*2) // one second of 1 kHz
	NewTone(1000).Read(src)
	in := samplesFromBytes(nil, src)

	up, down := newResampler(SampleRate, 48000), newResampler(48000, SampleRate)
	var hi, back []int16
	for i := 0; i < len(in); i += FrameSamples { // frame by frame, as streams do
		n := len(hi)
		hi = up.process(hi, in[i:i+FrameSamples])
		back = down.process(back, hi[n:])
	}
	if d := math.Abs(float64(len(hi)) - 48000); d > 2 {
		t.Fatalf("upsampled to %d samples, want 48000", len(hi))
	}
	if f := zeroCrossingFreq(hi[4800:], 48000); math.Abs(f-1000) > 3 {
		t.Fatalf("48 kHz signal at %.1f Hz, want 1000", f)
	}
	if f := zeroCrossingFreq(back[800:], SampleRate); math.Abs(f-1000) > 3 {
		t.Fatalf("round trip at %.1f Hz, want 1000", f)
	}
	if r := rms(back[800:]) / rms(in[800:]); r < 0.9 || r > 1.1 {
		t.Fatalf("round trip level ratio %.2f, want about 1", r)
	}
}

// A 6 kHz tone at 48 kHz is above the telephone band: decimating it to 8 kHz must
// remove it, not fold it down to 2 kHz.
func TestResampleRejectsAlias(t *testing.T) {
	hi := make([]int16, 48000)
	for i := range hi {
		hi[i] = int16(10000 * math.Sin(2*math.Pi*6000*float64(i)/48000))
	}
	out := newResampler(48000, SampleRate).process(nil, hi)
	if r := rms(out[400:]); r > 300 {
		t.Fatalf("6 kHz leaked through as rms %.0f (of 7071)", r)
	}
}
