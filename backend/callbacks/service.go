package callbacks

import (
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/concierge-console/concierge/backend/store"
)

// MailMetaKey is where the mail server settings are kept in the store.
const MailMetaKey = "mail"

// DoneKept is how long a done request is still listed: long enough to see
// what was handled this week, short enough to keep the list about work.
const DoneKept = 7 * 24 * time.Hour

// Service keeps callback requests in the switchboard's store, e-mails them
// and tells listeners about every change. It is safe for concurrent use.
type Service struct {
	st      *store.Store
	log     *slog.Logger
	now     func() time.Time
	loc     *time.Location
	tls     *tls.Config
	timeout time.Duration

	mu   sync.Mutex
	mail MailConfig

	lmu       sync.Mutex
	listeners map[*Listener]struct{}
}

// Option configures a Service.
type Option func(*Service)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithLocation sets the time zone of times in e-mails (default: local).
func WithLocation(loc *time.Location) Option { return func(s *Service) { s.loc = loc } }

// WithTLSConfig sets the TLS settings for the mail server (such as a private
// CA); ServerName defaults to the mail host.
func WithTLSConfig(c *tls.Config) Option { return func(s *Service) { s.tls = c } }

// WithMailTimeout bounds one e-mail delivery (default 15 s).
func WithMailTimeout(d time.Duration) Option { return func(s *Service) { s.timeout = d } }

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// NewService returns the callback service over st, with the mail settings an
// administrator saved. Unreadable settings turn e-mail off and are reported.
func NewService(st *store.Store, opts ...Option) (*Service, error) {
	s := &Service{st: st, log: slog.Default(), now: time.Now, loc: time.Local, timeout: 15 * time.Second,
		listeners: map[*Listener]struct{}{}}
	for _, o := range opts {
		o(s)
	}
	doc, err := st.Meta(MailMetaKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s, nil
	case err != nil:
		return s, fmt.Errorf("callbacks: load mail settings: %w", err)
	}
	var cfg MailConfig
	if err := json.Unmarshal(doc, &cfg); err != nil {
		return s, fmt.Errorf("callbacks: decode mail settings: %w", err)
	}
	s.mail = cfg
	return s, nil
}

// List returns the requests u may see: open ones and those done within
// DoneKept, newest first.
func (s *Service) List(u User) ([]Callback, error) {
	docs, err := s.st.Callbacks()
	if err != nil {
		return nil, fmt.Errorf("callbacks: list: %w", err)
	}
	cutoff := s.now().Add(-DoneKept)
	out := []Callback{}
	for _, d := range docs {
		var r record
		if err := json.Unmarshal(d, &r); err != nil {
			return nil, fmt.Errorf("callbacks: decode: %w", err)
		}
		c := r.Callback
		if !visible(r.PrivateTo, u) {
			continue
		}
		if c.Status == StatusDone && c.DoneAt != nil && c.DoneAt.Before(cutoff) {
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Callback) int { return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// Create stores a request taken by by, then e-mails it to t.Email when
// e-mail is on and there is an address. The request is stored before the
// e-mail is tried, and a failed e-mail only marks it: nothing is lost. r must
// come with the contact's name filled in when it names one (ForID).
func (s *Service) Create(ctx context.Context, by User, r Request, t Target) (Callback, error) {
	r, err := r.Normalize()
	if err != nil {
		return Callback{}, err
	}
	if r.ForName == "" {
		return Callback{}, fmt.Errorf("%w: say who should call back (forName)", ErrInvalid)
	}
	c := Callback{
		ID: uuid.NewString(), CreatedAt: s.now().UTC(), CreatedBy: by.Username, CreatedByName: by.Name,
		ForID: r.ForID, ForName: r.ForName, ForNumber: r.ForNumber,
		CallerName: r.CallerName, CallerNumber: r.CallerNumber, Message: r.Message,
		Status: StatusOpen, Delivery: DeliveryNone,
	}
	cfg := s.mailConfig()
	email := t.Email
	if !cfg.Enabled() {
		email = ""
	}
	c.DeliveredTo = email
	if err := s.put(record{c, t.PrivateTo}); err != nil {
		return Callback{}, err
	}
	s.publish(Change{c, t.PrivateTo})
	if email == "" {
		return c, nil
	}
	derr := send(ctx, cfg, s.tls, s.timeout, s.now(), callbackMail(c, email, s.loc))
	if derr != nil {
		s.log.Warn("callbacks: e-mail failed; the request stays open", "id", c.ID, "to", email, "err", derr)
	} else {
		s.log.Info("callbacks: e-mailed", "id", c.ID, "to", email)
	}
	// Update rather than overwrite: someone may have marked it done meanwhile.
	return s.update(c.ID, by, func(c *Callback) bool {
		c.Delivery, c.DeliveryError = DeliverySent, ""
		if derr != nil {
			c.Delivery, c.DeliveryError = DeliveryFailed, derr.Error()
		}
		return true
	})
}

// Done marks a request done by by. Marking a done request again changes
// nothing: two attendants may click at once. A request by may not see is
// not found.
func (s *Service) Done(id string, by User) (Callback, error) {
	return s.update(id, by, func(c *Callback) bool {
		if c.Status == StatusDone {
			return false
		}
		at := s.now().UTC()
		c.Status, c.DoneAt, c.DoneBy, c.DoneByName = StatusDone, &at, by.Username, by.Name
		return true
	})
}

// Reopen makes a done request open again.
func (s *Service) Reopen(id string, by User) (Callback, error) {
	return s.update(id, by, func(c *Callback) bool {
		if c.Status == StatusOpen {
			return false
		}
		c.Status, c.DoneAt, c.DoneBy, c.DoneByName = StatusOpen, nil, "", ""
		return true
	})
}

func (s *Service) put(c record) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("callbacks: encode: %w", err)
	}
	if err := s.st.PutCallback(c.ID, doc); err != nil {
		return fmt.Errorf("callbacks: save: %w", err)
	}
	return nil
}

// errHidden makes update change nothing for a request its user may not see.
var errHidden = errors.New("hidden")

// update applies f to the stored request id, if by may see it, and tells
// listeners when f reports a change.
func (s *Service) update(id string, by User, f func(*Callback) bool) (Callback, error) {
	var out record
	changed := false
	_, err := s.st.UpdateCallback(id, func(doc json.RawMessage) (json.RawMessage, error) {
		if err := json.Unmarshal(doc, &out); err != nil {
			return nil, fmt.Errorf("decode callback %s: %w", id, err)
		}
		if !visible(out.PrivateTo, by) {
			return nil, errHidden
		}
		changed = f(&out.Callback)
		return json.Marshal(out)
	})
	if errors.Is(err, errHidden) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		return Callback{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return Callback{}, fmt.Errorf("callbacks: update %s: %w", id, err)
	}
	if changed {
		s.publish(Change{out.Callback, out.PrivateTo})
	}
	return out.Callback, nil
}

func (s *Service) mailConfig() MailConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mail
}

// MailSettings returns the mail server settings, without the password.
func (s *Service) MailSettings() MailSettings {
	v := s.mailConfig().View()
	if v.Security == "" {
		v.Security = SecurityStartTLS
	}
	return v
}

// SaveMailSettings checks, stores and applies new mail settings; an empty
// password keeps the stored one. Errors wrap ErrInvalid for bad settings.
func (s *Service) SaveMailSettings(in MailSettingsUpdate) (MailSettings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := MailConfig{Host: in.Host, Port: in.Port, From: in.From, Username: in.Username, Password: s.mail.Password, Security: in.Security}
	if in.Password != "" {
		cfg.Password = in.Password
	}
	cfg, err := cfg.Normalize()
	if err != nil {
		return MailSettings{}, fmt.Errorf("%w: %w", ErrInvalidMail, err)
	}
	doc, err := json.Marshal(cfg)
	if err != nil {
		return MailSettings{}, fmt.Errorf("callbacks: encode mail settings: %w", err)
	}
	if err := s.st.PutMeta(MailMetaKey, doc); err != nil {
		return MailSettings{}, fmt.Errorf("callbacks: save mail settings: %w", err)
	}
	s.mail = cfg
	return cfg.View(), nil
}

// ErrInvalidMail is wrapped by errors about bad mail settings.
var ErrInvalidMail = errors.New("invalid mail settings")

// TestMail sends a test e-mail to to with the saved settings. A bad address
// is an error (wrapping ErrInvalidMail); a failed delivery is a MailTest
// with the reason.
func (s *Service) TestMail(ctx context.Context, to string) (MailTest, error) {
	to = strings.TrimSpace(to)
	if _, err := parseAddress(to); err != nil {
		return MailTest{}, fmt.Errorf("%w: %q is not an e-mail address", ErrInvalidMail, to)
	}
	m := message{to: to, subject: "Concierge test e-mail",
		body: "This is a test e-mail from the Concierge switchboard.\nCallback requests will be e-mailed with these settings.\n"}
	if err := send(ctx, s.mailConfig(), s.tls, s.timeout, s.now(), m); err != nil {
		return MailTest{Error: err.Error()}, nil
	}
	return MailTest{OK: true}, nil
}

// Listener receives every changed request on C; it is up to the listener to
// pass on only those its user may see (Change.VisibleTo). A listener that
// falls behind has C closed: it should reload the list.
type Listener struct {
	C      <-chan Change
	c      chan Change
	s      *Service
	closed bool
}

// Listen returns a new listener; Close it when done.
func (s *Service) Listen() *Listener {
	ch := make(chan Change, 64)
	l := &Listener{C: ch, c: ch, s: s}
	s.lmu.Lock()
	s.listeners[l] = struct{}{}
	s.lmu.Unlock()
	return l
}

// Close stops the listener.
func (l *Listener) Close() {
	l.s.lmu.Lock()
	defer l.s.lmu.Unlock()
	if !l.closed {
		l.closed = true
		delete(l.s.listeners, l)
		close(l.c)
	}
}

func (s *Service) publish(c Change) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	for l := range s.listeners {
		select {
		case l.c <- c:
		default:
			l.closed = true
			delete(s.listeners, l)
			close(l.c)
		}
	}
}
