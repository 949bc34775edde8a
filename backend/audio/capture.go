package audio

import (
	"sync"
	"time"
)

// Capture is an open microphone. Read blocks until the device has produced audio,
// so it paces the caller at real time; it returns 8 kHz mono s16le PCM.
type Capture struct {
	mu      sync.Mutex // held for each device read; Close waits for it
	s       *stream
	closed  bool
	pending []byte // converted audio not yet returned
	samples []int16
}

// OpenCapture opens the named input device ("" for the default).
func (h *Host) OpenCapture(device string) (*Capture, error) {
	s, err := h.open(device, input)
	if err != nil {
		return nil, err
	}
	return &Capture{s: s}, nil
}

// Device is the name of the device the stream is on.
func (c *Capture) Device() string { return c.s.name }

// Latency is the input latency PortAudio reports for the stream.
func (c *Capture) Latency() time.Duration { return c.s.latency() }

// Read reads PCM. It returns at most what is left of the current 20 ms frame, so
// a 320-byte buffer gets exactly one frame per call.
func (c *Capture) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, ErrClosed
	}
	if len(c.pending) == 0 {
		if err := c.s.pa.Read(); err != nil {
			if err := c.s.ioError(err); err != nil {
				return 0, err
			}
		}
		c.samples = c.samples[:0]
		if c.s.rs != nil {
			c.samples = c.s.rs.process(c.samples, c.s.buf)
		} else {
			c.samples = append(c.samples, c.s.buf...)
		}
		c.pending = bytesFromSamples(c.pending[:0], c.samples)
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// Close stops the device. A Read in progress finishes first (within one frame).
func (c *Capture) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return c.s.close(false)
}

// Overflows counts the times the device had to drop audio because it was not read
// in time.
func (c *Capture) Overflows() int { return int(c.s.xruns.Load()) }
