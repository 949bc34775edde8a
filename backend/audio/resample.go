package audio

import "math"

// resampler converts a stream of mono samples between two rates. It is only used
// when a device refuses 8 kHz, so it favours being simple and alias-free for speech
// over being cheap: linear interpolation plus a windowed-sinc low-pass at the higher
// rate (before decimating, after interpolating), cut off just above the 3.4 kHz of a
// telephone channel. At 48 kHz that is 63 multiply-adds per high-rate sample,
// about 3 M/s per stream, which is nothing next to the cost of a PortAudio wakeup.
type resampler struct {
	step float64 // input samples per output sample
	down bool    // filter before interpolating (decimation) rather than after

	fir  []float64
	hist []float64 // FIR delay line, newest last; len(fir)-1 samples
	pos  float64   // position of the next output sample, relative to last
	last float64   // the input sample before the current chunk (index 0 of the virtual stream)
	out  []float64 // scratch
}

const firTaps = 63

func newResampler(inRate, outRate float64) *resampler {
	r := &resampler{step: inRate / outRate, down: inRate > outRate}
	high := math.Max(inRate, outRate)
	r.fir = lowPass(3700/high, firTaps)
	r.hist = make([]float64, len(r.fir)-1)
	return r
}

// lowPass designs a Blackman-windowed sinc low-pass with cutoff fc (fraction of the
// sample rate) and unit DC gain.
func lowPass(fc float64, taps int) []float64 {
	h := make([]float64, taps)
	m := float64(taps - 1)
	var sum float64
	for i := range h {
		x := float64(i) - m/2
		s := 2 * fc
		if x != 0 {
			s = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		w := 0.42 - 0.5*math.Cos(2*math.Pi*float64(i)/m) + 0.08*math.Cos(4*math.Pi*float64(i)/m)
		h[i] = s * w
		sum += h[i]
	}
	for i := range h {
		h[i] /= sum
	}
	return h
}

// filter runs the FIR over x in place, keeping state across calls.
func (r *resampler) filter(x []float64) {
	n := len(r.hist)
	buf := append(r.hist[:n:n], x...)
	for i := range x {
		var acc float64
		win := buf[i : i+len(r.fir)]
		for k, c := range r.fir {
			acc += c * win[len(win)-1-k]
		}
		x[i] = acc
	}
	r.hist = append(r.hist[:0], buf[len(buf)-n:]...)
}

// interpolate produces output samples at r.step spacing from x, continuing where
// the previous chunk ended.
func (r *resampler) interpolate(x []float64) []float64 {
	out := r.out[:0]
	n := float64(len(x))
	for r.pos < n {
		i := int(r.pos)
		f := r.pos - float64(i)
		a := r.last
		if i > 0 {
			a = x[i-1]
		}
		out = append(out, a*(1-f)+x[i]*f)
		r.pos += r.step
	}
	r.pos -= n
	if len(x) > 0 {
		r.last = x[len(x)-1]
	}
	r.out = out
	return out
}

// process converts one chunk; the result is appended to dst.
func (r *resampler) process(dst []int16, in []int16) []int16 {
	x := make([]float64, len(in))
	for i, v := range in {
		x[i] = float64(v)
	}
	if r.down {
		r.filter(x)
		x = r.interpolate(x)
	} else {
		x = r.interpolate(x)
		r.filter(x)
	}
	for _, v := range x {
		dst = append(dst, clamp16(v))
	}
	return dst
}

func clamp16(v float64) int16 {
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	default:
		return int16(math.Round(v))
	}
}
