package switchboard

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
)

// relay carries a bridged caller's audio. Unlike diago's two-party Bridge it lets the
// far leg change under a live caller: hold (no far leg hears or is heard; music on hold
// plays), transfer (the attendant leg goes, music plays, the target's leg comes) and a
// recall's new attendant leg all reuse the caller's side.
//
// One goroutine reads the caller's RTP for the rest of the call and forwards each
// payload to the current peer; one goroutine per peer leg reads it and forwards to the
// caller while that leg is current and not on hold. Payloads are re-packetised with
// each leg's own SSRC, sequence and timestamp (G.711: one byte per sample), so a
// receiver sees one continuous stream whatever it is connected to.
//
// Music on hold and the relay never write to the caller at the same time: music is
// attached only after the relay has stopped writing (under mu), and detached (the
// player's remove returns) before the relay writes again.
type relay struct {
	log   *slog.Logger
	moh   *mohPlayer
	cw    *media.RTPPacketWriter // the caller's RTP writer
	codec media.Codec            // the caller's codec; every leg is offered only this one

	mu       sync.Mutex
	peer     *relayPeer
	held     bool
	holdMOH  *mohListener // music on hold while held, nil otherwise
	markPeer bool         // next packet to the peer starts a new talk spurt
	markCall bool         // next packet to the caller starts a new talk spurt
}

// relayPeer is the far leg: an attendant's phone or a transfer target.
type relayPeer struct {
	w  *media.RTPPacketWriter
	pt uint8
}

// newRelay starts reading the caller's media. Call it once per call, after the caller's
// stale RTP has been drained; the reader goroutine ends when the caller's media closes.
func newRelay(in *diago.DialogMedia, moh *mohPlayer, log *slog.Logger) (*relay, error) {
	r, w, err := rtpEnds(in)
	if err != nil {
		return nil, fmt.Errorf("caller media: %w", err)
	}
	rel := &relay{log: log, moh: moh, cw: w, codec: media.CodecAudioFromSession(in.MediaSession())}
	go rel.fromCaller(r, rel.codec.PayloadType)
	return rel, nil
}

// rtpEnds returns a leg's RTP packet reader and writer.
func rtpEnds(m *diago.DialogMedia) (*media.RTPPacketReader, *media.RTPPacketWriter, error) {
	ar, err := m.AudioReader()
	if err != nil {
		return nil, nil, err
	}
	aw, err := m.AudioWriter()
	if err != nil {
		return nil, nil, err
	}
	r, ok := ar.(*media.RTPPacketReader)
	if !ok {
		return nil, nil, fmt.Errorf("audio reader is %T, not an RTP packet reader", ar)
	}
	w, ok := aw.(*media.RTPPacketWriter)
	if !ok {
		return nil, nil, fmt.Errorf("audio writer is %T, not an RTP packet writer", aw)
	}
	return r, w, nil
}

func (rel *relay) fromCaller(r *media.RTPPacketReader, pt uint8) {
	buf := make([]byte, media.RTPBufSize)
	for {
		n, err := r.Read(buf)
		if err != nil {
			return // the caller's media is closed
		}
		if n == 0 || r.PacketHeader.PayloadType != pt {
			continue // keep-alives, DTMF events: audio only
		}
		rel.mu.Lock()
		if p := rel.peer; p != nil && !rel.held {
			_, _ = p.w.WriteSamples(buf[:n], uint32(n), rel.markPeer, p.pt) // a dead peer is noticed by its dialog
			rel.markPeer = false
		}
		rel.mu.Unlock()
	}
}

func (rel *relay) fromPeer(p *relayPeer, r *media.RTPPacketReader, pt uint8) {
	buf := make([]byte, media.RTPBufSize)
	for {
		n, err := r.Read(buf)
		if err != nil {
			return // the leg's media is closed
		}
		if n == 0 || r.PacketHeader.PayloadType != pt {
			continue
		}
		rel.mu.Lock()
		if rel.peer == p && !rel.held {
			_, _ = rel.cw.WriteSamples(buf[:n], uint32(n), rel.markCall, rel.codec.PayloadType)
			rel.markCall = false
		}
		rel.mu.Unlock()
	}
}

// connect makes m the caller's peer, not on hold. The caller must not be hearing the
// waiting music (c.moh) any more. m's reader goroutine ends when m's media closes.
func (rel *relay) connect(m *diago.DialogMedia) error {
	r, w, err := rtpEnds(m)
	if err != nil {
		return fmt.Errorf("peer media: %w", err)
	}
	codec := media.CodecAudioFromSession(m.MediaSession())
	if codec.PayloadType != rel.codec.PayloadType || codec.Name != rel.codec.Name {
		return fmt.Errorf("peer codec %s differs from the caller's %s: %w", codec.Name, rel.codec.Name, errUnsupportedCodec)
	}
	p := &relayPeer{w: w, pt: codec.PayloadType}
	rel.mu.Lock()
	rel.stopHoldMusicLocked()
	rel.peer, rel.held = p, false
	rel.markPeer, rel.markCall = true, true
	rel.mu.Unlock()
	go rel.fromPeer(p, r, codec.PayloadType)
	return nil
}

// disconnect drops the peer (and hold music): from now on nothing is written to the
// caller by the relay, so music on hold may be attached.
func (rel *relay) disconnect() {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	rel.stopHoldMusicLocked()
	rel.peer, rel.held = nil, false
}

// hold stops audio both ways and plays music on hold to the caller. Idempotent.
func (rel *relay) hold() error {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	if rel.peer == nil {
		return ErrNotBridged
	}
	if rel.held {
		return nil
	}
	rel.held = true // from here on the relay does not write to the caller
	l, err := rel.moh.add(rel.cw, rel.codec)
	if err != nil {
		return fmt.Errorf("music on hold: %w", err)
	}
	rel.holdMOH = l
	return nil
}

// resume stops the music and reconnects audio both ways. Idempotent.
func (rel *relay) resume() error {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	if rel.peer == nil {
		return ErrNotBridged
	}
	if !rel.held {
		return nil
	}
	rel.stopHoldMusicLocked() // the player no longer writes once this returns
	rel.held = false
	rel.markPeer, rel.markCall = true, true
	return nil
}

func (rel *relay) isHeld() bool {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	return rel.held
}

func (rel *relay) stopHoldMusicLocked() {
	if rel.holdMOH != nil {
		rel.moh.remove(rel.holdMOH)
		rel.holdMOH = nil
	}
}
