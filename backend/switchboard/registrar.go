package switchboard

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// Credentials gives the switchboard the SIP digest secret of a user without the
// password: HA1 = hex(MD5(username ":" realm ":" password)). Users live in a store
// owned by someone else; ok is false for unknown or disabled users.
type Credentials interface {
	SIPHA1(username, realm string) (ha1 string, ok bool)
}

// CredentialsFunc adapts a function to Credentials.
type CredentialsFunc func(username, realm string) (string, bool)

// SIPHA1 implements Credentials.
func (f CredentialsFunc) SIPHA1(username, realm string) (string, bool) { return f(username, realm) }

// Registration limits. Short expiries keep a crashed softphone from being offered calls
// for long; the cap stops one client from pinning memory with a year-long binding.
const (
	regDefaultExpires = 3600 * time.Second
	regMinExpires     = 30 * time.Second
	regMaxExpires     = 3600 * time.Second
	// nonceLifetime: a nonce older than this gets "stale=true" so the client retries
	// silently with a fresh one instead of asking its user for a password.
	nonceLifetime = 5 * time.Minute
	// maxBindingsPerUser bounds memory per account (a softphone on each of a few devices).
	maxBindingsPerUser = 8
)

// binding is one registered contact of an attendant's softphone.
type binding struct {
	contact sip.Uri
	source  string // host:port the REGISTER came from, for diagnostics
	callID  string
	expires time.Time
	updated time.Time
}

// registrar authenticates REGISTER with digest (RFC 3261 §22, RFC 2617) against
// Credentials and keeps the contacts in memory. Nonces are stateless (HMAC-signed
// timestamps), so a REGISTER flood allocates nothing that outlives the request.
type registrar struct {
	realm string
	creds Credentials
	log   *slog.Logger
	key   []byte
	now   func() time.Time

	// onBound, if set, hears of every accepted REGISTER that leaves the user
	// with a live binding, so the switchboard can ring them again.
	onBound func(username string)
	// onUnbound, if set, hears when a user is left without a live binding:
	// they unregistered (Expires: 0) or their last binding expired unrefreshed.
	onUnbound  func(username string)
	minExpires time.Duration // regMinExpires; tests shorten it
	limit      *authLimiter  // failed authentications per source (authlimit.go)

	mu       sync.Mutex
	bindings map[string][]binding   // key: lower-cased username
	expiry   map[string]*time.Timer // key → fires when the last binding expires
	closed   bool
}

func newRegistrar(realm string, creds Credentials, log *slog.Logger) (*registrar, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("registrar nonce key: %w", err)
	}
	r := &registrar{
		realm:      realm,
		creds:      creds,
		log:        log,
		key:        key,
		now:        time.Now,
		minExpires: regMinExpires,
		bindings:   make(map[string][]binding),
		expiry:     make(map[string]*time.Timer),
	}
	r.limit = newAuthLimiter(func() time.Time { return r.now() })
	return r, nil
}

// handle is the sipgo REGISTER handler.
func (r *registrar) handle(req *sip.Request, tx sip.ServerTransaction) {
	res, bound := r.register(req)
	if err := tx.Respond(res); err != nil {
		r.log.Warn("REGISTER: sending response failed", "error", err, "status", res.StatusCode)
	}
	switch {
	case bound != "":
		r.watchExpiry(bound)
		if r.onBound != nil {
			r.onBound(bound)
		}
	case res.StatusCode == sip.StatusOK && req.GetHeader("Contact") != nil && r.onUnbound != nil:
		r.onUnbound(req.To().Address.User) // unregistered its last contact
	}
}

// watchExpiry (re)arms the timer that reports user unbound once their last
// binding expires without a refresh.
func (r *registrar) watchExpiry(user string) {
	key := strings.ToLower(user)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	now := r.now()
	var last time.Time
	for _, b := range r.liveLocked(key, now) {
		if b.expires.After(last) {
			last = b.expires
		}
	}
	if t := r.expiry[key]; t != nil {
		t.Stop()
		delete(r.expiry, key)
	}
	if last.IsZero() {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(last.Sub(now), func() {
		r.mu.Lock()
		if r.expiry[key] != t || r.closed {
			r.mu.Unlock()
			return // refreshed or unregistered meanwhile
		}
		delete(r.expiry, key)
		live := len(r.liveLocked(key, r.now())) > 0
		r.mu.Unlock()
		if live {
			r.watchExpiry(user)
		} else if r.onUnbound != nil {
			r.onUnbound(user)
		}
	})
	r.expiry[key] = t
}

// close stops the expiry timers: nothing is reported after shutdown.
func (r *registrar) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for k, t := range r.expiry {
		t.Stop()
		delete(r.expiry, k)
	}
}

// register answers a REGISTER; bound is the user when they are left with a
// live binding.
func (r *registrar) register(req *sip.Request) (res *sip.Response, bound string) {
	to := req.To()
	if to == nil || to.Address.User == "" {
		return sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request (no To user)", nil), ""
	}
	if r.limit.blocked(sourceIP(req.Source())) {
		return sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden (too many failed attempts)", nil), ""
	}
	user, res := r.authenticate(req)
	if res != nil {
		return res, ""
	}
	// A user may only bind their own address of record.
	if !strings.EqualFold(user, to.Address.User) {
		r.log.Info("REGISTER: user tried to bind another address of record", "user", user, "aor", to.Address.User, "source", req.Source())
		return sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil), ""
	}

	defExpires := regDefaultExpires
	if h := req.GetHeader("Expires"); h != nil {
		secs, err := strconv.ParseUint(strings.TrimSpace(h.Value()), 10, 32)
		if err != nil {
			return sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request (Expires)", nil), ""
		}
		defExpires = time.Duration(secs) * time.Second
	}

	var contacts []*sip.ContactHeader
	for _, h := range req.GetHeaders("Contact") {
		if c, ok := h.(*sip.ContactHeader); ok {
			contacts = append(contacts, c)
		}
	}
	callID := ""
	if h := req.CallID(); h != nil {
		callID = h.Value()
	}
	now := r.now()
	key := strings.ToLower(user)

	r.mu.Lock()
	defer r.mu.Unlock()
	bs := r.liveLocked(key, now)
	for _, c := range contacts {
		if c.Address.Wildcard {
			// "Contact: *" is only valid with Expires: 0 and alone (RFC 3261 §10.3 step 6).
			if defExpires != 0 || len(contacts) != 1 {
				return sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request (wildcard)", nil), ""
			}
			bs = nil
			break
		}
		exp := defExpires
		if v, ok := c.Params.Get("expires"); ok {
			secs, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request (expires)", nil), ""
			}
			exp = time.Duration(secs) * time.Second
		}
		uri := c.Address.Clone()
		i := slices.IndexFunc(bs, func(b binding) bool { return sameContact(b.contact, *uri) })
		if exp == 0 {
			if i >= 0 {
				bs = slices.Delete(bs, i, i+1)
			}
			continue
		}
		if exp < r.minExpires {
			brief := sip.NewResponseFromRequest(req, sip.StatusIntervalToBrief, "Interval Too Brief", nil)
			brief.AppendHeader(sip.NewHeader("Min-Expires", strconv.Itoa(int(r.minExpires.Seconds()))))
			return brief, ""
		}
		exp = min(exp, regMaxExpires)
		b := binding{contact: *uri, source: req.Source(), callID: callID, expires: now.Add(exp), updated: now}
		if i >= 0 {
			bs[i] = b
			continue
		}
		if len(bs) >= maxBindingsPerUser {
			// Replace the oldest rather than refuse: a softphone that lost its binding
			// (crash, new port) must be able to register again.
			oldest := 0
			for j := range bs {
				if bs[j].updated.Before(bs[oldest].updated) {
					oldest = j
				}
			}
			bs = slices.Delete(bs, oldest, oldest+1)
		}
		bs = append(bs, b)
	}
	if len(bs) == 0 {
		delete(r.bindings, key)
	} else {
		r.bindings[key] = bs
	}
	if len(contacts) > 0 {
		r.log.Info("REGISTER accepted", "user", user, "contacts", len(bs), "source", req.Source())
	}

	ok := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	for _, b := range bs {
		params := sip.NewParams()
		params.Add("expires", strconv.Itoa(int(b.expires.Sub(now).Seconds())))
		ok.AppendHeader(&sip.ContactHeader{Address: *b.contact.Clone(), Params: params})
	}
	ok.AppendHeader(sip.NewHeader("Date", now.UTC().Format(time.RFC1123)))
	if len(bs) > 0 {
		bound = user
	}
	return ok, bound
}

// sameContact compares contacts by scheme, user, host and port: the URI parameters of
// one softphone may change between refreshes (e.g. ;ob, ;rinstance order).
func sameContact(a, b sip.Uri) bool {
	return a.Scheme == b.Scheme && a.User == b.User && strings.EqualFold(a.Host, b.Host) && a.Port == b.Port
}

// liveLocked returns the unexpired bindings of key, pruning expired ones.
func (r *registrar) liveLocked(key string, now time.Time) []binding {
	bs := slices.DeleteFunc(r.bindings[key], func(b binding) bool { return !now.Before(b.expires) })
	if len(bs) == 0 {
		delete(r.bindings, key)
		return nil
	}
	r.bindings[key] = bs
	return bs
}

// lookup returns the most recently refreshed live contact of username.
func (r *registrar) lookup(username string) (sip.Uri, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	bs := r.liveLocked(strings.ToLower(username), r.now())
	if len(bs) == 0 {
		return sip.Uri{}, false
	}
	best := bs[0]
	for _, b := range bs[1:] {
		if b.updated.After(best.updated) {
			best = b
		}
	}
	return *best.contact.Clone(), true
}

// count returns how many users have a live binding.
func (r *registrar) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	now, n := r.now(), 0
	for key := range r.bindings {
		if len(r.liveLocked(key, now)) > 0 {
			n++
		}
	}
	return n
}

// sweep drops every expired binding; Serve calls it periodically so that accounts that
// never register again do not stay in memory.
func (r *registrar) sweep() {
	r.limit.sweep()
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	for key := range r.bindings {
		r.liveLocked(key, now)
	}
}

// authenticate checks the Authorization header. It returns the authenticated username,
// or the response to send (401 challenge, 403, 400).
func (r *registrar) authenticate(req *sip.Request) (string, *sip.Response) {
	if r.creds == nil {
		// Without a credential store nobody can prove who they are: refuse everyone
		// rather than accept anyone.
		return "", sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden (no credential store)", nil)
	}
	h := req.GetHeader("Authorization")
	if h == nil {
		return "", r.challenge(req, false)
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil {
		return "", sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request (Authorization)", nil)
	}
	if cred.Realm != r.realm {
		return "", r.challenge(req, false)
	}
	switch strings.ToUpper(cred.Algorithm) {
	case "", "MD5":
	default:
		return "", r.challenge(req, false)
	}
	switch err := r.checkNonce(cred.Nonce); {
	case errors.Is(err, errNonceStale):
		return "", r.challenge(req, true)
	case err != nil:
		return "", r.challenge(req, false)
	}

	ha1, ok := r.creds.SIPHA1(cred.Username, r.realm)
	if !ok {
		// Same answer as a wrong password, so accounts cannot be enumerated.
		return "", r.authFailed(req, cred.Username)
	}
	chal := &digest.Challenge{Realm: r.realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm}
	if cred.QOP != "" {
		if cred.QOP != "auth" {
			return "", sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request (qop)", nil)
		}
		chal.QOP = []string{"auth"}
	}
	want, err := digest.Digest(chal, digest.Options{
		Method:   req.Method.String(),
		URI:      cred.URI,
		Username: cred.Username,
		A1:       strings.ToLower(ha1),
		Cnonce:   cred.Cnonce,
		Count:    cred.Nc,
	})
	if err != nil {
		return "", sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request (digest)", nil)
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(cred.Response)), []byte(want.Response)) != 1 {
		return "", r.authFailed(req, cred.Username)
	}
	return cred.Username, nil
}

// authFailed logs and counts a wrong password or unknown user, and answers 403.
func (r *registrar) authFailed(req *sip.Request, user string) *sip.Response {
	r.log.Info("REGISTER: authentication failed", "user", user, "source", req.Source())
	if ip := sourceIP(req.Source()); r.limit.failed(ip) {
		r.log.Warn("REGISTER: too many failed authentications; refusing the source for a while",
			"source", ip, "failures", r.limit.maxFailures, "within", r.limit.window, "blocked_for", r.limit.block)
	}
	return sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil)
}

func (r *registrar) challenge(req *sip.Request, stale bool) *sip.Response {
	chal := digest.Challenge{
		Realm:     r.realm,
		Nonce:     r.newNonce(),
		Algorithm: "MD5",
		QOP:       []string{"auth"},
		Stale:     stale,
	}
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	res.AppendHeader(sip.NewHeader("WWW-Authenticate", chal.String()))
	return res
}

var (
	errNonceInvalid = errors.New("invalid nonce")
	errNonceStale   = errors.New("stale nonce")
)

// Nonce layout: 8 bytes unix-nano timestamp, 8 random bytes, 16 bytes HMAC-SHA256 of both.
const nonceRawLen = 8 + 8 + 16

func (r *registrar) newNonce() string {
	var raw [nonceRawLen]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(r.now().UnixNano()))
	_, _ = rand.Read(raw[8:16]) // crypto/rand.Read never fails on supported platforms
	copy(raw[16:], r.mac(raw[:16]))
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

func (r *registrar) checkNonce(nonce string) error {
	raw, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(raw) != nonceRawLen {
		return errNonceInvalid
	}
	if !hmac.Equal(raw[16:], r.mac(raw[:16])) {
		return errNonceInvalid
	}
	issued := time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8])))
	if age := r.now().Sub(issued); age > nonceLifetime || age < -time.Minute {
		return errNonceStale
	}
	return nil
}

func (r *registrar) mac(b []byte) []byte {
	m := hmac.New(sha256.New, r.key)
	m.Write(b)
	return m.Sum(nil)[:16]
}
