package directory

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldedColumn holds the folded values of one searchable column of every slot,
// each value followed by "\x00", in slot order: slot s's values are
// hay[start[s]:start[s+1]]. A punctuated fragment ("company.example",
// "d'artagnan") is checked against these bytes instead of folding the
// contact's fields: its candidates come from a posting list in slot order,
// so the check streams through one contiguous buffer, with no pointer to
// chase and nothing to fold per keystroke.
type foldedColumn struct {
	hay   []byte      // "\x00" + value + "\x00" + value + "\x00" …
	start []uint32    // by slot, plus one: where the slot's values start in hay
	freq  [256]uint32 // how often each byte is in hay: a scan looks for a fragment's rarest byte
}

func newFoldedColumn(capacity int) foldedColumn {
	return foldedColumn{hay: []byte{0}, start: append(make([]uint32, 0, capacity+1), 1)}
}

// add appends a folded value to the slot being indexed; end closes the slot.
func (c *foldedColumn) add(folded string) {
	c.hay = append(c.hay, folded...)
	c.hay = append(c.hay, 0)
	for i := 0; i < len(folded); i++ {
		c.freq[folded[i]]++
	}
}

func (c *foldedColumn) end() { c.start = append(c.start, uint32(len(c.hay))) }

// values returns the folded values of slot, each followed by "\x00".
func (c *foldedColumn) values(slot uint32) []byte { return c.hay[c.start[slot]:c.start[slot+1]] }

// pack drops the spare capacity left by appends once a build is done.
func (c *foldedColumn) pack() {
	if cap(c.hay)-len(c.hay) > len(c.hay)/16 {
		c.hay = slices.Clone(c.hay)
	}
	c.start = slices.Clip(c.start) // sized for the build already
}

// sizeColumns reserves room for the columns of all before a build, so that
// they are not copied over and over as they grow. Folding seldom changes a
// value's length ("é" is two bytes, "e" one, so it shrinks).
func (ix *index) sizeColumns(all []Contact) {
	var size [numFields]int
	for i := range all {
		c := &all[i]
		for f, v := range [...]string{fieldFirstName: c.FirstName, fieldLastName: c.LastName, fieldDisplayName: c.DisplayName,
			fieldDepartment: c.Department, fieldJobTitle: c.JobTitle, fieldResponsibilities: c.Responsibilities,
			fieldLocation: c.Location, fieldManager: c.Manager} {
			if v != "" {
				size[f] += len(v) + 1
			}
		}
		for _, e := range c.Emails {
			size[fieldEmail] += len(e) + 1
		}
		for k, v := range c.Custom {
			size[fieldCustom] += len(k) + len(v) + 2
		}
	}
	for f := range ix.cols {
		if col := &ix.cols[f]; len(col.hay) == 1 && cap(col.hay) < size[f]+1 {
			col.hay = make([]byte, 1, size[f]+1)
		}
	}
}

// literalText is a folded fragment to look for in column values.
type literalText struct {
	b          []byte
	startsWord bool // its first byte is no letter or digit: every place it is found is a start
}

func newLiteralText(folded string) literalText {
	if folded == "" || strings.IndexByte(folded, 0) >= 0 {
		return literalText{} // matches nothing: a NUL would match across values (they hold none)
	}
	return literalText{b: []byte(folded), startsWord: !wordBefore(folded, 1)}
}

// in grades text in vals, "\x00"-terminated values (see grade).
func (text literalText) in(vals []byte) tier { return text.grade(vals, 0, len(vals)) }

// grade grades the first place text appears in each value of hay[lo:hi]
// (whole "\x00"-terminated values) and returns the best: exact (the whole
// value), prefix (at a word start, or text itself starts with punctuation),
// infix, or tierNone.
func (text literalText) grade(hay []byte, lo, hi int) tier {
	n := len(text.b)
	best := tierNone
	for from := lo; n > 0 && from+n < hi; {
		i := bytes.Index(hay[from:hi], text.b)
		if i < 0 {
			break
		}
		i += from
		from = i + n // values hold no NUL, nor does text: a hit ends in the value it starts in
		if t := text.tierAt(hay, i); t == tierExact {
			return t
		} else {
			best = max(best, t)
		}
		from += bytes.IndexByte(hay[from:hi], 0) + 1 // the first place in a value is the one that counts
	}
	return best
}

// tierAt grades a place i where text is found in hay.
func (text literalText) tierAt(hay []byte, i int) tier {
	switch {
	case (i == 0 || hay[i-1] == 0) && hay[i+len(text.b)] == 0:
		return tierExact
	case text.startsWord || !wordBeforeBytes(hay, i):
		return tierPrefix
	}
	return tierInfix
}

// literalScan checks a fragment against the columns of candidates. For a
// few candidates it searches each one's values; for many (dense) it grades
// the whole column in one pass first, so that a fragment found in every
// contact ("company.example") costs one scan of the column, not one search
// per contact.
type literalScan struct {
	text  literalText
	tiers [numFields][]tier // by slot, once the column was scanned
}

func newLiteralScan(folded string) *literalScan { return &literalScan{text: newLiteralText(folded)} }

// dense tells whether n candidates out of slots are enough to scan whole
// columns for them.
func (ls *literalScan) dense(n, slots int) bool { return n >= slots/16 }

// score grades the fragment in column f of slot.
func (ls *literalScan) score(ix *index, slot uint32, f field, dense bool) (float64, bool) {
	var t tier
	if dense {
		if ls.tiers[f] == nil {
			ls.tiers[f] = ls.scan(&ix.cols[f])
		}
		t = ls.tiers[f][slot]
	} else {
		col := &ix.cols[f]
		t = ls.text.grade(col.hay, int(col.start[slot]), int(col.start[slot+1]))
	}
	return score(t, f), t != tierNone
}

// scan grades the fragment in every slot of col.
func (ls *literalScan) scan(col *foldedColumn) []tier {
	out := make([]tier, len(col.start)-1)
	text, n := ls.text.b, len(ls.text.b)
	if n == 0 {
		return out
	}
	// Look for the byte of text that is rarest in the column, so that the
	// scan stops about once per hit.
	k := 0
	for j, c := range text {
		if col.freq[c] < col.freq[text[k]] {
			k = j
		}
	}
	hay, slot, graded := col.hay, 0, -1 // graded: end of the last place graded
	for from := 0; ; {
		i := indexBy(hay[from:], text, k)
		if i < 0 {
			break
		}
		i += from
		from = i + n
		for int(col.start[slot+1]) <= i {
			slot++
		}
		if graded >= int(col.start[slot]) && bytes.IndexByte(hay[graded:i], 0) < 0 {
			continue // the first place in a value is the one that counts
		}
		graded = from
		out[slot] = max(out[slot], ls.text.tierAt(hay, i))
	}
	return out
}

// indexBy is bytes.Index that looks for text's byte at k first: with the
// rarest byte of a column, a scan stops about once per hit, where the first
// byte ("c" of "company.example") would stop it at many words.
func indexBy(s, text []byte, k int) int {
	n, c := len(text), text[k]
	for i := k; i < len(s); i++ {
		j := bytes.IndexByte(s[i:], c)
		if j < 0 {
			return -1
		}
		i += j
		if st := i - k; st+n <= len(s) && bytes.Equal(s[st:st+n], text) {
			return st
		}
	}
	return -1
}

// wordBeforeBytes is wordBefore for a byte slice; "\x00" is no word.
func wordBeforeBytes(s []byte, i int) bool {
	if i == 0 {
		return false
	}
	c := s[i-1]
	if c < utf8.RuneSelf {
		return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z')
	}
	r, _ := utf8.DecodeLastRune(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
