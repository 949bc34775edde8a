// Package directory is the company directory of the switchboard: contacts,
// their persistence, an in-memory search index that stays fast at 100 000
// contacts, caller-name lookup, and import/export (CSV, vCard).
package directory

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound is returned for a contact that does not exist and for a
	// private contact of someone else: answering "forbidden" would tell the
	// caller that the contact exists (C7).
	ErrNotFound = errors.New("directory: contact not found")

	// ErrForbidden is returned when the viewer may see a contact but not
	// change it, or may not perform an operation at all.
	ErrForbidden = errors.New("directory: forbidden")

	// ErrInvalid is wrapped by every ValidationError so that callers can map
	// all bad input to one status with errors.Is.
	ErrInvalid = errors.New("directory: invalid contact")
)

// ValidationError names the field that failed and why.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("directory: invalid contact: %s: %s", e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
