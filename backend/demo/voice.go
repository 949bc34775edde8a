package demo

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/emiago/diago/audio"
)

const (
	sampleRate   = 8000
	frameSamples = sampleRate / 50 // 20 ms, the G.711 packetisation everyone uses
)

// vowel is a vowel's first three formants in Hz (adult averages).
type vowel [3]float64

var vowels = []vowel{
	{730, 1090, 2440}, // a
	{530, 1840, 2480}, // e
	{270, 2290, 3010}, // i
	{570, 840, 2410},  // o
	{300, 870, 2240},  // u
}

// voice renders the caller's side of the line: two short phrases of vowel-like
// syllables followed by pauses, about eight seconds in all, looped by the sender.
// It is meant to sound like "someone talking" in the attendant's headset without
// shipping any recording. seed (the caller's name) fixes pitch and rhythm, so each
// demo caller has a recognisable voice.
func voice(seed string) []int16 {
	h := fnv.New64a()
	h.Write([]byte(seed))
	r := rand.New(rand.NewPCG(h.Sum64(), 1))

	f0 := 105 + 120*r.Float64() // speaking pitch: low male to high female voice
	var buf []float64
	for range 2 {
		syllables := 3 + r.IntN(5)
		question := r.IntN(3) == 0
		for s := range syllables {
			progress := float64(s) / float64(syllables)
			// Pitch falls across a statement; a question rises on its last syllable.
			pitch := f0 * (1.08 - 0.18*progress)
			if question && s == syllables-1 {
				pitch = f0 * 1.25
			}
			dur := 0.13 + 0.15*r.Float64()
			buf = append(buf, syllable(pitch, dur, vowels[r.IntN(len(vowels))], 0.6+0.4*r.Float64())...)
			buf = append(buf, make([]float64, int((0.03+0.06*r.Float64())*sampleRate))...)
		}
		buf = append(buf, make([]float64, int((1.5+2*r.Float64())*sampleRate))...)
	}

	peak := 0.0
	for _, v := range buf {
		peak = max(peak, math.Abs(v))
	}
	// Quiet enough to be pleasant, loud enough to show on a level meter.
	scale := 0.25 * math.MaxInt16 / peak
	// Whole frames only, so the loop restarts on a frame boundary.
	pcm := make([]int16, (len(buf)+frameSamples-1)/frameSamples*frameSamples)
	for i, v := range buf {
		pcm[i] = int16(v * scale)
	}
	return pcm
}

// syllable is a voiced sound at pitch Hz: the harmonics of a glottal pulse train
// (falling at 1/h), shaped by the vowel's formant resonances, with a gentle pitch
// glide and a smooth envelope so syllables do not click.
func syllable(pitch, dur float64, v vowel, level float64) []float64 {
	n := int(dur * sampleRate)
	out := make([]float64, n)
	harmonics := int(3400 / (pitch * 1.1)) // stay inside the telephone band
	amp := make([]float64, harmonics+1)
	for k := 1; k <= harmonics; k++ {
		f := float64(k) * pitch
		g := 0.0
		for i, formant := range v {
			bw := 80 + 40*float64(i)
			g += 1 / (1 + ((f-formant)/bw)*((f-formant)/bw)) / float64(i+1)
		}
		amp[k] = g / float64(k)
	}
	const attack, release = 0.025, 0.06
	phase := 0.0
	for i := range out {
		t := float64(i) / sampleRate
		f := pitch * (1 + 0.04*math.Sin(math.Pi*t/dur)) // slight rise-and-fall inside the syllable
		phase += 2 * math.Pi * f / sampleRate
		s := 0.0
		for k := 1; k <= harmonics; k++ {
			s += amp[k] * math.Sin(float64(k)*phase)
		}
		env := 1.0
		if t < attack {
			env = 0.5 - 0.5*math.Cos(math.Pi*t/attack)
		} else if rest := dur - t; rest < release {
			env = 0.5 - 0.5*math.Cos(math.Pi*rest/release)
		}
		out[i] = level * env * s
	}
	return out
}

// frames encodes pcm into 20 ms G.711 payloads for codec "pcmu" or "pcma".
func frames(pcm []int16, codec string) [][]byte {
	lpcm := make([]byte, 2*len(pcm))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(lpcm[2*i:], uint16(s))
	}
	g711 := make([]byte, len(pcm))
	// The lengths match by construction, so the encoders cannot fail.
	if strings.EqualFold(codec, "pcma") {
		_, _ = audio.EncodeAlawTo(g711, lpcm)
	} else {
		_, _ = audio.EncodeUlawTo(g711, lpcm)
	}
	out := make([][]byte, 0, len(pcm)/frameSamples)
	for lo := 0; lo < len(g711); lo += frameSamples {
		out = append(out, g711[lo:lo+frameSamples:lo+frameSamples])
	}
	return out
}
