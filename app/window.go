package app

import (
	"context"
	"log/slog"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/concierge-console/concierge/backend/cache"
)

// Geometry is the window's size and place, remembered across starts.
type Geometry struct {
	Width     int  `json:"width"`
	Height    int  `json:"height"`
	X         int  `json:"x"`
	Y         int  `json:"y"`
	Maximised bool `json:"maximised"`
}

const appKeyWindow = "window"

// LoadGeometry returns the remembered geometry, if any and sensible (a
// window smaller than minW×minH or far off any screen is not restored).
func LoadGeometry(c *cache.Cache, minW, minH int) (Geometry, bool) {
	var g Geometry
	if c == nil {
		return g, false
	}
	if ok, err := c.GetApp(appKeyWindow, &g); err != nil || !ok {
		return g, false
	}
	const far = 1 << 14
	if g.Width < minW || g.Height < minH || g.Width > far || g.Height > far || g.X < -far || g.Y < -far || g.X > far || g.Y > far {
		return g, false
	}
	return g, true
}

// SaveGeometry remembers the window's size and place; called as the window
// closes (OnBeforeClose). A maximised window keeps its last normal size.
func SaveGeometry(wctx context.Context, c *cache.Cache, log *slog.Logger) {
	if c == nil {
		return
	}
	var g Geometry
	if _, err := c.GetApp(appKeyWindow, &g); err != nil {
		log.Warn("console: window geometry", "err", err)
	}
	g.Maximised = runtime.WindowIsMaximised(wctx)
	if !g.Maximised {
		g.Width, g.Height = runtime.WindowGetSize(wctx)
		g.X, g.Y = runtime.WindowGetPosition(wctx)
	}
	if err := c.PutApp(appKeyWindow, g); err != nil {
		log.Warn("console: window geometry", "err", err)
		return
	}
	log.Info("console: window geometry saved", "width", g.Width, "height", g.Height, "x", g.X, "y", g.Y, "maximised", g.Maximised)
}
