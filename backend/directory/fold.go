package directory

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fold maps text to its search form: lower case, without diacritics, with
// compatibility characters (ligatures, full-width forms) decomposed, so that
// "Hélène" and "helene", "Müller" and "muller", "ŒUVRE" and "oeuvre" meet.
// Punctuation is kept: a fragment such as "d'artagnan" or "a.b@c" is matched
// literally against folded field text.
func fold(s string) string {
	// Almost all directory text is ASCII: lower-case it without decomposing.
	ascii, lower := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			lower = false
		}
	}
	if ascii {
		if lower {
			return s
		}
		b := make([]byte, len(s))
		for i := 0; i < len(s); i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		return string(b)
	}
	d := norm.NFKD.String(s)
	out := make([]byte, 0, len(d))
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue // the accent of a decomposed letter
		}
		if rep := foldSpecial(r); rep != "" {
			out = append(out, rep...)
			continue
		}
		out = utf8.AppendRune(out, unicode.ToLower(r))
	}
	return string(out)
}

// foldSpecial handles letters that have no canonical decomposition but that
// people type without their stroke or as two letters.
func foldSpecial(r rune) string {
	switch r {
	case 'ß', 'ẞ':
		return "ss"
	case 'æ', 'Æ':
		return "ae"
	case 'œ', 'Œ':
		return "oe"
	case 'ø', 'Ø':
		return "o"
	case 'ł', 'Ł':
		return "l"
	case 'đ', 'Đ', 'ð', 'Ð':
		return "d"
	case 'þ', 'Þ':
		return "th"
	case 'ı':
		return "i"
	case '’', '‘', '`', '´':
		return "'" // "d’Artagnan" typed as "d'artagnan"
	}
	return ""
}

// tokens calls fn with every word (run of letters and digits) of folded
// text s, in order, as substrings of s (no allocation).
func tokens(s string, fn func(tok string)) {
	tokenSpans(s, func(i, j int) { fn(s[i:j]) })
}

// tokenSpans calls fn with the byte span [i, j) of every word of s.
func tokenSpans(s string, fn func(i, j int)) {
	start := -1
	for i := 0; i < len(s); {
		c, size := s[i], 1
		word := ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z')
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			word = unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		if word && start < 0 {
			start = i
		} else if !word && start >= 0 {
			fn(start, i)
			start = -1
		}
		i += size
	}
	if start >= 0 {
		fn(start, len(s))
	}
}

// wordBefore reports whether the byte before s[i] belongs to a word.
func wordBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	c := s[i-1]
	if c < utf8.RuneSelf {
		return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z')
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
