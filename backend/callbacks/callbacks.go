// Package callbacks keeps the callback requests an attendant takes when the
// person a caller wants is busy (W15): who to call back, who called, the
// message, and whether it is done. A request is stored before anything else
// happens, so a failed e-mail never loses it; it stays open until someone
// marks it done.
package callbacks

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Status is where a callback request stands.
type Status string

// Statuses.
const (
	StatusOpen Status = "open"
	StatusDone Status = "done"
)

// Delivery says whether the person to call back was e-mailed.
type Delivery string

// Deliveries: "none" when e-mail is off or the person has no address.
const (
	DeliverySent   Delivery = "sent"
	DeliveryFailed Delivery = "failed"
	DeliveryNone   Delivery = "none"
)

// Callback is one callback request as every console sees it.
type Callback struct {
	ID            string     `json:"id"`
	CreatedAt     time.Time  `json:"createdAt"`
	CreatedBy     string     `json:"createdBy"`
	CreatedByName string     `json:"createdByName"`
	ForID         string     `json:"forId"` // contact id, "" when typed by hand
	ForName       string     `json:"forName"`
	ForNumber     string     `json:"forNumber"`
	CallerName    string     `json:"callerName"`
	CallerNumber  string     `json:"callerNumber"`
	Message       string     `json:"message"`
	Status        Status     `json:"status"`
	DoneAt        *time.Time `json:"doneAt"` // null while open
	DoneBy        string     `json:"doneBy"`
	DoneByName    string     `json:"doneByName"`
	Delivery      Delivery   `json:"delivery"`
	DeliveredTo   string     `json:"deliveredTo"`
	DeliveryError string     `json:"deliveryError"`
}

// Request is what an attendant types to take a callback request.
type Request struct {
	ForID        string `json:"forId,omitempty"`
	ForName      string `json:"forName"`
	ForNumber    string `json:"forNumber,omitempty"`
	CallerName   string `json:"callerName,omitempty"`
	CallerNumber string `json:"callerNumber"`
	Message      string `json:"message,omitempty"`
}

// User is the signed-in user who lists, takes or closes requests.
type User struct {
	Username string
	Name     string
	Admin    bool
}

// Target is where a request goes beyond the list: the e-mail address of the
// person to call back ("" for none), and the owner of the private contact it
// names ("" for a shared one). A request about someone's private contact is
// seen only by that owner and administrators, as the contact itself.
type Target struct {
	Email     string
	PrivateTo string
}

// record is a request as stored: with who may see it.
type record struct {
	Callback
	PrivateTo string `json:"privateTo,omitempty"`
}

// Change is a request that changed, for listeners.
type Change struct {
	Callback  Callback
	PrivateTo string
}

// VisibleTo reports whether u may see the request.
func (c Change) VisibleTo(u User) bool { return visible(c.PrivateTo, u) }

func visible(privateTo string, u User) bool {
	return privateTo == "" || u.Admin || privateTo == u.Username
}

// Limits, in characters.
const (
	MaxMessageLen = 2000
	MaxNameLen    = 200
	MaxNumberLen  = 64
)

// ErrInvalid is wrapped by every validation error; the message says which
// field is wrong and how.
var ErrInvalid = errors.New("invalid callback request")

// ErrNotFound is returned for an unknown callback request.
var ErrNotFound = errors.New("callback request not found")

// Normalize trims r's fields and checks them: the person to call back must be
// named (or chosen from the directory), the caller named or numbered, and the
// message at most MaxMessageLen characters.
func (r Request) Normalize() (Request, error) {
	r.ForID = strings.TrimSpace(r.ForID)
	r.ForName = strings.TrimSpace(r.ForName)
	r.ForNumber = strings.TrimSpace(r.ForNumber)
	r.CallerName = strings.TrimSpace(r.CallerName)
	r.CallerNumber = strings.TrimSpace(r.CallerNumber)
	r.Message = strings.TrimSpace(r.Message)
	switch {
	case r.ForName == "" && r.ForID == "":
		return r, fmt.Errorf("%w: say who should call back (forName or forId)", ErrInvalid)
	case r.CallerName == "" && r.CallerNumber == "":
		return r, fmt.Errorf("%w: give the caller's number or name", ErrInvalid)
	case utf8.RuneCountInString(r.Message) > MaxMessageLen:
		return r, fmt.Errorf("%w: message longer than %d characters", ErrInvalid, MaxMessageLen)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"forName", r.ForName, MaxNameLen}, {"callerName", r.CallerName, MaxNameLen},
		{"forNumber", r.ForNumber, MaxNumberLen}, {"callerNumber", r.CallerNumber, MaxNumberLen},
	} {
		if utf8.RuneCountInString(f.v) > f.max {
			return r, fmt.Errorf("%w: %s longer than %d characters", ErrInvalid, f.name, f.max)
		}
		// Names and numbers go into e-mail headers: no line breaks.
		if strings.ContainsFunc(f.v, unicode.IsControl) {
			return r, fmt.Errorf("%w: %s must be on one line", ErrInvalid, f.name)
		}
	}
	return r, nil
}

// caller is how the caller is named in a list or an e-mail.
func (c Callback) caller() string {
	switch {
	case c.CallerName != "" && c.CallerNumber != "":
		return c.CallerName + " (" + c.CallerNumber + ")"
	case c.CallerName != "":
		return c.CallerName
	default:
		return c.CallerNumber
	}
}
