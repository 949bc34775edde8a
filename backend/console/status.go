package console

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/concierge-console/concierge/backend/cache"
)

// Ready logs that the front-end painted its first screen (phase "login" or
// "main"), with the time since the console was created and the page's own
// milestones (ms since it started loading), to see where start-up time goes.
func (c *Console) Ready(phase string, marks map[string]float64) {
	c.readyOnce.Do(func() {
		args := []any{"phase", phase, "since_start", time.Since(c.created).Round(time.Millisecond)}
		for _, k := range slices.Sorted(maps.Keys(marks)) {
			args = append(args, "page_"+k, math.Round(marks[k]))
		}
		c.log.Info("console: ready", args...)
		close(c.painted)
	})
}

// Language is the attendant's language as last saved in the settings (for
// texts the Go side shows, like desktop notifications); "" when unknown.
func (c *Console) Language() string {
	_, acct, _, err := c.sessionAccount()
	if err != nil || c.cfg.Cache == nil {
		return ""
	}
	var s struct {
		Language string `json:"language"`
	}
	var doc json.RawMessage
	if ok, _ := c.cfg.Cache.Get(acct, cache.KeySettings, &doc); ok {
		_ = json.Unmarshal(doc, &s) // a damaged document means "unknown"
	}
	return s.Language
}

// ConnectionState is the switchboard connection as the banner shows it (L7).
type ConnectionState struct {
	State string `json:"state"` // connected, reconnecting, offline
	Error string `json:"error"` // why, in words for the attendant
}

func (c *Console) setConnection(st ConnectionState) {
	c.mu.Lock()
	c.conn = st
	c.mu.Unlock()
	c.emit.Emit("connection:state", st)
}

// Connection returns the last connection state, for a front-end that starts
// listening after it changed.
func (c *Console) Connection() ConnectionState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil || c.conn.State == "" {
		return ConnectionState{State: "connected"}
	}
	return c.conn
}
