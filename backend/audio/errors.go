package audio

import "errors"

var (
	// ErrNoDevice means the requested device does not exist (or there is no default
	// device of that direction): unplugged, renamed, or no sound card at all.
	ErrNoDevice = errors.New("audio: no such device")
	// ErrDeviceGone means a stream failed while in use, typically because the headset
	// was unplugged or the sound server went away. The stream is unusable; open a new
	// one, on another device if need be.
	ErrDeviceGone = errors.New("audio: device stopped working")
	// ErrUnsupported means the device accepts neither 8 kHz nor its own default rate
	// in mono 16-bit.
	ErrUnsupported = errors.New("audio: device does not support a usable format")
	// ErrClosed is returned by reads and writes after Close.
	ErrClosed = errors.New("audio: stream closed")
)
