package sipua

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/emiago/diago/audio"
	"github.com/emiago/diago/media"
	"github.com/emiago/diago/media/sdp"
)

// voiceCodec converts between the phone's PCM (SampleRate, mono) and one RTP
// payload format.
type voiceCodec interface {
	// clockRate is the RTP timestamp rate, which need not be SampleRate (Opus
	// always counts at 48 kHz).
	clockRate() uint32
	// decode returns a payload's audio as a new slice (the jitter buffer keeps it).
	decode(payload []byte) ([]int16, error)
	// encode compresses one frame (FrameBytes of little-endian PCM) into dst.
	encode(dst, frame []byte) (int, error)
}

// lossRecoverer is a codec that can rebuild lost audio from the packet that
// follows the loss (Opus: in-band FEC when the sender added it, concealment from
// the decoder's state otherwise). Its decoder has state, so it must also see
// packets in order.
type lossRecoverer interface {
	// recover returns samples (a multiple of 2.5 ms) of audio for the gap before next.
	recover(next []byte, samples int) ([]int16, error)
}

// maxPayload bounds an encoded frame: an Opus frame is at most 1275 bytes, and a
// G.711 frame is FrameSamples.
const maxPayload = 1500

func newVoiceCodec(c media.Codec) (voiceCodec, error) {
	switch strings.ToLower(c.Name) {
	case "pcmu":
		return g711{audio.EncodeUlawTo, audio.DecodeUlawTo}, nil
	case "pcma":
		return g711{audio.EncodeAlawTo, audio.DecodeAlawTo}, nil
	case "opus":
		return newOpus()
	}
	return nil, fmt.Errorf("sipua: negotiated codec %s is not supported (want Opus, PCMU or PCMA)", c.Name)
}

// g711 converts between 16-bit PCM and one of the G.711 laws.
type g711 struct {
	enc func(dst, lpcm []byte) (int, error)
	dec func(dst, law []byte) (int, error)
}

func (g711) clockRate() uint32 { return SampleRate }

func (g g711) decode(payload []byte) ([]int16, error) {
	lpcm := make([]byte, 2*len(payload))
	k, err := g.dec(lpcm, payload)
	if err != nil {
		return nil, err
	}
	return pcmFromBytes(make([]int16, 0, k/2), lpcm[:k]), nil
}

func (g g711) encode(dst, frame []byte) (int, error) { return g.enc(dst, frame) }

func pcmFromBytes(dst []int16, b []byte) []int16 {
	for i := 0; i+1 < len(b); i += 2 {
		dst = append(dst, int16(binary.LittleEndian.Uint16(b[i:])))
	}
	return dst
}

// isOpus reports whether c is Opus (RFC 7587: always opus/48000/2 in SDP).
func isOpus(c media.Codec) bool { return strings.EqualFold(c.Name, media.CodecAudioOpus.Name) }

// answerCodecs picks what to answer an offer with. Opus, when both sides have it,
// is answered alone (with the auxiliary formats), whatever the offer's order: it
// sounds better than G.711 and copes with loss. Otherwise the answer is the
// configured list without Opus, in the offer's order, as before Opus existed.
func answerCodecs(local []media.Codec, offer []byte) []media.Codec {
	var opus *media.Codec
	rest := make([]media.Codec, 0, len(local))
	for i, c := range local {
		if isOpus(c) {
			if opus == nil {
				opus = &local[i]
			}
			continue
		}
		rest = append(rest, c)
	}
	if opus == nil || len(rest) == 0 {
		return local // an empty list would make diago accept any codec
	}
	if !offersOpus(offer) {
		return rest
	}
	out := []media.Codec{*opus}
	for _, c := range rest {
		if c.IsAuxiliary() {
			out = append(out, c)
		}
	}
	return out
}

// offersOpus reports whether an SDP offer has Opus in its audio stream. An offer
// that cannot be parsed is left to diago to reject.
func offersOpus(offer []byte) bool {
	sd := sdp.SessionDescription{} // a map, filled by Unmarshal
	if err := sdp.Unmarshal(offer, &sd); err != nil {
		return false
	}
	md, err := sd.MediaDescription("audio")
	if err != nil {
		return false
	}
	codecs := make([]media.Codec, len(md.Formats))
	n, _ := media.CodecsFromSDPRead(md.Formats, sd.Values("a"), codecs)
	for _, c := range codecs[:n] {
		if c.Matches(media.CodecAudioOpus) {
			return true
		}
	}
	return false
}
