package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/concierge-console/concierge/backend/audio"
	"github.com/concierge-console/concierge/backend/sipua"
)

// PhoneState is what the status bar shows about the built-in softphone.
type PhoneState struct {
	State string `json:"state"` // off, registering, registered, failed, unreachable
	Error string `json:"error,omitempty"`
}

// PhoneCall is a call on the built-in softphone, as the workspace shows it.
type PhoneCall struct {
	ID         string `json:"id"`         // the softphone's handle (SIP Call-ID)
	QueueCall  string `json:"queueCall"`  // the switchboard's call ID, when it came from a queue
	Name       string `json:"name"`       // caller's display name
	Number     string `json:"number"`     // caller's number
	State      string `json:"state"`      // ringing, active, ended
	AutoAnswer bool   `json:"autoAnswer"` // answered at once (pickup, answer from the console)
	Muted      bool   `json:"muted"`
	Since      string `json:"since"` // RFC 3339: when the current state began
}

// softphone is the console's built-in phone for one session: registered at
// the switchboard with the attendant's credentials, it rings on offers and
// connects pickups at once (the switchboard sends them with auto-answer).
type softphone struct {
	log     *slog.Logger
	emit    Emitter
	phone   *sipua.Phone
	host    *audio.Host
	devices func() DeviceSettings // the attendant's choice at the time of each call

	mu     sync.Mutex
	state  PhoneState
	calls  map[string]*PhoneCall
	ringer context.CancelFunc
}

// headerCallID is how the switchboard names the queue call it rings us for.
const headerCallID = "X-Concierge-Call-ID"

func startSoftphone(ctx context.Context, log *slog.Logger, emit Emitter, dev sipua.AudioDevice, devices func() DeviceSettings, server, realm, user, password string) (*softphone, error) {
	sp := &softphone{log: log, emit: emit, host: audio.New(audio.WithLogger(log)), calls: map[string]*PhoneCall{}, devices: devices}
	if dev == nil {
		dev = chosenHeadset{host: sp.host, devices: devices}
	}
	dev = fallbackAudio{dev: dev, failed: sp.audioFailed}
	contact := "0.0.0.0"
	if host, _, err := net.SplitHostPort(server); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			contact = host // a local switchboard: stay on loopback
		}
	}
	phone, err := sipua.New(sipua.Config{Server: server, Username: user, Password: password, Realm: realm, Contact: contact},
		sipua.WithLogger(log),
		sipua.WithAudio(dev),
		sipua.WithOnIncoming(sp.incoming),
		sipua.WithOnCallEnded(sp.ended),
		sipua.WithOnRegistration(sp.registration),
	)
	if err != nil {
		return nil, fmt.Errorf("softphone: %w", err)
	}
	sp.phone = phone
	sp.setState(PhoneState{State: "registering"})
	go func() {
		// Failures arrive through the registration callback as well.
		if err := phone.Register(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("softphone: register", "server", server, "err", err)
		}
	}()
	return sp, nil
}

func (sp *softphone) registration(r sipua.Registration) {
	st := PhoneState{}
	switch r.State {
	case sipua.Registered:
		st.State = "registered"
	case sipua.RegFailed:
		st.State = "failed"
	case sipua.RegUnreachable:
		st.State = "unreachable"
	default:
		st.State = "off"
	}
	if r.Err != nil {
		st.Error = r.Err.Error()
	}
	sp.setState(st)
}

func (sp *softphone) setState(st PhoneState) {
	sp.mu.Lock()
	sp.state = st
	sp.mu.Unlock()
	sp.emit.Emit("phone:state", st)
}

// State is the registration state, for a front-end that (re)loads.
func (sp *softphone) State() PhoneState {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.state
}

func (sp *softphone) incoming(c *sipua.Call) {
	pc := &PhoneCall{
		ID: c.ID, QueueCall: c.Header(headerCallID), Name: c.From.Name, Number: c.From.Number,
		State: "ringing", AutoAnswer: c.AutoAnswer, Since: time.Now().UTC().Format(time.RFC3339Nano),
		Muted: sp.phone.Muted(),
	}
	if c.AutoAnswer {
		pc.State = "active"
	}
	sp.mu.Lock()
	sp.calls[c.ID] = pc
	if !c.AutoAnswer && sp.ringer == nil {
		ctx, cancel := context.WithCancel(context.Background())
		sp.ringer = cancel
		d := sp.devices()
		tone, ok := audio.RingtoneByName(d.Ringtone)
		if !ok {
			tone = audio.Ringtones[0]
		}
		go func() {
			if err := sp.host.Ring(ctx, d.Ringer, tone); err != nil {
				sp.log.Warn("softphone: ringer", "err", err)
			}
		}()
	}
	snapshot := *pc
	sp.mu.Unlock()
	sp.emit.Emit("phone:call", snapshot)
}

func (sp *softphone) ended(c *sipua.Call) {
	sp.mu.Lock()
	pc := sp.calls[c.ID]
	delete(sp.calls, c.ID)
	ringing := false
	for _, x := range sp.calls {
		ringing = ringing || x.State == "ringing"
	}
	if !ringing {
		sp.stopRinging()
	}
	sp.mu.Unlock()
	if pc != nil {
		pc.State, pc.Since = "ended", time.Now().UTC().Format(time.RFC3339Nano)
		sp.emit.Emit("phone:call", *pc)
	}
}

// stopRinging silences the ringer; sp.mu must be held.
func (sp *softphone) stopRinging() {
	if sp.ringer != nil {
		sp.ringer()
		sp.ringer = nil
	}
}

// Calls lists the softphone's calls.
func (sp *softphone) Calls() []PhoneCall {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	out := make([]PhoneCall, 0, len(sp.calls))
	for _, c := range sp.calls {
		out = append(out, *c)
	}
	return out
}

// ringingFor returns the ringing call the switchboard offers queueCall on.
func (sp *softphone) ringingFor(queueCall string) (string, bool) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for _, c := range sp.calls {
		if c.QueueCall == queueCall && c.State == "ringing" {
			return c.ID, true
		}
	}
	return "", false
}

func (sp *softphone) answer(ctx context.Context, id string) error {
	if err := sp.phone.Answer(ctx, id); err != nil {
		return fmt.Errorf("answer on the softphone: %w", err)
	}
	sp.mu.Lock()
	pc := sp.calls[id]
	var snapshot PhoneCall
	if pc != nil {
		pc.State, pc.Since = "active", time.Now().UTC().Format(time.RFC3339Nano)
		snapshot = *pc
	}
	sp.stopRinging()
	sp.mu.Unlock()
	if pc != nil {
		sp.emit.Emit("phone:call", snapshot)
	}
	return nil
}

func (sp *softphone) hangup(ctx context.Context, id string) error { return sp.phone.Hangup(ctx, id) }

func (sp *softphone) mute(on bool) {
	sp.phone.Mute(on)
	sp.mu.Lock()
	var changed []PhoneCall
	for _, c := range sp.calls {
		c.Muted = on
		changed = append(changed, *c)
	}
	sp.mu.Unlock()
	for _, c := range changed {
		sp.emit.Emit("phone:call", c)
	}
}

func (sp *softphone) close() {
	sp.mu.Lock()
	sp.stopRinging()
	sp.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := sp.phone.Close(ctx); err != nil {
		sp.log.Warn("softphone: close", "err", err)
	}
	sp.emit.Emit("phone:state", PhoneState{State: "off"})
}

// fallbackAudio connects a call without sound when the headset cannot be
// opened (unplugged, no sound server), instead of hanging up on the caller;
// the attendant is told why there is no sound.
type fallbackAudio struct {
	dev    sipua.AudioDevice
	failed func(error)
}

func (f fallbackAudio) OpenAudio() (io.ReadCloser, io.WriteCloser, error) {
	mic, spk, err := f.dev.OpenAudio()
	if err == nil {
		return mic, spk, nil
	}
	f.failed(err)
	return sipua.Paced(silence{}), discard{}, nil
}

type silence struct{}

func (silence) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Close() error                { return nil }

func (sp *softphone) audioFailed(err error) {
	sp.log.Error("softphone: no sound for this call", "err", err)
	sp.mu.Lock()
	st := sp.state
	sp.mu.Unlock()
	st.Error = "no sound: " + err.Error()
	sp.emit.Emit("phone:state", st)
}

// sipTarget turns the switchboard's SIP listen address into one this
// console can reach: an unspecified host (0.0.0.0, ::) is the API's host.
func sipTarget(sip, apiBase string) (string, error) {
	host, port, err := net.SplitHostPort(sip)
	if err != nil {
		return "", fmt.Errorf("switchboard SIP address %q: %w", sip, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		u, err := url.Parse(apiBase)
		if err != nil {
			return "", fmt.Errorf("switchboard address %q: %w", apiBase, err)
		}
		host = u.Hostname()
	}
	return net.JoinHostPort(host, port), nil
}
