package app

import (
	"testing"
)

// L4: the tray menu speaks the user's language (S1) in each of the four.
func TestTrayTextPerLanguage(t *testing.T) {
	want := map[string][3]string{
		"en": {"Available", "Open Concierge", "Quit"},
		"fr": {"Disponible", "Ouvrir Concierge", "Quitter"},
		"nl": {"Beschikbaar", "Concierge openen", "Afsluiten"},
		"de": {"Verfügbar", "Concierge öffnen", "Beenden"},
	}
	if len(trayText) != len(want) {
		t.Errorf("tray languages = %d; want %d", len(trayText), len(want))
	}
	for lang, w := range want {
		tx, ok := trayText[lang]
		if !ok {
			t.Errorf("no tray texts for %s", lang)
			continue
		}
		if got := [3]string{tx.Available, tx.Open, tx.Quit}; got != w {
			t.Errorf("%s: menu = %q; want %q", lang, got, w)
		}
		for name, s := range map[string]string{"tooltip": tx.Tooltip, "available tip": tx.AvailableTip, "open tip": tx.OpenTip, "quit tip": tx.QuitTip} {
			if s == "" {
				t.Errorf("%s: empty %s", lang, name)
			}
		}
	}
}

// The menu follows the saved language; before a login it keeps the one it shows, and
// at start it follows the system locale as the login window does.
func TestTrayLanguage(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		name, saved, current string
		env                  map[string]string
		want                 string
	}{
		{"saved wins", "nl", "fr", map[string]string{"LANG": "de_DE.UTF-8"}, "nl"},
		{"saved with a region", "fr-BE", "", nil, "fr"},
		{"logged out: keeps the menu's", "", "de", map[string]string{"LANG": "fr_FR.UTF-8"}, "de"},
		{"start: system locale", "", "", map[string]string{"LANG": "fr_FR.UTF-8"}, "fr"},
		{"LC_ALL before LANG", "", "", map[string]string{"LC_ALL": "de_AT.UTF-8", "LANG": "fr_FR.UTF-8"}, "de"},
		{"first set decides", "", "", map[string]string{"LC_MESSAGES": "C.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"},
		{"unknown saved language", "es", "", map[string]string{"LANG": "nl_BE.UTF-8"}, "nl"},
		{"nothing known", "", "", map[string]string{"LANG": "C"}, "en"},
	} {
		if got := trayLanguage(c.saved, c.current, env(c.env)); got != c.want {
			t.Errorf("%s: trayLanguage(%q, %q) = %q; want %q", c.name, c.saved, c.current, got, c.want)
		}
	}
}
