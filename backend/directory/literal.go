package directory

import (
	"bytes"
	"slices"
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
	hay   []byte   // "\x00" + value + "\x00" + value + "\x00" …
	start []uint32 // by slot, plus one: where the slot's values start in hay
}

func newFoldedColumn(capacity int) foldedColumn {
	return foldedColumn{hay: []byte{0}, start: append(make([]uint32, 0, capacity+1), 1)}
}

// add appends a folded value to the slot being indexed; end closes the slot.
func (c *foldedColumn) add(folded string) {
	c.hay = append(c.hay, folded...)
	c.hay = append(c.hay, 0)
}

func (c *foldedColumn) end() { c.start = append(c.start, uint32(len(c.hay))) }

// values returns the folded values of slot, each followed by "\x00".
func (c *foldedColumn) values(slot uint32) []byte { return c.hay[c.start[slot]:c.start[slot+1]] }

// pack drops the spare capacity left by appends once a build is done.
func (c *foldedColumn) pack() {
	c.hay = slices.Clone(c.hay)
	c.start = slices.Clone(c.start)
}

// literal looks for folded text in foldedColumn f of slot and returns the score of
// the best place it is found, as the index scores a word match.
func (ix *index) literal(slot uint32, f field, text []byte) (float64, bool) {
	if f >= numFields {
		return 0, false
	}
	t := bestLiteral(ix.cols[f].values(slot), text)
	return score(t, f), t != tierNone
}

// bestLiteral grades the first place text appears in each "\x00"-terminated
// value of vals and returns the best: exact (the whole value), prefix (at a
// word start, or text itself starts with punctuation), infix, or tierNone.
func bestLiteral(vals, text []byte) tier {
	if len(text) == 0 || bytes.IndexByte(text, 0) >= 0 {
		return tierNone // a NUL would match across values
	}
	startsWord := !wordBeforeBytes(text, 1)
	best := tierNone
	for from := 0; best != tierExact; {
		i := bytes.Index(vals[from:], text)
		if i < 0 {
			break
		}
		i += from
		vs := bytes.LastIndexByte(vals[:i], 0) + 1 // start of the value holding the hit
		ve := i + len(text) + bytes.IndexByte(vals[i+len(text):], 0)
		t := tierInfix
		switch {
		case i == vs && i+len(text) == ve:
			t = tierExact
		case startsWord || !wordBeforeBytes(vals, i):
			t = tierPrefix
		}
		best = max(best, t)
		from = ve + 1 // the first place in a value is the one that counts
	}
	return best
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
