package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/concierge-console/concierge/backend/directory"
	"github.com/concierge-console/concierge/backend/favorites"
	"github.com/concierge-console/concierge/backend/store"
)

// maxImport bounds an uploaded CSV or vCard file: 100 000 contacts of a
// large company fit in well under this.
const maxImport = 256 << 20

func viewer(c caller) directory.Viewer {
	return directory.Viewer{Username: c.user.Username, Admin: c.user.Role == store.RoleAdmin}
}

// directoryError maps directory errors to statuses; the message names the
// field for bad input.
func directoryError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, directory.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "contact not found")
	case errors.Is(err, directory.ErrForbidden):
		writeError(w, http.StatusForbidden, "forbidden", "you may not change this contact")
	case errors.Is(err, directory.ErrInvalid):
		writeError(w, http.StatusBadRequest, "invalid_contact", strings.TrimPrefix(err.Error(), "directory: invalid contact: "))
	default:
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
	}
}

func (s *Server) searchContacts(w http.ResponseWriter, r *http.Request) {
	limit := directory.DefaultLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "bad_request", "limit must be a positive number")
			return
		}
		limit = min(n, directory.MaxLimit)
	}
	res, err := s.dir.Search(r.Context(), viewer(from(r)), r.URL.Query().Get("q"), limit)
	if err != nil {
		directoryError(w, err)
		return
	}
	if res == nil {
		res = []directory.Result{}
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) {
	c, err := s.dir.Get(viewer(from(r)), r.PathValue("id"))
	if err != nil {
		directoryError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	var c directory.Contact
	if !decode(w, r, &c) {
		return
	}
	out, err := s.dir.Create(viewer(from(r)), c)
	if err != nil {
		directoryError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) {
	var c directory.Contact
	if !decode(w, r, &c) {
		return
	}
	c.ID = r.PathValue("id")
	out, err := s.dir.Update(viewer(from(r)), c)
	if err != nil {
		directoryError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) {
	if err := s.dir.Delete(viewer(from(r)), r.PathValue("id")); err != nil {
		directoryError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// importContacts takes a CSV or vCard file as the request body; the report
// lists every rejected line while the rest is imported.
func (s *Server) importContacts(w http.ResponseWriter, r *http.Request) {
	body := io.LimitReader(r.Body, maxImport)
	v := viewer(from(r))
	var (
		rep directory.ImportReport
		err error
	)
	switch format(r) {
	case "csv":
		rep, err = s.dir.ImportCSV(r.Context(), v, body)
	case "vcard":
		rep, err = s.dir.ImportVCard(r.Context(), v, body)
	default:
		writeError(w, http.StatusUnsupportedMediaType, "bad_format", "send text/csv or text/vcard (or ?format=csv|vcard)")
		return
	}
	if err != nil {
		directoryError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) exportContacts(w http.ResponseWriter, r *http.Request) {
	v := viewer(from(r))
	switch format(r) {
	case "vcard":
		w.Header().Set("Content-Type", "text/vcard; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="contacts.vcf"`)
		if err := s.dir.ExportVCard(w, v); err != nil {
			s.log.Error("api: export vCard", "err", err)
		}
	default:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="contacts.csv"`)
		if err := s.dir.ExportCSV(w, v); err != nil {
			s.log.Error("api: export CSV", "err", err)
		}
	}
}

func format(r *http.Request) string {
	if f := r.URL.Query().Get("format"); f != "" {
		return f
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "text/csv"):
		return "csv"
	case strings.HasPrefix(ct, "text/vcard"), strings.HasPrefix(ct, "text/x-vcard"):
		return "vcard"
	}
	return ""
}

func (s *Server) getFavorites(w http.ResponseWriter, r *http.Request) {
	groups, err := s.favs.Get(viewer(from(r)))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, groups)
}

func (s *Server) putFavorites(w http.ResponseWriter, r *http.Request) {
	var groups []favorites.Group
	if !decode(w, r, &groups) {
		return
	}
	v := viewer(from(r))
	out, err := s.favs.Put(v, groups)
	if err == nil {
		s.dir.FavoritesChanged(v.Username) // search ranks the new favorites first
	}
	if errors.Is(err, favorites.ErrInvalid) {
		writeError(w, http.StatusBadRequest, "invalid_favorites", strings.TrimPrefix(err.Error(), "favorites: invalid: "))
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, out)
}
