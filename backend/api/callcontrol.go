package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/concierge-console/concierge/backend/store"
)

// CallControl is the call control beyond hold and blind transfer: consulted transfer
// (W9), park and retrieve (O1) and switchboard-side mute (W11). The SIP switchboard
// implements it; an engine that does not gets 501 on these routes.
type CallControl interface {
	Consult(ctx context.Context, username, callID, target string) error
	Swap(ctx context.Context, username, callID string) error
	CompleteConsult(ctx context.Context, username, callID string) error
	CancelConsult(ctx context.Context, username, callID string) error
	Park(ctx context.Context, username, callID string) error
	Retrieve(ctx context.Context, username, callID string) error
	Mute(ctx context.Context, username, callID string, on bool) error
	// Dial calls target for the attendant (W4) and returns the new line's ID.
	Dial(ctx context.Context, username, target string) (string, error)
}

// DialRequest is the body of POST /api/v1/calls.
type DialRequest struct {
	Target string `json:"target"`
}

// DialResult is the answer of POST /api/v1/calls: the outgoing call's line.
type DialResult struct {
	ID string `json:"id"`
}

// ConsultRequest is the body of POST /api/v1/calls/{id}/consult.
type ConsultRequest struct {
	Target string `json:"target"`
}

// MuteRequest is the body of PUT /api/v1/calls/{id}/mute.
type MuteRequest struct {
	Muted bool `json:"muted"`
}

func (s *Server) callControlRoutes(mux *http.ServeMux, prefix string) {
	act := func(f func(cc CallControl, ctx context.Context, user, id string) error) http.HandlerFunc {
		return s.withCallControl(func(w http.ResponseWriter, r *http.Request, cc CallControl, user string) {
			noContent(w, f(cc, r.Context(), user, r.PathValue("id")))
		})
	}
	mux.Handle("POST "+prefix+"/calls/{id}/consult", s.authed(store.RoleAttendant, s.withCallControl(s.consult)))
	mux.Handle("POST "+prefix+"/calls/{id}/swap", s.authed(store.RoleAttendant, act(CallControl.Swap)))
	mux.Handle("POST "+prefix+"/calls/{id}/complete", s.authed(store.RoleAttendant, act(CallControl.CompleteConsult)))
	mux.Handle("POST "+prefix+"/calls/{id}/cancel-consult", s.authed(store.RoleAttendant, act(CallControl.CancelConsult)))
	mux.Handle("POST "+prefix+"/calls/{id}/park", s.authed(store.RoleAttendant, act(CallControl.Park)))
	mux.Handle("POST "+prefix+"/calls/{id}/retrieve", s.authed(store.RoleAttendant, act(CallControl.Retrieve)))
	mux.Handle("PUT "+prefix+"/calls/{id}/mute", s.authed(store.RoleAttendant, s.withCallControl(s.mute)))
	mux.Handle("POST "+prefix+"/calls", s.authed(store.RoleAttendant, s.withCallControl(s.dial)))
}

// withCallControl runs h for an attendant logged in with an extension, when the
// engine has call control.
func (s *Server) withCallControl(h func(w http.ResponseWriter, r *http.Request, cc CallControl, user string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := from(r)
		if c.session.Extension == "" {
			writeError(w, http.StatusForbidden, "no_telephony", "logged in without an extension: no call control")
			return
		}
		cc, ok := s.sb.(CallControl)
		if !ok {
			writeError(w, http.StatusNotImplemented, "not_implemented", "this switchboard has no consulted transfer, park or mute")
			return
		}
		h(w, r, cc, c.user.Username)
	}
}

func (s *Server) consult(w http.ResponseWriter, r *http.Request, cc CallControl, user string) {
	var req ConsultRequest
	if !decode(w, r, &req) || !present(w, req.Target, "consultation target is empty") {
		return
	}
	noContent(w, cc.Consult(r.Context(), user, r.PathValue("id"), req.Target))
}

func (s *Server) mute(w http.ResponseWriter, r *http.Request, cc CallControl, user string) {
	var req MuteRequest
	if !decode(w, r, &req) {
		return
	}
	noContent(w, cc.Mute(r.Context(), user, r.PathValue("id"), req.Muted))
}

func (s *Server) dial(w http.ResponseWriter, r *http.Request, cc CallControl, user string) {
	var req DialRequest
	if !decode(w, r, &req) || !present(w, req.Target, "number to call is empty") {
		return
	}
	id, err := cc.Dial(r.Context(), user, req.Target)
	if err != nil {
		engineError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, DialResult{ID: id})
}

// present answers 400 with msg when v is blank: a target must name someone.
func present(w http.ResponseWriter, v, msg string) bool {
	if strings.TrimSpace(v) == "" {
		writeError(w, http.StatusBadRequest, "bad_request", msg)
		return false
	}
	return true
}

// noContent answers a command: 204, or the engine's error mapped to its status.
func noContent(w http.ResponseWriter, err error) {
	if err != nil {
		engineError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
