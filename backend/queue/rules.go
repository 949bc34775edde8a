package queue

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Queue rules (Q9): opening hours, what happens to calls while a queue is
// closed, overflow after waiting too long or when nobody who handles the queue
// is logged in, and an emergency mode. The engine decides; the SIP layer
// forwards (Forwarder).

// Mode is how a supervisor set a queue: by its opening hours (auto), forced
// open or closed, or in emergency (every new call forwarded at once).
type Mode string

// Queue modes.
const (
	ModeAuto      Mode = "auto"
	ModeOpen      Mode = "open"
	ModeClosed    Mode = "closed"
	ModeEmergency Mode = "emergency"
)

// Effective states of a queue, as consoles show them.
const (
	StateOpen      = "open"
	StateClosed    = "closed"
	StateEmergency = "emergency"
)

// What a closed queue does with new calls.
const (
	ClosedWait    = "wait"    // calls queue as usual (default)
	ClosedForward = "forward" // calls go to ClosedTarget
)

// Reasons of call.forwarded events (and of forwarded calls' history).
const (
	ReasonClosed        = "closed"         // the queue is closed (night service)
	ReasonEmergency     = "emergency"      // the queue is in emergency mode
	ReasonNoAttendant   = "no attendant"   // nobody who handles the queue is logged in
	ReasonOverflow      = "overflow"       // the call waited OverflowAfter seconds
	ReasonForwardFailed = "forward failed" // call.queued: a forward failed, the call is back
)

// ValidMode reports whether m is one of the four modes.
func ValidMode(m Mode) bool {
	return m == ModeAuto || m == ModeOpen || m == ModeClosed || m == ModeEmergency
}

// Rules are a queue's Q9 rules. Targets are numbers (or usernames, sip: URIs)
// the switchboard dials like a blind transfer; "" disables a rule.
type Rules struct {
	Hours        *Hours `json:"hours,omitempty"`        // nil: always open in auto mode
	WhenClosed   string `json:"whenClosed,omitempty"`   // "wait" (default) or "forward"
	ClosedTarget string `json:"closedTarget,omitempty"` // night service, with WhenClosed "forward"
	// OverflowAfter forwards a call that waited this many seconds to
	// OverflowTarget; 0 disables it.
	OverflowAfter  int    `json:"overflowAfter,omitempty"`
	OverflowTarget string `json:"overflowTarget,omitempty"`
	// NoAttendantTarget takes new calls, and the calls waiting when the last
	// attendant who handles the queue logs out, while nobody who does is logged in.
	NoAttendantTarget string `json:"noAttendantTarget,omitempty"`
	EmergencyTarget   string `json:"emergencyTarget,omitempty"` // required for emergency mode
	// The queue's service-level goal (Q10): ServiceLevelTarget percent of the
	// finished calls answered within ServiceLevelSeconds. 0 means the default
	// (20 s, 80 %).
	ServiceLevelSeconds int `json:"serviceLevelSeconds,omitempty"`
	ServiceLevelTarget  int `json:"serviceLevelTarget,omitempty"`
}

// Service-level goal defaults and bounds (Q10).
const (
	DefaultServiceLevelSeconds = 20
	DefaultServiceLevelTarget  = 80 // percent
	MinServiceLevelSeconds     = 5
	MaxServiceLevelSeconds     = 600
)

// ServiceLevel returns the queue's service-level threshold and target
// (percent), defaults filled in.
func (r Rules) ServiceLevel() (seconds, target int) {
	seconds, target = r.ServiceLevelSeconds, r.ServiceLevelTarget
	if seconds == 0 {
		seconds = DefaultServiceLevelSeconds
	}
	if target == 0 {
		target = DefaultServiceLevelTarget
	}
	return seconds, target
}

// Hours are opening hours: time ranges per weekday in a time zone, and dates
// the queue stays closed all day.
type Hours struct {
	TimeZone    string                 `json:"timeZone"`              // IANA name; "" = the server's
	Days        map[string][]TimeRange `json:"days"`                  // "mon" … "sun"; a missing day is closed
	ClosedDates []string               `json:"closedDates,omitempty"` // YYYY-MM-DD, in TimeZone
}

// TimeRange is an opening time range within one day, "08:00" to "12:30"; To
// may be "24:00".
type TimeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Weekdays are the keys of Hours.Days, Monday first.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// maxOverflow bounds OverflowAfter: a day.
const maxOverflow = 86400

// Validate checks the rules; its error reads well after "rules: ". dialable
// checks a target (the SIP layer's syntax); nil accepts any non-empty one.
func (r Rules) Validate(dialable func(string) bool) error {
	target := func(field, v string) error {
		if v == "" || dialable == nil || dialable(v) {
			return nil
		}
		return fmt.Errorf("%s %q is not a number, username or sip: URI", field, v)
	}
	for _, t := range [][2]string{
		{"closedTarget", r.ClosedTarget}, {"overflowTarget", r.OverflowTarget},
		{"noAttendantTarget", r.NoAttendantTarget}, {"emergencyTarget", r.EmergencyTarget},
	} {
		if err := target(t[0], t[1]); err != nil {
			return err
		}
	}
	switch r.WhenClosed {
	case "", ClosedWait:
	case ClosedForward:
		if r.ClosedTarget == "" {
			return errors.New(`whenClosed "forward" needs a closedTarget (the night-service number)`)
		}
	default:
		return fmt.Errorf(`whenClosed %q: "wait" or "forward"`, r.WhenClosed)
	}
	switch {
	case r.OverflowAfter < 0 || r.OverflowAfter > maxOverflow:
		return fmt.Errorf("overflowAfter %d: seconds between 0 (off) and %d", r.OverflowAfter, maxOverflow)
	case r.OverflowAfter > 0 && r.OverflowTarget == "":
		return errors.New("overflowAfter needs an overflowTarget")
	case r.OverflowAfter == 0 && r.OverflowTarget != "":
		return errors.New("overflowTarget needs overflowAfter (seconds of waiting)")
	}
	if v := r.ServiceLevelSeconds; v != 0 && (v < MinServiceLevelSeconds || v > MaxServiceLevelSeconds) {
		return fmt.Errorf("serviceLevelSeconds %d: seconds between %d and %d (0 for the default %d)",
			v, MinServiceLevelSeconds, MaxServiceLevelSeconds, DefaultServiceLevelSeconds)
	}
	if v := r.ServiceLevelTarget; v < 0 || v > 100 {
		return fmt.Errorf("serviceLevelTarget %d: a percentage between 1 and 100 (0 for the default %d)", v, DefaultServiceLevelTarget)
	}
	if r.Hours != nil {
		if err := r.Hours.validate(); err != nil {
			return fmt.Errorf("hours: %w", err)
		}
	}
	return nil
}

func (h *Hours) validate() error {
	if _, err := time.LoadLocation(h.TimeZone); err != nil {
		return fmt.Errorf("timeZone %q is not a known time zone (e.g. Europe/Brussels)", h.TimeZone)
	}
	for day, ranges := range h.Days {
		if !slices.Contains(Weekdays, day) {
			return fmt.Errorf("day %q: one of %s", day, strings.Join(Weekdays, ", "))
		}
		var prev int
		for i, r := range ranges {
			from, ok1 := hhmm(r.From)
			to, ok2 := hhmm(r.To)
			switch {
			case !ok1 || from == 24*60:
				return fmt.Errorf("%s: from %q is not a time HH:MM", day, r.From)
			case !ok2:
				return fmt.Errorf("%s: to %q is not a time HH:MM (24:00 for midnight)", day, r.To)
			case to <= from:
				return fmt.Errorf("%s: %s–%s ends before it starts", day, r.From, r.To)
			case i > 0 && from < prev:
				return fmt.Errorf("%s: %s–%s overlaps or precedes the range before it", day, r.From, r.To)
			}
			prev = to
		}
	}
	for _, d := range h.ClosedDates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("closed date %q is not a date YYYY-MM-DD", d)
		}
	}
	return nil
}

// hhmm parses "HH:MM" into minutes since midnight; "24:00" is allowed.
func hhmm(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		if s == "24:00" {
			return 24 * 60, true
		}
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// location returns the hours' time zone (validated; the server's if unknown).
func (h *Hours) location() *time.Location {
	if loc, err := time.LoadLocation(h.TimeZone); err == nil {
		return loc
	}
	return time.Local
}

// openAt reports whether the hours have the queue open at t.
func (h *Hours) openAt(t time.Time, loc *time.Location) bool {
	t = t.In(loc)
	if slices.Contains(h.ClosedDates, t.Format(time.DateOnly)) {
		return false
	}
	day := Weekdays[(int(t.Weekday())+6)%7]
	m := t.Hour()*60 + t.Minute()
	for _, r := range h.Days[day] {
		from, _ := hhmm(r.From)
		to, _ := hhmm(r.To)
		if m >= from && m < to {
			return true
		}
	}
	return false
}

// horizon is how far ahead the next opening or closing is looked for.
const horizon = 14

// next returns when the state the hours give at t next changes, or the zero
// time if not within two weeks (e.g. no hours at all).
func (h *Hours) next(t time.Time, loc *time.Location) time.Time {
	open := h.openAt(t, loc)
	lt := t.In(loc)
	y, mo, d := lt.Date()
	var cands []time.Time
	for i := range horizon + 1 {
		midnight := time.Date(y, mo, d+i, 0, 0, 0, 0, loc)
		cands = append(cands, midnight)
		day := Weekdays[(int(midnight.Weekday())+6)%7]
		for _, r := range h.Days[day] {
			from, _ := hhmm(r.From)
			to, _ := hhmm(r.To)
			cands = append(cands,
				time.Date(y, mo, d+i, from/60, from%60, 0, 0, loc),
				time.Date(y, mo, d+i, to/60, to%60, 0, 0, loc))
		}
	}
	slices.SortFunc(cands, func(a, b time.Time) int { return a.Compare(b) })
	for _, c := range cands {
		if c.After(t) && h.openAt(c, loc) != open {
			return c
		}
	}
	return time.Time{}
}
