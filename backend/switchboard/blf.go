package switchboard

// BLF (T3): the switchboard subscribes at the PBX to the dialog event package
// (RFC 4235, "Event: dialog") of the numbers people look at, and feeds what
// the NOTIFYs say into the presence hub. It also tells the hub about the
// calls it rings and bridges itself, which it knows first-hand.
//
// Which numbers: the hub's wanted keys (numbers the consoles show, and the
// extensions of the directory, see presence.Hub.Want), digits only, at most
// BLFConfig.Max of them. Each subscription is refreshed before it expires;
// one that fails is retried with backoff and its last state turns stale in
// the hub when its time is up, so the console says "last known" rather than
// showing an old lamp as current.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/concierge-console/concierge/backend/presence"
)

// BLFConfig tunes the BLF subscriptions.
type BLFConfig struct {
	// Expires is the subscription duration asked of the PBX (default 10 min).
	Expires time.Duration
	// Max bounds the number of subscriptions (default 500).
	Max int
	// Window: a key wanted within it stays subscribed (default 15 min).
	Window time.Duration
}

const (
	blfSource      = "blf"
	blfEvent       = "dialog"
	blfAccept      = "application/dialog-info+xml"
	blfTick        = time.Second
	blfParallel    = 8
	blfMinBackoff  = 5 * time.Second
	blfMaxBackoff  = 10 * time.Minute
	blfRequestWait = 5 * time.Second
)

// WithPresence makes the switchboard report to hub: the numbers it rings and
// bridges, and — when a PBX is configured — BLF of the numbers the hub wants.
func WithPresence(hub *presence.Hub, cfg BLFConfig) Option {
	return func(s *Switchboard) {
		if cfg.Expires <= 0 {
			cfg.Expires = 10 * time.Minute
		}
		if cfg.Max <= 0 {
			cfg.Max = 500
		}
		if cfg.Window <= 0 {
			cfg.Window = 15 * time.Minute
		}
		s.blf = &blf{hub: hub, cfg: cfg, sb: s, subs: map[string]*blfSub{}, byCallID: map[string]*blfSub{}}
	}
}

// line reports a number the switchboard itself rings (presence.Ringing), is
// bridged to (presence.Busy) or has let go ("") for one call.
func (s *Switchboard) line(callID, number string, st presence.State) {
	if s.blf == nil || number == "" {
		return
	}
	s.blf.hub.Update(presence.Update{Source: "call:" + callID, Key: number, State: st})
}

// registeredPresence reports a user whose phone registered at the switchboard
// as available until the binding expires; past that, without a refresh, the
// hub calls it stale.
func (s *Switchboard) registeredPresence(username string) {
	if s.blf == nil {
		return
	}
	if ttl := time.Until(s.reg.expiresOf(username)); ttl > 0 {
		s.blf.hub.Update(presence.Update{Source: "registrar", Key: username, State: presence.Available, TTL: ttl})
	}
}

// unregisteredPresence reports a user whose phone unregistered or let its
// binding expire as offline, so colleagues do not see a stale "available".
// The next REGISTER makes them available again.
func (s *Switchboard) unregisteredPresence(username string) {
	if s.blf != nil {
		s.blf.hub.Update(presence.Update{Source: "registrar", Key: username, State: presence.Offline})
	}
}

// expiresOf returns when the last live binding of username expires (zero if none).
func (r *registrar) expiresOf(username string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var last time.Time
	for _, b := range r.liveLocked(strings.ToLower(username), r.now()) {
		if b.expires.After(last) {
			last = b.expires
		}
	}
	return last
}

type blf struct {
	hub *presence.Hub
	cfg BLFConfig
	sb  *Switchboard // for its logger, final once New returns

	mu       sync.Mutex
	subs     map[string]*blfSub // key → subscription
	byCallID map[string]*blfSub
}

// blfSub is one subscription dialog. Its fields are guarded by blf.mu.
type blfSub struct {
	key      string
	callID   string
	fromTag  string
	toTag    string
	cseq     uint32
	target   sip.Uri // where refreshes go: the notifier's Contact
	lamp     presence.Lamp
	active   bool
	expires  time.Time // of the subscription
	next     time.Time // when to (re)subscribe
	failures int
	inflight bool
}

// blfNotify is request middleware: dialog-event NOTIFYs for our subscriptions
// are handled here, everything else goes on (diago handles REFER NOTIFYs).
func (s *Switchboard) blfNotify(next sipgo.RequestHandler) sipgo.RequestHandler {
	if s.blf == nil {
		return next
	}
	return func(req *sip.Request, tx sip.ServerTransaction) {
		ev := req.GetHeader("Event")
		if req.Method != sip.NOTIFY || ev == nil || !strings.EqualFold(eventPackage(ev.Value()), blfEvent) {
			next(req, tx)
			return
		}
		code, reason := s.blf.notify(req)
		if err := tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil)); err != nil {
			s.blf.log().Debug("blf: answering NOTIFY", "error", err)
		}
	}
}

func (b *blf) log() *slog.Logger { return b.sb.log.With("component", "blf") }

func eventPackage(v string) string {
	v, _, _ = strings.Cut(v, ";")
	return strings.TrimSpace(v)
}

// notify applies a NOTIFY and returns the response to send.
func (b *blf) notify(req *sip.Request) (int, string) {
	callID := ""
	if h := req.CallID(); h != nil {
		callID = h.Value()
	}
	info, err := presence.ParseDialogInfo(req.Body())
	if err != nil {
		b.log().Info("blf: bad NOTIFY body", "call_id", callID, "error", err)
		return sip.StatusBadRequest, "Bad dialog-info"
	}
	state, params := "", ""
	if h := req.GetHeader("Subscription-State"); h != nil {
		state, params, _ = strings.Cut(h.Value(), ";")
		state = strings.ToLower(strings.TrimSpace(state))
	}

	b.mu.Lock()
	sub := b.byCallID[callID]
	if sub == nil {
		b.mu.Unlock()
		return sip.StatusCallTransactionDoesNotExists, "Subscription Does Not Exist"
	}
	if sub.toTag == "" { // the NOTIFY can overtake the 200 OK
		if f := req.From(); f != nil {
			sub.toTag, _ = f.Params.Get("tag")
		}
	}
	now := time.Now()
	if v := paramValue(params, "expires"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			sub.expires = now.Add(time.Duration(n) * time.Second)
		}
	}
	if state == "pending" {
		// Not authorised yet: the body says nothing about the line.
		b.mu.Unlock()
		return sip.StatusOK, "OK"
	}
	lamp := sub.lamp.Apply(info)
	ttl := time.Until(sub.expires) + blfMinBackoff
	if state == "terminated" {
		// The PBX ended it: subscribe afresh soon; the lamp goes stale meanwhile.
		b.forget(sub)
		sub.next = now.Add(blfMinBackoff)
		ttl = blfMinBackoff
	}
	key := sub.key
	b.mu.Unlock()
	if ttl <= 0 {
		ttl = blfMinBackoff
	}
	b.hub.Update(presence.Update{Source: blfSource, Key: key, State: lamp, TTL: ttl})
	b.log().Debug("blf: NOTIFY", "key", key, "state", lamp, "subscription", state)
	return sip.StatusOK, "OK"
}

func paramValue(params, name string) string {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// forget ends a subscription dialog locally (b.mu held): the next SUBSCRIBE
// starts a new one.
func (b *blf) forget(sub *blfSub) {
	delete(b.byCallID, sub.callID)
	sub.callID, sub.toTag, sub.active = "", "", false
	sub.lamp = presence.Lamp{}
}

// runBLF keeps the subscriptions in step with the wanted keys until the
// switchboard shuts down, then unsubscribes. It runs counted in s.wg.
func (s *Switchboard) runBLF(ua *sipgo.UserAgent, host string, port int) {
	defer s.wg.Done()
	b := s.blf
	opts := []sipgo.ClientOption{sipgo.WithClientLogger(b.log())}
	if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
		opts = append(opts, sipgo.WithClientConnectionAddr(net.JoinHostPort(host, strconv.Itoa(port))))
	}
	cl, err := sipgo.NewClient(ua, opts...)
	if err != nil {
		b.log().Error("blf: no SIP client; no BLF", "error", err)
		return
	}
	defer cl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var running sync.WaitGroup
	sem := make(chan struct{}, blfParallel)
	tick := time.NewTicker(blfTick)
	defer tick.Stop()
	for {
		for _, sub := range b.due(time.Now()) {
			running.Add(1)
			go func() {
				defer running.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				s.subscribe(ctx, cl, sub, b.cfg.Expires)
			}()
		}
		select {
		case <-s.shutdown:
			cancel()
			running.Wait()
			s.unsubscribeAll(cl)
			return
		case <-tick.C:
		case <-b.hub.WantC():
		}
	}
}

// due reconciles the subscriptions with the wanted keys and returns those
// to (re)subscribe now, marked in flight.
func (b *blf) due(now time.Time) []*blfSub {
	wanted := b.hub.Wanted(b.cfg.Window)
	b.mu.Lock()
	defer b.mu.Unlock()
	keep := map[string]bool{}
	for _, k := range wanted {
		if len(keep) >= b.cfg.Max {
			break
		}
		if isDigits(k) {
			keep[k] = true
		}
	}
	var out []*blfSub
	for k, sub := range b.subs {
		if !keep[k] && !sub.inflight {
			// Nobody looks any more: let the subscription lapse and the lamp go.
			b.forget(sub)
			delete(b.subs, k)
			b.hub.Update(presence.Update{Source: blfSource, Key: k})
		}
	}
	for k := range keep {
		sub := b.subs[k]
		if sub == nil {
			sub = &blfSub{key: k, next: now}
			b.subs[k] = sub
		}
		if !sub.inflight && !now.Before(sub.next) {
			sub.inflight = true
			out = append(out, sub)
		}
	}
	return out
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// subscribe sends one SUBSCRIBE (initial or refresh) for sub, expires 0
// unsubscribes.
func (s *Switchboard) subscribe(ctx context.Context, cl *sipgo.Client, sub *blfSub, expires time.Duration) {
	b := s.blf
	req, pbx := s.subscribeRequest(sub, expires)
	ctx, cancel := context.WithTimeout(ctx, blfRequestWait)
	defer cancel()
	res, err := b.send(ctx, cl, sub, req, pbx)

	b.mu.Lock()
	defer b.mu.Unlock()
	sub.inflight = false
	now := time.Now()
	switch {
	case err == nil && res.IsSuccess():
		sub.failures, sub.active = 0, true
		if sub.toTag == "" {
			sub.toTag, _ = res.To().Params.Get("tag")
		}
		if c := res.Contact(); c != nil {
			sub.target = *c.Address.Clone()
		}
		granted := expires
		if h := res.GetHeader("Expires"); h != nil {
			if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
				granted = time.Duration(n) * time.Second
			}
		}
		sub.expires = now.Add(granted)
		// Refresh well before expiry: a fifth of the time, at least a few seconds.
		sub.next = now.Add(granted - max(granted/5, min(granted/2, 30*time.Second)))
		return
	case err == nil && res.StatusCode == sip.StatusCallTransactionDoesNotExists && sub.active:
		// The PBX lost our dialog (restart): subscribe afresh at once.
		b.forget(sub)
		sub.next = now
		return
	}
	sub.failures++
	backoff := min(blfMinBackoff<<min(sub.failures-1, 10), blfMaxBackoff)
	sub.next = now.Add(backoff)
	why := "timeout"
	if err != nil {
		why = err.Error()
	} else {
		why = fmt.Sprintf("%d %s", res.StatusCode, res.Reason)
		b.forget(sub)
	}
	b.log().Info("blf: SUBSCRIBE failed; retrying", "key", sub.key, "reason", why, "retry_in", backoff)
}

// subscribeRequest builds the next SUBSCRIBE of sub's dialog (a new dialog
// when it has none).
func (s *Switchboard) subscribeRequest(sub *blfSub, expires time.Duration) (*sip.Request, *PBXConfig) {
	b := s.blf
	p := s.cfg.PBX
	host, portStr, _ := net.SplitHostPort(p.Proxy) // validated in New
	port, _ := strconv.Atoi(portStr)
	_, ourHost := s.diago()
	udp, _ := s.SIPAddr()
	ourPort := 0
	if u, ok := udp.(*net.UDPAddr); ok {
		ourPort = u.Port
	}
	aor := sip.Uri{Scheme: "sip", User: sub.key, Host: host, Port: port, UriParams: sip.NewParams(), Headers: sip.NewParams()}
	if t := strings.ToLower(p.Transport); t != "" && t != "udp" {
		aor.UriParams.Add("transport", t)
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	if sub.callID == "" {
		sub.callID = sip.GenerateTagN(24)
		sub.fromTag = sip.GenerateTagN(12)
		sub.toTag = ""
		sub.target = aor
		b.byCallID[sub.callID] = sub
	}
	sub.cseq++
	ruri := sub.target
	if sub.toTag == "" {
		ruri = aor
	}
	req := sip.NewRequest(sip.SUBSCRIBE, *ruri.Clone())
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "concierge", Host: ourHost}, Params: sip.NewParams()}
	from.Params.Add("tag", sub.fromTag)
	to := &sip.ToHeader{Address: *aor.Clone(), Params: sip.NewParams()}
	if sub.toTag != "" {
		to.Params.Add("tag", sub.toTag)
	}
	callID := sip.CallIDHeader(sub.callID)
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: sub.cseq, MethodName: sip.SUBSCRIBE})
	req.AppendHeader(&maxFwd)
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "concierge", Host: ourHost, Port: ourPort}})
	req.AppendHeader(sip.NewHeader("Event", blfEvent))
	req.AppendHeader(sip.NewHeader("Accept", blfAccept))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expires/time.Second))))
	req.SetBody(nil)
	return req, p
}

// send sends req and answers one digest challenge with the PBX credentials.
func (b *blf) send(ctx context.Context, cl *sipgo.Client, sub *blfSub, req *sip.Request, p *PBXConfig) (*sip.Response, error) {
	res, err := cl.Do(ctx, req, sipgo.ClientRequestAddVia)
	if err != nil {
		return nil, fmt.Errorf("SUBSCRIBE %s: %w", req.Recipient.String(), err)
	}
	if res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired {
		if p.Username == "" {
			return res, nil
		}
		b.mu.Lock()
		sub.cseq++ // sipgo sends the authenticated retry with the next CSeq
		b.mu.Unlock()
		res, err = cl.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: p.Username, Password: p.Password})
		if err != nil {
			return nil, fmt.Errorf("SUBSCRIBE %s with auth: %w", req.Recipient.String(), err)
		}
	}
	return res, nil
}

// unsubscribeAll sends Expires: 0 for every active subscription, in
// parallel and bounded, so shutdown leaves no dangling watchers at the PBX.
func (s *Switchboard) unsubscribeAll(cl *sipgo.Client) {
	b := s.blf
	b.mu.Lock()
	var active []*blfSub
	for _, sub := range b.subs {
		if sub.active && !sub.inflight {
			sub.inflight = true
			active = append(active, sub)
		}
	}
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var wg sync.WaitGroup
	sem := make(chan struct{}, blfParallel)
	for _, sub := range active {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			req, p := s.subscribeRequest(sub, 0)
			if _, err := b.send(ctx, cl, sub, req, p); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				b.log().Debug("blf: unsubscribe", "key", sub.key, "error", err)
			}
		}()
	}
	wg.Wait()
}
