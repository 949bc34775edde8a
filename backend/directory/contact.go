package directory

import (
	"maps"
	"net/mail"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// PhoneType says what a number is for; the console shows it beside the number.
type PhoneType string

const (
	PhoneWork      PhoneType = "work"
	PhoneMobile    PhoneType = "mobile"
	PhoneHome      PhoneType = "home"
	PhoneExtension PhoneType = "extension"
	PhoneOther     PhoneType = "other"
)

func (t PhoneType) valid() bool {
	switch t {
	case PhoneWork, PhoneMobile, PhoneHome, PhoneExtension, PhoneOther:
		return true
	}
	return false
}

// Phone is one number of a contact, kept as entered: the index normalises it
// for matching, the console shows what the user typed.
type Phone struct {
	Type   PhoneType `json:"type"`
	Number string    `json:"number"`
}

// Visibility of a contact (C7).
type Visibility string

const (
	// Private contacts are found, edited and deleted only by their owner and
	// by administrators.
	Private Visibility = "private"
	// Public contacts are visible to every user.
	Public Visibility = "public"
)

// Source tells where a contact came from; a sync only touches its own source.
type Source string

const (
	SourceLocal Source = "local"
	SourceLDAP  Source = "ldap"
	SourceCSV   Source = "csv"
	SourceVCard Source = "vcard"
)

// Contact is a directory entry (a colleague, or an outside contact).
type Contact struct {
	ID               string            `json:"id"`
	FirstName        string            `json:"firstName,omitempty"`
	LastName         string            `json:"lastName,omitempty"`
	DisplayName      string            `json:"displayName"`
	Department       string            `json:"department,omitempty"`
	JobTitle         string            `json:"jobTitle,omitempty"`
	Responsibilities string            `json:"responsibilities,omitempty"`
	Phones           []Phone           `json:"phones,omitempty"`
	Emails           []string          `json:"emails,omitempty"`
	Location         string            `json:"location,omitempty"`
	ImageURI         string            `json:"imageUri,omitempty"`
	Manager          string            `json:"manager,omitempty"`
	Custom           map[string]string `json:"custom,omitempty"`
	VIP              bool              `json:"vip,omitempty"`
	AbsenceMessage   string            `json:"absenceMessage,omitempty"`
	Owner            string            `json:"owner,omitempty"`
	Visibility       Visibility        `json:"visibility"`
	Source           Source            `json:"source"`
	ExternalID       string            `json:"externalId,omitempty"`
	Updated          time.Time         `json:"updated"`
}

// Limits on contact fields, in characters (runes). They keep one bad import
// line or a hostile client from bloating the index and every search result.
const (
	MaxNameLen             = 200
	MaxTextLen             = 200 // department, job title, location, manager, owner
	MaxResponsibilitiesLen = 2000
	MaxAbsenceLen          = 1000
	MaxPhones              = 20
	MaxPhoneLen            = 40
	MaxEmails              = 20
	MaxEmailLen            = 254 // RFC 5321 path limit
	MaxImageURILen         = 2048
	MaxCustomFields        = 50
	MaxCustomKeyLen        = 64
	MaxCustomValueLen      = 1000
	MaxExternalIDLen       = 512
	MaxIDLen               = 128
)

// Clone returns a deep copy, so a caller can never change a contact held by
// the index through a shared slice or map.
func (c Contact) Clone() Contact {
	c.Phones = slices.Clone(c.Phones)
	c.Emails = slices.Clone(c.Emails)
	c.Custom = maps.Clone(c.Custom)
	return c
}

// Name is what the console shows: the display name, else first and last name.
func (c Contact) Name() string {
	if c.DisplayName != "" {
		return c.DisplayName
	}
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// normalize trims whitespace, drops empty phones and e-mails and fills the
// defaults, so that equal input compares equal (re-imports are no-ops).
func (c *Contact) normalize() {
	for _, p := range []*string{&c.FirstName, &c.LastName, &c.DisplayName, &c.Department, &c.JobTitle,
		&c.Responsibilities, &c.Location, &c.ImageURI, &c.Manager, &c.AbsenceMessage, &c.ExternalID} {
		*p = strings.TrimSpace(*p)
	}
	if c.DisplayName == "" {
		c.DisplayName = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	phones := c.Phones[:0:0]
	for _, p := range c.Phones {
		p.Number = strings.TrimSpace(p.Number)
		p.Type = PhoneType(strings.ToLower(strings.TrimSpace(string(p.Type))))
		if p.Type == "" {
			p.Type = PhoneWork
		}
		if p.Number != "" {
			phones = append(phones, p)
		}
	}
	c.Phones = phones
	if len(c.Phones) == 0 {
		c.Phones = nil
	}
	emails := c.Emails[:0:0]
	for _, e := range c.Emails {
		if e = strings.TrimSpace(e); e != "" {
			emails = append(emails, e)
		}
	}
	c.Emails = emails
	if len(c.Emails) == 0 {
		c.Emails = nil
	}
	if len(c.Custom) == 0 {
		c.Custom = nil
	} else {
		custom := make(map[string]string, len(c.Custom))
		for k, v := range c.Custom {
			if k, v = strings.TrimSpace(k), strings.TrimSpace(v); v != "" {
				custom[k] = v
			}
		}
		c.Custom = custom
		if len(custom) == 0 {
			c.Custom = nil
		}
	}
	if c.Visibility == "" {
		c.Visibility = Private
	}
	if c.Source == "" {
		c.Source = SourceLocal
	}
}

// Validate checks a normalised contact and returns a *ValidationError naming
// the first bad field.
func (c *Contact) Validate() error {
	if c.DisplayName == "" && c.FirstName == "" && c.LastName == "" {
		return invalid("displayName", "a contact needs a name")
	}
	texts := []struct {
		name      string
		v         string
		max       int
		multiline bool
	}{
		{"id", c.ID, MaxIDLen, false},
		{"firstName", c.FirstName, MaxNameLen, false},
		{"lastName", c.LastName, MaxNameLen, false},
		{"displayName", c.DisplayName, MaxNameLen, false},
		{"department", c.Department, MaxTextLen, false},
		{"jobTitle", c.JobTitle, MaxTextLen, false},
		{"responsibilities", c.Responsibilities, MaxResponsibilitiesLen, true},
		{"location", c.Location, MaxTextLen, false},
		{"imageUri", c.ImageURI, MaxImageURILen, false},
		{"manager", c.Manager, MaxTextLen, false},
		{"absenceMessage", c.AbsenceMessage, MaxAbsenceLen, true},
		{"owner", c.Owner, MaxTextLen, false},
		{"externalId", c.ExternalID, MaxExternalIDLen, false},
	}
	for _, f := range texts {
		if err := checkText(f.name, f.v, f.max, f.multiline); err != nil {
			return err
		}
	}
	if len(c.Phones) > MaxPhones {
		return invalid("phones", "at most %d numbers", MaxPhones)
	}
	for i, p := range c.Phones {
		name := "phones[" + strconv.Itoa(i) + "]"
		if !p.Type.valid() {
			return invalid(name+".type", "unknown type %q (work, mobile, home, extension, other)", p.Type)
		}
		if err := checkText(name+".number", p.Number, MaxPhoneLen, false); err != nil {
			return err
		}
		if !validPhone(p.Number) {
			return invalid(name+".number", "%q is not a phone number", p.Number)
		}
	}
	if len(c.Emails) > MaxEmails {
		return invalid("emails", "at most %d addresses", MaxEmails)
	}
	for i, e := range c.Emails {
		name := "emails[" + strconv.Itoa(i) + "]"
		if err := checkText(name, e, MaxEmailLen, false); err != nil {
			return err
		}
		// Only a bare address: a display-name form would end up in mailto links.
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e || a.Name != "" {
			return invalid(name, "%q is not an e-mail address", e)
		}
	}
	if c.ImageURI != "" {
		// The console puts this URI in an <img src>: only images over the
		// network or inline, never javascript: or file: URIs.
		u, err := url.Parse(c.ImageURI)
		switch {
		case err != nil:
			return invalid("imageUri", "not a URI")
		case u.Scheme == "https" || u.Scheme == "http":
			if u.Host == "" {
				return invalid("imageUri", "no host")
			}
		case u.Scheme == "data":
			if !strings.HasPrefix(c.ImageURI, "data:image/") {
				return invalid("imageUri", "a data URI must be an image")
			}
		default:
			return invalid("imageUri", "scheme must be https, http or data")
		}
	}
	if len(c.Custom) > MaxCustomFields {
		return invalid("custom", "at most %d custom fields", MaxCustomFields)
	}
	for k, v := range c.Custom {
		if err := checkCustomKey(k); err != nil {
			return err
		}
		if err := checkText("custom."+k, v, MaxCustomValueLen, true); err != nil {
			return err
		}
	}
	switch c.Visibility {
	case Private, Public:
	default:
		return invalid("visibility", "must be %q or %q", Private, Public)
	}
	switch c.Source {
	case SourceLocal, SourceLDAP, SourceCSV, SourceVCard:
	default:
		return invalid("source", "unknown source %q", c.Source)
	}
	return nil
}

// checkCustomKey checks the name of a custom field. Names become CSV headers
// and vCard parameters: keep them plain.
func checkCustomKey(k string) error {
	if k == "" {
		return invalid("custom", "empty field name")
	}
	if err := checkText("custom key "+strconvQuote(k), k, MaxCustomKeyLen, false); err != nil {
		return err
	}
	if strings.ContainsAny(k, ";:,=\"\\") {
		return invalid("custom key "+strconvQuote(k), "must not contain ; : , = \" or \\")
	}
	return nil
}

func checkText(field, v string, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return invalid(field, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return invalid(field, "too long: %d characters, at most %d", n, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			return invalid(field, "contains a control character")
		}
	}
	return nil
}

// validPhone accepts what people type into a phone field: digits, a leading
// +, separators, and * # for PBX feature codes. At least one digit.
func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || r == '*' || r == '#':
		default:
			return false
		}
	}
	return digits > 0
}

func strconvQuote(s string) string {
	if utf8.RuneCountInString(s) > 20 {
		s = string([]rune(s)[:20]) + "…"
	}
	return strconv.Quote(s)
}

// equalContent reports whether two contacts hold the same data, ignoring
// Updated: an import that changes nothing must not rewrite the contact.
func equalContent(a, b Contact) bool {
	a.Updated, b.Updated = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}
