package api

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/concierge-console/concierge/backend/queue"
)

// StreamHandler receives what a Follow loop sees. Calls are sequential.
type StreamHandler interface {
	Snapshot(queue.Snapshot)
	Event(queue.Event)
	// Connection reports "connected", or "reconnecting" with the error that
	// broke the stream.
	Connection(state string, err error)
}

// Follow keeps an event stream open until ctx ends, reconnecting with
// capped exponential backoff and resuming from the last seen sequence
// number, so the handler sees every event exactly once, or a fresh snapshot
// when the switchboard could not replay the gap. It returns ErrUnauthorized
// if the session is no longer valid (nothing to retry).
func (c *Client) Follow(ctx context.Context, h StreamHandler) error {
	var pos position
	backoff := 250 * time.Millisecond
	for {
		connected, err := c.stream(ctx, &pos, h)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrUnauthorized) {
			return err
		}
		if connected {
			backoff = 250 * time.Millisecond
		}
		h.Connection("reconnecting", err)
		wait := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

// position is where a client is in the stream of one switchboard run.
type position struct {
	epoch string
	seq   uint64
}

func (c *Client) stream(ctx context.Context, pos *position, h StreamHandler) (connected bool, err error) {
	u := strings.Replace(c.base, "http", "ws", 1) + "/api/" + Version + "/events"
	if pos.seq > 0 {
		u += "?since=" + strconv.FormatUint(pos.seq, 10) + "&epoch=" + url.QueryEscape(pos.epoch)
	}
	last := &pos.seq
	hdr := http.Header{}
	hdr.Set("Authorization", "Bearer "+c.Token())
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.http, HTTPHeader: hdr})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return false, &StatusError{Status: resp.StatusCode, Code: "unauthenticated", Msg: "session expired"}
		}
		return false, fmt.Errorf("event stream: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(64 << 20) // a snapshot of a large site is big
	h.Connection("connected", nil)
	for {
		var m StreamMessage
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			return true, fmt.Errorf("event stream: %w", err)
		}
		switch {
		case m.Kind == "snapshot" && m.Snapshot != nil:
			pos.epoch = m.Epoch
			*last = m.Snapshot.Seq
			h.Snapshot(*m.Snapshot)
		case m.Kind == "event" && m.Event != nil:
			if *last != 0 && m.Event.Seq != *last+1 {
				// Should never happen; resync rather than show a wrong queue.
				err := fmt.Errorf("event stream: gap after seq %d (got %d)", *last, m.Event.Seq)
				*last = 0
				return true, err
			}
			*last = m.Event.Seq
			h.Event(*m.Event)
		case m.Kind == "stats" && m.Stats != nil:
			if sh, ok := h.(StatsHandler); ok {
				sh.Stats(*m.Stats)
			}
		case m.Kind == "callback" && m.Callback != nil:
			if ch, ok := h.(CallbackHandler); ok {
				ch.Callback(*m.Callback)
			}
		case m.Kind == "presence":
			if ph, ok := h.(PresenceHandler); ok {
				ph.Presence(m.Presence)
			}
		}
	}
}
