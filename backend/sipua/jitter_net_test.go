package sipua

import (
	"encoding/binary"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"
)

// loopbackRun sends n 20 ms frames (every sample = frame number + 1) over UDP on
// loopback, each held back by a random delay below jitter (so they also arrive out
// of order), into a jitter buffer read every 20 ms by a ticker, as the phone's
// playout does. It stops reading before the stream ends, so that the end is not
// counted as an underrun. It returns the first sample of each frame read, the
// buffer, and how late the sender's timers fired at worst.
func loopbackRun(t *testing.T, n int, jitter time.Duration, seed uint64) ([]int, *jitterBuffer, time.Duration) {
	t.Helper()
	rx, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	tx, err := net.DialUDP("udp", nil, rx.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()

	jb := newJitterBuffer(defaultJitterMin, defaultJitterMax, SampleRate)
	go func() {
		buf := make([]byte, 1500)
		for {
			k, err := rx.Read(buf)
			if err != nil {
				return
			}
			if k < 4 {
				continue
			}
			i := binary.BigEndian.Uint32(buf)
			pcm := make([]int16, FrameSamples)
			for j := range pcm {
				pcm[j] = int16(i + 1)
			}
			jb.Push(7, i*FrameSamples, pcm, time.Now())
		}
	}()

	var (
		mu       sync.Mutex
		worst    time.Duration
		sent     sync.WaitGroup
		r        = rand.New(rand.NewPCG(seed, 2))
		start    = time.Now().Add(50 * time.Millisecond)
		timers   []*time.Timer
		lateness = func(d time.Duration) {
			mu.Lock()
			worst = max(worst, d)
			mu.Unlock()
		}
	)
	for i := range n {
		at := start.Add(time.Duration(i) * FrameDuration)
		if jitter > 0 {
			at = at.Add(time.Duration(r.Int64N(int64(jitter))))
		}
		sent.Add(1)
		timers = append(timers, time.AfterFunc(time.Until(at), func() {
			defer sent.Done()
			lateness(time.Since(at))
			var b [4 + FrameBytes/2]byte // a G.711-sized payload
			binary.BigEndian.PutUint32(b[:], uint32(i))
			tx.Write(b[:])
		}))
	}
	defer func() {
		for _, tm := range timers {
			if tm.Stop() {
				sent.Done()
			}
		}
		sent.Wait()
	}()

	tick := time.NewTicker(FrameDuration)
	defer tick.Stop()
	frame := make([]byte, FrameBytes)
	var out []int
	for range n - 5 {
		<-tick.C
		if _, err := jb.Read(frame); err != nil {
			t.Fatal(err)
		}
		out = append(out, int(int16(binary.LittleEndian.Uint16(frame))))
	}
	mu.Lock()
	defer mu.Unlock()
	return out, jb, worst
}

// TestJitterBufferLoopbackClean: on a clean link (packets on time, no loss) the
// buffer stays at its floor and plays every frame in order, without a gap or a
// concealed frame once playing — unless the machine is so busy that packets leave
// later than the buffer's margin, and then it must grow.
func TestJitterBufferLoopbackClean(t *testing.T) {
	out, jb, late := loopbackRun(t, 100, 0, 1)
	st := jb.Stats()
	t.Logf("clean loopback: target %v, mean delay in buffer %v, stats %+v; sender's timers late by up to %v", jb.Target(), st.Delay, st, late)
	if p := inOrder(t, out); len(p) < 90 {
		t.Fatalf("played %d frames of 95 read", len(p))
	}
	gaps := st.Concealed != 0 || st.Underruns != 0 || st.Late != 0
	if late <= defaultJitterMin-FrameDuration {
		if gaps {
			t.Fatalf("gaps on a clean link: %+v", st)
		}
		if jb.Target() != defaultJitterMin {
			t.Fatalf("target %v on a clean link, want the floor %v", jb.Target(), defaultJitterMin)
		}
		return
	}
	// A busy machine fired the sender's timers later than the buffer's margin: the
	// link was not clean after all, and if that left gaps the buffer must have grown.
	t.Logf("the sender ran up to %v late: not a clean link", late)
	if gaps && jb.Target() <= defaultJitterMin {
		t.Fatalf("packets sent up to %v late left gaps (%+v) but the buffer did not grow", late, st)
	}
}

// TestJitterBufferLoopbackJitter: with packets held back by up to 40 ms (and so
// reordered), the buffer's target grows with the measured jitter, well above its
// floor, and playing stays in order with little concealment.
func TestJitterBufferLoopbackJitter(t *testing.T) {
	out, jb, late := loopbackRun(t, 200, 40*time.Millisecond, 3)
	st := jb.Stats()
	t.Logf("40 ms jitter on loopback: target %v, mean delay in buffer %v, stats %+v; sender's timers late by up to %v", jb.Target(), st.Delay, st, late)
	if jb.Target() < defaultJitterMin+20*time.Millisecond {
		t.Fatalf("target %v under 40 ms of jitter, want it grown above %v", jb.Target(), defaultJitterMin+20*time.Millisecond)
	}
	inOrder(t, out)
	if st.Concealed > 20 { // 10 %: some while the target catches up
		t.Fatalf("%d frames concealed of %d", st.Concealed, len(out))
	}
}

// inOrder checks that the frames read were played in order, without repeats (but
// for concealment: the last frame at half level), and returns them.
func inOrder(t *testing.T, out []int) []int {
	t.Helper()
	p := played(out)
	last := -1
	for _, n := range p {
		if last >= 0 && n == (last+1)/2-1 {
			continue // a concealed frame: the last one at half level
		}
		if n <= last {
			t.Fatalf("frame %d played after %d: %v", n, last, p)
		}
		last = n
	}
	return p
}
