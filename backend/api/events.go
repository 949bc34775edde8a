package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/concierge-console/concierge/backend/queue"
)

// events streams the switchboard's state: a snapshot (unless ?since=N can be
// replayed), then every event in order. While an attendant with an extension
// has a stream open, it is online and may be offered calls.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	var since uint64
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", "since must be a sequence number")
			return
		}
		since = n
	}
	if r.URL.Query().Get("epoch") != s.epoch {
		since = 0 // another run of the switchboard: its numbers mean nothing here
	}
	c := from(r)
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		s.log.Warn("api: websocket accept", "err", err)
		return
	}
	defer conn.CloseNow()

	sub := s.sb.Subscribe(since)
	defer sub.Close()

	if c.session.Extension != "" {
		s.streamOpened(r.Context(), queue.Attendant{
			Username: c.user.Username, Name: c.user.Name, Extension: c.session.Extension,
			Queues: append([]string{}, c.user.Queues...), Available: true,
		})
		defer s.streamClosed(c.user.Username)
	}

	// The client sends nothing; reading keeps control frames flowing and tells
	// us when it goes away.
	ctx := conn.CloseRead(r.Context())
	pf := s.newPresenceFeed(c)
	defer pf.close()
	sf := s.newStatsFeed()
	defer sf.close()
	if sf != nil {
		sf.arm() // a (re)connected console gets the figures without asking
	}
	cf := s.newCallbackFeed()
	defer cf.close()
	if sub.Snapshot != nil {
		if err := s.send(ctx, conn, StreamMessage{Kind: "snapshot", Epoch: s.epoch, Snapshot: sub.Snapshot}); err != nil {
			return
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-pf.signal():
			pf.arm()
		case <-pf.fire():
			if ps := pf.flush(); len(ps) > 0 {
				if err := s.send(ctx, conn, StreamMessage{Kind: "presence", Epoch: s.epoch, Presence: ps}); err != nil {
					return
				}
			}
		case <-sf.signal():
			sf.arm()
		case <-sf.fire():
			sf.fired()
			snap := s.statsSnapshot()
			if err := s.send(ctx, conn, StreamMessage{Kind: "stats", Epoch: s.epoch, Stats: &snap}); err != nil {
				return
			}
		case ch, ok := <-cf.changes():
			if !ok {
				// Fell behind: the client reconnects and lists them again.
				conn.Close(websocket.StatusTryAgainLater, "lagging: resubscribe")
				return
			}
			if !ch.VisibleTo(cbUser(c)) {
				continue // about someone else's private contact
			}
			if err := s.send(ctx, conn, StreamMessage{Kind: "callback", Epoch: s.epoch, Callback: &ch.Callback}); err != nil {
				return
			}
		case ev, ok := <-sub.C:
			if !ok {
				// The subscription lagged behind; closing tells the client to
				// resubscribe with its last seq and get a replay or snapshot.
				conn.Close(websocket.StatusTryAgainLater, "lagging: resubscribe")
				return
			}
			if err := s.send(ctx, conn, StreamMessage{Kind: "event", Epoch: s.epoch, Event: &ev}); err != nil {
				return
			}
		}
	}
}

func (s *Server) send(ctx context.Context, conn *websocket.Conn, m StreamMessage) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := wsjson.Write(ctx, conn, m)
	if err != nil && !errors.Is(err, context.Canceled) {
		s.log.Debug("api: event stream write", "err", err)
	}
	return err
}

func (s *Server) streamOpened(ctx context.Context, a queue.Attendant) {
	s.mu.Lock()
	p := s.presence[a.Username]
	if p == nil {
		p = &presence{}
		s.presence[a.Username] = p
	}
	p.streams++
	first := p.streams == 1 && p.timer == nil
	if p.timer != nil {
		p.timer.Stop() // reconnected within the grace period
		p.timer = nil
	}
	s.mu.Unlock()
	if first {
		if err := s.sb.AttendantOnline(context.WithoutCancel(ctx), a); err != nil {
			s.log.Error("api: attendant online", "user", a.Username, "err", err)
		}
	}
}

func (s *Server) streamClosed(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.presence[username]
	p.streams--
	if p.streams > 0 {
		return
	}
	p.timer = time.AfterFunc(s.grace, func() {
		s.mu.Lock()
		if s.presence[username] != p || p.streams > 0 {
			s.mu.Unlock()
			return
		}
		delete(s.presence, username)
		s.mu.Unlock()
		s.log.Info("api: attendant offline: console gone", "user", username)
		s.sb.AttendantOffline(context.Background(), username)
	})
}
