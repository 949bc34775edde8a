package audio

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Playback is an open speaker, headset or ringer. Write takes 8 kHz mono s16le PCM
// and blocks while the device's buffer is full, so a writer is paced by the sound
// card's clock.
//
// It also implements io.ReaderFrom: io.Copy(playback, src) then pulls one frame from
// src each time the card has room for one. A softphone's jitter buffer plugged in
// that way is read at the device's own pace, which keeps the delay from creeping up
// or down as the card's crystal and the sender's drift apart, and only at the last
// moment, so that no frame waits between the two buffers.
type Playback struct {
	mu      sync.Mutex
	s       *stream
	closed  bool
	odd     []byte  // a trailing half sample from the last Write
	pending []int16 // 8 kHz samples waiting for a whole frame
	dev     []int16 // scratch, at the device rate
}

// OpenPlayback opens the named output device ("" for the default).
func (h *Host) OpenPlayback(device string) (*Playback, error) {
	s, err := h.open(device, output)
	if err != nil {
		return nil, err
	}
	return &Playback{s: s}, nil
}

// Device is the name of the device the stream is on.
func (p *Playback) Device() string { return p.s.name }

// Latency is the output latency PortAudio reports for the stream.
func (p *Playback) Latency() time.Duration { return p.s.latency() }

// Write queues PCM for playing. Whole 20 ms frames go to the device at once; a
// partial frame waits for the next Write.
func (p *Playback) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, ErrClosed
	}
	if len(p.odd) > 0 {
		p.odd = append(p.odd, b...)
		b, p.odd = p.odd, nil
	}
	if len(b)%2 == 1 {
		p.odd = append(p.odd, b[len(b)-1])
		b = b[:len(b)-1]
	}
	p.pending = samplesFromBytes(p.pending, b)
	for len(p.pending) >= FrameSamples {
		if err := p.writeFrame(p.pending[:FrameSamples]); err != nil {
			return 0, err
		}
		p.pending = append(p.pending[:0], p.pending[FrameSamples:]...)
	}
	return len(b), nil
}

// ReadFrom plays src until it returns io.EOF (then it returns nil) or fails.
// Each Read of src is asked for exactly one frame, once the device has room for
// it: a frame read before would wait in Write for a period (20 ms) on top of what
// the device holds.
func (p *Playback) ReadFrom(src io.Reader) (int64, error) {
	frame := make([]byte, FrameBytes)
	samples := make([]int16, 0, FrameSamples)
	var total int64
	for {
		if err := p.waitRoom(); err != nil {
			return total, err
		}
		n, err := io.ReadFull(src, frame)
		if n > 0 {
			// A short last frame is padded with silence.
			clear(frame[n:])
			samples = samplesFromBytes(samples[:0], frame)
			p.mu.Lock()
			werr := ErrClosed
			if !p.closed {
				werr = p.writeFrame(samples)
			}
			p.mu.Unlock()
			if werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return total, nil
		}
		if err != nil {
			return total, fmt.Errorf("audio: reading what to play: %w", err)
		}
	}
}

// waitRoom returns once the device can take a frame, or nearly: PortAudio's
// blocking API cannot wait for room without data in hand, so it sleeps for the time
// the device needs to play what is missing, less a little (roomSlack) that the
// Write then waits in PortAudio, which wakes up as soon as there is room, however
// late a Go timer fires on a busy machine. A host API whose count of free space
// never grows gets a plain blocking Write after two frames' time.
func (p *Playback) waitRoom() error {
	for giveUp := time.Now().Add(2 * FrameDuration); time.Now().Before(giveUp); {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return ErrClosed
		}
		avail, err := p.s.pa.AvailableToWrite()
		p.mu.Unlock()
		if err != nil {
			return nil // an underflow or a device gone: for Write to report
		}
		missing := time.Duration(float64(len(p.s.buf)-avail) / p.s.rate * float64(time.Second))
		if missing <= roomSlack {
			return nil
		}
		time.Sleep(missing - roomSlack)
	}
	return nil
}

// roomSlack is how early waitRoom returns.
const roomSlack = 3 * time.Millisecond

// writeFrame sends one 8 kHz frame to the device. p.mu is held.
func (p *Playback) writeFrame(frame []int16) error {
	if p.s.rs != nil {
		p.dev = p.s.rs.process(p.dev[:0], frame)
	} else {
		p.dev = append(p.dev[:0], frame...)
	}
	// The resampler may yield one sample more or less than a device frame when the
	// ratio is not whole; carry nothing over and pad or trim instead, an inaudible
	// 1/960 s at 48 kHz.
	n := copy(p.s.buf, p.dev)
	clear(p.s.buf[n:])
	if err := p.s.pa.Write(); err != nil {
		return p.s.ioError(err)
	}
	return nil
}

// Underflows counts the times the device ran out of audio to play (each is a
// click or a gap heard).
func (p *Playback) Underflows() int { return int(p.s.xruns.Load()) }

// Drain blocks until everything written so far, including a partial frame (padded
// with silence), has been handed to the device, and then for the device's latency.
func (p *Playback) Drain() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	var err error
	if len(p.pending) > 0 {
		frame := make([]int16, FrameSamples)
		copy(frame, p.pending)
		p.pending = p.pending[:0]
		err = p.writeFrame(frame)
	}
	lat := p.s.latency()
	p.mu.Unlock()
	time.Sleep(lat)
	return err
}

// Close stops the device at once, dropping audio not yet played (call Drain first
// to hear the end).
func (p *Playback) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return p.s.close(false)
}
