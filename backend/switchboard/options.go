package switchboard

import (
	"log/slog"

	"github.com/concierge-console/concierge/backend/queue"
)

// Option configures a Switchboard in New.
type Option func(*Switchboard)

// WithLogger sets the logger for the switchboard, the SIP stack and the queue engine.
func WithLogger(l *slog.Logger) Option {
	return func(s *Switchboard) {
		if l != nil {
			s.log = l
		}
	}
}

// WithCredentials sets where REGISTER digest secrets come from. Without it every
// REGISTER is refused: attendant softphones cannot register, desk phones via the PBX
// still work.
func WithCredentials(c Credentials) Option {
	return func(s *Switchboard) { s.creds = c }
}

// WithDirectory sets the directory used to name callers and flag VIPs.
func WithDirectory(d Directory) Option {
	return func(s *Switchboard) { s.dir = d }
}

// WithHistory sets where call history goes. The default discards it.
func WithHistory(h HistorySink) Option {
	return func(s *Switchboard) {
		if h != nil {
			s.history = h
		}
	}
}

// WithQueueOptions passes options to the queue engine the switchboard creates
// (e.g. queue.WithClock in tests, queue.WithReplay).
func WithQueueOptions(opts ...queue.Option) Option {
	return func(s *Switchboard) { s.queueOpts = append(s.queueOpts, opts...) }
}
