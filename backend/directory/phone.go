package directory

// Phone numbers are matched on digits only, whatever their format:
// "+33 1 42 00 00 00", "0033142000000", "01 42 00 00 00" and "0142000000"
// are one number. Each number has two forms:
//
//   - digits: every digit as written, without the international prefix
//     ("+" or "00"): "33142000000" or "0142000000" or "1234";
//   - nsn: the national significant number, a suffix of digits with the
//     country code (international form) or the trunk "0" (national form)
//     taken off: "142000000" for both.
//
// Two numbers written in different forms meet on their nsn. This is the
// E.164 rule without a numbering-plan table: countries whose trunk prefix is
// part of the number (Italy) or is not "0" still match on digits as typed.

type phoneForm struct {
	digits string
	nsn    string // "" when the number has no recognisable prefix
}

// parsePhone extracts the forms of a number as written by a person or sent
// by a PBX as calling line ID.
func parsePhone(s string) phoneForm {
	intl := false
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b = append(b, c)
		case c == '+' && len(b) == 0:
			intl = true
		}
	}
	d := string(b)
	if !intl && len(d) > 2 && d[0] == '0' && d[1] == '0' {
		intl, d = true, d[2:]
	}
	f := phoneForm{digits: d}
	switch {
	case intl:
		if n := countryCodeLen(d); n > 0 && n < len(d) {
			f.nsn = d[n:]
		}
	case len(d) > 1 && d[0] == '0':
		f.nsn = d[1:]
	}
	return f
}

// countryCodeLen returns the length of the ITU-T E.164 country code that
// starts d (1 to 3 digits), or 0 when d is empty. The code space is prefix
// free, so the first digits decide the length.
func countryCodeLen(d string) int {
	if d == "" {
		return 0
	}
	switch d[0] {
	case '1', '7':
		return 1
	}
	if len(d) < 2 {
		return 0
	}
	two := d[:2]
	switch d[0] {
	case '2':
		if two == "20" || two == "27" {
			return 2
		}
		return 3
	case '3':
		switch two {
		case "30", "31", "32", "33", "34", "36", "39":
			return 2
		}
		return 3
	case '4':
		if two == "42" {
			return 3
		}
		return 2
	case '5':
		if two == "50" || two == "59" {
			return 3
		}
		return 2
	case '6':
		if two >= "60" && two <= "66" {
			return 2
		}
		return 3
	case '8':
		switch two {
		case "81", "82", "84", "86":
			return 2
		}
		return 3
	case '9':
		switch two {
		case "90", "91", "92", "93", "94", "95", "98":
			return 2
		}
		return 3
	}
	return 0 // '0' starts no country code
}

// phoneLike reports whether a query fragment is (a piece of) a phone number:
// digits with optional phone punctuation. Consecutive such fragments are
// joined, so "+33 1 42 00 00 00" is one fragment, not six.
func phoneLike(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return false
		}
	}
	return digits > 0
}

// lookupKeys are the keys under which LookupNumber searches for a calling
// line ID: its nsn, its digits, and — for numbers a PBX sends in
// international form without "+" — the digits less a country code.
func lookupKeys(number string) []string {
	f := parsePhone(number)
	if f.digits == "" {
		return nil
	}
	keys := make([]string, 0, 3)
	if f.nsn != "" {
		keys = append(keys, f.nsn)
	}
	keys = append(keys, f.digits)
	if f.nsn == "" && len(f.digits) > 8 {
		if n := countryCodeLen(f.digits); n > 0 && n < len(f.digits) {
			keys = append(keys, f.digits[n:])
		}
	}
	return keys
}

// phoneKey is the key of a stored number in the caller lookup table.
func (f phoneForm) key() string {
	if f.nsn != "" {
		return f.nsn
	}
	return f.digits
}
