package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// Bridge serves the front-end and the bound services over HTTP and a
// WebSocket, so the unchanged UI runs in a browser exactly as in the Wails
// window: the same Go methods answer, the same events arrive.
type Bridge struct {
	log      *slog.Logger
	assets   fs.FS
	services map[string]reflect.Value

	mu      sync.Mutex
	clients map[chan bridgeEvent]struct{}
}

type bridgeEvent struct {
	Name string `json:"name"`
	Data any    `json:"data"`
}

type callRequest struct {
	Service string            `json:"service"`
	Method  string            `json:"method"`
	Args    []json.RawMessage `json:"args"`
}

// NewBridge returns a bridge over the bound services; assets is the built
// front-end (frontend/dist).
func NewBridge(assets fs.FS, services []any, log *slog.Logger) *Bridge {
	b := &Bridge{log: log, assets: assets, services: map[string]reflect.Value{}, clients: map[chan bridgeEvent]struct{}{}}
	for _, s := range services {
		v := reflect.ValueOf(s)
		b.services[v.Elem().Type().Name()] = v
	}
	return b
}

// Emit sends an event to every connected browser. A browser too slow to
// keep up loses its connection (and resyncs on reconnect) rather than
// stalling the console.
func (b *Bridge) Emit(name string, data any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.clients {
		select {
		case ch <- bridgeEvent{Name: name, Data: data}:
		default:
			close(ch)
			delete(b.clients, ch)
		}
	}
}

// Handler serves /bridge/call, /bridge/events and the front-end.
func (b *Bridge) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /bridge/call", b.call)
	mux.HandleFunc("GET /bridge/events", b.events)
	mux.Handle("/", http.FileServerFS(b.assets))
	return mux
}

func (b *Bridge) call(w http.ResponseWriter, r *http.Request) {
	var req callRequest
	// Large enough for a directory import file (Directory.Import) of tens of thousands of contacts.
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<20)).Decode(&req); err != nil {
		bridgeError(w, http.StatusBadRequest, "invalid call request: "+err.Error())
		return
	}
	svc, ok := b.services[req.Service]
	if !ok {
		bridgeError(w, http.StatusNotFound, "unknown service "+req.Service)
		return
	}
	m := svc.MethodByName(req.Method)
	if !m.IsValid() {
		bridgeError(w, http.StatusNotFound, "unknown method "+req.Service+"."+req.Method)
		return
	}
	mt := m.Type()
	if len(req.Args) != mt.NumIn() {
		bridgeError(w, http.StatusBadRequest, fmt.Sprintf("%s.%s takes %d arguments, got %d", req.Service, req.Method, mt.NumIn(), len(req.Args)))
		return
	}
	in := make([]reflect.Value, mt.NumIn())
	for i := range in {
		p := reflect.New(mt.In(i))
		if err := json.Unmarshal(req.Args[i], p.Interface()); err != nil {
			bridgeError(w, http.StatusBadRequest, fmt.Sprintf("argument %d of %s.%s: %v", i+1, req.Service, req.Method, err))
			return
		}
		in[i] = p.Elem()
	}
	out := m.Call(in)
	// Bound methods return (T, error) or error, as Wails expects.
	if last := out[len(out)-1]; last.Type() == reflect.TypeFor[error]() {
		if err, _ := last.Interface().(error); err != nil {
			bridgeError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		out = out[:len(out)-1]
	}
	var result any
	if len(out) > 0 {
		result = out[0].Interface()
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(result); err != nil {
		b.log.Debug("bridge: write result", "err", err)
	}
}

func bridgeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (b *Bridge) events(w http.ResponseWriter, r *http.Request) {
	// Subscribe before the handshake completes: a browser that calls a
	// service as soon as its socket opens must not miss the events it causes.
	ch := make(chan bridgeEvent, 1024)
	b.mu.Lock()
	b.clients[ch] = struct{}{}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		if _, ok := b.clients[ch]; ok {
			delete(b.clients, ch)
			close(ch)
		}
		b.mu.Unlock()
	}()
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		b.log.Warn("bridge: websocket accept", "err", err)
		return
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(r.Context())
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-ch:
			if !ok {
				conn.Close(websocket.StatusTryAgainLater, "too slow")
				return
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := wsjson.Write(wctx, conn, ev)
			cancel()
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					b.log.Debug("bridge: event write", "err", err)
				}
				return
			}
		}
	}
}
