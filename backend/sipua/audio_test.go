package sipua

import (
	"testing"
	"time"
)

func TestPacedReaderKeepsRealTime(t *testing.T) {
	r := Paced(&tone{freq: 1000})
	defer r.Close()
	buf := make([]byte, 4*FrameBytes) // asks for more: gets one frame per read
	start := time.Now()
	for range 10 {
		n, err := r.Read(buf)
		if err != nil || n != FrameBytes {
			t.Fatalf("read %d, %v", n, err)
		}
	}
	// 10 frames: the first at once, then 9 × 20 ms.
	if d := time.Since(start); d < 170*time.Millisecond || d > 400*time.Millisecond {
		t.Fatalf("10 frames took %v, want about 180 ms", d)
	}
	done := make(chan error, 1)
	go func() { _, err := r.Read(buf); _, err = r.Read(buf); done <- err }()
	r.Close()
	if err := <-done; err == nil {
		t.Fatal("Read after Close succeeded")
	}
}
