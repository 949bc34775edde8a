package sipua

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/audio"
	"github.com/emiago/diago/media"
)

// AudioStats describes a call's audio so far.
type AudioStats struct {
	Codec           string
	PacketsReceived int64
	PacketsSent     int64
	// From the jitter buffer:
	FramesPlayed    int
	FramesConcealed int           // lost or late packets replaced by concealment
	PacketsLate     int           // arrived after their time had passed
	Underruns       int           // times the buffer ran dry and rebuffered
	Skipped         int           // frames dropped to bring the delay back down
	BufferDelay     time.Duration // mean time received audio waited before playing
	BufferTarget    time.Duration // current adaptive target
}

// g711 converts between 16-bit PCM and one of the G.711 laws.
type g711 struct {
	encode func(dst, lpcm []byte) (int, error)
	decode func(dst, law []byte) (int, error)
}

func codecG711(c media.Codec) (g711, error) {
	switch strings.ToUpper(c.Name) {
	case "PCMU":
		return g711{audio.EncodeUlawTo, audio.DecodeUlawTo}, nil
	case "PCMA":
		return g711{audio.EncodeAlawTo, audio.DecodeAlawTo}, nil
	}
	return g711{}, fmt.Errorf("sipua: negotiated codec %s is not G.711", c.Name)
}

// callMedia runs an answered call's audio: one goroutine receives RTP into the
// jitter buffer, one plays the buffer out to the speaker, one sends the microphone.
type callMedia struct {
	codec media.Codec
	law   g711
	med   *diago.DialogMedia
	mic   io.ReadCloser
	spk   io.WriteCloser
	jb    *jitterBuffer
	muted *atomic.Bool

	rx, tx   atomic.Int64
	wg       sync.WaitGroup
	stopOnce sync.Once
	stopped  chan struct{}
}

func (p *Phone) startMedia(c *Call, med *diago.DialogMedia) (*callMedia, error) {
	codec := media.CodecAudioFromSession(med.MediaSession())
	law, err := codecG711(codec)
	if err != nil {
		return nil, err
	}
	if codec.SampleRate != SampleRate {
		return nil, fmt.Errorf("sipua: codec %s at %d Hz, want 8000", codec.Name, codec.SampleRate)
	}
	mic, spk, err := p.audio.OpenAudio()
	if err != nil {
		return nil, fmt.Errorf("sipua: opening audio: %w", err)
	}
	m := &callMedia{
		codec: codec, law: law, med: med, mic: mic, spk: spk,
		jb:      newJitterBuffer(p.jitterMin, p.jitterMax),
		muted:   &p.muted,
		stopped: make(chan struct{}),
	}
	log := c.log
	m.wg.Add(3)
	go func() {
		defer m.wg.Done()
		if err := m.receive(); err != nil {
			log.Debug("RTP receive ended", "error", err)
		}
	}()
	go func() {
		defer m.wg.Done()
		if err := m.playout(); err != nil {
			log.Warn("speaker failed; the call goes on without it", "error", err)
		}
	}()
	go func() {
		defer m.wg.Done()
		if err := m.send(); err != nil {
			log.Warn("microphone or RTP send failed; the call goes on without it", "error", err)
		}
	}()
	return m, nil
}

// receive decodes RTP of the negotiated codec into the jitter buffer. Packets of
// other payload types (RFC 4733 events, comfort noise) are not audio to play.
func (m *callMedia) receive() error {
	rd := m.med.RTPPacketReader
	buf := make([]byte, media.RTPBufSize)
	pt := m.codec.PayloadTypeRecv()
	for {
		n, err := rd.Read(buf)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		hdr := rd.PacketHeader
		if n == 0 || hdr.PayloadType != pt {
			continue
		}
		m.rx.Add(1)
		lpcm := make([]byte, 2*n)
		k, err := m.law.decode(lpcm, buf[:n])
		if err != nil {
			continue
		}
		pcm := make([]int16, k/2)
		for i := range pcm {
			pcm[i] = int16(binary.LittleEndian.Uint16(lpcm[2*i:]))
		}
		m.jb.Push(hdr.SSRC, hdr.Timestamp, pcm, time.Now())
	}
}

// playout feeds the speaker from the jitter buffer: pulled by the device's clock
// when the speaker can (io.ReaderFrom), pushed every 20 ms by a ticker otherwise.
func (m *callMedia) playout() error {
	if rf, ok := m.spk.(io.ReaderFrom); ok {
		_, err := rf.ReadFrom(m.jb)
		return err
	}
	t := time.NewTicker(FrameDuration)
	defer t.Stop()
	frame := make([]byte, FrameBytes)
	for {
		select {
		case <-m.stopped:
			return nil
		case <-t.C:
		}
		if _, err := m.jb.Read(frame); err != nil {
			return nil // closed
		}
		if _, err := m.spk.Write(frame); err != nil {
			return err
		}
	}
}

// send encodes the microphone into RTP, one packet per 20 ms frame, paced by the
// microphone. While muted it sends encoded silence rather than nothing: the stream
// stays continuous (no timestamp jumps for the far end's jitter buffer) and PBXs
// that hang up calls without RTP keep the call.
func (m *callMedia) send() error {
	w := m.med.RTPPacketWriter
	frame := make([]byte, FrameBytes)
	payload := make([]byte, FrameSamples)
	first := true
	for {
		if _, err := io.ReadFull(m.mic, frame); err != nil {
			select {
			case <-m.stopped:
				return nil
			default:
			}
			return fmt.Errorf("microphone: %w", err)
		}
		if m.muted.Load() {
			clear(frame)
		}
		n, err := m.law.encode(payload, frame)
		if err != nil {
			return err
		}
		// WriteSamples rather than Write: Write also sleeps on diago's own 20 ms
		// ticker, a second clock next to the microphone's that would add up to a
		// frame of delay and drift against it.
		if _, err := w.WriteSamples(payload[:n], FrameSamples, first, m.codec.PayloadType); err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil // the dialog ended and diago closed the RTP socket
			}
			return fmt.Errorf("RTP send: %w", err)
		}
		first = false
		m.tx.Add(1)
	}
}

// stop ends the three goroutines and closes the devices. Closing the RTP session
// unblocks receive and send, closing the jitter buffer ends playout, closing the
// microphone unblocks a Read in progress.
func (m *callMedia) stop() {
	m.stopOnce.Do(func() {
		close(m.stopped)
		m.jb.Close()
		m.med.Close()
		m.mic.Close()
		m.wg.Wait()
		m.spk.Close()
	})
}

func (m *callMedia) stats() AudioStats {
	js := m.jb.Stats()
	return AudioStats{
		Codec:           m.codec.Name,
		PacketsReceived: m.rx.Load(),
		PacketsSent:     m.tx.Load(),
		FramesPlayed:    js.Played,
		FramesConcealed: js.Concealed,
		PacketsLate:     js.Late,
		Underruns:       js.Underruns,
		Skipped:         js.Skipped,
		BufferDelay:     js.Delay,
		BufferTarget:    m.jb.Target(),
	}
}
