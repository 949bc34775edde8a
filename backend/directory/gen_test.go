package directory

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Names and departments of a plausible European company: French, Dutch,
// German and English names, accents included, so that benchmarks fold real
// text and tokens repeat the way they do in a real directory.
var (
	genFirst = []string{
		"David", "Dave", "Davina", "Hélène", "François", "Amélie", "Benoît", "Chloé", "Élodie", "Jérôme",
		"Marie", "Pierre", "Jean-Pierre", "Sébastien", "Zoé", "Léa", "Thomas", "Nicolas", "Camille", "Océane",
		"Jan", "Pieter", "Sanne", "Daan", "Femke", "Bram", "Lieke", "Joris", "Maarten", "Anouk",
		"Jürgen", "Günther", "Jörg", "Sabine", "Björn", "Käthe", "Lukas", "Anja", "Matthias", "Uwe",
		"James", "Emma", "Oliver", "Charlotte", "William", "Sophie", "Harry", "Emily", "George", "Grace",
		"Anna", "Martin", "Laura", "Paul", "Julia", "Max", "Eva", "Tom", "Lisa", "Sarah",
	}
	genLast = []string{
		"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
		"Lefèvre", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Müller", "Schmidt",
		"Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch",
		"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
		"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
		"d'Artagnan", "Lemaître", "Gauthier", "Perrin", "Chevalier", "Faure", "Mercier", "Blanc", "Guérin", "Boyer",
		"Van Acker", "Peeters", "Maes", "Claes", "Goossens", "Wouters", "De Smet", "Dubois-Martin", "Lefebvre", "Roux",
	}
	genDept = []string{
		"Ventes", "Comptabilité", "Support", "Direction", "Ressources humaines", "Informatique", "Logistique",
		"Marketing", "Juridique", "Achats", "Verkoop", "Boekhouding", "Vertrieb", "Buchhaltung", "Sales",
		"Finance", "Customer Care", "Production", "Qualité", "Recherche et développement",
	}
	genTitle = []string{
		"Commercial", "Comptable", "Technicien support", "Directeur", "Assistante", "Chef de projet", "Développeur",
		"Responsable logistique", "Juriste", "Acheteur", "Accountmanager", "Sachbearbeiter", "Ingenieur",
		"Sales representative", "Receptionist", "Team lead", "Analyste", "Stagiaire", "Consultant", "Auditeur",
	}
	genCity = []string{"Paris", "Lyon", "Lille", "Bruxelles", "Amsterdam", "Rotterdam", "Berlin", "München", "London", "Genève"}
)

// generate returns n plausible public contacts, the same for the same seed.
func generate(n int, seed uint64) []Contact {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	out := make([]Contact, 0, n)
	for i := range n {
		first, last := pick(genFirst), pick(genLast)
		local := strings.ReplaceAll(strings.ReplaceAll(fold(first+"."+last), " ", ""), "'", "")
		c := Contact{
			FirstName:  first,
			LastName:   last,
			Department: pick(genDept),
			JobTitle:   pick(genTitle),
			Location:   fmt.Sprintf("%s, bureau %d", pick(genCity), 100+r.IntN(500)),
			Emails:     []string{fmt.Sprintf("%s%d@company.example", local, i)},
			Visibility: Public,
			Source:     SourceLocal,
			ExternalID: fmt.Sprintf("emp-%06d", i),
		}
		// Numbers in the formats people type: international, national, dotted.
		work := fmt.Sprintf("%02d%02d%02d%02d", r.IntN(100), r.IntN(100), r.IntN(100), r.IntN(100))
		switch r.IntN(3) {
		case 0:
			c.Phones = append(c.Phones, Phone{PhoneWork, "+33 1 " + work[:2] + " " + work[2:4] + " " + work[4:6] + " " + work[6:]})
		case 1:
			c.Phones = append(c.Phones, Phone{PhoneWork, "01" + work})
		default:
			c.Phones = append(c.Phones, Phone{PhoneWork, "01." + work[:2] + "." + work[2:4] + "." + work[4:6] + "." + work[6:]})
		}
		c.Phones = append(c.Phones, Phone{PhoneExtension, fmt.Sprintf("%d", 10000+i)})
		if r.IntN(2) == 0 {
			c.Phones = append(c.Phones, Phone{PhoneMobile, fmt.Sprintf("06 %02d %02d %02d %02d", r.IntN(100), r.IntN(100), r.IntN(100), r.IntN(100))})
		}
		if r.IntN(4) == 0 {
			c.Manager = pick(genFirst) + " " + pick(genLast)
		}
		if r.IntN(10) == 0 {
			c.Responsibilities = "Contrats " + pick(genDept) + ", clients " + pick(genCity)
		}
		if r.IntN(20) == 0 {
			c.Custom = map[string]string{"badge": fmt.Sprintf("B-%05d", i)}
		}
		if r.IntN(50) == 0 {
			c.VIP = true
		}
		c.normalize()
		out = append(out, c)
	}
	return out
}
