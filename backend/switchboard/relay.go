package switchboard

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

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
	stats *relayStats
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
	// muted drops the peer's audio to the caller (W11, for attendants whose
	// microphone the console does not own: desk phones).
	muted bool

	// A consultation (W9): consult is the consulted target's leg. With onTarget the
	// attendant (peer) and the target hear each other while the caller is held;
	// without it the attendant talks to the caller and the target hears music
	// (consultMOH). See consultConnect, swap, consultEnd and complete.
	consult    *relayPeer
	onTarget   bool
	consultMOH *mohListener
	markCons   bool // next packet to the consult target starts a new talk spurt
}

// relayPeer is the far leg: an attendant's phone or a transfer target.
type relayPeer struct {
	w  *media.RTPPacketWriter
	pt uint8
}

// newRelay starts reading the caller's media. Call it once per call, after the caller's
// stale RTP has been drained; the reader goroutine ends when the caller's media closes.
func newRelay(in *diago.DialogMedia, moh *mohPlayer, stats *relayStats, log *slog.Logger) (*relay, error) {
	r, w, err := rtpEnds(in)
	if err != nil {
		return nil, fmt.Errorf("caller media: %w", err)
	}
	rel := &relay{stats: stats, log: log, moh: moh, cw: w, codec: media.CodecAudioFromSession(in.MediaSession())}
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
		rel.stats.in.Add(1)
		rel.mu.Lock()
		if p := rel.peer; p != nil && !rel.held {
			rel.stats.count(p.w.WriteSamples(buf[:n], uint32(n), rel.markPeer, p.pt)) // a dead peer is noticed by its dialog
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
		rel.stats.in.Add(1)
		rel.mu.Lock()
		switch {
		case rel.peer == p && rel.consult != nil && rel.onTarget:
			rel.stats.count(rel.consult.w.WriteSamples(buf[:n], uint32(n), rel.markCons, rel.consult.pt))
			rel.markCons = false
		case rel.peer == p && !rel.held && !rel.muted:
			rel.stats.count(rel.cw.WriteSamples(buf[:n], uint32(n), rel.markCall, rel.codec.PayloadType))
			rel.markCall = false
		case rel.consult == p && rel.onTarget && rel.peer != nil:
			rel.stats.count(rel.peer.w.WriteSamples(buf[:n], uint32(n), rel.markPeer, rel.peer.pt))
			rel.markPeer = false
		}
		rel.mu.Unlock()
	}
}

// connect makes m the caller's peer, not on hold. The caller must not be hearing the
// waiting music (c.moh) any more. m's reader goroutine ends when m's media closes.
func (rel *relay) connect(m *diago.DialogMedia) error {
	p, r, err := rel.newPeer(m)
	if err != nil {
		return err
	}
	rel.mu.Lock()
	rel.stopHoldMusicLocked()
	rel.peer, rel.held, rel.muted = p, false, false
	rel.markPeer, rel.markCall = true, true
	rel.mu.Unlock()
	go rel.fromPeer(p, r, p.pt)
	return nil
}

// newPeer checks a far leg's codec against the caller's and returns its ends.
func (rel *relay) newPeer(m *diago.DialogMedia) (*relayPeer, *media.RTPPacketReader, error) {
	r, w, err := rtpEnds(m)
	if err != nil {
		return nil, nil, fmt.Errorf("peer media: %w", err)
	}
	codec := media.CodecAudioFromSession(m.MediaSession())
	if codec.PayloadType != rel.codec.PayloadType || codec.Name != rel.codec.Name {
		return nil, nil, fmt.Errorf("peer codec %s differs from the caller's %s: %w", codec.Name, rel.codec.Name, errUnsupportedCodec)
	}
	return &relayPeer{w: w, pt: codec.PayloadType}, r, nil
}

// disconnect drops the peer (and hold music): from now on nothing is written to the
// caller by the relay, so music on hold may be attached.
func (rel *relay) disconnect() {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	rel.stopHoldMusicLocked()
	rel.stopConsultMusicLocked()
	rel.peer, rel.held, rel.muted = nil, false, false
	rel.consult, rel.onTarget = nil, false
}

// hold stops audio both ways and plays music on hold to the caller. Idempotent.
func (rel *relay) hold() error {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	if rel.peer == nil {
		return ErrNotBridged
	}
	return rel.holdLocked()
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

// relayState is what the workspace shows of a relay.
type relayState struct {
	held     bool // the caller hears music
	muted    bool
	consult  bool // a consulted target is connected
	onTarget bool // ... and the attendant talks to it
}

func (rel *relay) state() relayState {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	return relayState{held: rel.held, muted: rel.muted, consult: rel.consult != nil, onTarget: rel.onTarget}
}

// setMuted drops (or passes again) the attendant's audio to the caller (W11).
func (rel *relay) setMuted(on bool) error {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	if rel.peer == nil {
		return ErrNotBridged
	}
	if rel.muted && !on {
		rel.markCall = true
	}
	rel.muted = on
	return nil
}

// consultConnect connects the answered consultation target m (W9): the caller is held
// (music) and the attendant and the target hear each other. m's reader goroutine ends
// when m's media closes.
func (rel *relay) consultConnect(m *diago.DialogMedia) error {
	t, r, err := rel.newPeer(m)
	if err != nil {
		return err
	}
	rel.mu.Lock()
	if rel.peer == nil {
		rel.mu.Unlock()
		return ErrNotBridged
	}
	if err := rel.holdLocked(); err != nil {
		rel.mu.Unlock()
		return err
	}
	rel.consult, rel.onTarget = t, true
	rel.markPeer, rel.markCons = true, true
	rel.mu.Unlock()
	go rel.fromPeer(t, r, t.pt)
	return nil
}

// swap toggles whom the attendant talks to during a consultation; the other party hears
// music on hold. It reports whether the attendant now talks to the target.
func (rel *relay) swap() (onTarget bool, err error) {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	if rel.peer == nil || rel.consult == nil {
		return false, ErrNotConsulting
	}
	if rel.onTarget {
		// To the caller: the target stops being written by the relay before its music starts.
		rel.onTarget = false
		l, err := rel.moh.add(rel.consult.w, rel.codec)
		if err != nil {
			return true, fmt.Errorf("music on hold for the consulted target: %w", err)
		}
		rel.consultMOH = l
		rel.stopHoldMusicLocked()
		rel.held = false
		rel.markPeer, rel.markCall = true, true
		return false, nil
	}
	rel.stopConsultMusicLocked()
	if err := rel.holdLocked(); err != nil {
		return false, err
	}
	rel.onTarget = true
	rel.markPeer, rel.markCons = true, true
	return true, nil
}

// consultEnd forgets the consulted target (it hung up or is being hung up) and returns
// the attendant to the caller, off hold.
func (rel *relay) consultEnd() {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	rel.stopConsultMusicLocked()
	rel.consult, rel.onTarget = nil, false
	if rel.peer != nil {
		rel.stopHoldMusicLocked()
		rel.held = false
		rel.markPeer, rel.markCall = true, true
	}
}

// toTarget keeps the attendant with the consulted target once the caller is gone.
func (rel *relay) toTarget() {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	if rel.consult == nil {
		return
	}
	rel.stopConsultMusicLocked()
	rel.stopHoldMusicLocked()
	rel.held, rel.onTarget = true, true
	rel.markPeer, rel.markCons = true, true
}

// complete joins the caller and the consulted target (W9): the target becomes the
// caller's peer and the attendant's leg is left out (it is hung up by its owner).
func (rel *relay) complete() error {
	rel.mu.Lock()
	defer rel.mu.Unlock()
	if rel.consult == nil {
		return ErrNotConsulting
	}
	rel.stopConsultMusicLocked()
	rel.stopHoldMusicLocked()
	rel.peer, rel.consult = rel.consult, nil
	rel.held, rel.onTarget, rel.muted = false, false, false
	rel.markPeer, rel.markCall = true, true
	return nil
}

// holdLocked puts the caller on music; rel.mu is held.
func (rel *relay) holdLocked() error {
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

func (rel *relay) stopConsultMusicLocked() {
	if rel.consultMOH != nil {
		rel.moh.remove(rel.consultMOH)
		rel.consultMOH = nil
	}
}

// relayStats counts the audio packets every relay of a switchboard reads and writes.
// Packets read but neither written nor failed were not meant to go anywhere (held,
// muted, a leg being replaced).
type relayStats struct {
	in, out, failed atomic.Int64
}

func (st *relayStats) count(_ int, err error) {
	if err != nil {
		st.failed.Add(1)
		return
	}
	st.out.Add(1)
}
