package audio

import (
	_ "unsafe" // for go:linkname

	_ "github.com/gordonklaus/portaudio" // the variable below lives there
)

// The portaudio binding hands PortAudio each stream's small integer id (0, 1, 2, …)
// disguised as a C user-data pointer. Under -race (and -msan) the compiler's checkptr
// instrumentation aborts the process on any such "pointer" between 1 and 4095, i.e.
// on the second stream a process opens. Starting the ids above that range keeps the
// binding usable in race-enabled tests and changes nothing else: the id is only a
// map key, never dereferenced.
//
//go:linkname portaudioNextID github.com/gordonklaus/portaudio.nextID
var portaudioNextID uintptr

func init() {
	paMu.Lock()
	defer paMu.Unlock()
	if portaudioNextID < 1<<16 {
		portaudioNextID = 1 << 16
	}
}
