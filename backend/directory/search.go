package directory

import (
	"context"
	"fmt"
	"strings"
)

// Viewer is the user on whose behalf the directory is read or changed.
type Viewer struct {
	Username string
	Admin    bool
}

// canSee applies C7: a private contact exists only for its owner and for
// administrators. Public contacts can be seen, and so changed, by everyone.
func (v Viewer) canSee(c *Contact) bool {
	return c.Visibility != Private || v.Admin || (v.Username != "" && c.Owner == v.Username)
}

// Result is one search hit. Score orders results; it has no unit.
type Result struct {
	Contact Contact `json:"contact"`
	Score   float64 `json:"score"`
}

// Default and largest number of results of one search.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// piece is one word of a fragment, with where it must sit inside a word.
type piece struct {
	w    string
	mode wordMode
}

// fragment is one whitespace-separated part of a query; all must match.
type fragment struct {
	text    string // folded
	pieces  []piece
	literal bool // text is more than one bare word: check it against whole fields
	phone   phoneForm
	isPhone bool
}

// parseQuery splits a query into fragments. Consecutive fragments that look
// like pieces of a phone number are joined ("01 42 00 00 00" is one number).
// A fragment without a letter or digit ("%", "-") cannot narrow anything and
// is dropped: nothing in a query is an operator or a wildcard.
func parseQuery(q string, minInfix int) []fragment {
	var parts []string
	for _, f := range strings.Fields(q) {
		if n := len(parts); n > 0 && phoneLike(f) && phoneLike(parts[n-1]) {
			parts[n-1] += f
			continue
		}
		parts = append(parts, f)
	}
	var frags []fragment
	for _, p := range parts {
		fr := fragment{text: fold(p)}
		tokenSpans(fr.text, func(i, j int) {
			var m wordMode
			if i > 0 {
				m |= modeStart
			}
			if j < len(fr.text) {
				m |= modeEnd
			}
			if j-i < minInfix && m&modeStart == 0 {
				m |= modeNoInfx
			}
			fr.pieces = append(fr.pieces, piece{fr.text[i:j], m})
		})
		if len(fr.pieces) == 0 {
			continue
		}
		fr.literal = len(fr.pieces) > 1 || fr.pieces[0].w != fr.text
		if phoneLike(p) {
			fr.isPhone, fr.phone = true, parsePhone(p)
		}
		frags = append(frags, fr)
	}
	return frags
}

// scratch is per-search working memory indexed by slot, pooled so that a
// keystroke allocates next to nothing. Generation counters stand in for
// clearing: a slot's mark is valid only when it equals the current one.
type scratch struct {
	fragGen, candGen []uint32
	fragScore, sum   []float32
	tokGen           []uint32 // by token: marked when it matches the current fragment
	tokTier          []tier
	gen              uint32
	touched, cands   []uint32
	hits             []tokHit
	phoneHits        []phoneHit
	top              topK
}

func (s *scratch) reset(slots, toks int) {
	if len(s.fragGen) < slots || len(s.tokGen) < toks || s.gen > 1<<31 {
		n := slots + slots/4 + 64
		s.fragGen, s.candGen = make([]uint32, n), make([]uint32, n)
		s.fragScore, s.sum = make([]float32, n), make([]float32, n)
		m := toks + toks/4 + 64
		s.tokGen, s.tokTier = make([]uint32, m), make([]tier, m)
		s.gen = 0
	}
}

func (s *scratch) next() uint32 { s.gen++; return s.gen }

// plan is a fragment with its matches looked up, before contacts are touched.
type plan struct {
	fr        fragment
	anchor    []tokHit // matching words of the most selective piece
	phoneHits []phoneHit
	cost      int
}

// search runs a parsed query. boost and lift may be nil; lift adds to the
// score of the contacts it names (favorites, frequent destinations: Ranker).
func (ix *index) search(ctx context.Context, v Viewer, frags []fragment, limit int, boost func(string) float64, lift *liftSet, s *scratch) ([]Result, error) {
	if len(frags) == 0 {
		return nil, nil
	}
	s.reset(len(ix.docs), len(ix.tokOff))
	perContact := 1 + len(ix.fwd)/max(1, len(ix.docs)) // forward entries of an average contact

	// Look every fragment up in the dictionaries first and run the cheapest
	// first: the candidates of "dav" are few, and "ventes" then only filters
	// them instead of gathering a whole department.
	plans := make([]plan, len(frags))
	for i, fr := range frags {
		p := plan{fr: fr, cost: -1}
		for _, pc := range fr.pieces {
			hits := ix.matchWords(pc.w, pc.mode, nil)
			c := 0
			for _, h := range hits {
				c += len(ix.post[h.tok])
			}
			if p.cost < 0 || c < p.cost {
				p.anchor, p.cost = hits, c
			}
		}
		if fr.isPhone && len(fr.phone.digits) >= minInfixPhone {
			ix.matchPhones(fr.phone, false, func(h phoneHit) {
				p.phoneHits = append(p.phoneHits, h)
			})
			p.cost += len(p.phoneHits)
		}
		plans[i] = p
	}
	sortPlans(plans)

	s.cands = s.cands[:0]
	var cand uint32
	for i, p := range plans {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("directory: search: %w", err)
		}
		g := s.next()
		s.touched = s.touched[:0]
		emit := func(slot uint32, sc float32) {
			if i == 0 {
				if ix.docs[slot] == nil || (ix.private[slot] && !v.canSee(&ix.docs[slot].c)) {
					return
				}
			} else if s.candGen[slot] != cand {
				return
			}
			if s.fragGen[slot] != g {
				s.fragGen[slot], s.fragScore[slot] = g, sc
				s.touched = append(s.touched, slot)
			} else if sc > s.fragScore[slot] {
				s.fragScore[slot] = sc
			}
		}
		switch {
		case p.fr.literal:
			// The anchor word gives candidates and the column it is in; the
			// whole fragment, punctuation included, must then appear in that
			// column's folded text (literal.go).
			ls := newLiteralScan(p.fr.text)
			for _, h := range p.anchor {
				posts := ix.post[h.tok]
				dense := ls.dense(len(posts), len(ix.docs)) && (i == 0 || ls.dense(len(s.cands), len(ix.docs)))
				for _, post := range posts {
					slot := post >> fieldBits
					if i > 0 && s.candGen[slot] != cand || ix.docs[slot] == nil {
						continue
					}
					if sc, ok := ls.score(ix, slot, field(post&(1<<fieldBits-1)), dense); ok {
						emit(slot, float32(sc))
					}
				}
			}
		case i > 0 && len(s.cands)*perContact < p.cost:
			// Few candidates left, long posting lists: look the candidates'
			// own words up instead.
			tg := s.next()
			for _, h := range p.anchor {
				if s.tokGen[h.tok] != tg || h.tier > s.tokTier[h.tok] {
					s.tokGen[h.tok], s.tokTier[h.tok] = tg, h.tier
				}
			}
			for _, slot := range s.cands {
				for _, fw := range ix.fwd[ix.fwdStart[slot]:ix.fwdStart[slot+1]] {
					if tok := fw >> fieldBits; s.tokGen[tok] == tg {
						emit(slot, float32(score(s.tokTier[tok], field(fw&(1<<fieldBits-1)))))
					}
				}
			}
		default:
			for _, h := range p.anchor {
				for _, post := range ix.post[h.tok] {
					emit(post>>fieldBits, float32(score(h.tier, field(post&(1<<fieldBits-1)))))
				}
			}
		}
		for _, h := range p.phoneHits {
			emit(h.slot, float32(score(h.tier, fieldPhone)))
		}

		if i == 0 {
			s.cands = append(s.cands, s.touched...)
			for _, slot := range s.cands {
				s.sum[slot] = s.fragScore[slot]
			}
		} else {
			kept := s.cands[:0]
			for _, slot := range s.cands {
				if s.fragGen[slot] == g {
					s.sum[slot] += s.fragScore[slot]
					kept = append(kept, slot)
				}
			}
			s.cands = kept
		}
		if len(s.cands) == 0 {
			return nil, nil
		}
		cand = s.next()
		for _, slot := range s.cands {
			s.candGen[slot] = cand
		}
	}

	// The per-fragment marks are free again: they now mark lifted slots, so
	// the loop below pays an array read per candidate, not a map lookup.
	lg := s.next()
	if lift != nil {
		slots, vals := lift.resolve(ix)
		for i, slot := range slots {
			s.fragGen[slot], s.fragScore[slot] = lg, vals[i]
		}
	}
	s.top.reset(limit)
	for _, slot := range s.cands {
		r := ranked{slot: slot, pre: ix.sortPre[slot], score: float64(s.sum[slot]), ix: ix}
		if boost != nil {
			r.score += boost(ix.docs[slot].c.ID)
		}
		if s.fragGen[slot] == lg {
			r.score += float64(s.fragScore[slot])
		}
		s.top.offer(r)
	}
	out := make([]Result, 0, len(s.top.items))
	for _, r := range s.top.sorted() {
		out = append(out, Result{Contact: ix.docs[r.slot].c.Clone(), Score: r.score})
	}
	return out, nil
}

// minInfixPhone: fewer digits than this are not looked up in numbers at all
// (one or two digits are in nearly every number); they still match words,
// such as an office number.
const minInfixPhone = 3

func sortPlans(p []plan) {
	// Insertion sort: a query has a handful of fragments.
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].cost < p[j-1].cost; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// ranked is a candidate with its final score.
type ranked struct {
	slot  uint32
	pre   uint64 // sortPre of the slot
	score float64
	ix    *index
}

// better orders results: score, then name, then ID so that equal scores
// come out in a stable, readable order. Names are compared on their packed
// first bytes first, so that ties rarely touch the contacts themselves.
func (a ranked) better(b ranked) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.pre != b.pre {
		return a.pre < b.pre
	}
	ea, eb := a.ix.docs[a.slot], b.ix.docs[b.slot]
	if ea.sortKey != eb.sortKey {
		return ea.sortKey < eb.sortKey
	}
	return ea.c.ID < eb.c.ID
}

// topK keeps the best k candidates in a min-heap whose root is the worst
// kept, so ranking 100 000 candidates costs O(n log k), not a full sort.
type topK struct {
	k     int
	items []ranked
}

func (t *topK) reset(k int) { t.k, t.items = k, t.items[:0] }

func (t *topK) offer(r ranked) {
	if len(t.items) < t.k {
		t.items = append(t.items, r)
		for i := len(t.items) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.items[p].better(t.items[i]) {
				break
			}
			t.items[p], t.items[i] = t.items[i], t.items[p]
			i = p
		}
		return
	}
	if !r.better(t.items[0]) {
		return
	}
	t.items[0] = r
	for i := 0; ; {
		w, l, rr := i, 2*i+1, 2*i+2
		if l < len(t.items) && t.items[w].better(t.items[l]) {
			w = l
		}
		if rr < len(t.items) && t.items[w].better(t.items[rr]) {
			w = rr
		}
		if w == i {
			break
		}
		t.items[i], t.items[w] = t.items[w], t.items[i]
		i = w
	}
}

// sorted empties the heap, best first.
func (t *topK) sorted() []ranked {
	out := make([]ranked, len(t.items))
	for n := len(t.items) - 1; n >= 0; n-- {
		out[n] = t.items[0]
		last := len(t.items) - 1
		t.items[0] = t.items[last]
		t.items = t.items[:last]
		for i := 0; ; {
			w, l, r := i, 2*i+1, 2*i+2
			if l < len(t.items) && t.items[w].better(t.items[l]) {
				w = l
			}
			if r < len(t.items) && t.items[w].better(t.items[r]) {
				w = r
			}
			if w == i {
				break
			}
			t.items[i], t.items[w] = t.items[w], t.items[i]
			i = w
		}
	}
	return out
}
