package app

import (
	"context"
	"log/slog"
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
}

// StartTray shows the tray icon; the returned function removes it.
func StartTray(wctx context.Context, c *console.Console, icon []byte, emitter *Emitter, log *slog.Logger) (stop func()) {
	t := &Tray{c: c, log: log, wctx: wctx}
	start, end := systray.RunWithExternalLoop(func() { t.ready(icon) }, func() {})
	start()
	// Any change of session or availability may change the toggle.
	emitter.Add(func(name string, _ any) {
		switch name {
		case "queue:event", "queue:snapshot", "session:ended", "connection:state":
			t.refresh()
		}
	})
	return end
}

func (t *Tray) ready(icon []byte) {
	systray.SetIcon(icon)
	systray.SetTitle("Concierge")
	systray.SetTooltip("Concierge attendant console")
	available := systray.AddMenuItemCheckbox("Available", "Receive calls from the queues", false)
	open := systray.AddMenuItem("Open Concierge", "Show the console window")
	systray.AddSeparator()
	quit := systray.AddMenuItem("Quit", "Quit Concierge")
	t.mu.Lock()
	t.available = available
	t.mu.Unlock()
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
