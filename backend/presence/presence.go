// Package presence is the switchboard's presence hub (D3, T3): it merges what
// several sources know about a phone number or a user — the switchboard's own
// calls and attendants, BLF from the PBX (RFC 4235 dialog events), a contact's
// absence message — into one state per person, with the time it was last
// confirmed, and tells listeners which keys changed.
//
// Each source reports per key with a time to live. A report past its TTL is
// stale: it still says what was last known, and the hub says it is stale, so
// the console can show "last known: busy, 5 min ago" instead of a lie.
package presence

import (
	"strings"
	"time"
)

// State is what a person's phone or status says.
type State string

const (
	Unknown   State = "unknown"   // no source knows anything
	Offline   State = "offline"   // known to be unreachable (not registered, logged out)
	Available State = "available" // idle phone, or an available attendant
	Away      State = "away"      // absent by their own status (Message may say why)
	Ringing   State = "ringing"   // a call rings their phone
	Busy      State = "busy"      // on a call
)

// rank orders states by significance: when several numbers or sources disagree,
// the one a receptionist most needs to know wins (a ringing phone on any number
// means "not now", a call in progress even more so).
func (s State) rank() int {
	switch s {
	case Busy:
		return 5
	case Ringing:
		return 4
	case Away:
		return 3
	case Available:
		return 2
	case Offline:
		return 1
	}
	return 0
}

// Valid reports whether s is one of the states above.
func (s State) Valid() bool { return s == Unknown || s.rank() > 0 }

// Presence is the merged presence of a key or of a contact.
type Presence struct {
	State State `json:"state"`
	// Updated is when a source last confirmed State; with Stale it is "last known at".
	Updated time.Time `json:"updated,omitzero"`
	// Stale: every source that knew has gone silent past its TTL; State is the last known.
	Stale   bool   `json:"stale,omitempty"`
	Source  string `json:"source,omitempty"`  // which source decided: "blf", "attendant", "call", "status", "calendar"
	Message string `json:"message,omitempty"` // absence message, if any
	// Until is when the reported state ends by itself (source "calendar": the
	// end of the meeting); the report is withdrawn then.
	Until time.Time `json:"until,omitzero"`
	// Activity says what the person is doing when the calendar decided:
	// ActivityMeeting or ActivityOOF, so a console can word it.
	Activity string `json:"activity,omitempty"`
}

// Activities reported with source "calendar".
const (
	ActivityMeeting = "meeting" // a busy appointment
	ActivityOOF     = "oof"     // out of office
)

// More reports whether p should win over q when merging the numbers of one
// person: fresh beats stale, then the more significant state, then the newer.
func (p Presence) More(q Presence) bool {
	if (p.State == Unknown) != (q.State == Unknown) {
		return q.State == Unknown // anything known beats nothing, even stale
	}
	if p.Stale != q.Stale {
		return !p.Stale
	}
	if p.State.rank() != q.State.rank() {
		return p.State.rank() > q.State.rank()
	}
	return p.Updated.After(q.Updated)
}

// Key normalises a phone number or username so that one line has one key
// whatever way it is written: phone numbers keep their digits (a leading "+"
// or "00" is the same international prefix), usernames are lower-cased.
// Returns "" for input that names nothing.
func Key(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if u, ok := strings.CutPrefix(strings.ToLower(s), "sip:"); ok {
		s = u
		if i := strings.IndexAny(s, "@;"); i >= 0 {
			s = s[:i]
		}
	}
	if looksLikeNumber(s) {
		var b strings.Builder
		for i, r := range s {
			switch {
			case r >= '0' && r <= '9':
				b.WriteRune(r)
			case r == '+' && i == 0:
				b.WriteString("00")
			}
		}
		return b.String()
	}
	return strings.ToLower(s)
}

// looksLikeNumber: digits with the usual separators, at least one digit.
func looksLikeNumber(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')', r == '/':
		default:
			return false
		}
	}
	return digits > 0
}
