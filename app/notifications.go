package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/concierge-console/concierge/backend/console"
	"github.com/concierge-console/concierge/backend/notify"
	"github.com/concierge-console/concierge/backend/queue"
)

// offerTitle is the notification's title in the attendant's language.
var offerTitle = map[string]string{"en": "Call for you", "fr": "Appel pour vous", "nl": "Gesprek voor u", "de": "Anruf für Sie"}

// StartNotifications shows a desktop notification when a queue call is
// offered to the logged-in attendant, removes it when the offer ends, and
// brings the window up when it is clicked. Without a notification service
// (no session bus) it does nothing.
func StartNotifications(wctx context.Context, c *console.Console, emitter *Emitter, log *slog.Logger) (stop func()) {
	n, err := notify.New("Concierge", notify.WithLogger(log), notify.WithOnClick(func(uint32) {
		runtime.WindowUnminimise(wctx)
		runtime.WindowShow(wctx)
	}))
	if err != nil {
		log.Info("console: no desktop notifications", "reason", err)
		return func() {}
	}
	// One worker, in event order, so that a notification is always shown
	// before the event that ends its offer closes it; D-Bus round trips stay
	// off the event path.
	events := make(chan queue.Event, 64)
	emitter.Add(func(name string, data any) {
		if e, ok := data.(queue.Event); ok && name == "queue:event" && e.Call != nil {
			select {
			case events <- e:
			default: // a flood of events: notifications are a comfort, drop
			}
		}
	})
	go func() {
		shown := map[string]uint32{} // queue call ID → notification
		for {
			var e queue.Event
			select {
			case e = <-events:
			case <-wctx.Done():
				return
			}
			me := c.Current()
			offered := me != nil && e.Type == queue.EventCallOffered && e.Call.OfferedTo == me.Username && e.Reason != queue.ReasonPickup
			id, had := shown[e.Call.ID]
			ctx, cancel := context.WithTimeout(wctx, 3*time.Second)
			switch {
			case offered && !had:
				title := offerTitle[c.Language()]
				if title == "" {
					title = offerTitle["en"]
				}
				id, err := n.Notify(ctx, title, strings.TrimSpace(e.Call.CallerName+"  "+e.Call.CallerNumber))
				if err != nil {
					log.Warn("console: notification", "err", err)
				} else {
					shown[e.Call.ID] = id
				}
			case had && !offered:
				delete(shown, e.Call.ID)
				if err := n.Close(ctx, id); err != nil {
					log.Debug("console: close notification", "err", err)
				}
			}
			cancel()
		}
	}()
	return func() { n.Shutdown() }
}
