package queue

import "errors"

// Sentinel errors. Every error the engine returns wraps one of these with the
// operation and the call or attendant concerned, so callers branch with
// errors.Is and still log a useful message.
var (
	// ErrNotFound: the call (or queue) is not in the engine. Either it never
	// was, or it has left: the caller hung up or it was answered elsewhere and
	// is too old to remember (see ErrTaken).
	ErrNotFound = errors.New("queue: not found")

	// ErrExists: a call with this ID is already waiting. Call IDs identify the
	// SIP dialog, so a duplicate is a bug in the caller, not a second caller.
	ErrExists = errors.New("queue: call already queued")

	// ErrTaken: another attendant has the call: they answered it, or their
	// direct pickup of it is under way. The loser of a race gets this.
	ErrTaken = errors.New("queue: call taken by another attendant")

	// ErrNotOffered: the call is waiting but is not (or no longer) offered to
	// this attendant, e.g. their offer timed out before they answered. The SIP
	// layer should hang up the attendant's leg.
	ErrNotOffered = errors.New("queue: call not offered to this attendant")

	// ErrUnknownAttendant: the attendant is not logged in.
	ErrUnknownAttendant = errors.New("queue: attendant not logged in")

	// ErrReserved: the call is already reserved by another attendant (Q6);
	// reservations are first come, first served.
	ErrReserved = errors.New("queue: call reserved by another attendant")

	// ErrInvalid: an argument is unusable, such as an empty call ID.
	ErrInvalid = errors.New("queue: invalid argument")
)
