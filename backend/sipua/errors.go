package sipua

import (
	"errors"
	"fmt"
)

var (
	// ErrConfig means New was given an unusable Config.
	ErrConfig = errors.New("sipua: invalid configuration")
	// ErrRegistrationRefused means the registrar answered the REGISTER with a final
	// failure: wrong password, unknown or disabled account. Errors wrapping it are
	// *RegistrationError values, whose text starts with "SIP registration refused:".
	ErrRegistrationRefused = errors.New("SIP registration refused")
	// ErrUnreachable means the registrar did not answer in time, or the request could
	// not be sent at all.
	ErrUnreachable = errors.New("SIP server unreachable")
	// ErrNoSuchCall means the call ID is unknown, or the call has already ended.
	ErrNoSuchCall = errors.New("sipua: no such call")
	// ErrAudioBusy means another call already has the audio (one call at a time).
	ErrAudioBusy = errors.New("sipua: another call is in progress")
	// ErrClosed means the phone has been closed.
	ErrClosed = errors.New("sipua: phone closed")
)

// RegistrationError is a registrar's final refusal of a REGISTER.
type RegistrationError struct {
	Code   int    // SIP status code, e.g. 401, 403, 404
	Reason string // the response's reason phrase
	Hint   string // what it most likely means, for the attendant
}

func (e *RegistrationError) Error() string {
	s := fmt.Sprintf("%s: %d %s", ErrRegistrationRefused, e.Code, e.Reason)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Is makes errors.Is(err, ErrRegistrationRefused) hold.
func (e *RegistrationError) Is(target error) bool { return target == ErrRegistrationRefused }
