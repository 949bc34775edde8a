package queue

import (
	"log/slog"
	"time"
)

// Option configures an Engine in New.
type Option func(*Engine)

// WithClock sets the clock used for EnteredAt, IdleSince and event times, so
// tests can control waiting times. Offer timeouts still run on real timers
// (use testing/synctest to control them).
func WithClock(now func() time.Time) Option {
	return func(e *Engine) { e.now = now }
}

// WithLogger sets the logger; the engine logs offers and anomalies such as
// stale callbacks from the SIP layer or lagging subscribers.
func WithLogger(l *slog.Logger) Option {
	return func(e *Engine) { e.log = l }
}

// WithOfferTimeout sets how long an offer may ring unanswered before the
// engine withdraws it (CancelOffer) and treats it as OfferFailed "timeout".
// The default is 20s; d <= 0 disables the timeout.
func WithOfferTimeout(d time.Duration) Option {
	return func(e *Engine) { e.offerTimeout = d }
}

// WithReplay sets how many recent events the engine keeps so that a
// reconnecting subscriber can catch up without a full snapshot. Default 4096.
func WithReplay(n int) Option {
	return func(e *Engine) { e.replay = newEventRing(n) }
}

// WithSubscriberBuffer sets how many live events a subscription may fall
// behind before it is dropped as lagged. Default 1024.
func WithSubscriberBuffer(n int) Option {
	return func(e *Engine) { e.subBuffer = max(n, 1) }
}
