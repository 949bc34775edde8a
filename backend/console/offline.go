package console

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"runtime/debug"
	"slices"
	"strconv"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/auth"
	"github.com/concierge-console/concierge/backend/cache"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/favorites"
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
		c.startSession(cl, info, acct, c.connector(cl, req))
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

// session returns the client and cache account of the current session;
// online is false while the switchboard has not been reached.
func (c *Console) sessionAccount() (cl *api.Client, acct cache.Account, online bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client == nil {
		return nil, acct, false, ErrNotLoggedIn
	}
	return c.client, c.acct, c.online, nil
}

// readThrough fetches from the switchboard and caches what it sends; when
// the switchboard cannot be reached it answers from the cache instead.
func readThrough[T any](c *Console, fetch func(*api.Client) (T, error), save func(cache.Account, T) error, load func(cache.Account, *T) (bool, error)) (T, error) {
	var zero T
	cl, acct, online, err := c.sessionAccount()
	if err != nil {
		return zero, err
	}
	if online {
		v, ferr := fetch(cl)
		if ferr == nil {
			if c.cfg.Cache != nil {
				if err := save(acct, v); err != nil {
					c.log.Warn("cache: write", "err", err)
				}
			}
			return v, nil
		}
		if !unreachable(ferr) {
			return zero, unwrap(ferr)
		}
		err = ferr
	} else {
		err = ErrOffline
	}
	if c.cfg.Cache != nil {
		var v T
		if ok, lerr := load(acct, &v); lerr == nil && ok {
			return v, nil
		} else if lerr != nil {
			c.log.Warn("cache: read", "err", lerr)
		}
	}
	return zero, err
}

// keyed returns the save and load functions of one cache key.
func keyed[T any](c *Console, key string) (func(cache.Account, T) error, func(cache.Account, *T) (bool, error)) {
	return func(a cache.Account, v T) error { return c.cfg.Cache.Put(a, key, v) },
		func(a cache.Account, v *T) (bool, error) { return c.cfg.Cache.Get(a, key, v) }
}

// Settings returns the user's settings document (cached offline).
func (c *Console) Settings(ctx context.Context) (json.RawMessage, error) {
	save, load := keyed[json.RawMessage](c, cache.KeySettings)
	return readThrough(c, func(cl *api.Client) (json.RawMessage, error) { return cl.Settings(ctx) }, save, load)
}

// SaveSettings stores the user's settings document on the switchboard.
// While the switchboard cannot be reached the document is kept in the
// cache and sent once it is back, so nothing the attendant set is lost.
func (c *Console) SaveSettings(ctx context.Context, doc json.RawMessage) error {
	cl, acct, online, err := c.sessionAccount()
	if err != nil {
		return err
	}
	if online {
		err = cl.PutSettings(ctx, doc)
		if !unreachable(err) {
			if err == nil && c.cfg.Cache != nil {
				if cerr := c.cfg.Cache.Put(acct, cache.KeySettings, doc); cerr != nil {
					c.log.Warn("cache: write", "err", cerr)
				}
			}
			return unwrap(err)
		}
	}
	if c.cfg.Cache == nil {
		return ErrOffline
	}
	if err := c.cfg.Cache.Put(acct, cache.KeySettings, doc); err != nil {
		return err
	}
	return c.cfg.Cache.Put(acct, keySettingsPending, true)
}

func (c *Console) pushPendingSettings(ctx context.Context, cl *api.Client, acct cache.Account) {
	if c.cfg.Cache == nil {
		return
	}
	var pending bool
	var doc json.RawMessage
	if ok, _ := c.cfg.Cache.Get(acct, keySettingsPending, &pending); !ok || !pending {
		return
	}
	if ok, _ := c.cfg.Cache.Get(acct, cache.KeySettings, &doc); !ok {
		return
	}
	if err := cl.PutSettings(ctx, doc); err != nil {
		c.log.Warn("console: sending the settings saved offline", "err", err)
		return
	}
	if err := c.cfg.Cache.Put(acct, keySettingsPending, false); err != nil {
		c.log.Warn("cache: write", "err", err)
	}
}

// Favorites returns the user's favorite groups with their contacts (F1, F2),
// from the cache while offline.
func (c *Console) Favorites(ctx context.Context) ([]favorites.View, error) {
	save, load := keyed[[]favorites.View](c, cache.KeyFavorites)
	return readThrough(c, func(cl *api.Client) ([]favorites.View, error) { return cl.Favorites(ctx) }, save, load)
}

// SearchContacts searches the company directory (C1, C2); the last searches
// are answered from the cache while offline.
func (c *Console) SearchContacts(ctx context.Context, query string, limit int) ([]directory.Result, error) {
	key := query + "\x00" + strconv.Itoa(limit)
	return readThrough(c,
		func(cl *api.Client) ([]directory.Result, error) { return cl.SearchContacts(ctx, query, limit) },
		func(a cache.Account, v []directory.Result) error { return c.cfg.Cache.PutSearch(a, key, v) },
		func(a cache.Account, v *[]directory.Result) (bool, error) { return c.cfg.Cache.Search(a, key, v) })
}

// Contact returns one contact (D1), from the cache while offline.
func (c *Console) Contact(ctx context.Context, id string) (directory.Contact, error) {
	save, load := keyed[directory.Contact](c, "contact/"+id)
	return readThrough(c, func(cl *api.Client) (directory.Contact, error) { return cl.Contact(ctx, id) }, save, load)
}

// ConnectionState is the switchboard connection as the banner shows it (L7).
type ConnectionState struct {
	State string `json:"state"` // connected, reconnecting, offline
	Error string `json:"error"` // why, in words for the attendant
}

func (c *Console) setConnection(st ConnectionState) {
	c.mu.Lock()
	c.conn = st
	c.mu.Unlock()
	c.emit.Emit("connection:state", st)
}

// Connection returns the last connection state, for a front-end that starts
// listening after it changed.
func (c *Console) Connection() ConnectionState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil || c.conn.State == "" {
		return ConnectionState{State: "connected"}
	}
	return c.conn
}

// Ready logs that the front-end painted its first screen (phase "login" or
// "main"), with the time since the console was created and the page's own
// milestones (ms since it started loading), to see where start-up time goes.
func (c *Console) Ready(phase string, marks map[string]float64) {
	c.readyOnce.Do(func() {
		args := []any{"phase", phase, "since_start", time.Since(c.created).Round(time.Millisecond)}
		for _, k := range slices.Sorted(maps.Keys(marks)) {
			args = append(args, "page_"+k, math.Round(marks[k]))
		}
		c.log.Info("console: ready", args...)
	})
}

// Language is the attendant's language as last saved in the settings (for
// texts the Go side shows, like desktop notifications); "" when unknown.
func (c *Console) Language() string {
	_, acct, _, err := c.sessionAccount()
	if err != nil || c.cfg.Cache == nil {
		return ""
	}
	var s struct {
		Language string `json:"language"`
	}
	var doc json.RawMessage
	if ok, _ := c.cfg.Cache.Get(acct, cache.KeySettings, &doc); ok {
		_ = json.Unmarshal(doc, &s) // a damaged document means "unknown"
	}
	return s.Language
}
