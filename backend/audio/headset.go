package audio

import (
	"errors"
	"io"
)

// Headset is a pair of devices for calls: a microphone and an earpiece (often the
// two halves of one USB headset, but any input and output will do). Its OpenAudio
// method is the softphone's AudioDevice (backend/sipua), so the console plugs it in
// as is: both streams are opened when a call is answered and closed when it ends.
type Headset struct {
	Host   *Host
	Input  string // device name, "" for the default
	Output string // device name, "" for the default
}

// OpenAudio opens the microphone and the earpiece.
func (h Headset) OpenAudio() (io.ReadCloser, io.WriteCloser, error) {
	mic, err := h.Host.OpenCapture(h.Input)
	if err != nil {
		return nil, nil, err
	}
	out, err := h.Host.OpenPlayback(h.Output)
	if err != nil {
		return nil, nil, errors.Join(err, mic.Close())
	}
	return mic, out, nil
}
