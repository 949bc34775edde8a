package api

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/concierge-console/concierge/backend/auth"
	"github.com/concierge-console/concierge/backend/store"
)

// UserRequest is the body of POST /api/v1/users and PUT /api/v1/users/{username}.
// An empty Password on PUT keeps the current one.
type UserRequest struct {
	Username  string     `json:"username"`
	Name      string     `json:"name"`
	Role      store.Role `json:"role"`
	Password  string     `json:"password,omitempty"`
	Extension string     `json:"extension,omitempty"`
	Queues    []string   `json:"queues,omitempty"`
}

// validUsername keeps usernames usable as SIP user parts and URL segments.
var validUsername = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,64}$`)

// minPassword is the password policy's floor (A2).
const minPassword = 8

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.store.Users()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	out := make([]User, 0, len(users))
	for _, u := range users {
		out = append(out, publicUser(u, u.Extension))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req UserRequest
	if !decode(w, r, &req) {
		return
	}
	if _, err := s.store.User(req.Username); err == nil {
		writeError(w, http.StatusConflict, "exists", "user "+req.Username+" already exists")
		return
	}
	s.saveUser(w, req, store.User{}, http.StatusCreated)
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	var req UserRequest
	if !decode(w, r, &req) {
		return
	}
	old, err := s.store.User(r.PathValue("username"))
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no user "+r.PathValue("username"))
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	req.Username = old.Username
	s.saveUser(w, req, old, http.StatusOK)
}

func (s *Server) saveUser(w http.ResponseWriter, req UserRequest, u store.User, status int) {
	if !validUsername.MatchString(req.Username) {
		writeError(w, http.StatusBadRequest, "bad_request", "username: 1–64 letters, digits, dot, dash or underscore")
		return
	}
	if req.Role.Rank() == 0 {
		writeError(w, http.StatusBadRequest, "bad_request", "role must be attendant, supervisor or admin")
		return
	}
	if u.PasswordHash == "" && req.Password == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "password is required")
		return
	}
	if req.Password != "" {
		if len(req.Password) < minPassword {
			writeError(w, http.StatusBadRequest, "weak_password", "password must have at least 8 characters")
			return
		}
		hash, err := auth.HashPassword(req.Password)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "internal", err.Error())
			return
		}
		u.PasswordHash = hash
		u.SIPHA1 = auth.SIPHA1(req.Username, s.realm, req.Password)
	}
	u.Username, u.Name, u.Role, u.Extension, u.Queues = req.Username, req.Name, req.Role, req.Extension, req.Queues
	if err := s.store.PutUser(u); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	s.log.Info("api: user saved", "user", u.Username, "role", u.Role, "by", "admin")
	writeJSON(w, status, publicUser(u, u.Extension))
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("username")
	if name == from(r).user.Username {
		writeError(w, http.StatusBadRequest, "bad_request", "you cannot delete your own account")
		return
	}
	if _, err := s.store.User(name); errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no user "+name)
		return
	}
	if err := s.store.DeleteUser(name); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
