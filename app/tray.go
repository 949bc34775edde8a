package app

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"

	"fyne.io/systray"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/concierge-console/concierge/backend/console"
)

// Tray is the system-tray icon of the desktop console: the availability
// toggle (L4) without opening the window, open, and quit. On Linux it is a
// StatusNotifierItem on the session bus (no GTK), so it runs beside Wails'
// own GTK loop.
type Tray struct {
	c    *console.Console
	log  *slog.Logger
	wctx context.Context // the Wails context, for window calls

	mu        sync.Mutex
	available *systray.MenuItem
	open      *systray.MenuItem
	quit      *systray.MenuItem
	lang      string // the language the menu is in
}

// trayTexts is the tray menu in one language.
type trayTexts struct {
	Tooltip, Available, AvailableTip, Open, OpenTip, Quit, QuitTip string
}

// trayText is the tray menu in the console's four languages (S1, L4). The front-end's
// catalogs are JSON the web view loads; the tray is drawn by Go, also before any page
// loads, and has only these few words, so they live here like the notification title
// (notifications.go) rather than embedding and parsing the front-end's catalogs.
var trayText = map[string]trayTexts{
	"en": {"Concierge attendant console", "Available", "Receive calls from the queues", "Open Concierge", "Show the console window", "Quit", "Quit Concierge"},
	"fr": {"Concierge, console de standard", "Disponible", "Recevoir les appels des files d'attente", "Ouvrir Concierge", "Afficher la fenêtre de la console", "Quitter", "Quitter Concierge"},
	"nl": {"Concierge telefonistenconsole", "Beschikbaar", "Oproepen uit de wachtrijen ontvangen", "Concierge openen", "Het consolevenster tonen", "Afsluiten", "Concierge afsluiten"},
	"de": {"Concierge Vermittlungsplatz", "Verfügbar", "Anrufe aus den Warteschlangen annehmen", "Concierge öffnen", "Das Konsolenfenster anzeigen", "Beenden", "Concierge beenden"},
}

// trayLanguage picks the menu's language: the user's saved one, else (before a login, or
// never saved) the one the menu is already in, else the system's, as the login window's
// navigator.languages follow it; English when none of these is one of ours.
func trayLanguage(saved, current string, getenv func(string) string) string {
	if l := ourLanguage(saved); l != "" {
		return l
	}
	if l := ourLanguage(current); l != "" {
		return l
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if e := getenv(v); e != "" { // the first one set decides, as in setlocale(3)
			if l := ourLanguage(e); l != "" {
				return l
			}
			break
		}
	}
	return "en"
}

// ourLanguage maps "fr", "fr-BE" or "fr_BE.UTF-8" to "fr"; "" when not one of ours.
func ourLanguage(tag string) string {
	l := strings.ToLower(tag)
	if i := strings.IndexAny(l, "-_.@"); i >= 0 {
		l = l[:i]
	}
	if _, ok := trayText[l]; ok {
		return l
	}
	return ""
}

// StartTray shows the tray icon; the returned function removes it.
func StartTray(wctx context.Context, c *console.Console, icon []byte, emitter *Emitter, log *slog.Logger) (stop func()) {
	t := &Tray{c: c, log: log, wctx: wctx}
	start, end := systray.RunWithExternalLoop(func() { t.ready(icon) }, func() {})
	start()
	// Any change of session or availability may change the toggle; the menu follows
	// the user's language as soon as their settings are loaded or saved.
	emitter.Add(func(name string, _ any) {
		switch name {
		case "queue:event", "queue:snapshot", "session:ended", "connection:state":
			t.refresh()
		case console.EventSettings:
			t.relabel()
		}
	})
	return end
}

func (t *Tray) ready(icon []byte) {
	lang := trayLanguage(t.c.Language(), "", os.Getenv)
	tx := trayText[lang]
	systray.SetIcon(icon)
	systray.SetTitle("Concierge")
	systray.SetTooltip(tx.Tooltip)
	available := systray.AddMenuItemCheckbox(tx.Available, tx.AvailableTip, false)
	open := systray.AddMenuItem(tx.Open, tx.OpenTip)
	systray.AddSeparator()
	quit := systray.AddMenuItem(tx.Quit, tx.QuitTip)
	t.mu.Lock()
	t.available, t.open, t.quit, t.lang = available, open, quit, lang
	t.mu.Unlock()
	t.relabel() // settings loaded while the menu was being built
	t.refresh()
	systray.SetOnTapped(func() { runtime.WindowShow(t.wctx) })
	go func() {
		for {
			select {
			case <-available.ClickedCh:
				t.toggle()
			case <-open.ClickedCh:
				runtime.WindowShow(t.wctx)
			case <-quit.ClickedCh:
				runtime.Quit(t.wctx)
				return
			case <-t.wctx.Done():
				return
			}
		}
	}()
}

// relabel puts the menu in the user's language when it changed (S1: live, like the window).
func (t *Tray) relabel() {
	saved := t.c.Language()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.available == nil {
		return // not shown yet: ready reads the language itself
	}
	lang := trayLanguage(saved, t.lang, os.Getenv)
	if lang == t.lang {
		return
	}
	t.lang = lang
	tx := trayText[lang]
	systray.SetTooltip(tx.Tooltip)
	t.available.SetTitle(tx.Available)
	t.available.SetTooltip(tx.AvailableTip)
	t.open.SetTitle(tx.Open)
	t.open.SetTooltip(tx.OpenTip)
	t.quit.SetTitle(tx.Quit)
	t.quit.SetTooltip(tx.QuitTip)
	t.log.Info("tray: menu language", "lang", lang)
}

func (t *Tray) toggle() {
	on, ok := t.c.Available()
	if !ok {
		return
	}
	if err := t.c.SetAvailable(t.wctx, !on); err != nil {
		t.log.Warn("tray: availability", "err", err)
	}
}

// refresh mirrors the attendant's availability in the checkbox; without a
// telephony session the toggle is disabled.
func (t *Tray) refresh() {
	t.mu.Lock()
	item := t.available
	t.mu.Unlock()
	if item == nil {
		return
	}
	on, ok := t.c.Available()
	if !ok {
		item.Uncheck()
		item.Disable()
		return
	}
	item.Enable()
	if on {
		item.Check()
	} else {
		item.Uncheck()
	}
}
