package directory

import (
	"slices"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Hélène":          "helene",
		"MÜLLER":          "muller",
		"Straße":          "strasse",
		"Œuvre":           "oeuvre",
		"Søren Łukasz":    "soren lukasz",
		"ﬁnance":          "finance",
		"d’Artagnan":      "d'artagnan",
		"plain ascii":     "plain ascii",
		"Ventes & Compta": "ventes & compta",
		"François-Xavier": "francois-xavier",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokens(t *testing.T) {
	var got []string
	tokens(fold("Jean-Pierre d’Artagnan <jp.dartagnan@example.com> – Zoë"), func(s string) { got = append(got, s) })
	want := []string{"jean", "pierre", "d", "artagnan", "jp", "dartagnan", "example", "com", "zoe"}
	if !slices.Equal(got, want) {
		t.Fatalf("tokens = %q, want %q", got, want)
	}
}

func TestParsePhone(t *testing.T) {
	for in, want := range map[string]phoneForm{
		"+33 1 42 00 00 00":  {"33142000000", "142000000"},
		"0033 1 42 00 00 00": {"33142000000", "142000000"},
		"01 42 00 00 00":     {"0142000000", "142000000"},
		"01.42.00.00.00":     {"0142000000", "142000000"},
		"+1 (212) 555-0100":  {"12125550100", "2125550100"},
		"+49 30 1234567":     {"49301234567", "301234567"},
		"+352 26 12 34":      {"352261234", "261234"},
		"1234":               {"1234", ""},
		"":                   {"", ""},
	} {
		if got := parsePhone(in); got != want {
			t.Errorf("parsePhone(%q) = %+v, want %+v", in, got, want)
		}
	}
}
