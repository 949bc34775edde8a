package directory

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sort"
	"strings"
	"sync"
)

// field is the column a word was found in; it decides the match's weight.
type field uint8

const (
	fieldFirstName field = iota
	fieldLastName
	fieldDisplayName
	fieldDepartment
	fieldJobTitle
	fieldEmail
	fieldPhone
	fieldResponsibilities
	fieldLocation
	fieldManager
	fieldCustom
	numFields
)

// fieldBits is how many low bits of a posting hold the field.
const fieldBits = 4

// weight makes names count more than other columns (C1: a name match is what
// the attendant is most likely looking for).
func (f field) weight() float64 {
	switch f {
	case fieldFirstName, fieldLastName, fieldDisplayName:
		return 4
	case fieldPhone:
		return 3
	case fieldDepartment, fieldJobTitle, fieldEmail:
		return 2
	}
	return 1
}

// tier is how well a fragment matched: a whole word, the start of a word, or
// inside a word. It dominates the score; the field only orders within a tier.
type tier uint8

const (
	tierNone tier = iota
	tierInfix
	tierPrefix
	tierExact
)

func score(t tier, f field) float64 { return float64(t)*10 + f.weight() }

// entry is one live contact in the index.
type entry struct {
	c       Contact
	sortKey string // folded display name: ties between equal scores read alphabetically
}

// phoneEnt is one number in the phone haystack.
type phoneEnt struct {
	off  uint32 // where its digits start in phoneHay
	end  uint32 // one past its last digit
	nsn  uint32 // where its national significant number starts; == end when it has none
	slot uint32
}

// index is the in-memory search structure. It is not safe for concurrent use:
// Directory guards it with a RWMutex (searches read, changes write).
//
// Words of every searchable column are folded (fold.go) and kept once each
// in a dictionary, laid out as one haystack "\x00word\x00word\x00…". A
// fragment finds its words there: word starts by binary search in the
// words' sorted order, inside-word matches through a trigram → words table
// (then a check of each listed word). The dictionary of 100 000 contacts
// holds about 100 000 words, far fewer than the contacts' text, so both are
// cheap. Each word has a posting list of (slot, field); the contacts of a
// fragment are the union of the posting lists of its words. A later, less
// selective fragment checks the remaining candidates' own words (forward
// index) instead of walking long posting lists.
//
// Phone numbers are digits in their own haystack with their own trigram
// table, so that any run of digits matches wherever it stands in a number
// (phone.go explains the forms).
//
// Changes never edit posting lists: a changed contact gets a new slot and its
// old slot is marked dead (nil). Searches skip dead slots; when dead slots
// outnumber live ones the index is rebuilt from the live contacts. That keeps
// an update O(words of the contact) however common its words are.
type index struct {
	docs    []*entry // by slot; nil when dead
	private []bool   // by slot: the hot loop tests this, not the entry (one cache miss less per candidate)
	sortPre []uint64 // by slot: first 8 bytes of sortKey, big-endian, for cheap tie-breaks

	// Forward index: the (token, field) pairs of slot s are
	// fwd[fwdStart[s]:fwdStart[s+1]]. A later fragment checks its few
	// candidates here instead of walking a long posting list.
	fwd      []uint32
	fwdStart []uint32

	slotOf map[string]uint32 // contact ID → live slot
	ver    uint64            // counts changes of slotOf, so caches of slots know when to refresh
	dead   int

	tokID  map[string]uint32 // folded word → token id
	hay    []byte            // "\x00" + word + "\x00" + …
	tokOff []uint32          // token id → offset of its first byte in hay
	post   [][]uint32        // token id → postings slot<<fieldBits | field
	// sorted holds token ids in word order, for word-start lookups by
	// binary search (scanning for "\x00w" would stop at every word). Tokens
	// added since the last sort are in the tail and checked one by one.
	sorted []uint32
	tail   []uint32
	// tri maps each 3-byte sequence to the tokens that contain it, so an
	// inside-word lookup checks a short list of words instead of scanning
	// the dictionary (whose frequent letters make a byte scan hop a lot).
	tri map[uint32][]uint32

	phoneHay []byte // "\x00" + digits + "\x00" + …
	phones   []phoneEnt
	// phoneTri lists, for every run of three digits, the numbers (indexes
	// in phones) that hold it: digit strings have ten symbols, so a plain
	// scan of phoneHay would stop every few bytes.
	phoneTri [][]uint32

	byNumber   numberIndex      // lookup key (phone.go) → slots
	byExternal keyIndex[string] // ExternalID → slots
	byEmail    keyIndex[string] // folded e-mail → slots

	scratch []uint64 // reused while adding a contact

	// cols holds every column's folded values by slot, for fragments
	// with punctuation (literal.go). fieldPhone's stays empty: numbers are
	// matched on their digits.
	cols [numFields]foldedColumn

	// valueTokens caches the token ids of whole column values while the
	// index is built from scratch: first names, departments and titles
	// repeat thousands of times, and folding them once halves build time.
	// valueFolds does the same for the columns, on the other goroutine.
	// Both are nil outside buildIndex, so they never outlive a build.
	valueTokens map[string][]uint32
	valueFolds  map[string]string
}

func newIndex(capacity int) *index {
	ix := &index{
		docs:       make([]*entry, 0, capacity),
		private:    make([]bool, 0, capacity),
		sortPre:    make([]uint64, 0, capacity),
		fwdStart:   append(make([]uint32, 0, capacity+1), 0),
		slotOf:     make(map[string]uint32, capacity),
		tokID:      make(map[string]uint32, capacity+16),
		tri:        make(map[uint32][]uint32, 4096),
		hay:        []byte{0},
		phoneHay:   []byte{0},
		phoneTri:   make([][]uint32, 1000),
		byNumber:   newNumberIndex(capacity * 2),
		byExternal: newKeyIndex[string](capacity),
		byEmail:    newKeyIndex[string](capacity),
	}
	for f := range ix.cols {
		ix.cols[f] = newFoldedColumn(capacity)
	}
	return ix
}

func (ix *index) live() int { return len(ix.slotOf) }

// get returns the live entry of a contact ID.
func (ix *index) get(id string) (*entry, bool) {
	slot, ok := ix.slotOf[id]
	if !ok {
		return nil, false
	}
	return ix.docs[slot], true
}

// put adds c, replacing any contact with the same ID. c must not be changed
// afterwards: the index keeps it.
func (ix *index) put(c Contact) {
	ix.remove(c.ID)
	ix.ver++
	slot := ix.addSlot(c)
	ix.putWords(slot)
	ix.putKeys(slot)
}

// addSlot gives c the next slot.
func (ix *index) addSlot(c Contact) uint32 {
	slot := uint32(len(ix.docs))
	e := &entry{c: c, sortKey: fold(c.Name())}
	ix.docs = append(ix.docs, e)
	ix.private = append(ix.private, c.Visibility == Private)
	ix.sortPre = append(ix.sortPre, prefix8(e.sortKey))
	ix.slotOf[c.ID] = slot
	return slot
}

// putWords indexes the words of the contact in slot: dictionary, postings,
// forward index. It touches none of the fields putKeys writes, so a build
// runs the two side by side.
func (ix *index) putWords(slot uint32) {
	c := &ix.docs[slot].c
	// Collect (token, field) pairs and dedupe them, so a word repeated in a
	// column costs one posting.
	pairs := ix.scratch[:0]
	addText := func(f field, s string) {
		if s == "" {
			return
		}
		if ix.valueTokens != nil && f != fieldEmail && f != fieldResponsibilities && len(s) < 64 {
			ids, ok := ix.valueTokens[s]
			if !ok {
				tokens(fold(s), func(t string) { ids = append(ids, ix.token(t)) })
				ix.valueTokens[s] = ids
			}
			for _, id := range ids {
				pairs = append(pairs, uint64(id)<<fieldBits|uint64(f))
			}
			return
		}
		tokens(fold(s), func(t string) {
			pairs = append(pairs, uint64(ix.token(t))<<fieldBits|uint64(f))
		})
	}
	addText(fieldFirstName, c.FirstName)
	addText(fieldLastName, c.LastName)
	addText(fieldDisplayName, c.DisplayName)
	addText(fieldDepartment, c.Department)
	addText(fieldJobTitle, c.JobTitle)
	addText(fieldResponsibilities, c.Responsibilities)
	addText(fieldLocation, c.Location)
	addText(fieldManager, c.Manager)
	for _, e := range c.Emails {
		tokens(fold(e), func(t string) {
			pairs = append(pairs, uint64(ix.token(t))<<fieldBits|uint64(fieldEmail))
		})
	}
	for k, v := range c.Custom {
		addText(fieldCustom, k+" "+v)
	}
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)
	for _, p := range pairs {
		tok := p >> fieldBits
		ix.post[tok] = append(ix.post[tok], slot<<fieldBits|uint32(p&(1<<fieldBits-1)))
		ix.fwd = append(ix.fwd, uint32(p))
	}
	ix.fwdStart = append(ix.fwdStart, uint32(len(ix.fwd)))
	ix.scratch = pairs
}

// putColumns appends the folded values of the contact in slot to the
// columns. putKeys calls it: a build runs putWords and putKeys side by side,
// and putWords is the longer.
func (ix *index) putColumns(slot uint32) {
	c := &ix.docs[slot].c
	add := func(f field, s string) {
		if s == "" {
			return
		}
		if ix.valueFolds == nil || len(s) >= 64 {
			ix.cols[f].add(fold(s))
			return
		}
		fs, ok := ix.valueFolds[s]
		if !ok {
			fs = fold(s)
			ix.valueFolds[s] = fs
		}
		ix.cols[f].add(fs)
	}
	add(fieldFirstName, c.FirstName)
	add(fieldLastName, c.LastName)
	add(fieldDisplayName, c.DisplayName)
	add(fieldDepartment, c.Department)
	add(fieldJobTitle, c.JobTitle)
	if c.Responsibilities != "" { // long and seldom repeated: not cached
		ix.cols[fieldResponsibilities].add(fold(c.Responsibilities))
	}
	add(fieldLocation, c.Location)
	add(fieldManager, c.Manager)
	for k, v := range c.Custom {
		add(fieldCustom, k+" "+v)
	}
	ix.endColumns()
}

// endColumns closes the current slot in every column.
func (ix *index) endColumns() {
	for f := range ix.cols {
		ix.cols[f].end()
	}
}

// putKeys indexes the numbers, exact keys and folded columns of the contact
// in slot.
func (ix *index) putKeys(slot uint32) {
	c := &ix.docs[slot].c
	for _, e := range c.Emails {
		fe := fold(e)
		ix.byEmail.add(fe, slot)
		ix.cols[fieldEmail].add(fe)
	}
	ix.putColumns(slot)
	for _, p := range c.Phones {
		f := parsePhone(p.Number)
		if f.digits == "" {
			continue
		}
		off := uint32(len(ix.phoneHay))
		ix.phoneHay = append(ix.phoneHay, f.digits...)
		end := uint32(len(ix.phoneHay))
		ix.phoneHay = append(ix.phoneHay, 0)
		ent := phoneEnt{off: off, end: end, nsn: end, slot: slot}
		if f.nsn != "" {
			ent.nsn = end - uint32(len(f.nsn))
		}
		ei := uint32(len(ix.phones))
		ix.phones = append(ix.phones, ent)
		for k := 0; k+3 <= len(f.digits); k++ {
			key := digitTri(f.digits[k:])
			if l := ix.phoneTri[key]; len(l) == 0 || l[len(l)-1] != ei {
				ix.phoneTri[key] = append(l, ei)
			}
		}
		k := f.key()
		ix.byNumber.add(k, slot)
	}
	if c.ExternalID != "" {
		ix.byExternal.add(c.ExternalID, slot)
	}
}

// prefix8 packs the first 8 bytes of s so that comparing two packs orders
// like comparing the strings, as far as those bytes go.
func prefix8(s string) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.BigEndian.Uint64(b[:])
}

// token returns the id of a folded word, adding it to the dictionary.
func (ix *index) token(t string) uint32 {
	if id, ok := ix.tokID[t]; ok {
		return id
	}
	id := uint32(len(ix.tokOff))
	ix.tokOff = append(ix.tokOff, uint32(len(ix.hay)))
	ix.hay = append(ix.hay, t...)
	ix.hay = append(ix.hay, 0)
	ix.post = append(ix.post, nil)
	ix.tokID[strings.Clone(t)] = id
	ix.tail = append(ix.tail, id)
	for k := 0; k+3 <= len(t); k++ {
		key := trigram(t[k:])
		l := ix.tri[key]
		if n := len(l); n == 0 || l[n-1] != id { // a word repeating a trigram is listed once
			ix.tri[key] = append(l, id)
		}
	}
	return id
}

func trigram(s string) uint32 { return uint32(s[0])<<16 | uint32(s[1])<<8 | uint32(s[2]) }

// word returns the bytes of token id.
func (ix *index) word(id uint32) []byte {
	start := ix.tokOff[id]
	end := len(ix.hay) - 1
	if int(id)+1 < len(ix.tokOff) {
		end = int(ix.tokOff[id+1]) - 1
	}
	return ix.hay[start:end]
}

// sortTail merges the tail into the sorted view once it is long enough to
// slow word-start lookups down (or always, with force, after a build).
// packLists removes the spare capacity of the lists after a build.
func (ix *index) packLists() {
	pack(ix.post)
	pack(ix.phoneTri)
	tri := make([][]uint32, 0, len(ix.tri))
	keys := make([]uint32, 0, len(ix.tri))
	for k, l := range ix.tri {
		keys, tri = append(keys, k), append(tri, l)
	}
	pack(tri)
	for i, k := range keys {
		ix.tri[k] = tri[i]
	}
	ix.fwd = slices.Clip(ix.fwd)
	for f := range ix.cols {
		ix.cols[f].pack()
	}
}

func (ix *index) sortTail(force bool) {
	if len(ix.tail) == 0 || (!force && len(ix.tail) < 2048) {
		return
	}
	ix.sorted = append(ix.sorted, ix.tail...)
	ix.tail = ix.tail[:0]
	slices.SortFunc(ix.sorted, func(a, b uint32) int { return bytes.Compare(ix.word(a), ix.word(b)) })
}

// wordsWithPrefix appends the tokens that start with w.
func (ix *index) wordsWithPrefix(w string, out []tokHit) []tokHit {
	pat := []byte(w)
	i, _ := slices.BinarySearchFunc(ix.sorted, pat, func(id uint32, p []byte) int { return bytes.Compare(ix.word(id), p) })
	hit := func(id uint32) bool {
		wd := ix.word(id)
		if !bytes.HasPrefix(wd, pat) {
			return false
		}
		t := tierPrefix
		if len(wd) == len(pat) {
			t = tierExact
		}
		out = append(out, tokHit{id, t})
		return true
	}
	for ; i < len(ix.sorted) && hit(ix.sorted[i]); i++ {
	}
	for _, id := range ix.tail {
		hit(id)
	}
	return out
}

// remove marks the contact's slot dead. Its postings stay until the next
// rebuild; the small lookup tables are cleaned at once.
func (ix *index) remove(id string) {
	slot, ok := ix.slotOf[id]
	if !ok {
		return
	}
	ix.ver++
	e := ix.docs[slot]
	ix.docs[slot] = nil
	delete(ix.slotOf, id)
	ix.dead++
	for _, p := range e.c.Phones {
		k := parsePhone(p.Number).key()
		ix.byNumber.drop(k, slot)
	}
	for _, m := range e.c.Emails {
		ix.byEmail.drop(fold(m), slot)
	}
	if e.c.ExternalID != "" {
		ix.byExternal.drop(e.c.ExternalID, slot)
	}
}

// needsCompaction tells when dead slots cost more than a rebuild saves.
func (ix *index) needsCompaction() bool {
	return ix.dead > 4096 && ix.dead > ix.live()
}

// compacted returns a new index holding only the live contacts.
func (ix *index) compacted() *index {
	all := make([]Contact, 0, ix.live())
	for _, e := range ix.docs {
		if e != nil {
			all = append(all, e.c)
		}
	}
	nx := newIndex(len(all))
	nx.fill(all)
	return nx
}

// fill indexes contacts into an empty index. Words and keys go into disjoint
// parts of the index, so they are built on two goroutines: a cold start of
// 100 000 contacts takes about half the time.
func (ix *index) fill(all []Contact) {
	for _, c := range all {
		if _, dup := ix.slotOf[c.ID]; dup {
			ix.remove(c.ID)
		}
		ix.addSlot(c)
	}
	ix.sizeColumns(all)
	ix.valueTokens, ix.valueFolds = make(map[string][]uint32), make(map[string]string)
	var wg sync.WaitGroup
	wg.Go(func() {
		for slot := range ix.docs {
			if ix.docs[slot] != nil {
				ix.putKeys(uint32(slot))
			} else {
				ix.endColumns()
			}
		}
	})
	for slot := range ix.docs {
		if ix.docs[slot] != nil {
			ix.putWords(uint32(slot))
		} else {
			ix.fwdStart = append(ix.fwdStart, uint32(len(ix.fwd)))
		}
	}
	wg.Wait()
	ix.valueTokens, ix.valueFolds = nil, nil
	ix.sortTail(true)
	ix.packLists()
}

// tokenAt returns the token whose bytes contain hay offset off.
func (ix *index) tokenAt(off int) uint32 {
	i := sort.Search(len(ix.tokOff), func(i int) bool { return int(ix.tokOff[i]) > off })
	return uint32(i - 1)
}

// wordMode constrains where a piece of a fragment may sit inside a word.
type wordMode uint8

const (
	modeAny    wordMode = 0
	modeStart  wordMode = 1 // the fragment had a separator before it
	modeEnd    wordMode = 2 // … after it
	modeWhole  wordMode = modeStart | modeEnd
	modeNoInfx wordMode = 4 // too short for inside-word matches
)

type tokHit struct {
	tok  uint32
	tier tier
}

// matchWords finds the dictionary words that contain the folded word w as
// mode allows, with the tier of each match.
func (ix *index) matchWords(w string, mode wordMode, out []tokHit) []tokHit {
	if mode&modeWhole == modeWhole {
		if id, ok := ix.tokID[w]; ok {
			out = append(out, tokHit{id, tierExact})
		}
		return out
	}
	hay := ix.hay
	if mode&(modeStart|modeNoInfx) != 0 && mode&modeEnd == 0 {
		return ix.wordsWithPrefix(w, out)
	}
	pat := []byte(w)
	if len(w) >= 3 {
		// Check the words holding the rarest trigram of w.
		var cands []uint32
		for k := 0; k+3 <= len(w); k++ {
			l := ix.tri[trigram(w[k:])]
			if len(l) == 0 {
				return out
			}
			if k == 0 || len(l) < len(cands) {
				cands = l
			}
		}
		for _, id := range cands {
			wd := ix.word(id)
			p := bytes.Index(wd, pat)
			if p < 0 {
				continue
			}
			if mode&modeEnd != 0 {
				if !bytes.HasSuffix(wd, pat) {
					continue
				}
				p = len(wd) - len(pat)
			}
			start, end := p == 0, p+len(pat) == len(wd)
			t := tierInfix
			switch {
			case start && end:
				t = tierExact
			case start:
				t = tierPrefix
			}
			out = append(out, tokHit{id, t})
		}
		return out
	}
	for i := 0; ; {
		j := bytes.Index(hay[i:], pat)
		if j < 0 {
			break
		}
		p := i + j
		we := p + len(w) // end of the word holding the hit
		if hay[we] != 0 {
			we += bytes.IndexByte(hay[we:], 0)
		}
		i = we // one hit per word is enough: the first is the best placed
		if mode&modeEnd != 0 {
			// The piece must end the word; a later occurrence may.
			if !bytes.HasSuffix(hay[:we], pat) {
				continue
			}
			p = we - len(w)
		}
		start, end := hay[p-1] == 0, p+len(w) == we
		if mode&modeNoInfx != 0 && !start {
			continue
		}
		t := tierInfix
		switch {
		case start && end:
			t = tierExact
		case start:
			t = tierPrefix
		}
		out = append(out, tokHit{ix.tokenAt(p), t})
	}
	return out
}

// phoneHit is a number matching a digit fragment.
type phoneHit struct {
	slot uint32
	tier tier
}

// matchPhones finds the numbers that match a phone fragment in any format.
// With noInfix only matches at the start of the digits or of the national
// significant number count (one or two digits inside numbers match nearly
// every number, which helps nobody).
func (ix *index) matchPhones(q phoneForm, noInfix bool, fn func(phoneHit)) {
	ix.scanPhones(q.digits, false, noInfix, fn)
	if q.nsn != "" && q.nsn != q.digits {
		ix.scanPhones(q.nsn, true, noInfix, fn)
	}
}

func digitTri(d string) int { return int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0') }

func (ix *index) scanPhones(d string, nsnOnly, noInfix bool, fn func(phoneHit)) {
	if len(d) < 3 {
		ix.scanPhoneHay(d, nsnOnly, noInfix, fn)
		return
	}
	var cands []uint32
	for k := 0; k+3 <= len(d); k++ {
		l := ix.phoneTri[digitTri(d[k:])]
		if len(l) == 0 {
			return
		}
		if k == 0 || len(l) < len(cands) {
			cands = l
		}
	}
	pat := []byte(d)
	for _, ei := range cands {
		e := ix.phones[ei]
		digits := ix.phoneHay[e.off:e.end]
		best := tierNone
		for from := 0; ; {
			j := bytes.Index(digits[from:], pat)
			if j < 0 {
				break
			}
			p := uint32(from + j)
			from += j + 1
			if t := phoneTier(e, e.off+p, uint32(len(pat)), nsnOnly, noInfix); t > best {
				best = t
			}
		}
		if best != tierNone {
			fn(phoneHit{e.slot, best})
		}
	}
}

// phoneTier grades a match of n digits at hay offset p in number e.
func phoneTier(e phoneEnt, p, n uint32, nsnOnly, noInfix bool) tier {
	end := p+n == e.end
	switch {
	case p == e.nsn && end, p == e.off && end && !nsnOnly:
		return tierExact
	case p == e.nsn, p == e.off && !nsnOnly:
		return tierPrefix
	case noInfix:
		return tierNone
	case !nsnOnly || p > e.nsn:
		return tierInfix
	}
	return tierNone
}

// scanPhoneHay finds short digit runs by scanning every number.
func (ix *index) scanPhoneHay(d string, nsnOnly, noInfix bool, fn func(phoneHit)) {
	if d == "" {
		return
	}
	hay := ix.phoneHay
	pat := []byte(d)
	for i := 0; ; {
		j := bytes.Index(hay[i:], pat)
		if j < 0 {
			return
		}
		p := uint32(i + j)
		i = int(p) + 1
		k := sort.Search(len(ix.phones), func(k int) bool { return ix.phones[k].off > p }) - 1
		e := ix.phones[k]
		if t := phoneTier(e, p, uint32(len(d)), nsnOnly, noInfix); t != tierNone {
			fn(phoneHit{e.slot, t})
		}
	}
}
