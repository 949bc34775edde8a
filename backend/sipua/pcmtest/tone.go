// Package pcmtest checks audio the way the tests of sipua and audio hear it:
// which tone a PCM capture carries. Only tests import it.
package pcmtest

import "math"

// Goertzel returns the power of freq (Hz) in pcm sampled at rate (Hz).
func Goertzel(pcm []int16, rate, freq float64) float64 {
	w := 2 * math.Pi * freq / rate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range pcm {
		s1, s2 = float64(v)+c*s1-s2, s1
	}
	return s1*s1 + s2*s2 - c*s1*s2
}

// DominantFreq finds the strongest frequency of pcm between 100 Hz and 3.8 kHz,
// to 5 Hz.
func DominantFreq(pcm []int16, rate int) float64 {
	best, bestPower := 0.0, -1.0
	for f := 100.0; f <= 3800; f += 5 {
		if power := Goertzel(pcm, float64(rate), f); power > bestPower {
			best, bestPower = f, power
		}
	}
	return best
}
