//go:build !cgo

package sipua

import (
	"errors"

	"github.com/emiago/diago/media"
)

// opusCodecs is empty without cgo: libopus cannot be linked, so Opus is neither
// offered nor accepted, and calls use G.711.
var opusCodecs []media.Codec

func newOpus() (voiceCodec, error) {
	return nil, errors.New("sipua: Opus needs a build with cgo and libopus")
}
