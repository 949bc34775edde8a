package directory

import (
	"iter"
	"slices"
)

// keyIndex maps an exact key (a number, an e-mail, an external ID) to the
// slots that carry it. Almost every key has one slot, so that one is stored
// inline: a directory of 100 000 contacts saves several hundred thousand
// one-element slices, and their garbage collection, at build time.
type keyIndex[K comparable] map[K]slotSet

type slotSet struct {
	first uint32 // slot+1; 0 when empty
	more  []uint32
}

func (m keyIndex[K]) add(k K, slot uint32) {
	s := m[k]
	switch {
	case s.first == 0:
		s.first = slot + 1
	case s.first == slot+1 || slices.Contains(s.more, slot):
		return
	default:
		s.more = append(s.more, slot)
	}
	m[k] = s
}

func (m keyIndex[K]) drop(k K, slot uint32) {
	s, ok := m[k]
	if !ok {
		return
	}
	if s.first == slot+1 {
		if len(s.more) == 0 {
			delete(m, k)
			return
		}
		s.first, s.more = s.more[0]+1, s.more[1:]
	} else {
		s.more = slices.DeleteFunc(s.more, func(x uint32) bool { return x == slot })
	}
	m[k] = s
}

// slots yields the slots of k.
func (m keyIndex[K]) slots(k K) iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		s, ok := m[k]
		if !ok || !yield(s.first-1) {
			return
		}
		for _, x := range s.more {
			if !yield(x) {
				return
			}
		}
	}
}

// numberKey packs a digit string of up to 15 digits (the E.164 maximum) into
// a map key that hashes and compares as one word; its length is kept so that
// "0123" and "123" differ. Longer strings (odd PBX feature codes) do not fit.
func numberKey(d string) (uint64, bool) {
	if d == "" || len(d) > 15 {
		return 0, false
	}
	k := uint64(0)
	for i := 0; i < len(d); i++ {
		k = k*10 + uint64(d[i]-'0')
	}
	return uint64(len(d))<<56 | k, true
}

// numberIndex maps phone lookup keys (phone.go) to slots.
type numberIndex struct {
	short keyIndex[uint64]
	long  keyIndex[string]
}

func newNumberIndex(capacity int) numberIndex {
	return numberIndex{short: make(keyIndex[uint64], capacity), long: make(keyIndex[string])}
}

func (n numberIndex) add(k string, slot uint32) {
	if u, ok := numberKey(k); ok {
		n.short.add(u, slot)
	} else {
		n.long.add(k, slot)
	}
}

func (n numberIndex) drop(k string, slot uint32) {
	if u, ok := numberKey(k); ok {
		n.short.drop(u, slot)
	} else {
		n.long.drop(k, slot)
	}
}

func (n numberIndex) slots(k string) iter.Seq[uint32] {
	if u, ok := numberKey(k); ok {
		return n.short.slots(u)
	}
	return n.long.slots(k)
}
