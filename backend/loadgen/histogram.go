package loadgen

import (
	"math/bits"
	"time"
)

// histogram counts durations in microseconds: exact below 2048 µs, then with 1/1024
// relative precision, so millions of inter-arrival gaps fit in a fixed 260 KB.
type histogram struct {
	counts []uint64
	n      int64
	max    time.Duration
}

const (
	histLinear  = 2048 // µs counted one by one
	histSub     = 1024 // buckets per power of two above that
	histBuckets = histLinear + 40*histSub
)

func newHistogram() histogram { return histogram{counts: make([]uint64, histBuckets)} }

func histIndex(us uint64) int {
	if us < histLinear {
		return int(us)
	}
	e := bits.Len64(us) - 11
	return min(histLinear+(e-1)*histSub+int(us>>e)-histSub, histBuckets-1)
}

func histValue(i int) uint64 {
	if i < histLinear {
		return uint64(i)
	}
	k := i - histLinear
	e := k/histSub + 1
	return uint64(k%histSub+histSub) << e
}

func (h *histogram) add(d time.Duration) {
	h.counts[histIndex(uint64(max(d, 0)/time.Microsecond))]++
	h.n++
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// percentile is the smallest value that at least p % of the samples do not exceed.
func (h *histogram) percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(p/100*float64(h.n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(histValue(i))*time.Microsecond, h.max)
		}
	}
	return h.max
}

func (h *histogram) percentiles() Percentiles {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return Percentiles{N: h.n, P50: ms(h.percentile(50)), P90: ms(h.percentile(90)), P99: ms(h.percentile(99)), Max: ms(h.max)}
}
