package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/concierge-console/concierge/backend/console"
	"github.com/concierge-console/concierge/backend/server"
)

// newBridge runs the real console with its embedded switchboard behind the
// bridge, as `concierge --headless` does.
func newBridge(t *testing.T) *httptest.Server {
	t.Helper()
	emitter := &Emitter{}
	con := console.New(console.Config{Embedded: server.Config{
		DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", SIPAddr: "127.0.0.1:0",
		AdminPassword: "bridge-secret", Site: server.DefaultSite(), Logger: slog.Default(),
	}}, emitter, slog.Default())
	if err := con.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { con.Close() })
	assets := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Concierge</title>")}}
	b := NewBridge(assets, Services(context.Background(), con), slog.Default())
	emitter.Add(b.Emit)
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, srv *httptest.Server, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(srv.URL+"/bridge/call", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestBridgeCallsTheBoundServices(t *testing.T) {
	srv := newBridge(t)
	code, body := call(t, srv, `{"service":"Session","method":"Config","args":[]}`)
	if code != 200 || !strings.Contains(body, `"embedded":true`) {
		t.Fatalf("Session.Config: %d %s", code, body)
	}
	code, body = call(t, srv, `{"service":"Session","method":"Current","args":[]}`)
	if code != 200 || body != "null" {
		t.Fatalf("Session.Current before login: %d %s", code, body)
	}
	code, body = call(t, srv, `{"service":"Session","method":"Login","args":[{"username":"admin","password":"wrong"}]}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "invalid username or password") {
		t.Fatalf("wrong password: %d %s", code, body)
	}
	code, body = call(t, srv, `{"service":"Session","method":"Login","args":[{"username":"admin","password":"bridge-secret","extension":"201"}]}`)
	if code != 200 || !strings.Contains(body, `"role":"admin"`) || !strings.Contains(body, `"telephony":true`) {
		t.Fatalf("login: %d %s", code, body)
	}
	code, body = call(t, srv, `{"service":"Settings","method":"Save","args":[{"language":"nl","theme":"dark","panelOrder":["queue"],"collapsed":[],"sizes":{"queue":40}}]}`)
	if code != 200 {
		t.Fatalf("save settings: %d %s", code, body)
	}
	code, body = call(t, srv, `{"service":"Settings","method":"Get","args":[]}`)
	var s UserSettings
	if code != 200 || json.Unmarshal([]byte(body), &s) != nil || s.Language != "nl" || s.Sizes["queue"] != 40 {
		t.Fatalf("settings round trip: %d %s", code, body)
	}
}

func TestBridgeRejectsBadCalls(t *testing.T) {
	srv := newBridge(t)
	for _, c := range []struct {
		body string
		code int
		want string
	}{
		{`{`, 400, "invalid call request"},
		{`{"service":"Nope","method":"X","args":[]}`, 404, "unknown service"},
		{`{"service":"Session","method":"Nope","args":[]}`, 404, "unknown method"},
		{`{"service":"Session","method":"Login","args":[]}`, 400, "takes 1 arguments"},
		{`{"service":"Queue","method":"Pickup","args":[42]}`, 400, "argument 1"},
		{`{"service":"Queue","method":"Snapshot","args":[]}`, 422, "not logged in"},
	} {
		code, body := call(t, srv, c.body)
		if code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d %q", c.body, code, body, c.code, c.want)
		}
	}
}

func TestBridgeForwardsEvents(t *testing.T) {
	srv := newBridge(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/bridge/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if code, body := call(t, srv, `{"service":"Session","method":"Login","args":[{"username":"admin","password":"bridge-secret","extension":"201"}]}`); code != 200 {
		t.Fatalf("login: %d %s", code, body)
	}
	// Logging in opens the switchboard's event stream: the console reports
	// the connection and the queue snapshot to the browser.
	seen := map[string]bool{}
	for !seen["connection:state"] || !seen["queue:snapshot"] {
		var ev struct {
			Name string          `json:"name"`
			Data json.RawMessage `json:"data"`
		}
		if err := wsjson.Read(ctx, conn, &ev); err != nil {
			t.Fatalf("events so far %v: %v", seen, err)
		}
		seen[ev.Name] = true
		if ev.Name == "queue:snapshot" && !strings.Contains(string(ev.Data), `"reception"`) {
			t.Fatalf("snapshot without the reception queue: %s", ev.Data)
		}
	}
}
