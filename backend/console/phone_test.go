package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/demo"
	"github.com/concierge-console/concierge/backend/sipua"
)

// events keeps every emitted value by name.
type events struct {
	mu  sync.Mutex
	log []struct {
		name string
		data any
	}
}

func (e *events) Emit(name string, data any) {
	e.mu.Lock()
	e.log = append(e.log, struct {
		name string
		data any
	}{name, data})
	e.mu.Unlock()
}

func (e *events) find(match func(name string, data any) bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, x := range e.log {
		if match(x.name, x.data) {
			return true
		}
	}
	return false
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// nullAudio stands for the headset: silence out, sound in counted. The
// PortAudio path itself is tested against PulseAudio in backend/audio.
type nullAudio struct{ heard *countingWriter }

type countingWriter struct {
	mu sync.Mutex
	n  int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.n += len(p)
	w.mu.Unlock()
	return len(p), nil
}
func (w *countingWriter) Close() error { return nil }
func (w *countingWriter) bytes() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

func (a nullAudio) OpenAudio() (io.ReadCloser, io.WriteCloser, error) {
	return sipua.Paced(bytes.NewReader(make([]byte, 8000*2*60))), a.heard, nil
}

// The built-in softphone registers at login, rings on an offer, is answered
// from the console, hears the caller, and hangs up.
func TestSoftphoneAnswersAnOfferFromTheConsole(t *testing.T) {
	ev := &events{}
	heard := &countingWriter{}
	c := New(Config{Embedded: *embedded(t), Phone: true, Audio: nullAudio{heard}}, ev, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret", Extension: "201"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "softphone registered", func() bool {
		return ev.find(func(n string, d any) bool {
			s, ok := d.(PhoneState)
			return n == "phone:state" && ok && s.State == "registered"
		})
	})

	// A real SIP caller (the demo caller) dials the reception queue.
	done := make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, c.Embedded().SIPAddr(), "reception", demo.Callers(1), demo.WithHold(30*time.Second))
	}()
	var ringing PhoneCall
	waitUntil(t, "the offer rings the softphone", func() bool {
		for _, pc := range c.PhoneCalls() {
			if pc.State == "ringing" && pc.QueueCall != "" {
				ringing = pc
				return true
			}
		}
		return false
	})
	if ringing.Number == "" {
		t.Fatalf("ringing call without caller number: %+v", ringing)
	}
	if err := c.CallAction(ctx, ringing.QueueCall, "answer"); err != nil {
		t.Fatalf("answer from the console: %v", err)
	}
	waitUntil(t, "the softphone hears the caller", func() bool { return heard.bytes() > 8000 })
	s, _ := c.Snapshot()
	if len(s.Queues[0].Calls) != 0 {
		t.Fatalf("call still queued after answer: %+v", s.Queues[0].Calls)
	}
	if err := c.Hangup(ctx, ringing.ID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "call ended", func() bool { return len(c.PhoneCalls()) == 0 })
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo caller: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the caller was not hung up after the attendant hung up")
	}
}

// Hold, resume and a safe transfer to nobody from the console: the call
// comes back as a recall and rings this attendant's softphone again (W10, W14).
func TestConsoleHoldAndSafeTransferRecall(t *testing.T) {
	ev := &events{}
	c := New(Config{Embedded: *embedded(t), Phone: true, Audio: nullAudio{&countingWriter{}}}, ev, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret", Extension: "201"}); err != nil {
		t.Fatal(err)
	}
	go demo.Run(ctx, c.Embedded().SIPAddr(), "reception", demo.Callers(1), demo.WithHold(60*time.Second))
	ringing := func() (PhoneCall, bool) {
		for _, pc := range c.PhoneCalls() {
			if pc.State == "ringing" && pc.QueueCall != "" {
				return pc, true
			}
		}
		return PhoneCall{}, false
	}
	var first PhoneCall
	waitUntil(t, "offer rings", func() (ok bool) { first, ok = ringing(); return ok })
	if err := c.CallAction(ctx, first.QueueCall, "answer"); err != nil {
		t.Fatal(err)
	}
	// Hold at once: the switchboard waits for the media of a call just answered.
	for _, action := range []string{"hold", "resume"} {
		if err := c.CallAction(ctx, first.QueueCall, action); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	if err := c.Transfer(ctx, first.QueueCall, "sips:bad target", true); err == nil || !strings.Contains(err.Error(), "target") {
		t.Fatalf("invalid target: %v", err)
	}
	// "nobody" is neither registered nor reachable (no PBX): a safe transfer
	// comes straight back to the attendant who made it.
	if err := c.Transfer(ctx, first.QueueCall, "nobody", true); err != nil {
		t.Fatalf("transfer: %v", err)
	}
	waitUntil(t, "the recall rings the softphone again", func() bool {
		pc, ok := ringing()
		return ok && pc.ID != first.ID && pc.QueueCall == first.QueueCall
	})
}

type brokenAudio struct{}

func (brokenAudio) OpenAudio() (io.ReadCloser, io.WriteCloser, error) {
	return nil, nil, errors.New("audio: no such device")
}

// No headset: the call is still answered (silently) and the attendant is
// told, rather than the caller being hung up on.
func TestNoAudioDeviceKeepsTheCall(t *testing.T) {
	ev := &events{}
	c := New(Config{Embedded: *embedded(t), Phone: true, Audio: brokenAudio{}}, ev, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Login(ctx, LoginRequest{Username: "admin", Password: "console-secret", Extension: "201"}); err != nil {
		t.Fatal(err)
	}
	go demo.Run(ctx, c.Embedded().SIPAddr(), "reception", demo.Callers(1), demo.WithHold(60*time.Second))
	var pc PhoneCall
	waitUntil(t, "offer rings", func() bool {
		for _, x := range c.PhoneCalls() {
			if x.State == "ringing" {
				pc = x
				return true
			}
		}
		return false
	})
	if err := c.CallAction(ctx, pc.QueueCall, "answer"); err != nil {
		t.Fatalf("answer without a headset: %v", err)
	}
	waitUntil(t, "the attendant is told there is no sound", func() bool {
		return ev.find(func(n string, d any) bool {
			s, ok := d.(PhoneState)
			return n == "phone:state" && ok && strings.Contains(s.Error, "no such device")
		})
	})
	waitUntil(t, "the call stays up, bridged", func() bool {
		a, ok := c.mirrorAttendant("admin")
		return ok && a.OnCall
	})
	if calls := c.PhoneCalls(); len(calls) != 1 || calls[0].State != "active" {
		t.Fatalf("softphone calls after a silent answer: %+v, want the one call active", calls)
	}
}
