package switchboard

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago/audio"
	"github.com/emiago/diago/media"
)

// Music on hold is the one media path that scales with the number of waiting callers, so
// it is built to cost as little as possible per call: the music is encoded ONCE into
// 20 ms G.711 frames (both µ-law and A-law) and a single ticker goroutine fans each frame
// out to every waiting call. Per call and per 20 ms that is one RTP header marshal and one
// sendto(2); there is no per-call decoding, encoding, timer or goroutine.

const (
	mohSampleRate   = 8000
	mohFrameSamples = mohSampleRate / 50 // 20 ms
	mohFrameDur     = 20 * time.Millisecond
	// mohMaxSeconds caps a configured file so a wrong path (a film, a disk image) cannot
	// eat memory: ten minutes of G.711 is 9.6 MB for both encodings together.
	mohMaxSeconds = 600
	// mohChunk is how many listeners one goroutine serves per tick; above that the tick
	// is split across goroutines so 1000+ waiting calls still go out within a few ms.
	mohChunk = 256
	// mohMaxCatchUp is how many late frames run sends back to back (100 ms).
	mohMaxCatchUp = 5
)

// mohTrack is the music, pre-encoded into 20 ms frames.
type mohTrack struct {
	pcmu [][]byte
	pcma [][]byte
}

func (t *mohTrack) frames() int { return len(t.pcmu) }

// newMOHTrack loads path (WAV or raw signed 16-bit little-endian, 8 kHz mono) or, when
// path is empty, generates the built-in music.
func newMOHTrack(path string) (*mohTrack, error) {
	var pcm []int16
	if path == "" {
		pcm = generateMOH()
	} else {
		var err error
		pcm, err = loadMOH(path)
		if err != nil {
			return nil, err
		}
	}
	return encodeMOH(pcm), nil
}

func encodeMOH(pcm []int16) *mohTrack {
	n := (len(pcm) + mohFrameSamples - 1) / mohFrameSamples
	// One backing array per codec keeps the frames contiguous and the GC's work trivial.
	lpcm := make([]byte, n*mohFrameSamples*2)
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(lpcm[2*i:], uint16(s))
	}
	ulaw := make([]byte, n*mohFrameSamples)
	alaw := make([]byte, n*mohFrameSamples)
	// Lengths match by construction, so the encoders cannot fail.
	_, _ = audio.EncodeUlawTo(ulaw, lpcm)
	_, _ = audio.EncodeAlawTo(alaw, lpcm)
	t := &mohTrack{pcmu: make([][]byte, n), pcma: make([][]byte, n)}
	for i := range n {
		lo, hi := i*mohFrameSamples, (i+1)*mohFrameSamples
		t.pcmu[i] = ulaw[lo:hi:hi]
		t.pcma[i] = alaw[lo:hi:hi]
	}
	return t
}

func loadMOH(path string) ([]int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open music on hold: %w", err)
	}
	defer f.Close()

	var r io.Reader = bufio.NewReaderSize(f, 64*1024)
	if strings.EqualFold(filepath.Ext(path), ".wav") {
		wr := audio.NewWavReader(r)
		if err := wr.ReadHeaders(); err != nil {
			return nil, fmt.Errorf("read music on hold %s: %w", path, err)
		}
		if wr.SampleRate != mohSampleRate || wr.NumChannels != 1 || wr.BitsPerSample != 16 {
			return nil, fmt.Errorf("%w: %s is %d Hz, %d channel(s), %d bit; want 8000 Hz mono 16 bit",
				ErrMOHFormat, path, wr.SampleRate, wr.NumChannels, wr.BitsPerSample)
		}
		r = wr
	}
	raw, err := io.ReadAll(io.LimitReader(r, mohMaxSeconds*mohSampleRate*2))
	if err != nil {
		return nil, fmt.Errorf("read music on hold %s: %w", path, err)
	}
	if len(raw) < mohFrameSamples*2 {
		return nil, fmt.Errorf("%w: %s holds less than 20 ms of audio", ErrMOHFormat, path)
	}
	pcm := make([]int16, len(raw)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return pcm, nil
}

// generateMOH renders the built-in, royalty-free hold music: a slow arpeggio over
// Cmaj7 – Am7 – Fmaj7 – G with a soft pad underneath, 9.6 s long and seamless when looped
// (note tails wrap around to the start of the buffer).
func generateMOH() []int16 {
	const (
		noteDur   = 0.3 // seconds per arpeggio note
		perChord  = 8
		chordDur  = noteDur * perChord
		tail      = 1.8 // seconds a plucked note is rendered for
		decayTau  = 0.55
		attack    = 0.012
		padLevel  = 0.10
		peakLevel = 0.32 // of full scale: pleasant, never clipping in G.711
	)
	chords := [][]int{
		{60, 64, 67, 71, 72}, // Cmaj7
		{57, 60, 64, 67, 69}, // Am7
		{53, 57, 60, 64, 65}, // Fmaj7
		{55, 59, 62, 67, 67}, // G
	}
	pattern := []int{0, 1, 2, 3, 4, 3, 2, 1}
	total := int(float64(len(chords)) * chordDur * mohSampleRate)
	buf := make([]float64, total)
	freq := func(midi int) float64 { return 440 * math.Pow(2, float64(midi-69)/12) }

	for c, chord := range chords {
		for k, p := range pattern {
			start := int((float64(c)*chordDur + float64(k)*noteDur) * mohSampleRate)
			f := freq(chord[p])
			for i := 0; i < int(tail*mohSampleRate); i++ {
				t := float64(i) / mohSampleRate
				env := math.Exp(-t / decayTau)
				if t < attack {
					env *= t / attack
				}
				ph := 2 * math.Pi * f * t
				v := math.Sin(ph) + 0.25*math.Sin(2*ph) + 0.08*math.Sin(3*ph)
				buf[(start+i)%total] += env * v
			}
		}
		// Pad: root and fifth an octave down, faded in and out over 80 ms so chord
		// changes do not click.
		root, fifth := freq(chord[0]-12), freq(chord[2]-12)
		n := int(chordDur * mohSampleRate)
		fade := int(0.08 * mohSampleRate)
		for i := range n {
			g := 1.0
			if i < fade {
				g = float64(i) / float64(fade)
			} else if i > n-fade {
				g = float64(n-i) / float64(fade)
			}
			t := float64(i) / mohSampleRate
			buf[c*n+i] += padLevel * g * (math.Sin(2*math.Pi*root*t) + 0.6*math.Sin(2*math.Pi*fifth*t))
		}
	}

	peak := 0.0
	for _, v := range buf {
		peak = max(peak, math.Abs(v))
	}
	scale := peakLevel * math.MaxInt16 / peak
	pcm := make([]int16, total)
	for i, v := range buf {
		pcm[i] = int16(v * scale)
	}
	return pcm
}

// mohPlayer fans the track out to every waiting call.
type mohPlayer struct {
	track *mohTrack
	log   *slog.Logger

	sent atomic.Int64 // RTP packets written, for Stats

	mu        sync.Mutex
	listeners []*mohListener
	pos       int
}

// mohListener is one waiting call's RTP writer. Writing happens only from the player
// goroutine while the listener is attached, so the writer needs no other locking.
type mohListener struct {
	w      *media.RTPPacketWriter
	pt     uint8
	alaw   bool
	idx    int // index in mohPlayer.listeners; -1 once removed
	marker bool
	failed bool
}

func newMOHPlayer(track *mohTrack, log *slog.Logger) *mohPlayer {
	return &mohPlayer{track: track, log: log}
}

// add starts music for a call whose negotiated audio codec is codec (PCMU or PCMA).
func (p *mohPlayer) add(w *media.RTPPacketWriter, codec media.Codec) (*mohListener, error) {
	l := &mohListener{w: w, pt: codec.PayloadType, marker: true}
	switch strings.ToLower(codec.Name) {
	case "pcmu":
	case "pcma":
		l.alaw = true
	default:
		return nil, fmt.Errorf("music on hold: codec %q: %w", codec.Name, errUnsupportedCodec)
	}
	p.mu.Lock()
	l.idx = len(p.listeners)
	p.listeners = append(p.listeners, l)
	p.mu.Unlock()
	return l, nil
}

// remove stops music for a call. When it returns the player will not touch the writer
// again, so the caller may hand it to a bridge. A nil listener is a no-op.
func (p *mohPlayer) remove(l *mohListener) {
	if l == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if l.idx < 0 {
		return
	}
	last := len(p.listeners) - 1
	moved := p.listeners[last]
	p.listeners[l.idx] = moved
	moved.idx = l.idx
	p.listeners[last] = nil
	p.listeners = p.listeners[:last]
	l.idx = -1
}

func (p *mohPlayer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.listeners)
}

// run plays until ctx is done. It keeps the frame clock on wall time: if the process
// was starved for a few ticks (GC, CPU contention), the missed frames are sent at once
// so callers' jitter buffers stay fed; after a longer stall the backlog is skipped
// rather than bursting seconds of audio.
func (p *mohPlayer) run(ctx context.Context) {
	t := time.NewTicker(mohFrameDur)
	defer t.Stop()
	start := time.Now()
	var played int64
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			due := int64(now.Sub(start)/mohFrameDur) - played
			if due > mohMaxCatchUp {
				p.skip(due - 1)
				played += due - 1
				due = 1
			}
			for range due {
				p.tick()
				played++
			}
		}
	}
}

// skip moves every call's RTP clock over n frames that will not be sent, so receivers
// see a gap in time rather than late audio.
func (p *mohPlayer) skip(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pos = int((int64(p.pos) + n) % int64(p.track.frames()))
	for _, l := range p.listeners {
		l.w.DelayTimestamp(uint32(n * mohFrameSamples))
		l.marker = true
	}
}

func (p *mohPlayer) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	ulaw, alaw := p.track.pcmu[p.pos], p.track.pcma[p.pos]
	p.pos = (p.pos + 1) % p.track.frames()

	ls := p.listeners
	p.sent.Add(int64(len(ls)))
	if len(ls) <= mohChunk {
		writeMOH(ls, ulaw, alaw, p.log)
		return
	}
	var wg sync.WaitGroup
	for lo := 0; lo < len(ls); lo += mohChunk {
		chunk := ls[lo:min(lo+mohChunk, len(ls))]
		wg.Go(func() { writeMOH(chunk, ulaw, alaw, p.log) })
	}
	wg.Wait()
}

func writeMOH(ls []*mohListener, ulaw, alaw []byte, log *slog.Logger) {
	for _, l := range ls {
		frame := ulaw
		if l.alaw {
			frame = alaw
		}
		_, err := l.w.WriteSamples(frame, mohFrameSamples, l.marker, l.pt)
		l.marker = false
		if err != nil && !l.failed {
			// Log once per call: a caller whose RTP port is gone would otherwise log 50
			// lines a second until its BYE arrives.
			l.failed = true
			log.Debug("music on hold write failed", "error", err)
		}
	}
}
