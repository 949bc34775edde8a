package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/concierge-console/concierge/backend/auth"
	"github.com/concierge-console/concierge/backend/calendar"
	"github.com/concierge-console/concierge/backend/callbacks"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/favorites"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/stats"
	"github.com/concierge-console/concierge/backend/store"
)

// Switchboard is what the API needs from the call engine. The SIP switchboard
// implements it; keeping it an interface lets a later cluster mode put a
// different engine behind the same API.
type Switchboard interface {
	Snapshot() queue.Snapshot
	Subscribe(since uint64) *queue.Subscription
	AttendantOnline(ctx context.Context, a queue.Attendant) error
	AttendantOffline(ctx context.Context, username string)
	SetAvailable(ctx context.Context, username string, on bool) error
	Answer(ctx context.Context, username, callID string) error
	Reject(ctx context.Context, username, callID string) error
	Pickup(ctx context.Context, username, callID string) error
	Reserve(ctx context.Context, username, callID string) error
	SetNote(ctx context.Context, username, callID, note string) error
	Hold(ctx context.Context, username, callID string) error
	Resume(ctx context.Context, username, callID string) error
	Hangup(ctx context.Context, username, callID string) error
	Transfer(ctx context.Context, username, callID, target string, safe bool) error
}

// Server serves the HTTP API. Create it with NewServer and mount Handler.
type Server struct {
	// dummyHash is checked for unknown users, so that a missing user takes
	// as long as a wrong password.
	dummyHash  func() string
	store      *store.Store
	sb         Switchboard
	dir        *directory.Directory
	favs       *favorites.Service
	ldap       *directory.LDAPSync
	log        *slog.Logger
	realm      string
	sipAddr    string
	epoch      string
	sessionTTL time.Duration
	grace      time.Duration
	now        func() time.Time

	pres *presenceState    // contacts' presence (presence.go); nil without WithPresence
	cal  *calendar.Service // contacts' calendars (calendar.go); nil without WithCalendar

	stats *stats.Service // live statistics and reports (stats.go); nil without WithStats

	cb *callbacks.Service // callback requests (callbacks.go); nil without WithCallbacks

	queueAdmin    bool          // serve /admin/queues (queues_admin.go)
	runningQueues []store.Queue // the queues the switchboard started with

	mu       sync.Mutex
	presence map[string]*presence // username → live event streams
}

// presence counts the event streams of one attendant: the attendant is online
// while at least one is open, and a short grace lets a console reconnect
// without its offered calls being pulled back.
type presence struct {
	streams int
	timer   *time.Timer
}

// Option configures a Server.
type Option func(*Server)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithDirectory serves the company directory under /contacts, and each
// user's favorites.
func WithDirectory(d *directory.Directory) Option {
	return func(s *Server) { s.dir, s.favs = d, nil }
}

// WithRealm sets the SIP digest realm used when passwords change (default "concierge").
func WithRealm(realm string) Option { return func(s *Server) { s.realm = realm } }

// WithSIPAddr tells consoles where their softphones register.
func WithSIPAddr(addr string) Option { return func(s *Server) { s.sipAddr = addr } }

// WithSessionTTL sets how long a login stays valid (default 12 h, one shift).
func WithSessionTTL(d time.Duration) Option { return func(s *Server) { s.sessionTTL = d } }

// WithOfflineGrace sets how long after its last event stream closes an
// attendant is taken offline (default 3 s).
func WithOfflineGrace(d time.Duration) Option { return func(s *Server) { s.grace = d } }

// NewServer returns an API server over st and sb.
func NewServer(st *store.Store, sb Switchboard, opts ...Option) *Server {
	s := &Server{
		store: st, sb: sb,
		log:        slog.Default(),
		realm:      "concierge",
		epoch:      newEpoch(),
		sessionTTL: 12 * time.Hour,
		grace:      3 * time.Second,
		now:        time.Now,
		presence:   map[string]*presence{},
		// On first use, not at start: argon2 takes a third of a second and
		// 32 MB, which every console importing this package would pay.
		dummyHash: sync.OnceValue(func() string {
			h, _ := auth.HashPassword("timing-equaliser")
			return h
		}),
	}
	for _, o := range opts {
		o(s)
	}
	if s.dir != nil {
		s.favs = favorites.New(st, s.dir)
	}
	return s
}

// Handler returns the API routes under /api/v1/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	p := "/api/" + Version
	mux.HandleFunc("GET "+p+"/health", s.health)
	mux.HandleFunc("POST "+p+"/session", s.login)
	mux.Handle("GET "+p+"/session", s.authed(store.RoleAttendant, s.currentSession))
	mux.Handle("DELETE "+p+"/session", s.authed(store.RoleAttendant, s.logout))
	mux.Handle("GET "+p+"/queues", s.authed(store.RoleAttendant, s.queues))
	mux.Handle("GET "+p+"/attendants", s.authed(store.RoleAttendant, s.attendants))
	mux.Handle("GET "+p+"/events", s.authed(store.RoleAttendant, s.events))
	mux.Handle("POST "+p+"/calls/{id}/{action}", s.authed(store.RoleAttendant, s.callAction))
	mux.Handle("PUT "+p+"/calls/{id}/note", s.authed(store.RoleAttendant, s.setNote))
	mux.Handle("POST "+p+"/calls/{id}/transfer", s.authed(store.RoleAttendant, s.transfer))
	s.callControlRoutes(mux, p) // consult, swap, complete, cancel-consult, park, retrieve, mute
	mux.Handle("PUT "+p+"/me/availability", s.authed(store.RoleAttendant, s.setAvailability))
	mux.Handle("GET "+p+"/me/settings", s.authed(store.RoleAttendant, s.getSettings))
	mux.Handle("PUT "+p+"/me/settings", s.authed(store.RoleAttendant, s.putSettings))
	mux.Handle("GET "+p+"/history", s.authed(store.RoleAttendant, s.history))
	mux.Handle("GET "+p+"/history/destinations", s.authed(store.RoleAttendant, s.historyDestinations))
	s.statsRoutes(mux, p)    // stats, reports/calls
	s.callbackRoutes(mux, p) // callbacks, admin/mail
	if s.ldap != nil {
		mux.Handle("GET "+p+"/directory/ldap", s.authed(store.RoleAdmin, s.getLDAP))
		mux.Handle("PUT "+p+"/directory/ldap", s.authed(store.RoleAdmin, s.putLDAP))
		mux.Handle("POST "+p+"/directory/ldap/sync", s.authed(store.RoleAdmin, s.syncLDAP))
	}
	if s.dir != nil {
		mux.Handle("GET "+p+"/me/favorites", s.authed(store.RoleAttendant, s.getFavorites))
		mux.Handle("PUT "+p+"/me/favorites", s.authed(store.RoleAttendant, s.putFavorites))
		mux.Handle("GET "+p+"/contacts", s.authed(store.RoleAttendant, s.searchContacts))
		if s.pres != nil {
			mux.Handle("GET "+p+"/presence", s.authed(store.RoleAttendant, s.getPresence))
		}
		mux.Handle("POST "+p+"/contacts", s.authed(store.RoleAttendant, s.createContact))
		mux.Handle("GET "+p+"/contacts/export", s.authed(store.RoleSupervisor, s.exportContacts))
		mux.Handle("POST "+p+"/contacts/import", s.authed(store.RoleSupervisor, s.importContacts))
		mux.Handle("GET "+p+"/contacts/{id}", s.authed(store.RoleAttendant, s.getContact))
		mux.Handle("PUT "+p+"/contacts/{id}", s.authed(store.RoleAttendant, s.updateContact))
		mux.Handle("DELETE "+p+"/contacts/{id}", s.authed(store.RoleAttendant, s.deleteContact))
		if s.cal != nil {
			mux.Handle("GET "+p+"/contacts/{id}/calendar", s.authed(store.RoleAttendant, s.contactCalendar))
		}
	}
	if s.queueAdmin {
		mux.Handle("GET "+p+"/admin/queues", s.authed(store.RoleSupervisor, s.listQueueSettings)) // read-only for supervisors
		mux.Handle("PUT "+p+"/queues/{id}/mode", s.authed(store.RoleSupervisor, s.setQueueMode))
		mux.Handle("POST "+p+"/admin/queues", s.authed(store.RoleAdmin, s.createQueue))
		mux.Handle("PUT "+p+"/admin/queues/{id}", s.authed(store.RoleAdmin, s.updateQueue))
		mux.Handle("DELETE "+p+"/admin/queues/{id}", s.authed(store.RoleAdmin, s.deleteQueue))
	}
	if s.cal != nil {
		mux.Handle("GET "+p+"/admin/calendar", s.authed(store.RoleAdmin, s.getCalendarSettings))
		mux.Handle("PUT "+p+"/admin/calendar", s.authed(store.RoleAdmin, s.putCalendarSettings))
		mux.Handle("POST "+p+"/admin/calendar/test", s.authed(store.RoleAdmin, s.testCalendar))
	}
	mux.Handle("GET "+p+"/users", s.authed(store.RoleSupervisor, s.listUsers))
	mux.Handle("POST "+p+"/users", s.authed(store.RoleAdmin, s.createUser))
	mux.Handle("PUT "+p+"/users/{username}", s.authed(store.RoleAdmin, s.updateUser))
	mux.Handle("DELETE "+p+"/users/{username}", s.authed(store.RoleAdmin, s.deleteUser))
	mux.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return mux
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, Health{Status: "ok", Version: Version})
}

// maxBody bounds request bodies: nothing the API accepts is larger, and a
// bound keeps a bad client from filling memory.
const maxBody = 1 << 20

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("api: write response", "err", err)
	}
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, Error{Error: msg, Code: code})
}

// Errors a Switchboard may wrap so the API answers with the right status
// without knowing the engine's own error types.
var (
	ErrNotFound   = errors.New("not found")   // 404
	ErrConflict   = errors.New("conflict")    // 409
	ErrBadRequest = errors.New("bad request") // 400
)

// engineError maps engine errors to HTTP statuses so that a console can tell
// "someone else took it" (409) from "no such call" (404).
func engineError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, queue.ErrNotFound), errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, queue.ErrTaken):
		writeError(w, http.StatusConflict, "taken", err.Error())
	case errors.Is(err, queue.ErrNotOffered):
		writeError(w, http.StatusConflict, "not_offered", err.Error())
	case errors.Is(err, queue.ErrUnknownAttendant):
		writeError(w, http.StatusConflict, "not_online", err.Error())
	case errors.Is(err, ErrConflict):
		writeError(w, http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, ErrBadRequest):
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
	default:
		writeError(w, http.StatusBadGateway, "switchboard", err.Error())
	}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Username == "" || req.Password == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "username and password are required")
		return
	}
	u, err := s.store.User(req.Username)
	if errors.Is(err, store.ErrNotFound) {
		// Hash anyway so a missing user takes as long as a wrong password.
		auth.CheckPassword(s.dummyHash(), req.Password) //nolint:errcheck // timing only
		writeError(w, http.StatusUnauthorized, "invalid_credentials", "invalid username or password")
		return
	}
	if err != nil {
		s.log.Error("api: load user", "user", req.Username, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "cannot read users")
		return
	}
	if err := auth.CheckPassword(u.PasswordHash, req.Password); err != nil {
		if !errors.Is(err, auth.ErrMismatch) {
			s.log.Error("api: check password", "user", u.Username, "err", err)
		}
		writeError(w, http.StatusUnauthorized, "invalid_credentials", "invalid username or password")
		return
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	now := s.now()
	ext := strings.TrimSpace(req.Extension)
	sess := store.Session{TokenHash: hash, Username: u.Username, Extension: ext, Created: now, Expires: now.Add(s.sessionTTL)}
	if err := s.store.PutSession(sess); err != nil {
		s.log.Error("api: save session", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "cannot save session")
		return
	}
	s.log.Info("api: login", "user", u.Username, "extension", ext)
	writeJSON(w, http.StatusOK, Session{Token: token, Expires: sess.Expires, User: publicUser(u, ext), SIP: s.sipAddr, Realm: s.realm})
}

func newEpoch() string {
	_, h, err := auth.NewToken()
	if err != nil {
		return time.Now().Format(time.RFC3339Nano)
	}
	return h[:16]
}

type ctxKey struct{}

type caller struct {
	user    store.User
	session store.Session
}

func from(r *http.Request) caller { return r.Context().Value(ctxKey{}).(caller) }

// authed wraps h so it runs only for a valid session of a user of at least role.
func (s *Server) authed(role store.Role, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if token == "" || token == r.Header.Get("Authorization") {
			// Browsers cannot set headers on a WebSocket; allow the query there.
			token = r.URL.Query().Get("access_token")
		}
		if token == "" {
			writeError(w, http.StatusUnauthorized, "unauthenticated", "missing bearer token")
			return
		}
		sess, err := s.store.Session(auth.TokenHash(token))
		if err != nil || sess.Expires.Before(s.now()) {
			writeError(w, http.StatusUnauthorized, "unauthenticated", "invalid or expired token")
			return
		}
		u, err := s.store.User(sess.Username)
		if err != nil {
			writeError(w, http.StatusUnauthorized, "unauthenticated", "user no longer exists")
			return
		}
		if u.Role.Rank() < role.Rank() {
			writeError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("requires role %s", role))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, caller{user: u, session: sess})))
	})
}

func (s *Server) currentSession(w http.ResponseWriter, r *http.Request) {
	c := from(r)
	writeJSON(w, http.StatusOK, publicUser(c.user, c.session.Extension))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c := from(r)
	if err := s.store.DeleteSession(c.session.TokenHash); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	s.log.Info("api: logout", "user", c.user.Username)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) queues(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.sb.Snapshot().Queues)
}

func (s *Server) attendants(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.sb.Snapshot().Attendants)
}

func (s *Server) callAction(w http.ResponseWriter, r *http.Request) {
	c := from(r)
	if c.session.Extension == "" {
		writeError(w, http.StatusForbidden, "no_telephony", "logged in without an extension: no call control")
		return
	}
	id, user := r.PathValue("id"), c.user.Username
	var err error
	switch r.PathValue("action") {
	case "answer":
		err = s.sb.Answer(r.Context(), user, id)
	case "reject":
		err = s.sb.Reject(r.Context(), user, id)
	case "pickup":
		err = s.sb.Pickup(r.Context(), user, id)
	case "reserve":
		err = s.sb.Reserve(r.Context(), user, id)
	case "hold":
		err = s.sb.Hold(r.Context(), user, id)
	case "resume":
		err = s.sb.Resume(r.Context(), user, id)
	case "hangup":
		err = s.sb.Hangup(r.Context(), user, id)
	default:
		writeError(w, http.StatusNotFound, "not_found", "unknown call action "+r.PathValue("action"))
		return
	}
	if err != nil {
		engineError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// maxNote bounds a call note: a note is a line or two for a colleague.
const maxNote = 2000

func (s *Server) setNote(w http.ResponseWriter, r *http.Request) {
	var n Note
	if !decode(w, r, &n) {
		return
	}
	if len(n.Note) > maxNote {
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("note longer than %d bytes", maxNote))
		return
	}
	if err := s.sb.SetNote(r.Context(), from(r).user.Username, r.PathValue("id"), n.Note); err != nil {
		engineError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// TransferRequest is the body of POST /api/v1/calls/{id}/transfer.
type TransferRequest struct {
	Target string `json:"target"`
	Safe   bool   `json:"safe"`
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request) {
	c := from(r)
	if c.session.Extension == "" {
		writeError(w, http.StatusForbidden, "no_telephony", "logged in without an extension: no call control")
		return
	}
	var req TransferRequest
	if !decode(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Target) == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "transfer target is empty")
		return
	}
	if err := s.sb.Transfer(r.Context(), c.user.Username, r.PathValue("id"), req.Target, req.Safe); err != nil {
		engineError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) setAvailability(w http.ResponseWriter, r *http.Request) {
	var a Availability
	if !decode(w, r, &a) {
		return
	}
	if err := s.sb.SetAvailable(r.Context(), from(r).user.Username, a.Available); err != nil {
		engineError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) {
	doc, err := s.store.Settings(from(r).user.Username)
	if errors.Is(err, store.ErrNotFound) {
		doc = json.RawMessage(`{}`)
	} else if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(doc)
}

func (s *Server) putSettings(w http.ResponseWriter, r *http.Request) {
	var doc map[string]any
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	if err := dec.Decode(&doc); err != nil || doc == nil {
		writeError(w, http.StatusBadRequest, "bad_request", "settings must be a JSON object")
		return
	}
	raw, _ := json.Marshal(doc)
	if err := s.store.PutSettings(from(r).user.Username, raw); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
