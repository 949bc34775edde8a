package switchboard

import (
	"net"
	"sync"
	"time"
)

// Brute-force bound for SIP passwords: a source address that fails digest
// authentication maxFailures times within window is refused outright for block
// — even with the right password, so guessing gains nothing — while other
// sources, including users behind another address, register as usual.
const (
	authMaxFailures = 10
	authWindow      = time.Minute
	authBlock       = 5 * time.Minute
	// authMaxSources bounds the table: a flood from many forged addresses cannot
	// grow it without limit (UDP sources are cheap to forge, their failures are not
	// worth remembering past this).
	authMaxSources = 10000
)

// authLimiter counts failed authentications per source IP.
type authLimiter struct {
	maxFailures int
	window      time.Duration
	block       time.Duration
	now         func() time.Time

	mu      sync.Mutex
	sources map[string]*authSource
}

type authSource struct {
	failures     int
	since        time.Time // start of the counting window
	blockedUntil time.Time
}

func newAuthLimiter(now func() time.Time) *authLimiter {
	return &authLimiter{maxFailures: authMaxFailures, window: authWindow, block: authBlock, now: now, sources: make(map[string]*authSource)}
}

// blocked reports whether ip is refused for now.
func (l *authLimiter) blocked(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.sources[ip]
	return s != nil && l.now().Before(s.blockedUntil)
}

// failed records a failed authentication from ip and reports whether it just
// got ip blocked.
func (l *authLimiter) failed(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	s := l.sources[ip]
	if s == nil {
		if len(l.sources) >= authMaxSources {
			l.sweepLocked(now)
			if len(l.sources) >= authMaxSources {
				return false
			}
		}
		s = &authSource{since: now}
		l.sources[ip] = s
	}
	if now.Sub(s.since) > l.window {
		s.failures, s.since = 0, now
	}
	s.failures++
	if s.failures >= l.maxFailures && !now.Before(s.blockedUntil) {
		s.blockedUntil = now.Add(l.block)
		s.failures, s.since = 0, now
		return true
	}
	return false
}

// sweep forgets sources that are neither blocked nor counting.
func (l *authLimiter) sweep() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweepLocked(l.now())
}

func (l *authLimiter) sweepLocked(now time.Time) {
	for ip, s := range l.sources {
		if !now.Before(s.blockedUntil) && now.Sub(s.since) > l.window {
			delete(l.sources, ip)
		}
	}
}

// sourceIP is the IP a request came from, without the port.
func sourceIP(source string) string {
	if host, _, err := net.SplitHostPort(source); err == nil {
		return host
	}
	return source
}
