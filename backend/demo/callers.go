package demo

import (
	"fmt"
	"math/rand/v2"
)

// Caller is one demo caller.
type Caller struct {
	Name   string // SIP display name
	Number string // SIP From user part: E.164 (+33…) or national (06…)
}

// locale is one country's worth of plausible callers.
type locale struct {
	first, last []string
	// number makes a phone number; national selects the domestic format (leading
	// trunk 0) over E.164.
	number func(r *rand.Rand, national bool) string
}

// The first and last name lists of each locale have coprime lengths (8 and 7), so
// the same first name comes back with a different surname for 56 rounds.
var locales = []locale{
	{ // France: mobiles 06/07, Paris landlines 01.
		first: []string{"Camille", "Hélène", "Julien", "Mathilde", "Nicolas", "Élodie", "Antoine", "Sophie"},
		last:  []string{"Dubois", "Lefèvre", "Moreau", "Girard", "Fontaine", "Rousseau", "Mercier"},
		number: func(r *rand.Rand, national bool) string {
			if national {
				return "014" + digits(r, 7)
			}
			return fmt.Sprintf("+33%d", 6+r.IntN(2)) + digits(r, 8)
		},
	},
	{ // Netherlands: mobiles 06, Amsterdam landlines 020.
		first: []string{"Jan", "Sanne", "Pieter", "Femke", "Daan", "Lotte", "Bram", "Anouk"},
		last:  []string{"de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "de Jong"},
		number: func(r *rand.Rand, national bool) string {
			if national {
				return "020" + digits(r, 7)
			}
			return "+316" + digits(r, 8)
		},
	},
	{ // Germany: mobiles 015x/017x, Berlin landlines 030.
		first: []string{"Lukas", "Anna", "Jürgen", "Katrin", "Felix", "Sabine", "Matthias", "Lena"},
		last:  []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann"},
		number: func(r *rand.Rand, national bool) string {
			if national {
				return "030" + digits(r, 8)
			}
			return fmt.Sprintf("+4917%d", r.IntN(10)) + digits(r, 7)
		},
	},
	{ // United Kingdom: Ofcom's drama ranges (07700 900xxx, 020 7946 0xxx), which
		// are never given to real subscribers.
		first: []string{"Oliver", "Emily", "James", "Charlotte", "Harry", "Amelia", "George", "Olivia"},
		last:  []string{"Smith", "Taylor", "Brown", "Wilson", "Evans", "Thompson", "O'Connor"},
		number: func(r *rand.Rand, national bool) string {
			if national {
				return "02079460" + digits(r, 3)
			}
			return "+447700900" + digits(r, 3)
		},
	},
}

// Callers returns n varied, plausible callers: French, Dutch, German and British
// names in turn, mostly with mobile numbers in E.164 and every third one per
// country with a landline in national format, as carriers present them. The list
// is the same on every run so demos and screenshots are reproducible.
func Callers(n int) []Caller {
	if n <= 0 {
		return nil
	}
	out := make([]Caller, n)
	for i := range out {
		loc := locales[i%len(locales)]
		round := i / len(locales)
		r := rand.New(rand.NewPCG(uint64(i), 0x636f6e6369657267)) // "concierg"
		out[i] = Caller{
			Name:   loc.first[round%len(loc.first)] + " " + loc.last[round%len(loc.last)],
			Number: loc.number(r, round%3 == 2),
		}
	}
	return out
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}
