//go:build !linux

package audio

import (
	"errors"
	"os/exec"
)

// The device tests drive a private PulseAudio null sink, which is a Linux rig.
type pulseServer struct{ cmd *exec.Cmd }

func startPulse() (*pulseServer, error) {
	return nil, errors.New("the PulseAudio test rig needs Linux")
}

func (p *pulseServer) stop() {}
