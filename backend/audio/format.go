package audio

import (
	"encoding/binary"
	"time"
)

// The telephone format every stream of this package speaks.
const (
	SampleRate    = 8000                  // samples per second
	FrameDuration = 20 * time.Millisecond // one RTP packet of G.711
	FrameSamples  = SampleRate * int(FrameDuration/time.Millisecond) / 1000
	FrameBytes    = FrameSamples * 2 // signed 16-bit little-endian, mono
)

// samplesFromBytes decodes little-endian int16 PCM. len(b) must be even.
func samplesFromBytes(dst []int16, b []byte) []int16 {
	for i := 0; i+1 < len(b); i += 2 {
		dst = append(dst, int16(binary.LittleEndian.Uint16(b[i:])))
	}
	return dst
}

// bytesFromSamples encodes int16 PCM little-endian.
func bytesFromSamples(dst []byte, s []int16) []byte {
	for _, v := range s {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
	}
	return dst
}
