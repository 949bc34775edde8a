package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/concierge-console/concierge/backend/callbacks"
	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/store"
)

// WithCallbacks serves callback requests (W15) from svc: any signed-in user
// lists, takes and closes them; administrators set the mail server. Every
// change is pushed to every open event stream as a "callback" message.
func WithCallbacks(svc *callbacks.Service) Option { return func(s *Server) { s.cb = svc } }

// MailTestRequest is the body of POST /admin/mail/test.
type MailTestRequest struct {
	To string `json:"to"`
}

func (s *Server) callbackRoutes(mux *http.ServeMux, p string) {
	if s.cb == nil {
		return
	}
	mux.Handle("GET "+p+"/callbacks", s.authed(store.RoleAttendant, s.listCallbacks))
	mux.Handle("POST "+p+"/callbacks", s.authed(store.RoleAttendant, s.createCallback))
	mux.Handle("POST "+p+"/callbacks/{id}/done", s.authed(store.RoleAttendant, s.callbackDone))
	mux.Handle("POST "+p+"/callbacks/{id}/reopen", s.authed(store.RoleAttendant, s.callbackReopen))
	mux.Handle("GET "+p+"/admin/mail", s.authed(store.RoleAdmin, s.getMailSettings))
	mux.Handle("PUT "+p+"/admin/mail", s.authed(store.RoleAdmin, s.putMailSettings))
	mux.Handle("POST "+p+"/admin/mail/test", s.authed(store.RoleAdmin, s.testMail))
}

// cbUser is the caller as the callback service sees it: administrators see
// requests about private contacts, as they see the contacts.
func cbUser(c caller) callbacks.User {
	return callbacks.User{Username: c.user.Username, Name: c.user.Name, Admin: c.user.Role == store.RoleAdmin}
}

func callbackError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, callbacks.ErrInvalid), errors.Is(err, callbacks.ErrInvalidMail):
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
	case errors.Is(err, callbacks.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "callback request not found")
	default:
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
	}
}

func (s *Server) listCallbacks(w http.ResponseWriter, r *http.Request) {
	list, err := s.cb.List(cbUser(from(r)))
	if err != nil {
		s.log.Error("api: list callbacks", "err", err)
		callbackError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// createCallback takes a request. A forId must name a contact the caller
// may see (else 404, as GET /contacts/{id}); its name and first number fill
// what the attendant left empty, and its first e-mail is where it is sent.
// A request about a private contact is private to the contact's owner.
func (s *Server) createCallback(w http.ResponseWriter, r *http.Request) {
	var in callbacks.Request
	if !decode(w, r, &in) {
		return
	}
	in, err := in.Normalize()
	if err != nil {
		callbackError(w, err)
		return
	}
	var target callbacks.Target
	if in.ForID != "" {
		if s.dir == nil {
			writeError(w, http.StatusNotFound, "not_found", "contact not found")
			return
		}
		ct, err := s.dir.Get(viewer(from(r)), in.ForID)
		if err != nil {
			directoryError(w, err)
			return
		}
		if in.ForName == "" {
			in.ForName = contactName(ct)
		}
		if in.ForNumber == "" && len(ct.Phones) > 0 {
			in.ForNumber = ct.Phones[0].Number
		}
		if len(ct.Emails) > 0 {
			target.Email = ct.Emails[0]
		}
		if ct.Visibility == directory.Private {
			target.PrivateTo = ct.Owner
		}
	}
	// The e-mail goes out even if the attendant's console goes away meanwhile.
	c, err := s.cb.Create(context.WithoutCancel(r.Context()), cbUser(from(r)), in, target)
	if err != nil {
		callbackError(w, err)
		return
	}
	s.log.Info("api: callback request taken", "id", c.ID, "user", c.CreatedBy, "for", c.ForName, "delivery", c.Delivery)
	writeJSON(w, http.StatusCreated, c)
}

// contactName is the contact's name, else its id.
func contactName(ct directory.Contact) string {
	if n := ct.Name(); n != "" {
		return n
	}
	return ct.ID
}

func (s *Server) callbackDone(w http.ResponseWriter, r *http.Request) {
	c, err := s.cb.Done(r.PathValue("id"), cbUser(from(r)))
	if err != nil {
		callbackError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) callbackReopen(w http.ResponseWriter, r *http.Request) {
	c, err := s.cb.Reopen(r.PathValue("id"), cbUser(from(r)))
	if err != nil {
		callbackError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) getMailSettings(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.cb.MailSettings())
}

func (s *Server) putMailSettings(w http.ResponseWriter, r *http.Request) {
	var in callbacks.MailSettingsUpdate
	if !decode(w, r, &in) {
		return
	}
	out, err := s.cb.SaveMailSettings(in)
	if err != nil {
		callbackError(w, err)
		return
	}
	s.log.Info("api: mail settings changed", "user", from(r).user.Username, "host", out.Host, "port", out.Port, "security", out.Security)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) testMail(w http.ResponseWriter, r *http.Request) {
	var in MailTestRequest
	if !decode(w, r, &in) {
		return
	}
	out, err := s.cb.TestMail(r.Context(), in.To)
	if err != nil {
		callbackError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// callbackFeed is one event stream's listener for callback changes; a nil
// feed (no callback service) never fires.
type callbackFeed struct{ l *callbacks.Listener }

func (s *Server) newCallbackFeed() *callbackFeed {
	if s.cb == nil {
		return nil
	}
	return &callbackFeed{l: s.cb.Listen()}
}

func (f *callbackFeed) changes() <-chan callbacks.Change {
	if f == nil {
		return nil
	}
	return f.l.C
}

func (f *callbackFeed) close() {
	if f != nil {
		f.l.Close()
	}
}

// CallbackHandler is implemented by a StreamHandler that wants callback
// requests (W15) as they change.
type CallbackHandler interface {
	Callback(callbacks.Callback)
}
