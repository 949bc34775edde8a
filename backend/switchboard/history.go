package switchboard

import (
	"context"
	"time"
)

// Outcome is how a call ended, as stored in call history (feature O2).
type Outcome string

// Outcomes recorded by the switchboard.
const (
	// OutcomeAnswered: an attendant talked to the caller; EndedAt says when the bridge ended.
	OutcomeAnswered Outcome = "answered"
	// OutcomeAbandoned: the caller hung up while waiting in the queue.
	OutcomeAbandoned Outcome = "abandoned"
	// OutcomeDropped: the switchboard ended the call itself (shutdown, media failure).
	OutcomeDropped Outcome = "dropped"
	// OutcomeMissed: an offer to one attendant was not answered (timeout, busy, decline,
	// unreachable). One entry per failed offer, so each attendant can see what they missed.
	OutcomeMissed Outcome = "missed"
	// OutcomeTransferred: the attendant transferred the call (W8, W14) and the target
	// answered; Destination says where it went. Recorded when the target answers: it is
	// the attendant's last entry for the call.
	OutcomeTransferred Outcome = "transferred"
	// OutcomeRecalled: a transfer failed (busy, no answer, unreachable) and the call went
	// back to the queue, flagged as a recall; Reason says why, Destination where to.
	OutcomeRecalled Outcome = "recalled"
)

// HistoryEntry is one line of call history. The switchboard records one entry per
// finished call (answered/abandoned/dropped), one per failed offer (missed), one per
// completed transfer (transferred, which ends the attendant's part of the call) and one
// per failed transfer (recalled, after which the call is handled again).
type HistoryEntry struct {
	CallID       string // the queue engine's call ID
	QueueID      string
	CallerNumber string
	CallerName   string
	Attendant    string // username; empty for abandoned calls nobody answered
	EnteredAt    time.Time
	AnsweredAt   time.Time // zero unless answered
	EndedAt      time.Time
	Outcome      Outcome
	// Reason is a short code the console translates ("busy", "not found", "no answer",
	// "unreachable", "attendant went offline"…, the same as line.ended's), else a SIP
	// status ("407 Proxy Authentication Required") or an error, shown as stored.
	Reason      string
	Note        string // the call note at the end (W13)
	Destination string // transfer target as the attendant gave it (transferred, recalled)
	// Direction is "out" for a call the attendant made (W4; CallerNumber is then who
	// was called); "" for calls that came in.
	Direction string
}

// HistorySink stores history entries. The store package implements it; Record must be
// safe for concurrent use and should not block for long, as it runs on call teardown paths.
type HistorySink interface {
	Record(ctx context.Context, e HistoryEntry) error
}

// HistoryFunc adapts a function to HistorySink.
type HistoryFunc func(ctx context.Context, e HistoryEntry) error

// Record implements HistorySink.
func (f HistoryFunc) Record(ctx context.Context, e HistoryEntry) error { return f(ctx, e) }

type discardHistory struct{}

func (discardHistory) Record(context.Context, HistoryEntry) error { return nil }
