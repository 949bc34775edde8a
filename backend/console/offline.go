package console

import (
	"context"
	"errors"
	"runtime/debug"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/auth"
	"github.com/concierge-console/concierge/backend/cache"
)

// The console keeps what the switchboard last sent each user in the local
// cache. A session can therefore run before the switchboard answers (at
// start with remembered credentials, or when it is down): reads come from
// the cache, commands say the switchboard is unreachable, and a background
// login brings the session online as soon as the switchboard is back.

// ErrOffline is returned by commands while the switchboard cannot be reached.
var ErrOffline = errors.New("the switchboard cannot be reached; the console shows saved data")

// LastLogin prefills the login window (L1 "remember me"). The password is
// never here: it is in the OS keyring when PasswordSaved.
type LastLogin struct {
	Server        string `json:"server"`
	Username      string `json:"username"`
	Extension     string `json:"extension"`
	Remember      bool   `json:"remember"`
	PasswordSaved bool   `json:"passwordSaved"`
	DeskPhone     bool   `json:"deskPhone"`
}

const appKeyLastLogin = "last-login"

// profile is a user's last successful login on one switchboard.
type profile struct {
	Info SessionInfo `json:"info"`
	// Verifier is an argon2id hash of the password, so the same attendant can
	// open the cached data while the switchboard is down.
	Verifier string `json:"verifier"`
}

// keySettingsPending marks settings saved while offline, to push on reconnect.
const keySettingsPending = "settings-pending"

// accountFor names the cache account of username on the switchboard cl
// talks to. The embedded switchboard's port changes at every start, so it
// is one fixed name.
func (c *Console) accountFor(cl *api.Client, username string) cache.Account {
	server := cl.Base()
	if c.cfg.Server == "" {
		server = "embedded"
	}
	return cache.Account{Server: server, Username: username}
}

func secretKey(a cache.Account) string { return a.Username + " on " + a.Server }

// LastLogin returns what the login window should be prefilled with.
func (c *Console) LastLogin() (LastLogin, bool) {
	var last LastLogin
	if c.cfg.Cache == nil {
		return last, false
	}
	ok, err := c.cfg.Cache.GetApp(appKeyLastLogin, &last)
	if err != nil {
		c.log.Warn("cache: last login", "err", err)
	}
	return last, ok
}

// loggedIn records a successful login: the profile for offline use and,
// with "remember me", the password in the keyring. samePassword says the
// password is the one the cached profile was made with (a session restored
// from the keyring), so its verifier is kept instead of hashed again.
func (c *Console) loggedIn(acct cache.Account, req LoginRequest, info SessionInfo, samePassword bool) {
	if c.cfg.Cache == nil {
		return
	}
	last := LastLogin{Server: req.Server, Remember: req.Remember}
	if req.Remember {
		last.Username, last.Extension, last.DeskPhone = req.Username, req.Extension, req.DeskPhone
	}
	if s := c.cfg.Secrets; s != nil {
		var err error
		if req.Remember {
			err = s.Set(secretKey(acct), req.Password)
			last.PasswordSaved = err == nil
		} else {
			err = s.Delete(secretKey(acct))
		}
		if err != nil {
			c.log.Warn("console: remember me", "err", err)
		}
	}
	if err := c.cfg.Cache.PutApp(appKeyLastLogin, last); err != nil {
		c.log.Warn("cache: last login", "err", err)
	}
	if p, ok := c.cachedProfile(acct); ok && samePassword {
		p.Info = info
		if err := c.cfg.Cache.Put(acct, cache.KeyProfile, p); err != nil {
			c.log.Warn("cache: profile", "err", err)
		}
		return
	}
	// Hashing takes a moment; the attendant should not wait for it.
	go func() {
		v, err := auth.HashPassword(req.Password)
		// argon2 just used 32 MB once: hand it back now, not minutes later.
		debug.FreeOSMemory()
		if err == nil {
			err = c.cfg.Cache.Put(acct, cache.KeyProfile, profile{Info: info, Verifier: v})
		}
		if err != nil {
			c.log.Warn("cache: profile", "err", err)
		}
	}()
}

// forgetPassword removes the remembered password (log out).
func (c *Console) forgetPassword(acct cache.Account) {
	if s := c.cfg.Secrets; s != nil {
		if err := s.Delete(secretKey(acct)); err != nil {
			c.log.Warn("console: forget password", "err", err)
		}
	}
	if last, ok := c.LastLogin(); ok && last.PasswordSaved {
		last.PasswordSaved = false
		if err := c.cfg.Cache.PutApp(appKeyLastLogin, last); err != nil {
			c.log.Warn("cache: last login", "err", err)
		}
	}
}

// cachedProfile returns the account's last login, if the cache has one.
func (c *Console) cachedProfile(acct cache.Account) (profile, bool) {
	var p profile
	if c.cfg.Cache == nil {
		return p, false
	}
	ok, err := c.cfg.Cache.Get(acct, cache.KeyProfile, &p)
	if err != nil {
		c.log.Warn("cache: profile", "err", err)
	}
	return p, ok && p.Verifier != ""
}

// unreachable tells a switchboard that did not answer from one that refused.
func unreachable(err error) bool {
	var se *api.StatusError
	return err != nil && !errors.As(err, &se) && !errors.Is(err, api.ErrFingerprint) && !errors.Is(err, context.Canceled)
}

// loginOffline opens a session from the cache when the switchboard does not
// answer and the password matches the one of the last successful login.
func (c *Console) loginOffline(cl *api.Client, req LoginRequest) (SessionInfo, bool) {
	acct := c.accountFor(cl, req.Username)
	p, ok := c.cachedProfile(acct)
	if !ok || auth.CheckPassword(p.Verifier, req.Password) != nil {
		return SessionInfo{}, false
	}
	info := p.Info
	info.Extension, info.Telephony = req.Extension, req.Extension != ""
	info.DeskPhone = info.Telephony && (req.DeskPhone || !c.cfg.Phone)
	c.endSession()
	c.startSession(cl, info, acct, c.connector(cl, req))
	c.log.Info("console: switchboard unreachable, opened the saved data", "user", info.Username)
	return info, true
}

// Restore logs in with the remembered credentials at start. With a cached
// profile the session opens at once from the cache and goes online in the
// background; without one it is a normal login. Nothing remembered, or a
// login that fails, returns nil: the login window shows.
func (c *Console) Restore(ctx context.Context) (*SessionInfo, error) {
	if cur := c.Current(); cur != nil {
		return cur, nil
	}
	last, ok := c.LastLogin()
	if !ok || !last.Remember || !last.PasswordSaved || c.cfg.Secrets == nil {
		return nil, nil
	}
	cl, err := c.newClient(last.Server)
	if err != nil {
		return nil, nil
	}
	acct := c.accountFor(cl, last.Username)
	pw, err := c.cfg.Secrets.Get(secretKey(acct))
	if err != nil {
		c.log.Warn("console: remembered password", "err", err)
		return nil, nil
	}
	req := LoginRequest{Username: last.Username, Password: pw, Extension: last.Extension, Server: last.Server, Remember: true, DeskPhone: last.DeskPhone}
	if p, ok := c.cachedProfile(acct); ok {
		info := p.Info
		info.Extension, info.Telephony = req.Extension, req.Extension != ""
		info.DeskPhone = info.Telephony && (req.DeskPhone || !c.cfg.Phone)
		c.startSession(cl, info, acct, c.afterPaint(c.connector(cl, req)))
		c.log.Info("console: session restored from the cache", "user", info.Username)
		return &info, nil
	}
	info, err := c.Login(ctx, req)
	if err != nil {
		c.log.Warn("console: automatic login", "err", err)
		return nil, nil
	}
	return &info, nil
}

// connector logs cl in for a session opened from the cache; once it
// succeeds, the softphone starts and settings saved offline are pushed.
func (c *Console) connector(cl *api.Client, req LoginRequest) func(context.Context) error {
	return func(ctx context.Context) error {
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s, err := cl.Login(lctx, api.LoginRequest{Username: req.Username, Password: req.Password, Extension: req.Extension})
		acct := c.accountFor(cl, req.Username)
		if errors.Is(err, api.ErrUnauthorized) {
			c.forgetPassword(acct) // wrong from now on: the password was changed
		}
		if err != nil {
			return err
		}
		c.mu.Lock()
		if c.session != nil {
			c.session.Name, c.session.Role = s.User.Name, string(s.User.Role)
		}
		c.online = true
		info := *c.session
		c.mu.Unlock()
		c.loggedIn(acct, req, info, true)
		if info.Telephony && !info.DeskPhone {
			c.loadDevices(ctx)
			c.startPhone(cl, s, req.Password)
		}
		c.pushPendingSettings(ctx, cl, acct)
		c.log.Info("console: switchboard reached, session online", "user", req.Username)
		return nil
	}
}

// afterPaint delays connect's first run until the front-end has painted
// (see Config.ConnectAfterPaint).
func (c *Console) afterPaint(connect func(context.Context) error) func(context.Context) error {
	wait := c.cfg.ConnectAfterPaint
	return func(ctx context.Context) error {
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-c.painted:
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
			wait = 0
		}
		return connect(ctx)
	}
}

// connectLater runs connect until it succeeds (true), the session ends, or
// the switchboard refuses the login (the session then ends).
func (c *Console) connectLater(ctx context.Context, done chan struct{}, connect func(context.Context) error) bool {
	backoff := 250 * time.Millisecond
	for {
		err := connect(ctx)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if errors.Is(err, api.ErrUnauthorized) || errors.Is(err, api.ErrFingerprint) {
			// The password changed (or it is another switchboard): a
			// remembered password is wrong from now on.
			c.log.Warn("console: the switchboard refused the saved login", "err", err)
			c.dropSession(done)
			c.emit.Emit("session:ended", map[string]string{"reason": "rejected"})
			return false
		}
		c.setConnection(ConnectionState{State: "reconnecting", Error: plainReason(err)})
		select {
		case <-ctx.Done():
			return false
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}
