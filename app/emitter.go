// Package app is the edge of the desktop console: the services bound to the
// Wails window (and, unchanged, to the browser bridge), the event emitter
// and the tray. Everything with substance lives in backend/.
package app

import (
	"context"
	"sync"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Emitter fans backend events out to every front-end that listens: the Wails
// window and any browser connected through the bridge.
type Emitter struct {
	mu    sync.RWMutex
	sinks []func(name string, data any)
}

// Emit sends an event to every sink.
func (e *Emitter) Emit(name string, data any) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, s := range e.sinks {
		s(name, data)
	}
}

// Add registers a sink.
func (e *Emitter) Add(sink func(name string, data any)) {
	e.mu.Lock()
	e.sinks = append(e.sinks, sink)
	e.mu.Unlock()
}

// AddWails forwards events to the Wails window of ctx (the OnStartup context).
func (e *Emitter) AddWails(ctx context.Context) {
	e.Add(func(name string, data any) { runtime.EventsEmit(ctx, name, data) })
}
