// Package console is the attendant console's Go side, without any UI
// toolkit: it connects to a switchboard (or runs one in-process), keeps a
// mirror of its state from the event stream, and reports changes through an
// Emitter. The Wails services and the browser bridge in app/ are thin
// wrappers around it.
package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/cache"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/favorites"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/server"
	"github.com/concierge-console/concierge/backend/sipua"
)

// Emitter delivers named events to the front-end. Event names are
// namespaced "area:what" (queue:event, connection:state, session:ended).
type Emitter interface {
	Emit(name string, data any)
}

// Config says where the console's switchboard is.
type Config struct {
	// Server is the switchboard address (https://host:port). Empty runs the
	// embedded switchboard in-process.
	Server string
	// Fingerprint pins the switchboard's TLS certificate (SHA-256, hex).
	Fingerprint string
	// Embedded configures the in-process switchboard when Server is empty.
	Embedded server.Config
	Version  string
	// Phone enables the built-in softphone: at login it registers at the
	// switchboard with the attendant's credentials (T2).
	Phone bool
	// Audio overrides the softphone's sound devices (default: PortAudio's
	// default input and output).
	Audio sipua.AudioDevice
	// Cache keeps what the switchboard sent, for a start before it answers
	// and reading while it is down; nil caches nothing.
	Cache *cache.Cache
	// Secrets keeps remembered passwords; nil when the OS has no keyring
	// (then only the username and server are remembered).
	Secrets Secrets
	// ConnectAfterPaint holds back the login of a session restored from the
	// cache until the front-end has painted it (Ready), or this long at
	// most: the TLS handshake, the switchboard's password check and the
	// softphone's start then do not compete with the first paint for the
	// CPU. Zero logs in at once.
	ConnectAfterPaint time.Duration
}

// Console is the state of one attendant console. Create it with New.
type Console struct {
	cfg  Config
	emit Emitter
	log  *slog.Logger

	mu       sync.Mutex
	embedded *server.Server
	client   *api.Client
	session  *SessionInfo
	stop     context.CancelFunc // ends the event stream of the session
	done     chan struct{}
	mirror   *Mirror
	phone    *softphone
	acct     cache.Account // whose data the cache holds for this session
	online   bool          // the session is logged in on the switchboard
	conn     ConnectionState
	devices  DeviceSettings // the sound devices chosen in the settings (S6)
	searches searchSaves    // searches being written to the cache

	created   time.Time // for the start-up time in the "ready" log line
	readyOnce sync.Once
	painted   chan struct{} // closed by the first Ready
}

// SessionInfo is the logged-in user as the front-end sees it.
type SessionInfo struct {
	Username  string `json:"username"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	Extension string `json:"extension"`
	Telephony bool   `json:"telephony"` // false for a login without extension (L2)
	DeskPhone bool   `json:"deskPhone"` // calls ring on the extension's own phone, not the softphone (T2)
}

// SessionConfig tells the login window what to show.
type SessionConfig struct {
	Embedded bool   `json:"embedded"`
	Server   string `json:"server"`
	Version  string `json:"version"`
	// Last prefills the form (remember me).
	Last *LastLogin `json:"last,omitempty"`
	// Keyring tells whether "remember me" can keep the password.
	Keyring bool `json:"keyring"`
}

// LoginRequest is what the login window sends.
type LoginRequest struct {
	Username  string `json:"username"`
	Password  string `json:"password"`
	Extension string `json:"extension"`
	Server    string `json:"server"`
	Remember  bool   `json:"remember"`
	// DeskPhone: the attendant answers on the desk phone of the extension;
	// the built-in softphone stays off and the switchboard calls the
	// extension through the PBX.
	DeskPhone bool `json:"deskPhone"`
}

// New returns a console; Start brings up the embedded switchboard if any.
func New(cfg Config, emit Emitter, log *slog.Logger) *Console {
	if log == nil {
		log = slog.Default()
	}
	return &Console{cfg: cfg, emit: emit, log: log, created: time.Now(), painted: make(chan struct{})}
}

// Start starts the embedded switchboard when no server is configured.
func (c *Console) Start(ctx context.Context) error {
	if c.cfg.Server != "" {
		return nil
	}
	sb, err := server.Start(ctx, c.cfg.Embedded)
	if err != nil {
		return fmt.Errorf("start embedded switchboard: %w", err)
	}
	c.mu.Lock()
	c.embedded = sb
	c.mu.Unlock()
	c.log.Info("console: embedded switchboard running", "api", sb.URL(), "sip", sb.SIPAddr())
	return nil
}

// Embedded returns the in-process switchboard, or nil.
func (c *Console) Embedded() *server.Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.embedded
}

// Close logs out of the event stream and stops the embedded switchboard.
func (c *Console) Close() error {
	c.endSession()
	c.searches.wait()
	c.mu.Lock()
	sb := c.embedded
	c.embedded = nil
	c.mu.Unlock()
	if sb != nil {
		return sb.Close()
	}
	return nil
}

// Config returns what the login window needs. The front-end asks for it
// first thing, so the log line also says the UI is running.
func (c *Console) Config() SessionConfig {
	c.log.Info("console: front-end loaded")
	cfg := SessionConfig{Embedded: c.cfg.Server == "", Server: c.cfg.Server, Version: c.cfg.Version, Keyring: c.cfg.Secrets != nil}
	if last, ok := c.LastLogin(); ok {
		cfg.Last = &last
		if cfg.Server == "" {
			cfg.Server = last.Server
		}
	}
	return cfg
}

func (c *Console) newClient(addr string) (*api.Client, error) {
	if sb := c.Embedded(); sb != nil {
		return api.NewClient(sb.URL(), api.HTTPClient(sb.Fingerprint())), nil
	}
	if addr == "" {
		addr = c.cfg.Server
	}
	if addr == "" {
		return nil, errors.New("no switchboard address")
	}
	if !strings.Contains(addr, "://") {
		addr = "https://" + addr
	}
	if strings.HasPrefix(addr, "http://") {
		return nil, errors.New("the switchboard must be reached over https")
	}
	return api.NewClient(addr, api.HTTPClient(c.cfg.Fingerprint)), nil
}

// Login opens a session on the switchboard and starts following its events.
func (c *Console) Login(ctx context.Context, req LoginRequest) (SessionInfo, error) {
	req.Username = strings.TrimSpace(req.Username)
	if req.Username == "" || req.Password == "" {
		return SessionInfo{}, errors.New("enter your username and password")
	}
	cl, err := c.newClient(strings.TrimSpace(req.Server))
	if err != nil {
		return SessionInfo{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := cl.Login(ctx, api.LoginRequest{Username: req.Username, Password: req.Password, Extension: req.Extension})
	if err != nil {
		if unreachable(err) {
			if info, ok := c.loginOffline(cl, req); ok {
				return info, nil
			}
		}
		return SessionInfo{}, loginError(err)
	}
	info := SessionInfo{
		Username: s.User.Username, Name: s.User.Name, Role: string(s.User.Role),
		Extension: s.User.Extension, Telephony: s.User.Extension != "",
	}
	info.DeskPhone = info.Telephony && (req.DeskPhone || !c.cfg.Phone)
	c.endSession()
	acct := c.accountFor(cl, info.Username)
	c.startSession(cl, info, acct, nil)
	c.loggedIn(acct, req, info, false)
	if info.Telephony && !info.DeskPhone {
		c.loadDevices(ctx)
		c.startPhone(cl, s, req.Password)
	}
	c.log.Info("console: logged in", "user", info.Username, "extension", info.Extension, "desk_phone", info.DeskPhone)
	return info, nil
}

// startPhone registers the built-in softphone for the session. A phone that
// cannot start is reported, not fatal: the attendant still sees the queues.
func (c *Console) startPhone(cl *api.Client, s api.Session, password string) {
	target, err := sipTarget(s.SIP, cl.Base())
	if err == nil {
		var sp *softphone
		sp, err = startSoftphone(context.Background(), c.log, c.emit, c.cfg.Audio, c.Devices, target, s.Realm, s.User.Username, password)
		if err == nil {
			c.mu.Lock()
			c.phone = sp
			c.mu.Unlock()
			return
		}
	}
	c.log.Error("console: softphone", "err", err)
	c.emit.Emit("phone:state", PhoneState{State: "failed", Error: err.Error()})
}

func loginError(err error) error {
	var se *api.StatusError
	switch {
	case errors.Is(err, api.ErrFingerprint):
		return fmt.Errorf("the switchboard's TLS certificate is not the trusted one: %w", err)
	case errors.As(err, &se):
		return errors.New(se.Msg)
	}
	return err
}

// startSession follows the switchboard's events for a session. A session
// opened from the cache passes connect, which logs in first (offline.go).
func (c *Console) startSession(cl *api.Client, info SessionInfo, acct cache.Account, connect func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	m := NewMirror()
	done := make(chan struct{})
	c.mu.Lock()
	c.client, c.session, c.stop, c.done, c.mirror = cl, &info, cancel, done, m
	c.acct, c.online, c.conn = acct, connect == nil, ConnectionState{}
	c.mu.Unlock()
	if connect != nil {
		c.setConnection(ConnectionState{State: "reconnecting", Error: "the switchboard does not answer"})
	}
	go func() {
		defer close(done)
		if connect != nil && !c.connectLater(ctx, done, connect) {
			return
		}
		err := cl.Follow(ctx, &follower{c: c, m: m})
		if errors.Is(err, api.ErrUnauthorized) {
			c.log.Warn("console: session ended by the switchboard", "err", err)
			c.dropSession(done)
			c.emit.Emit("session:ended", map[string]string{"reason": "expired"})
		}
	}()
}

// endSession stops the event stream of the current session, if any.
func (c *Console) endSession() {
	c.mu.Lock()
	done := c.done
	c.mu.Unlock()
	if stop := c.dropSession(done); stop != nil {
		<-done
	}
}

// dropSession forgets the session whose goroutine closes done (if it is
// still the current one) without waiting for that goroutine, which may be
// the caller.
func (c *Console) dropSession(done chan struct{}) (stopped context.CancelFunc) {
	c.mu.Lock()
	if c.done != done {
		c.mu.Unlock()
		return nil
	}
	stop, phone := c.stop, c.phone
	c.client, c.session, c.stop, c.done, c.mirror, c.phone = nil, nil, nil, nil, nil, nil
	c.online = false
	c.mu.Unlock()
	if phone != nil {
		phone.close()
	}
	if stop != nil {
		stop()
	}
	return stop
}

// Logout ends the session on the switchboard.
func (c *Console) Logout(ctx context.Context) error {
	c.mu.Lock()
	cl, acct := c.client, c.acct
	c.mu.Unlock()
	c.endSession()
	if cl == nil {
		return nil
	}
	c.forgetPassword(acct)
	if err := cl.Logout(ctx); err != nil && !errors.Is(err, api.ErrUnauthorized) {
		return fmt.Errorf("log out: %w", err)
	}
	return nil
}

// Current returns the logged-in user, or nil.
func (c *Console) Current() *SessionInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return nil
	}
	s := *c.session
	return &s
}

// ErrNotLoggedIn is returned by commands issued before Login.
var ErrNotLoggedIn = errors.New("not logged in")

func (c *Console) api() (*api.Client, *Mirror, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client == nil {
		return nil, nil, ErrNotLoggedIn
	}
	if !c.online {
		return nil, nil, ErrOffline
	}
	return c.client, c.mirror, nil
}

// Snapshot returns the mirrored queues and attendants.
func (c *Console) Snapshot() (queue.Snapshot, error) {
	c.mu.Lock()
	m := c.mirror
	c.mu.Unlock()
	if m == nil {
		return queue.Snapshot{}, ErrNotLoggedIn
	}
	return m.Snapshot(), nil
}

// CallAction runs answer, reject, pickup or reserve on a queued call. An
// offer ringing on the built-in softphone is answered right there.
func (c *Console) CallAction(ctx context.Context, callID, action string) error {
	cl, _, err := c.api()
	if err != nil {
		return err
	}
	if sp := c.softphone(); sp != nil && action == "answer" {
		if id, ok := sp.ringingFor(callID); ok {
			return sp.answer(ctx, id)
		}
	}
	return unwrap(cl.CallAction(ctx, callID, action))
}

func (c *Console) softphone() *softphone {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.phone
}

// ErrNoPhone is returned by phone commands when the built-in softphone is off.
var ErrNoPhone = errors.New("the built-in softphone is off")

// PhoneCalls lists the calls on the built-in softphone.
func (c *Console) PhoneCalls() []PhoneCall {
	if sp := c.softphone(); sp != nil {
		return sp.Calls()
	}
	return []PhoneCall{}
}

// PhoneState is the built-in softphone's registration state.
func (c *Console) PhoneState() PhoneState {
	if sp := c.softphone(); sp != nil {
		return sp.State()
	}
	return PhoneState{State: "off"}
}

// Hangup ends a call on the built-in softphone (W6); the switchboard then
// hangs up the caller.
func (c *Console) Hangup(ctx context.Context, id string) error {
	sp := c.softphone()
	if sp == nil {
		return ErrNoPhone
	}
	return sp.hangup(ctx, id)
}

// Mute stops sending the attendant's microphone; the attendant still hears (W11).
func (c *Console) Mute(on bool) error {
	sp := c.softphone()
	if sp == nil {
		return ErrNoPhone
	}
	sp.mute(on)
	return nil
}

// Transfer blind-transfers the attendant's call (W8); safe brings it back
// as a recall when the target does not answer (W14).
func (c *Console) Transfer(ctx context.Context, callID, target string, safe bool) error {
	cl, _, err := c.api()
	if err != nil {
		return err
	}
	return unwrap(cl.Transfer(ctx, callID, target, safe))
}

// SetNote sets a call's note.
func (c *Console) SetNote(ctx context.Context, callID, note string) error {
	cl, _, err := c.api()
	if err != nil {
		return err
	}
	return unwrap(cl.SetNote(ctx, callID, note))
}

// SetAvailable toggles availability (L4).
func (c *Console) SetAvailable(ctx context.Context, on bool) error {
	cl, _, err := c.api()
	if err != nil {
		return err
	}
	return unwrap(cl.SetAvailable(ctx, on))
}

// unwrap turns a switchboard error answer into its plain message, which is
// written for the attendant.
func unwrap(err error) error {
	var se *api.StatusError
	if errors.As(err, &se) {
		return errors.New(se.Msg)
	}
	return err
}

// follower applies the event stream to the mirror and forwards it to the UI.
type follower struct {
	c *Console
	m *Mirror
}

func (f *follower) Snapshot(s queue.Snapshot) {
	f.m.Reset(s)
	f.c.emit.Emit("queue:snapshot", f.m.Snapshot())
}

func (f *follower) Event(e queue.Event) {
	f.m.Apply(e)
	f.c.emit.Emit("queue:event", e)
}

func (f *follower) Connection(state string, err error) {
	msg := ""
	if err != nil {
		msg = plainReason(err)
		f.c.log.Warn("console: switchboard connection", "state", state, "err", err)
	}
	f.c.setConnection(ConnectionState{State: state, Error: msg})
}

// plainReason says why the connection broke in words for the attendant;
// the technical error goes to the log.
func plainReason(err error) string {
	s := err.Error()
	switch {
	case errors.Is(err, api.ErrFingerprint):
		return "the switchboard's certificate is not the trusted one"
	case strings.Contains(s, "connection refused"):
		return "the switchboard does not answer"
	case strings.Contains(s, "EOF"), strings.Contains(s, "reset by peer"), strings.Contains(s, "StatusGoingAway"):
		return "the switchboard closed the connection"
	case strings.Contains(s, "timeout"), strings.Contains(s, "deadline"):
		return "the switchboard takes too long to answer"
	case strings.Contains(s, "no such host"):
		return "the switchboard's address cannot be found"
	}
	return "the network connection was lost"
}

// SaveContact creates (no ID) or updates a contact (C6, C8).
func (c *Console) SaveContact(ctx context.Context, in directory.Contact) (directory.Contact, error) {
	cl, _, err := c.api()
	if err != nil {
		return directory.Contact{}, err
	}
	var out directory.Contact
	if in.ID == "" {
		out, err = cl.CreateContact(ctx, in)
	} else {
		out, err = cl.UpdateContact(ctx, in)
	}
	return out, unwrap(err)
}

// DeleteContact deletes a contact (C8).
func (c *Console) DeleteContact(ctx context.Context, id string) error {
	cl, _, err := c.api()
	if err != nil {
		return err
	}
	return unwrap(cl.DeleteContact(ctx, id))
}

// SaveFavorites replaces the user's favorite groups (F2–F5, S2).
func (c *Console) SaveFavorites(ctx context.Context, groups []favorites.Group) ([]favorites.View, error) {
	cl, _, err := c.api()
	if err != nil {
		return nil, err
	}
	out, err := cl.SaveFavorites(ctx, groups)
	return out, unwrap(err)
}

// mirrorAttendant returns an attendant as mirrored from the switchboard.
func (c *Console) mirrorAttendant(username string) (queue.Attendant, bool) {
	c.mu.Lock()
	m := c.mirror
	c.mu.Unlock()
	if m == nil {
		return queue.Attendant{}, false
	}
	return m.Attendant(username)
}

// Available tells whether the logged-in attendant is available (L4), as the
// switchboard last said; ok is false without a telephony session.
func (c *Console) Available() (available, ok bool) {
	c.mu.Lock()
	m, s := c.mirror, c.session
	c.mu.Unlock()
	if m == nil || s == nil || !s.Telephony {
		return false, false
	}
	a, ok := c.mirrorAttendant(s.Username)
	return a.Available, ok
}
