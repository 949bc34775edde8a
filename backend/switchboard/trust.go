package switchboard

import (
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Trusted peers: a switchboard reachable from a network where anyone can send SIP can
// be limited to calls from its PBX (Config.TrustedPeers). Only new calls are
// screened — an INVITE without a To tag — so in-dialog requests, REGISTERs of
// attendants' softphones and everything the switchboard sends are unaffected.

// peerScreen holds the trusted prefixes and counts what it refused.
type peerScreen struct {
	prefixes []netip.Prefix // empty: everyone may call
	refused  atomic.Int64
	log      every
}

func newPeerScreen(peers []string) (*peerScreen, error) {
	prefixes, err := parseTrusted(peers)
	if err != nil {
		return nil, err
	}
	p := &peerScreen{prefixes: prefixes}
	p.log.interval = 10 * time.Second
	return p, nil
}

// parseTrusted turns Config.TrustedPeers (CIDRs or single addresses) into prefixes.
func parseTrusted(peers []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range peers {
		p = strings.TrimSpace(p)
		if !strings.Contains(p, "/") {
			a, err := netip.ParseAddr(p)
			if err != nil {
				return nil, fmt.Errorf("%w: trusted peer %q: %v", ErrConfig, p, err)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("%w: trusted peer %q: %v", ErrConfig, p, err)
		}
		out = append(out, pfx.Masked())
	}
	return out, nil
}

// trusted reports whether a new call from source ("host:port") may be taken.
func (p *peerScreen) trusted(source string) bool {
	if len(p.prefixes) == 0 {
		return true
	}
	ap, err := netip.ParseAddrPort(source)
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, pfx := range p.prefixes {
		if pfx.Contains(ip) {
			return true
		}
	}
	return false
}

// screen answers 403 to new calls from untrusted sources, before any dialog or
// media is set up for them.
func (s *Switchboard) screen(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if req.IsInvite() && !hasToTag(req) && !s.peers.trusted(req.Source()) {
			// A flood must not become a log flood: one line per interval with a count.
			if n := s.peers.refused.Add(1); s.peers.log.Allow() {
				s.log.Warn("refusing INVITE from an untrusted peer with 403", "source", req.Source(), "refused_total", n)
			}
			if err := tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden (untrusted peer)", nil)); err != nil {
				s.log.Debug("refusing untrusted INVITE", "error", err)
			}
			return
		}
		next(req, tx)
	}
}

func hasToTag(req *sip.Request) bool {
	to := req.To()
	if to == nil {
		return false
	}
	_, ok := to.Params.Get("tag")
	return ok
}
