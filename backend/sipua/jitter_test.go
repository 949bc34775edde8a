package sipua

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// simPacket is one packet of a simulated stream: frame n (20 ms, all samples = n+1)
// arriving at the given offset from the start.
type simPacket struct {
	n       int
	arrival time.Duration
}

// simulate feeds packets to a jitter buffer and reads a frame every 20 ms (from
// readStart on) for dur; it returns the value each read frame carried (0 for
// silence/concealment-of-nothing) and the buffer.
func simulate(t *testing.T, pkts []simPacket, readStart, dur time.Duration) ([]int, *jitterBuffer) {
	t.Helper()
	return simulateClock(t, pkts, readStart, dur, SampleRate, 1000)
}

// simulateClock is simulate with RTP timestamps at clock Hz starting at ts0.
func simulateClock(t *testing.T, pkts []simPacket, readStart, dur time.Duration, clock, ts0 uint32) ([]int, *jitterBuffer) {
	t.Helper()
	jb := newJitterBuffer(defaultJitterMin, defaultJitterMax, clock)
	step := FrameSamples * clock / SampleRate
	base := time.Unix(1000, 0)
	sort.SliceStable(pkts, func(i, j int) bool { return pkts[i].arrival < pkts[j].arrival })
	var out []int
	next := 0
	for at := readStart; at < dur; at += FrameDuration {
		for next < len(pkts) && pkts[next].arrival <= at {
			p := pkts[next]
			pcm := make([]int16, FrameSamples)
			for i := range pcm {
				pcm[i] = int16(p.n + 1)
			}
			jb.Push(42, ts0+uint32(p.n)*step, pcm, base.Add(p.arrival))
			next++
		}
		frame := make([]int16, FrameSamples)
		jb.mu.Lock()
		jb.readFrame(frame, base.Add(at))
		jb.mu.Unlock()
		out = append(out, int(frame[0]))
	}
	return out, jb
}

func steady(n int, jitter time.Duration, seed uint64) []simPacket {
	r := rand.New(rand.NewPCG(seed, 1))
	pkts := make([]simPacket, n)
	for i := range pkts {
		d := time.Duration(i) * FrameDuration
		if jitter > 0 {
			d += time.Duration(r.Int64N(int64(jitter)))
		}
		pkts[i] = simPacket{i, d}
	}
	return pkts
}

// played returns the frame numbers (value-1) in order, skipping silence and the
// concealment of the stream's end (the buffer cannot know the sender stopped).
func played(out []int) []int {
	var p []int
	for _, v := range out {
		if v > 0 {
			p = append(p, v-1)
		}
	}
	if n := len(p); n > 1 && p[n-1] != p[n-2]+1 {
		p = p[:n-1]
	}
	return p
}

func TestJitterBufferSteadyStream(t *testing.T) {
	out, jb := simulate(t, steady(100, 0, 1), 5*time.Millisecond, 2100*time.Millisecond)
	p := played(out)
	for i, n := range p {
		if n != i {
			t.Fatalf("frame %d played as %d: %v", i, n, p)
		}
	}
	if len(p) < 99 {
		t.Fatalf("played %d of 100 frames", len(p))
	}
	st := jb.Stats()
	// Playing starts once what is held (the frame about to play included) and the
	// time since the newest packet came add up to 30 ms: with reads 5 ms after
	// arrivals, at the second read, 25 ms after the first packet, and every frame
	// then waits those 25 ms.
	if st.Delay < 10*time.Millisecond || st.Delay > 30*time.Millisecond {
		t.Fatalf("mean buffer delay %v, want 10–30 ms", st.Delay)
	}
	if st.Concealed != 1 || st.Underruns != 1 { // the end of the stream only
		t.Fatalf("stats %+v", st)
	}
	t.Logf("steady stream: mean delay in buffer %v, target %v", st.Delay, jb.Target())
}

func TestJitterBufferReordersAndConcealsLoss(t *testing.T) {
	pkts := steady(50, 0, 1)
	// Swap the arrival of frames 10 and 11; lose frame 30.
	pkts[10].arrival, pkts[11].arrival = pkts[11].arrival, pkts[10].arrival
	pkts = append(pkts[:30], pkts[31:]...)
	out, jb := simulate(t, pkts, 5*time.Millisecond, 1100*time.Millisecond)
	p := played(out)
	want := 0
	for _, n := range p {
		if n == want {
			want++
			continue
		}
		if want == 30 && n == 14 { // frame 29 repeated at half level: value 30/2, frame 14
			want = 31
			continue
		}
		t.Fatalf("out of order or missing around frame %d: %v", want, p)
	}
	st := jb.Stats()
	if st.Concealed-st.Underruns != 1 || st.Underruns != 1 {
		t.Fatalf("want exactly one concealed frame before the end, got %+v", st)
	}
}

func TestJitterBufferAdaptsToJitter(t *testing.T) {
	// Up to 60 ms of random delay per packet: a fixed 40 ms buffer would starve.
	out, jb := simulate(t, steady(250, 60*time.Millisecond, 7), 5*time.Millisecond, 5200*time.Millisecond)
	st := jb.Stats()
	target := jb.Target()
	t.Logf("60 ms jitter: target %v, mean delay %v, stats %+v", target, st.Delay, st)
	if target < 60*time.Millisecond || target > defaultJitterMax {
		t.Fatalf("target %v, want it raised toward %v", target, defaultJitterMax)
	}
	if st.Concealed > 25 { // 10 %: some loss while it adapts is expected
		t.Fatalf("%d frames concealed of %d", st.Concealed, len(out))
	}
}

func TestJitterBufferDrainsSurplus(t *testing.T) {
	// 20 frames arrive in one burst after a 400 ms stall, then the stream goes on:
	// the buffer must shed the surplus instead of keeping 400 ms of extra delay.
	pkts := steady(150, 0, 1)
	for i := 20; i < 40; i++ {
		pkts[i].arrival = 40 * FrameDuration
	}
	out, jb := simulate(t, pkts, 5*time.Millisecond, 3100*time.Millisecond)
	_ = out
	st := jb.Stats()
	if st.Skipped == 0 {
		t.Fatalf("no frame skipped after the burst: %+v", st)
	}
	jb.mu.Lock()
	depth := time.Duration(jb.buffered()) * time.Second / SampleRate
	jb.mu.Unlock()
	if depth > 60*time.Millisecond {
		t.Fatalf("still %v buffered at the end", depth)
	}
}

func TestJitterBufferNewSourceResets(t *testing.T) {
	jb := newJitterBuffer(defaultJitterMin, defaultJitterMax, SampleRate)
	now := time.Unix(0, 0)
	pcm := func(v int16) []int16 {
		p := make([]int16, FrameSamples)
		for i := range p {
			p[i] = v
		}
		return p
	}
	frame := make([]int16, FrameSamples)
	read := func() int16 {
		jb.readFrame(frame, now)
		return frame[0]
	}
	for i := range 5 {
		jb.Push(1, uint32(i*FrameSamples), pcm(1), now)
	}
	if v := read(); v != 1 {
		t.Fatalf("first source: %d", v)
	}
	// A new SSRC with unrelated timestamps (a re-INVITE to another media server).
	for i := range 3 {
		jb.Push(2, uint32(900000+i*FrameSamples), pcm(2), now)
	}
	if v := read(); v != 2 {
		t.Fatalf("after SSRC change: %d, want the new source", v)
	}
}

// TestJitterBufferOpusClock: Opus timestamps count at 48 kHz while its audio is
// decoded at 8 kHz. Reordering, loss, jitter and a timestamp wrap-around must be
// handled as with G.711, and the delay reported in real time, not in ticks.
func TestJitterBufferOpusClock(t *testing.T) {
	pkts := steady(250, 30*time.Millisecond, 3)
	pkts[10].arrival, pkts[11].arrival = pkts[11].arrival, pkts[10].arrival
	pkts = append(pkts[:30], pkts[31:]...)
	out, jb := simulateClock(t, pkts, 5*time.Millisecond, 5200*time.Millisecond, 48000, 1<<32-100*960)
	p := played(out)
	seen := map[int]bool{}
	last := -1
	for _, n := range p {
		// A concealed frame repeats the last one at half level: frame 29 when frame
		// 30 is lost, and one or two early on, before the target has caught up with
		// the jitter.
		if last >= 0 && n == (last+1)/2-1 {
			continue
		}
		if n <= last {
			t.Fatalf("frame %d played after %d: %v", n, last, p)
		}
		seen[n], last = true, n
	}
	if seen[30] || len(seen) < 240 {
		t.Fatalf("played %d distinct frames (lost one: %v): %v", len(seen), seen[30], p)
	}
	st := jb.Stats()
	target := jb.Target()
	t.Logf("48 kHz clock, 30 ms jitter: target %v, mean delay %v, stats %+v", target, st.Delay, st)
	if target < defaultJitterMin || target > defaultJitterMax || st.Delay > defaultJitterMax+FrameDuration {
		t.Fatalf("target %v, delay %v: not in real time", target, st.Delay)
	}
}
