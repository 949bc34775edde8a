package sipua

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
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

// callMedia runs an answered call's audio: one goroutine receives RTP into the
// jitter buffer, one plays the buffer out to the speaker, one sends the microphone.
type callMedia struct {
	codec media.Codec
	vc    voiceCodec
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
	vc, err := newVoiceCodec(codec)
	if err != nil {
		return nil, err
	}
	if codec.SampleRate != vc.clockRate() {
		return nil, fmt.Errorf("sipua: codec %s at %d Hz, want %d", codec.Name, codec.SampleRate, vc.clockRate())
	}
	mic, spk, err := p.audio.OpenAudio()
	if err != nil {
		return nil, fmt.Errorf("sipua: opening audio: %w", err)
	}
	m := &callMedia{
		codec: codec, vc: vc, med: med, mic: mic, spk: spk,
		jb:      newJitterBuffer(p.jitterMin, p.jitterMax, vc.clockRate()),
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
//
// A codec with decoder state (Opus) is fed in sequence order: a packet a little
// older than one already decoded is dropped, and a gap is filled from the packet after it
// (FEC, or the decoder's concealment) before that packet is decoded. G.711 has no
// state, and its packets go to the jitter buffer as they come, which reorders them.
func (m *callMedia) receive() error {
	rd := m.med.RTPPacketReader
	buf := make([]byte, media.RTPBufSize)
	pt := m.codec.PayloadTypeRecv()
	rec, _ := m.vc.(lossRecoverer)
	var (
		inOrder bool // nextSeq, nextTS and ssrc describe the packet expected next
		nextSeq uint16
		nextTS  uint32
		ssrc    uint32
	)
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
		now := time.Now()
		payload := buf[:n]
		if rec != nil && inOrder && hdr.SSRC == ssrc {
			switch gap := int16(hdr.SequenceNumber - nextSeq); {
			case gap < 0 && gap >= -maxMisorder:
				continue // late: its time has been filled already
			case gap < 0:
				// Far behind: the sender restarted its sequence; decode from here.
			case gap > 0:
				if lost := m.lostSamples(hdr.Timestamp - nextTS); lost > 0 {
					if pcm, err := rec.recover(payload, lost); err == nil {
						m.jb.PushRecovered(hdr.SSRC, nextTS, pcm, now)
					}
				}
			}
		}
		pcm, err := m.vc.decode(payload)
		if err != nil {
			continue
		}
		m.jb.Push(hdr.SSRC, hdr.Timestamp, pcm, now)
		inOrder, ssrc = true, hdr.SSRC
		nextSeq = hdr.SequenceNumber + 1
		nextTS = hdr.Timestamp + uint32(len(pcm))*m.vc.clockRate()/SampleRate
	}
}

// maxMisorder is how far back (in packets, RFC 3550's value) a sequence number is a
// late packet rather than a sender that started over.
const maxMisorder = 100

// lostSamples converts the RTP timestamp span of lost packets into samples to
// recover: whole 2.5 ms steps (what an Opus decoder accepts), nothing when the span
// is implausible (a sender's timestamp jump) or longer than the decoder can fill
// in one go (120 ms); the jitter buffer conceals those.
func (m *callMedia) lostSamples(ticks uint32) int {
	const step = SampleRate / 400 // 2.5 ms
	n := int(int64(int32(ticks)) * SampleRate / int64(m.vc.clockRate()))
	if n < step || n > 120*SampleRate/1000 {
		return 0
	}
	return n - n%step
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
	payload := make([]byte, maxPayload)
	ticks := FrameSamples * m.vc.clockRate() / SampleRate
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
		n, err := m.vc.encode(payload, frame)
		if err != nil {
			return err
		}
		// WriteSamples rather than Write: Write also sleeps on diago's own 20 ms
		// ticker, a second clock next to the microphone's that would add up to a
		// frame of delay and drift against it.
		if _, err := w.WriteSamples(payload[:n], ticks, first, m.codec.PayloadType); err != nil {
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
