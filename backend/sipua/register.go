package sipua

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// RegState is the phone's standing with its registrar.
type RegState int

const (
	Unregistered RegState = iota
	Registered
	// RegFailed: the registrar answered with a refusal (see Registration.Err).
	RegFailed
	// RegUnreachable: no answer, or the request could not be sent.
	RegUnreachable
)

func (s RegState) String() string {
	switch s {
	case Registered:
		return "registered"
	case RegFailed:
		return "failed"
	case RegUnreachable:
		return "unreachable"
	default:
		return "unregistered"
	}
}

// Registration is the outcome of one REGISTER transaction.
type Registration struct {
	State RegState
	// Expires is the lifetime the registrar granted (Registered only).
	Expires time.Duration
	// Err is why, for RegFailed (a *RegistrationError) and RegUnreachable.
	Err error
	At  time.Time
}

// registration is the refresh loop of one Register call.
type registration struct {
	req    *sip.Request // reused for refreshes: same Call-ID, rising CSeq (RFC 3261 §10.2.4)
	cancel context.CancelFunc
	done   chan struct{}
}

// Register registers the account and returns the registrar's verdict. After a
// success the registration is refreshed in the background before it expires until
// Unregister or Close; refresh failures are reported through WithOnRegistration and
// retried every retry interval. After a refusal (wrong password, unknown account)
// nothing is retried: the attendant has to fix the account and call Register again.
// When the registrar is unreachable Register returns ErrUnreachable and keeps
// trying in the background, so a PBX that comes back is picked up without help.
func (p *Phone) Register(ctx context.Context) error {
	p.regMu.Lock()
	defer p.regMu.Unlock()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	old := p.reg
	p.reg = nil
	p.mu.Unlock()
	if old != nil {
		old.stop()
	}

	req := p.newRegister(p.cfg.Expires)
	granted, err := p.registerOnce(ctx, req)
	p.report(granted, err)
	if err != nil && !errors.Is(err, ErrUnreachable) {
		return err
	}

	loopCtx, cancel := context.WithCancel(context.Background())
	r := &registration{req: req, cancel: cancel, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		cancel()
		return ErrClosed
	}
	p.reg = r
	p.mu.Unlock()
	next := p.retryInterval
	if err == nil {
		next = refreshDelay(granted)
	}
	go p.refreshLoop(loopCtx, r, next)
	return err
}

func (r *registration) stop() {
	r.cancel()
	<-r.done
}

// refreshDelay re-registers well before expiry: halfway for short lifetimes (a
// lost UDP request then still has time for retransmission and a retry), 30 s
// ahead for long ones.
func refreshDelay(expires time.Duration) time.Duration {
	if expires <= 2*time.Minute {
		return max(expires/2, 500*time.Millisecond)
	}
	return expires - 30*time.Second
}

func (p *Phone) refreshLoop(ctx context.Context, r *registration, next time.Duration) {
	defer close(r.done)
	t := time.NewTimer(next)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, p.requestTimeout)
		granted, err := p.registerOnce(rctx, r.req)
		cancel()
		if ctx.Err() != nil {
			return // stopped while the request was in flight: not a failure to report
		}
		p.report(granted, err)
		if err != nil {
			p.log.Warn("registration refresh failed", "error", err, "retry_in", p.retryInterval)
			t.Reset(p.retryInterval)
			continue
		}
		t.Reset(refreshDelay(granted))
	}
}

// Unregister stops refreshing and removes the binding (REGISTER with Expires: 0).
func (p *Phone) Unregister(ctx context.Context) error {
	p.regMu.Lock()
	defer p.regMu.Unlock()
	p.mu.Lock()
	r := p.reg
	p.reg = nil
	p.mu.Unlock()
	if r == nil {
		return nil
	}
	r.stop()
	req := r.req.Clone()
	req.ReplaceHeader(sip.NewHeader("Expires", "0"))
	_, err := p.registerOnce(ctx, req)
	r.req.CSeq().SeqNo = req.CSeq().SeqNo
	if err != nil {
		return err
	}
	p.setRegState(Registration{State: Unregistered, At: time.Now()})
	return nil
}

// RegistrationState is the last registration outcome.
func (p *Phone) RegistrationState() Registration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.regState
}

func (p *Phone) report(granted time.Duration, err error) {
	r := Registration{State: Registered, Expires: granted, At: time.Now()}
	switch {
	case errors.Is(err, ErrUnreachable):
		r = Registration{State: RegUnreachable, Err: err, At: r.At}
	case err != nil:
		r = Registration{State: RegFailed, Err: err, At: r.At}
	}
	p.setRegState(r)
}

func (p *Phone) setRegState(r Registration) {
	p.mu.Lock()
	p.regState = r
	p.mu.Unlock()
	if r.Err != nil {
		p.log.Info("registration", "state", r.State.String(), "error", r.Err)
	} else {
		p.log.Debug("registration", "state", r.State.String(), "expires", r.Expires)
	}
	if p.onReg != nil {
		p.onReg(r)
	}
}

func (p *Phone) domain() string {
	if p.cfg.Realm != "" {
		return p.cfg.Realm
	}
	host, _, _ := net.SplitHostPort(p.cfg.Server)
	return host
}

// newRegister builds the REGISTER that the loop keeps re-sending.
func (p *Phone) newRegister(expires time.Duration) *sip.Request {
	host, portStr, _ := net.SplitHostPort(p.cfg.Server) // validated in New
	port, _ := strconv.Atoi(portStr)
	recipient := sip.Uri{Scheme: "sip", Host: host, Port: port, UriParams: sip.NewParams(), Headers: sip.NewParams()}
	if p.cfg.Transport != "udp" {
		recipient.UriParams.Add("transport", p.cfg.Transport)
	}
	req := sip.NewRequest(sip.REGISTER, recipient)
	aor := sip.Uri{Scheme: "sip", User: p.cfg.Username, Host: p.domain()}
	from := &sip.FromHeader{DisplayName: p.cfg.DisplayName, Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	req.AppendHeader(&sip.ContactHeader{Address: p.contact, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expires.Seconds()))))
	req.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, REFER"))
	req.SetTransport(strings.ToUpper(p.cfg.Transport))
	return req
}

// registerOnce runs one REGISTER transaction, answering one digest challenge, and
// returns the lifetime granted.
func (p *Phone) registerOnce(ctx context.Context, req *sip.Request) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, p.requestTimeout)
	defer cancel()
	req.RemoveHeader("Authorization")
	req.RemoveHeader("Proxy-Authorization")
	req.RemoveHeader("Via")
	res, err := p.client.Do(ctx, req, sipgo.ClientRequestRegisterBuild)
	if err != nil {
		return 0, fmt.Errorf("%w: REGISTER to %s: %v", ErrUnreachable, p.cfg.Server, err)
	}
	if res.StatusCode == 423 {
		// 423: ask again for at least Min-Expires.
		if h := res.GetHeader("Min-Expires"); h != nil {
			req.ReplaceHeader(sip.NewHeader("Expires", strings.TrimSpace(h.Value())))
			req.RemoveHeader("Via")
			if res, err = p.client.Do(ctx, req, sipgo.ClientRequestRegisterBuild); err != nil {
				return 0, fmt.Errorf("%w: REGISTER to %s: %v", ErrUnreachable, p.cfg.Server, err)
			}
		}
	}
	for attempt := 0; isChallenge(res) && attempt < 2; attempt++ {
		if attempt == 1 && !isStale(res) {
			// Challenged again after answering with our credentials: the server
			// does not accept them. Some servers say so with 403, many (Kamailio's
			// default script among them) just challenge again.
			return 0, &RegistrationError{Code: res.StatusCode, Reason: res.Reason, Hint: "wrong username or password"}
		}
		if err := p.checkRealm(res); err != nil {
			return 0, err
		}
		res, err = p.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: p.cfg.Username, Password: p.cfg.Password})
		if err != nil {
			return 0, fmt.Errorf("%w: REGISTER to %s: %v", ErrUnreachable, p.cfg.Server, err)
		}
	}
	if isChallenge(res) {
		return 0, &RegistrationError{Code: res.StatusCode, Reason: res.Reason, Hint: "wrong username or password"}
	}
	if res.StatusCode != sip.StatusOK {
		return 0, &RegistrationError{Code: res.StatusCode, Reason: res.Reason, Hint: refusalHint(res.StatusCode)}
	}
	return p.grantedExpiry(req, res), nil
}

func isChallenge(res *sip.Response) bool {
	return res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired
}

// isStale reports a challenge that only says our nonce expired (RFC 2617 stale=true):
// the credentials were right, so answering the fresh challenge is legitimate.
func isStale(res *sip.Response) bool {
	for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
		if h := res.GetHeader(name); h != nil && strings.Contains(strings.ToLower(h.Value()), "stale=true") {
			return true
		}
	}
	return false
}

func (p *Phone) checkRealm(res *sip.Response) error {
	if p.cfg.Realm == "" {
		return nil
	}
	for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
		h := res.GetHeader(name)
		if h == nil {
			continue
		}
		v := h.Value()
		i := strings.Index(strings.ToLower(v), "realm=")
		if i < 0 {
			continue
		}
		realm := strings.Trim(strings.SplitN(v[i+len("realm="):], ",", 2)[0], `" `)
		if !strings.EqualFold(realm, p.cfg.Realm) {
			return &RegistrationError{Code: res.StatusCode, Reason: res.Reason,
				Hint: fmt.Sprintf("server asked for realm %q, account is for %q", realm, p.cfg.Realm)}
		}
	}
	return nil
}

func refusalHint(code int) string {
	switch code {
	case sip.StatusForbidden:
		return "account refused: wrong password, or not allowed to register"
	case sip.StatusNotFound:
		return "no such user on this server"
	case sip.StatusServiceUnavailable:
		return "server busy or shutting down"
	default:
		return ""
	}
}

// grantedExpiry reads the lifetime the registrar granted to our contact: its
// Contact expires parameter (RFC 3261 §10.3 step 8 returns every binding of the
// AOR; ours is the one with our host:port), else the Expires header, else what we
// asked for.
func (p *Phone) grantedExpiry(req *sip.Request, res *sip.Response) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		for _, entry := range splitList(h.Value()) {
			_, uri := splitNameAddr(entry)
			var u sip.Uri
			if err := sip.ParseUri(uri, &u); err != nil {
				continue
			}
			if u.Host != p.contact.Host || u.Port != p.contact.Port {
				continue
			}
			if v, ok := headerParam(entry, "expires"); ok {
				if n, err := strconv.Atoi(v); err == nil && n > 0 {
					return time.Duration(n) * time.Second
				}
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	if h := req.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(h.Value()); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return p.cfg.Expires
}
