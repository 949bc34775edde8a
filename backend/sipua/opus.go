//go:build cgo

package sipua

import (
	"errors"
	"fmt"
	"slices"

	"github.com/emiago/diago/media"
	"gopkg.in/hraban/opus.v2"
)

// opusCodecs is Opus, first in the offer: the phone has libopus.
var opusCodecs = []media.Codec{media.CodecAudioOpus}

// opusCodec runs libopus at the phone's rate: the encoder takes 8 kHz mono and
// the decoder renders whatever bandwidth the far end sends at 8 kHz mono (libopus
// resamples internally). RTP timestamps still count at 48 kHz (RFC 7587).
// encode runs on the sending goroutine and decode/recover on the receiving one:
// they share nothing.
type opusCodec struct {
	enc *opus.Encoder
	pcm []int16 // encode scratch, one frame
	dec *opus.Decoder
	out []int16 // decode scratch, the longest packet
}

// opusMaxSamples is the longest Opus packet, 120 ms, at SampleRate.
const opusMaxSamples = 120 * SampleRate / 1000

func newOpus() (voiceCodec, error) {
	enc, err := opus.NewEncoder(SampleRate, 1, opus.AppVoIP)
	if err != nil {
		return nil, fmt.Errorf("sipua: opus encoder: %w", err)
	}
	// 24 kb/s: a third of G.711's, plenty for narrowband speech, and enough for
	// libopus to add in-band FEC, which lets the far end rebuild a lost packet from
	// the next one (it only does so when the expected loss is above zero).
	if err := errors.Join(enc.SetBitrate(24000), enc.SetInBandFEC(true), enc.SetPacketLossPerc(5)); err != nil {
		return nil, fmt.Errorf("sipua: opus encoder settings: %w", err)
	}
	dec, err := opus.NewDecoder(SampleRate, 1)
	if err != nil {
		return nil, fmt.Errorf("sipua: opus decoder: %w", err)
	}
	return &opusCodec{enc: enc, pcm: make([]int16, 0, FrameSamples), dec: dec, out: make([]int16, opusMaxSamples)}, nil
}

func (*opusCodec) clockRate() uint32 { return media.CodecAudioOpus.SampleRate }

func (o *opusCodec) decode(payload []byte) ([]int16, error) {
	n, err := o.dec.Decode(payload, o.out)
	if err != nil {
		return nil, fmt.Errorf("opus decode: %w", err)
	}
	return slices.Clone(o.out[:n]), nil
}

func (o *opusCodec) encode(dst, frame []byte) (int, error) {
	o.pcm = pcmFromBytes(o.pcm[:0], frame)
	n, err := o.enc.Encode(o.pcm, dst)
	if err != nil {
		return 0, fmt.Errorf("opus encode: %w", err)
	}
	return n, nil
}

func (o *opusCodec) recover(next []byte, samples int) ([]int16, error) {
	pcm := make([]int16, samples)
	if err := o.dec.DecodeFEC(next, pcm); err != nil {
		return nil, fmt.Errorf("opus FEC: %w", err)
	}
	return pcm, nil
}
