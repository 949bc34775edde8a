package api

import (
	"bytes"
	"net/http"
	"time"

	"github.com/concierge-console/concierge/backend/stats"
	"github.com/concierge-console/concierge/backend/store"
)

// statsCoalesce is the least time between two stats messages on a stream:
// a wallboard needs no more, and a busy switchboard changes many times a second.
const statsCoalesce = time.Second

// WithStats serves GET /stats (any attendant: the live figures are what a
// wallboard on the wall shows everyone), GET /reports/calls (supervisors)
// and pushes "stats" messages on the event stream.
func WithStats(st *stats.Service) Option { return func(s *Server) { s.stats = st } }

func (s *Server) statsRoutes(mux *http.ServeMux, p string) {
	if s.stats == nil {
		return
	}
	mux.Handle("GET "+p+"/stats", s.authed(store.RoleAttendant, s.getStats))
	mux.Handle("GET "+p+"/reports/calls", s.authed(store.RoleSupervisor, s.callReport))
}

func (s *Server) getStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.statsSnapshot())
}

// statsSnapshot names attendants who logged out from the user accounts.
func (s *Server) statsSnapshot() stats.Snapshot {
	snap := s.stats.Snapshot()
	for i, a := range snap.Attendants {
		if a.Name == "" {
			if u, err := s.store.User(a.Username); err == nil {
				snap.Attendants[i].Name = u.Name
			}
		}
	}
	return snap
}

// callReport answers GET /reports/calls?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv].
func (s *Server) callReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		writeError(w, http.StatusBadRequest, "bad_request", "format must be json or csv")
		return
	}
	if _, _, err := stats.ParseRange(q.Get("from"), q.Get("to"), s.stats.Location()); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	users := map[string]string{}
	if us, err := s.store.Users(); err == nil {
		for _, u := range us {
			users[u.Username] = u.Name
		}
	}
	rep, err := stats.BuildReport(s.store, q.Get("from"), q.Get("to"), s.stats.Location(), s.stats.Goals(), s.stats.QueueNames(), users)
	if err != nil {
		s.log.Error("api: call report", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "cannot read the call history")
		return
	}
	if format != "csv" {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	var buf bytes.Buffer
	if err := stats.WriteCSV(&buf, rep); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="calls-`+rep.From+`-`+rep.To+`.csv"`)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

// statsFeed sends one stream coalesced stats messages: after a change, at
// most one per statsCoalesce. A nil feed (no stats configured) never fires.
type statsFeed struct {
	l     *stats.Listener
	timer *time.Timer
	due   <-chan time.Time
}

func (s *Server) newStatsFeed() *statsFeed {
	if s.stats == nil {
		return nil
	}
	return &statsFeed{l: s.stats.Listen()}
}

func (f *statsFeed) signal() <-chan struct{} {
	if f == nil {
		return nil
	}
	return f.l.C
}

func (f *statsFeed) fire() <-chan time.Time {
	if f == nil {
		return nil
	}
	return f.due
}

// arm starts the coalescing delay unless one runs.
func (f *statsFeed) arm() {
	if f.due == nil {
		f.timer = time.NewTimer(statsCoalesce)
		f.due = f.timer.C
	}
}

func (f *statsFeed) fired() { f.due, f.timer = nil, nil }

func (f *statsFeed) close() {
	if f == nil {
		return
	}
	if f.timer != nil {
		f.timer.Stop()
	}
	f.l.Close()
}

// StatsHandler is implemented by a StreamHandler that wants the live
// statistics (Q10) as they change.
type StatsHandler interface {
	Stats(stats.Snapshot)
}
