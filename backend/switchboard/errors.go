package switchboard

import "errors"

// Sentinel errors returned by the switchboard. Callers match them with errors.Is; the
// HTTP API maps them to status codes.
var (
	// ErrNoSuchCall is returned when a console command names a call the switchboard does not hold.
	ErrNoSuchCall = errors.New("switchboard: no such call")
	// ErrNotYourCall is returned when an attendant acts on a call that is bridged to someone else.
	ErrNotYourCall = errors.New("switchboard: call belongs to another attendant")
	// ErrNoEndpoint is returned when an attendant has neither a registered softphone nor a
	// desk-phone extension reachable through the PBX, so no call can be delivered.
	ErrNoEndpoint = errors.New("switchboard: attendant has no reachable endpoint")
	// ErrNotServing is returned by commands issued before Serve has bound its listeners.
	ErrNotServing = errors.New("switchboard: not serving")
	// ErrAlreadyServing is returned when Serve is called twice.
	ErrAlreadyServing = errors.New("switchboard: already serving")
	// ErrConfig wraps configuration errors from New.
	ErrConfig = errors.New("switchboard: invalid config")
	// ErrNotBridged is returned by Hold, Resume and Transfer when the attendant's call is
	// not (or no longer, or not yet) connected to them.
	ErrNotBridged = errors.New("switchboard: call is not bridged")
	// ErrInvalidTarget is returned by Transfer, Consult and Dial when the target is not a
	// username, a dialable number or a sip: URI (or, for Dial, nothing can route it).
	// Nothing has been sent and the call is unchanged.
	ErrInvalidTarget = errors.New("switchboard: invalid target")
	// ErrTransferFailed is returned by Transfer when the call could not be handed over
	// (it ended, or ctx expired, while the attendant leg was being released). Transfers
	// that fail later (busy, no answer) are not errors: the call is recalled.
	ErrTransferFailed = errors.New("switchboard: transfer failed")
	// ErrConsulting is returned by Hold, Resume, Transfer, Park and Consult while the
	// attendant consults a transfer target on the call (W9): Swap, Complete or cancel first.
	ErrConsulting = errors.New("switchboard: a consultation is in progress")
	// ErrNotConsulting is returned by Swap, Complete and CancelConsult when the call has no
	// consultation, or (Complete, Swap) while the target has not answered yet.
	ErrNotConsulting = errors.New("switchboard: no answered consultation on this call")
	// ErrNotParked is returned by Retrieve when the call is not parked, or another
	// attendant is already retrieving it (O1).
	ErrNotParked = errors.New("switchboard: call is not parked")
	// ErrMOHFormat is returned when the music-on-hold file is not 8 kHz mono 16-bit PCM.
	ErrMOHFormat = errors.New("switchboard: unsupported music-on-hold format")
)

// errUnsupportedCodec is internal: every path that could hit it answers 488 first.
var errUnsupportedCodec = errors.New("unsupported codec")
