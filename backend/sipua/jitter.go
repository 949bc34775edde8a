package sipua

import (
	"encoding/binary"
	"io"
	"math"
	"sync"
	"time"
)

// jitterBuffer turns RTP packets, which arrive early, late, out of order or not at
// all, into a steady stream of 20 ms PCM frames. It is addressed by RTP timestamp,
// not sequence number, so any packet size (10, 20, 30 ms) plays out correctly.
// Timestamps count in the codec's RTP clock (8 kHz for G.711, 48 kHz for Opus
// whatever rate it is decoded at), PCM is always at SampleRate.
//
// Its delay adapts: it starts playing once what it holds plus the time since the
// newest packet arrived reaches target, so that the packet after it may arrive up
// to target − 20 ms late; target follows the measured interarrival jitter (RFC
// 3550) as 20 ms + 3 × jitter, bounded to [floor, max] (by default min = 30 ms,
// max = 100 ms). The floor starts at min and rises by 10 ms each time a packet comes
// too late (jitter the estimate missed: a stalled sender, a playout clock that is
// itself irregular; not a lost packet), sinking back 5 ms per 10 s of clean play.
// On a quiet LAN a packet waits 10–30 ms between its arrival and its playing: a
// frame is skipped only when every read for a while had one to spare, so a playout
// clock that wobbles keeps it in the upper half. When the buffer holds more than
// needed for a while (the sender's clock is fast, or a burst arrived after a stall)
// one frame is skipped to bring the delay back down; when it runs dry the missing
// audio is concealed and playing restarts once target is reached again.
//
// Push and Read may be called from different goroutines. Read never blocks: it is
// called by the playout clock (the sound card's, or a ticker) and must return a
// frame every time.
type jitterBuffer struct {
	mu       sync.Mutex
	clock    uint32 // RTP clock rate, Hz; every timestamp and duration below is in its ticks
	frame    uint32 // one frame (FrameSamples of PCM) in ticks
	min, max uint32 // bounds of floor and target
	floor    uint32 // least target: min, raised by late packets and underruns
	target   uint32
	clean    int // frames played since floor last moved

	pkts    []jbPacket // sorted by ts (wrap-aware), no overlaps kept
	ssrc    uint32
	haveSrc bool
	playing bool
	cursor  uint32 // RTP timestamp of the next sample to play

	// RFC 3550 interarrival jitter, in ticks.
	jitter      float64
	lastArrival time.Time
	lastTS      uint32

	dry   bool   // ran dry, and no packet has come since
	dryTS uint32 // the timestamp it ran dry at

	surplus   int // consecutive reads with more than target+frame buffered
	last      []int16
	concealed int // consecutive concealed frames
	closed    bool

	stats jitterStats
}

type jbPacket struct {
	ts      uint32
	pcm     []int16
	arrival time.Time
}

// jitterStats are counters for diagnostics and tests.
type jitterStats struct {
	Pushed, Late, Played, Concealed, Skipped, Underruns int
	// Delay is the mean time played frames spent in the buffer.
	Delay      time.Duration
	delaySum   time.Duration
	delayCount int
}

// newJitterBuffer makes a buffer for RTP timestamps at clockRate Hz (a multiple of
// SampleRate, as every audio clock rate is).
func newJitterBuffer(min, max time.Duration, clockRate uint32) *jitterBuffer {
	toTicks := func(d time.Duration) uint32 { return uint32(d.Seconds() * float64(clockRate)) }
	jb := &jitterBuffer{clock: clockRate, frame: FrameSamples * clockRate / SampleRate, min: toTicks(min), max: toTicks(max)}
	if jb.max < jb.min {
		jb.max = jb.min
	}
	jb.floor, jb.target = jb.min, jb.min
	return jb
}

// floorStep is how far a late packet or an underrun raises the floor; floorDecay
// is how many clean frames (10 s) lower it by half a step.
const (
	floorStep  = 10 * time.Millisecond
	floorDecay = 500
)

// raiseFloor answers a packet that came after its time: the jitter estimate
// (a mean) underrated the worst case, so the delay grows at once.
func (jb *jitterBuffer) raiseFloor() {
	jb.floor = min(jb.floor+jb.dur(floorStep), jb.max)
	jb.clean = 0
	jb.retarget()
}

func (jb *jitterBuffer) dur(d time.Duration) uint32 { return uint32(d.Seconds() * float64(jb.clock)) }

func (jb *jitterBuffer) retarget() {
	t := uint32(float64(jb.frame) + 3*jb.jitter)
	jb.target = min(max(t, jb.floor), jb.max)
}

// ticks is the duration of pcm in RTP clock ticks.
func (jb *jitterBuffer) ticks(pcm []int16) uint32 { return uint32(len(pcm)) * jb.clock / SampleRate }

// before reports whether RTP timestamp a is earlier than b, across wrap-around.
func before(a, b uint32) bool { return int32(a-b) < 0 }

// Push adds a decoded packet. pcm is retained.
func (jb *jitterBuffer) Push(ssrc uint32, ts uint32, pcm []int16, arrival time.Time) {
	jb.push(ssrc, ts, pcm, arrival, true)
}

// PushRecovered adds audio rebuilt for lost packets (Opus FEC or concealment) when
// the packet after them arrived. It comes late because the packets were lost, not
// because the network is slow, so it does not make the buffer deeper.
func (jb *jitterBuffer) PushRecovered(ssrc uint32, ts uint32, pcm []int16, arrival time.Time) {
	jb.push(ssrc, ts, pcm, arrival, false)
}

func (jb *jitterBuffer) push(ssrc uint32, ts uint32, pcm []int16, arrival time.Time, received bool) {
	if len(pcm) == 0 {
		return
	}
	jb.mu.Lock()
	defer jb.mu.Unlock()
	if jb.closed {
		return
	}
	jb.stats.Pushed++
	// A new source (the PBX switched media, a re-INVITE) or a jump of more than a
	// second starts over: old and new timestamps have nothing in common.
	if !jb.haveSrc || ssrc != jb.ssrc || (jb.playing && absDiff(ts, jb.cursor) > jb.clock) {
		jb.reset()
		jb.ssrc, jb.haveSrc = ssrc, true
	}
	if received {
		jb.updateJitter(ts, arrival)
	}
	if jb.playing && before(ts+jb.ticks(pcm), jb.cursor+1) {
		jb.stats.Late++ // entirely in the past: already concealed
		if received {
			jb.raiseFloor()
		}
		return
	}
	if jb.dry {
		// The first packet after running dry tells whether the one missing was late
		// (here it is) or lost (a later one came first).
		jb.dry = false
		if received && !before(jb.dryTS, ts) && before(jb.dryTS, ts+jb.ticks(pcm)) {
			jb.stats.Late++
			jb.raiseFloor()
		}
	}
	// Insert in order; drop duplicates.
	i := len(jb.pkts)
	for i > 0 && before(ts, jb.pkts[i-1].ts) {
		i--
	}
	if i > 0 && jb.pkts[i-1].ts == ts {
		return
	}
	jb.pkts = append(jb.pkts, jbPacket{})
	copy(jb.pkts[i+1:], jb.pkts[i:])
	jb.pkts[i] = jbPacket{ts: ts, pcm: pcm, arrival: arrival}
	// Bound memory whatever the sender does: keep at most twice the maximum delay.
	for jb.buffered() > 2*jb.max+jb.frame && len(jb.pkts) > 1 {
		jb.cursor = jb.pkts[1].ts
		jb.pkts = jb.pkts[1:]
		jb.stats.Skipped++
	}
}

func absDiff(a, b uint32) uint32 {
	d := int32(a - b)
	if d < 0 {
		return uint32(-d)
	}
	return uint32(d)
}

func (jb *jitterBuffer) reset() {
	jb.pkts = jb.pkts[:0]
	jb.playing = false
	jb.lastArrival = time.Time{}
	jb.surplus = 0
	jb.dry = false
}

func (jb *jitterBuffer) updateJitter(ts uint32, arrival time.Time) {
	if !jb.lastArrival.IsZero() {
		// D(i,j) = (Rj - Ri) - (Sj - Si), in ticks.
		d := arrival.Sub(jb.lastArrival).Seconds()*float64(jb.clock) - float64(int32(ts-jb.lastTS))
		jb.jitter += (math.Abs(d) - jb.jitter) / 16
		jb.retarget()
	}
	jb.lastArrival, jb.lastTS = arrival, ts
}

// held is what is buffered plus the time since the newest packet arrived: the time
// the packet after it may take to come before it is missed, plus a frame.
func (jb *jitterBuffer) held(now time.Time) uint32 {
	if len(jb.pkts) == 0 {
		return 0
	}
	return jb.buffered() + jb.since(jb.pkts[len(jb.pkts)-1].arrival, now)
}

// since is the time from arrival to now, in ticks (0 if now is earlier).
func (jb *jitterBuffer) since(arrival, now time.Time) uint32 {
	d := now.Sub(arrival)
	if d <= 0 {
		return 0
	}
	return jb.dur(d)
}

// buffered is how much audio is held from the cursor (or the first packet when not
// playing) to the end of the last packet, in ticks. A packet already played (up to
// the cursor) is not counted, even before it is dropped.
func (jb *jitterBuffer) buffered() uint32 {
	if len(jb.pkts) == 0 {
		return 0
	}
	start := jb.pkts[0].ts
	if jb.playing {
		start = jb.cursor
	}
	last := jb.pkts[len(jb.pkts)-1]
	end := last.ts + jb.ticks(last.pcm)
	if before(end, start) {
		return 0
	}
	return end - start
}

// Read fills p with one frame (FrameBytes; p must be at least that long) and never
// blocks. It returns io.EOF once the buffer is closed.
func (jb *jitterBuffer) Read(p []byte) (int, error) {
	if len(p) < FrameBytes {
		return 0, io.ErrShortBuffer
	}
	var frame [FrameSamples]int16
	jb.mu.Lock()
	if jb.closed {
		jb.mu.Unlock()
		return 0, io.EOF
	}
	jb.readFrame(frame[:], time.Now())
	jb.mu.Unlock()
	for i, v := range frame {
		binary.LittleEndian.PutUint16(p[2*i:], uint16(v))
	}
	return FrameBytes, nil
}

func (jb *jitterBuffer) readFrame(out []int16, now time.Time) {
	if !jb.playing {
		if len(jb.pkts) == 0 || jb.held(now) < jb.target {
			return // silence while (re)buffering
		}
		jb.playing = true
		jb.cursor = jb.pkts[0].ts
	}

	// Trim the delay back when there has been surplus for a while: ~200 ms for a
	// frame or two too many (gently, as a sender's fast clock needs), ~40 ms when far
	// above target (after the speaker or the network stalled and the backlog arrived
	// at once), where catching up quickly matters more than a few clipped frames.
	// What is held plus the time since the newest packet came is the frame about to
	// play plus the delay it had; a frame more than target can go.
	held := jb.held(now)
	if held >= jb.target+jb.frame {
		jb.surplus++
	} else {
		jb.surplus = 0
	}
	patience := 10
	if held >= jb.target+3*jb.frame {
		patience = 1
	}
	if jb.surplus > patience {
		jb.cursor += jb.frame
		jb.surplus = 0
		jb.stats.Skipped++
	}

	// Drop packets that end before the cursor.
	for len(jb.pkts) > 0 {
		p := jb.pkts[0]
		if before(p.ts+jb.ticks(p.pcm), jb.cursor+1) {
			jb.pkts = jb.pkts[1:]
			continue
		}
		break
	}

	filled := 0
	var oldest time.Time
	end := jb.cursor + jb.frame
	for _, p := range jb.pkts {
		if !before(p.ts, end) {
			break
		}
		// Copy the overlap of [p.ts, p.ts+len) with [cursor, end), in samples.
		from := int(int64(int32(jb.cursor-p.ts)) * SampleRate / int64(jb.clock)) // offset into p.pcm
		to := 0                                                                  // offset into out
		if from < 0 {
			to = -from
			from = 0
		}
		if to >= len(out) || from >= len(p.pcm) {
			continue
		}
		n := copy(out[to:], p.pcm[from:])
		filled += n
		if oldest.IsZero() {
			oldest = p.arrival
		}
	}
	jb.cursor = end

	switch {
	case filled > 0:
		jb.stats.Played++
		jb.concealed = 0
		if jb.clean++; jb.clean >= floorDecay && jb.floor > jb.min {
			jb.floor = max(jb.floor-jb.dur(floorStep)/2, jb.min)
			jb.clean = 0
			jb.retarget()
		}
		jb.last = append(jb.last[:0], out...)
		jb.stats.delaySum += now.Sub(oldest)
		jb.stats.delayCount++
	case len(jb.pkts) == 0:
		// Ran dry: conceal this frame and rebuffer to target before playing again.
		jb.conceal(out)
		jb.playing = false
		jb.stats.Underruns++
		jb.dry, jb.dryTS = true, end-jb.frame
	default:
		jb.conceal(out) // a lost packet with later ones waiting
	}
}

// conceal repeats the last good frame at half the level, once, then plays silence:
// enough to bridge a single lost packet without the buzz of repeating it forever.
func (jb *jitterBuffer) conceal(out []int16) {
	jb.stats.Concealed++
	jb.concealed++
	if jb.concealed == 1 && len(jb.last) == len(out) {
		for i, v := range jb.last {
			out[i] = v / 2
		}
	}
}

// Stats returns a copy of the counters.
func (jb *jitterBuffer) Stats() jitterStats {
	jb.mu.Lock()
	defer jb.mu.Unlock()
	s := jb.stats
	if s.delayCount > 0 {
		s.Delay = s.delaySum / time.Duration(s.delayCount)
	}
	return s
}

// Target is the current playout delay target.
func (jb *jitterBuffer) Target() time.Duration {
	jb.mu.Lock()
	defer jb.mu.Unlock()
	return time.Duration(jb.target) * time.Second / time.Duration(jb.clock)
}

// Close makes Read return io.EOF.
func (jb *jitterBuffer) Close() error {
	jb.mu.Lock()
	defer jb.mu.Unlock()
	jb.closed = true
	return nil
}
