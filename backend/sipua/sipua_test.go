package sipua

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newTestPhone creates a phone for user on the given registrar, listening on
// loopback, with a 1 kHz tone as microphone and a memSpeaker.
func newTestPhone(t *testing.T, server, user, password string, opts ...Option) (*Phone, *memSpeaker) {
	t.Helper()
	spk := &memSpeaker{}
	dev := AudioDeviceFunc(func() (io.ReadCloser, io.WriteCloser, error) {
		spk.mu.Lock()
		spk.closed = false
		spk.mu.Unlock()
		return Paced(&tone{freq: 1000}), spk, nil
	})
	all := append([]Option{WithLogger(testLogger(t)), WithAudio(dev)}, opts...)
	p, err := New(Config{Server: server, Username: user, Password: password, Contact: "127.0.0.1", Expires: time.Minute}, all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p, spk
}

type regLog struct {
	mu  sync.Mutex
	all []Registration
}

func (l *regLog) add(r Registration) { l.mu.Lock(); l.all = append(l.all, r); l.mu.Unlock() }
func (l *regLog) count(s RegState) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.all {
		if r.State == s {
			n++
		}
	}
	return n
}

func TestRegisterWithKamailio(t *testing.T) {
	kam := startKamailio(t)

	t.Run("right password, refreshed before expiry", func(t *testing.T) {
		var log regLog
		p, _ := newTestPhone(t, kam, "alice", testPassword, WithOnRegistration(log.add))
		// Ask for 2 s: the phone must refresh at about 1 s.
		p.cfg.Expires = 2 * time.Second
		if err := p.Register(context.Background()); err != nil {
			t.Fatalf("Register: %v", err)
		}
		st := p.RegistrationState()
		if st.State != Registered || st.Expires != 2*time.Second {
			t.Fatalf("state %v expires %v, want registered for 2s", st.State, st.Expires)
		}
		waitFor(t, 3*time.Second, "a refresh", func() bool { return log.count(Registered) >= 3 })
		if err := p.Unregister(context.Background()); err != nil {
			t.Fatalf("Unregister: %v", err)
		}
		if s := p.RegistrationState().State; s != Unregistered {
			t.Fatalf("after Unregister: %v", s)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		var log regLog
		p, _ := newTestPhone(t, kam, "bob", "not-the-password", WithOnRegistration(log.add))
		err := p.Register(context.Background())
		var re *RegistrationError
		if !errors.Is(err, ErrRegistrationRefused) || !errors.As(err, &re) || re.Code != 401 {
			t.Fatalf("Register: want a 401 refusal, got %v", err)
		}
		if !strings.HasPrefix(err.Error(), "SIP registration refused: 401") || !strings.Contains(err.Error(), "password") {
			t.Fatalf("unclear message: %q", err)
		}
		if log.count(RegFailed) != 1 || p.RegistrationState().State != RegFailed {
			t.Fatalf("callback saw %+v", log.all)
		}
	})

	t.Run("account refused with 403", func(t *testing.T) {
		p, _ := newTestPhone(t, kam, "frozen", testPassword)
		err := p.Register(context.Background())
		if err == nil || !strings.HasPrefix(err.Error(), "SIP registration refused: 403 Forbidden") {
			t.Fatalf("Register: want 403 refusal, got %v", err)
		}
	})
}

func TestRegisterUnreachable(t *testing.T) {
	var log regLog
	dead := fmt.Sprintf("127.0.0.1:%d", freePort(t)) // nothing listens there
	p, _ := newTestPhone(t, dead, "carol", "x", WithOnRegistration(log.add),
		WithRequestTimeout(300*time.Millisecond), WithRetryInterval(200*time.Millisecond))
	start := time.Now()
	err := p.Register(context.Background())
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Register: want ErrUnreachable, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v to give up", d)
	}
	// It keeps trying in the background.
	waitFor(t, 3*time.Second, "a retry", func() bool { return log.count(RegUnreachable) >= 2 })
}

// TestIncomingCallAudio: SIPp calls the registered softphone through Kamailio and
// plays G.711 A-law; the test answers, checks the caller ID, that the caller's
// audio reaches the speaker, that the microphone's tone reaches the caller, and
// that mute silences the microphone without stopping the far end's audio.
func TestIncomingCallAudio(t *testing.T) {
	kam := startKamailio(t)
	incoming := make(chan *Call, 1)
	ended := make(chan *Call, 1)
	p, spk := newTestPhone(t, kam, "attendant", testPassword,
		WithOnIncoming(func(c *Call) { incoming <- c }),
		WithOnCallEnded(func(c *Call) { ended <- c }))
	if err := p.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	sink := newRTPSink(t)
	res := runCaller(t, kam, "attendant", callerParams{MediaPort: sink.port(), Hold: 2500, RemoteHangup: true})

	var c *Call
	select {
	case c = <-incoming:
	case err := <-res:
		t.Fatalf("caller ended before the phone rang: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no incoming call")
	}
	if c.From.Number != "0612345678" || c.From.Name != "Reception Caller" || c.AutoAnswer || c.State() != Ringing {
		t.Fatalf("call %+v state %v", c.From, c.State())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Answer(ctx, c.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	answered := time.Now()

	// Caller → speaker.
	waitFor(t, 2*time.Second, "the caller's audio at the speaker", func() bool {
		_, a := spk.counts()
		return a >= 10
	})
	// Microphone → caller.
	waitFor(t, 2*time.Second, "the microphone's tone at the caller", func() bool {
		_, a := sink.count(answered, time.Now().Add(time.Hour))
		return a >= 25
	})

	p.Mute(true)
	muted := time.Now()
	_, heardBefore := spk.counts()
	time.Sleep(600 * time.Millisecond)
	// Allow a couple of frames already in flight when Mute was called.
	pk, audible := sink.count(muted.Add(60*time.Millisecond), time.Now())
	if pk < 20 {
		t.Fatalf("muted: only %d RTP packets in 540 ms; mute must keep RTP flowing", pk)
	}
	if audible > 0 {
		t.Fatalf("muted: %d of %d packets still carry the microphone's tone", audible, pk)
	}
	if _, heard := spk.counts(); heard <= heardBefore {
		t.Fatalf("muted: the far end is no longer heard (%d → %d audible frames)", heardBefore, heard)
	}
	p.Mute(false)

	select {
	case err := <-res:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("caller did not finish")
	}
	select {
	case e := <-ended:
		if e.EndReason() != "remote hangup" {
			t.Fatalf("end reason %q", e.EndReason())
		}
	case <-time.After(3 * time.Second):
		t.Fatal("call did not end after the caller's BYE")
	}
	st := c.AudioStats()
	frames, heard := spk.counts()
	t.Logf("audio: %+v; speaker got %d frames, %d audible", st, frames, heard)
	if !strings.EqualFold(st.Codec, "PCMA") || st.PacketsReceived < 50 || st.PacketsSent < 50 {
		t.Fatalf("stats %+v", st)
	}
}

// TestAutoAnswer: an INVITE with Call-Info answer-after=0 (what the switchboard sends
// for a direct pickup) is answered without Answer; Hangup then sends the BYE.
func TestAutoAnswer(t *testing.T) {
	kam := startKamailio(t)
	for _, hdr := range []string{
		"Call-Info: <sip:127.0.0.1>;answer-after=0",
		"Alert-Info: <http://localhost>;info=alert-autoanswer;delay=0",
	} {
		t.Run(strings.SplitN(hdr, ":", 2)[0], func(t *testing.T) {
			incoming := make(chan *Call, 1)
			p, spk := newTestPhone(t, kam, "picker", testPassword, WithOnIncoming(func(c *Call) { incoming <- c }))
			if err := p.Register(context.Background()); err != nil {
				t.Fatal(err)
			}
			sink := newRTPSink(t)
			res := runCaller(t, kam, "picker", callerParams{ExtraHeaders: []string{hdr}, MediaPort: sink.port(), Hold: 8000})
			var c *Call
			select {
			case c = <-incoming:
			case err := <-res:
				t.Fatalf("caller ended first: %v", err)
			case <-time.After(5 * time.Second):
				t.Fatal("no incoming call")
			}
			if !c.AutoAnswer || c.State() != Answered {
				t.Fatalf("auto-answer %v state %v", c.AutoAnswer, c.State())
			}
			waitFor(t, 2*time.Second, "audio both ways", func() bool {
				_, heard := spk.counts()
				_, sent := sink.count(c.ReceivedAt, time.Now().Add(time.Hour))
				return heard > 5 && sent > 5
			})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := p.Hangup(ctx, c.ID); err != nil {
				t.Fatalf("Hangup: %v", err)
			}
			if c.EndReason() != "local hangup" {
				t.Fatalf("end reason %q", c.EndReason())
			}
			select {
			case err := <-res:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("caller did not see the BYE")
			}
			if err := p.Hangup(ctx, c.ID); !errors.Is(err, ErrNoSuchCall) {
				t.Fatalf("second Hangup: %v", err)
			}
		})
	}
}

// TestDeclineRingingCall: Hangup on a call that is still ringing refuses it with
// 603 Decline, and the attendant's microphone is never opened.
func TestDeclineRingingCall(t *testing.T) {
	kam := startKamailio(t)
	incoming := make(chan *Call, 1)
	var opened atomic.Bool
	p, _ := newTestPhone(t, kam, "decliner", testPassword, WithOnIncoming(func(c *Call) { incoming <- c }),
		WithAudio(AudioDeviceFunc(func() (io.ReadCloser, io.WriteCloser, error) {
			opened.Store(true)
			return nil, nil, errors.New("must not be opened")
		})))
	if err := p.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := runCaller(t, kam, "decliner", callerParams{MediaPort: freePort(t), Decline: true})
	var c *Call
	select {
	case c = <-incoming:
	case err := <-res:
		t.Fatalf("caller ended first: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no incoming call")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Hangup(ctx, c.ID); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	select {
	case err := <-res:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("caller never got the 603")
	}
	if c.EndReason() != "declined" || c.State() != Ended || opened.Load() {
		t.Fatalf("reason %q state %v audio opened %v", c.EndReason(), c.State(), opened.Load())
	}
	if err := p.Answer(ctx, c.ID); !errors.Is(err, ErrNoSuchCall) {
		t.Fatalf("Answer after decline: %v", err)
	}
}
