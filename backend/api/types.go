// Package api is the switchboard's HTTP API and WebSocket event stream, and
// the Go client the console uses to talk to it. The wire types live here so
// that server and client cannot drift apart; docs/openapi.yaml describes them.
package api

import (
	"time"

	"github.com/concierge-console/concierge/backend/callbacks"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/stats"
	"github.com/concierge-console/concierge/backend/store"
)

// Version is the API version in every path.
const Version = "v1"

// Health is the answer of GET /api/v1/health.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

// LoginRequest is the body of POST /api/v1/session.
type LoginRequest struct {
	Username  string `json:"username"`
	Password  string `json:"password"`
	Extension string `json:"extension,omitempty"`
}

// User is a user as the API shows it: never with secrets.
type User struct {
	Username  string     `json:"username"`
	Name      string     `json:"name"`
	Role      store.Role `json:"role"`
	Extension string     `json:"extension"`
	Queues    []string   `json:"queues"`
}

// Session is the answer of POST /api/v1/session.
type Session struct {
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
	User    User      `json:"user"`
	// SIP is where attendant softphones register (host:port; an unspecified
	// host means the API's host), with digest realm Realm.
	SIP   string `json:"sip,omitempty"`
	Realm string `json:"realm,omitempty"`
}

// Availability is the body of PUT /api/v1/me/availability.
type Availability struct {
	Available bool `json:"available"`
}

// Note is the body of PUT /api/v1/calls/{id}/note.
type Note struct {
	Note string `json:"note"`
}

// Error is the body of every non-2xx answer.
type Error struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// StreamMessage is one WebSocket message of GET /api/v1/events. The first
// message is a snapshot unless the client's `since` could be replayed; every
// later one is an event whose Seq is exactly one more than the one before.
type StreamMessage struct {
	Kind string `json:"kind"` // "snapshot", "event", "presence", "stats" or "callback"
	// Epoch names this run of the switchboard. Sequence numbers restart
	// with it, so a client resuming with another epoch gets a snapshot.
	Epoch    string          `json:"epoch"`
	Snapshot *queue.Snapshot `json:"snapshot,omitempty"`
	Event    *queue.Event    `json:"event,omitempty"`
	// Presence lists contacts whose presence changed (kind "presence"), among
	// those the user asked about with GET /presence. Not sequenced: the
	// client asks again after a reconnect.
	Presence []ContactPresence `json:"presence,omitempty"`
	// Stats is today's live statistics (kind "stats"), sent after they
	// changed, at most once a second. Not sequenced: each is complete.
	Stats *stats.Snapshot `json:"stats,omitempty"`
	// Callback is a callback request that was taken, done, reopened or
	// e-mailed (kind "callback"). Not sequenced: the client lists them again
	// after a reconnect.
	Callback *callbacks.Callback `json:"callback,omitempty"`
}

func publicUser(u store.User, extension string) User {
	q := u.Queues
	if q == nil {
		q = []string{}
	}
	return User{Username: u.Username, Name: u.Name, Role: u.Role, Extension: extension, Queues: q}
}
