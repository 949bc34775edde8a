package directory

import (
	"iter"
	"slices"
)

// keyIndex maps an exact key (a number, an e-mail, an external ID) to the
// slots that carry it. Almost every key has one slot, kept inline as slot+1;
// the rare shared keys (a switchboard number on many contacts) keep their
// other slots in a side map. 100 000 contacts thus cost one small map entry
// per key instead of a slice header each.
type keyIndex[K comparable] struct {
	first map[K]uint32   // slot+1
	more  map[K][]uint32 // further slots of shared keys
}

func newKeyIndex[K comparable](capacity int) keyIndex[K] {
	return keyIndex[K]{first: make(map[K]uint32, capacity), more: make(map[K][]uint32)}
}

func (m keyIndex[K]) add(k K, slot uint32) {
	f, ok := m.first[k]
	switch {
	case !ok:
		m.first[k] = slot + 1
	case f == slot+1 || slices.Contains(m.more[k], slot):
	default:
		m.more[k] = append(m.more[k], slot)
	}
}

func (m keyIndex[K]) drop(k K, slot uint32) {
	f, ok := m.first[k]
	if !ok {
		return
	}
	rest := m.more[k]
	if f == slot+1 {
		if len(rest) == 0 {
			delete(m.first, k)
			return
		}
		m.first[k], rest = rest[0]+1, rest[1:]
	} else {
		rest = slices.DeleteFunc(rest, func(x uint32) bool { return x == slot })
	}
	if len(rest) == 0 {
		delete(m.more, k)
	} else {
		m.more[k] = rest
	}
}

// slots yields the slots of k.
func (m keyIndex[K]) slots(k K) iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		f, ok := m.first[k]
		if !ok || !yield(f-1) {
			return
		}
		for _, x := range m.more[k] {
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
	return numberIndex{short: newKeyIndex[uint64](capacity), long: newKeyIndex[string](0)}
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

// pack moves many small lists into one array, each clipped to its length:
// no spare capacity, and lists read in one search sit side by side in
// memory. A later append to a list copies that list out again.
func pack(lists [][]uint32) {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	all := make([]uint32, 0, n)
	for i, l := range lists {
		start := len(all)
		all = append(all, l...)
		lists[i] = all[start:len(all):len(all)]
	}
}
