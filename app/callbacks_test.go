package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// The front-end reaches Callbacks through the bridge with the contract's
// JSON shapes, and hears each change as "callbacks:changed".
func TestBridgeCallbacks(t *testing.T) {
	srv := newBridge(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/bridge/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if code, body := call(t, srv, `{"service":"Callbacks","method":"List","args":[]}`); code != 422 || !strings.Contains(body, "not logged in") {
		t.Errorf("list before login: %d %s", code, body)
	}
	if code, body := call(t, srv, `{"service":"Session","method":"Login","args":[{"username":"admin","password":"bridge-secret"}]}`); code != 200 {
		t.Fatalf("login: %d %s", code, body)
	}
	type event struct {
		Name string          `json:"name"`
		Data json.RawMessage `json:"data"`
	}
	next := func(name string) json.RawMessage {
		t.Helper()
		for {
			var ev event
			if err := wsjson.Read(ctx, conn, &ev); err != nil {
				t.Fatalf("waiting for %s: %v", name, err)
			}
			if ev.Name == name {
				return ev.Data
			}
		}
	}
	next("queue:snapshot") // the switchboard stream is open

	code, body := call(t, srv, `{"service":"Callbacks","method":"Create","args":[{"forName":"Paul Martin","callerName":"Mrs Dupont","callerNumber":"+3225550100","message":"Invoice 4711"}]}`)
	if code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	var cb map[string]any
	json.Unmarshal([]byte(body), &cb) //nolint:errcheck
	for k, want := range map[string]any{"forName": "Paul Martin", "forId": "", "callerName": "Mrs Dupont", "callerNumber": "+3225550100",
		"message": "Invoice 4711", "status": "open", "doneAt": nil, "delivery": "none", "deliveredTo": "", "deliveryError": "",
		"createdBy": "admin", "doneBy": "", "doneByName": "", "forNumber": ""} {
		if got, ok := cb[k]; !ok || got != want {
			t.Errorf("created %s = %#v (present %v), want %#v", k, got, ok, want)
		}
	}
	id, _ := cb["id"].(string)
	if _, err := time.Parse(time.RFC3339, cb["createdAt"].(string)); err != nil || id == "" {
		t.Errorf("id %q, createdAt %v", id, cb["createdAt"])
	}
	if data := next("callbacks:changed"); !strings.Contains(string(data), `"id":"`+id+`"`) {
		t.Errorf("callbacks:changed after create: %s", data)
	}
	if code, body := call(t, srv, `{"service":"Callbacks","method":"Done","args":["`+id+`"]}`); code != 200 || !strings.Contains(body, `"status":"done"`) {
		t.Errorf("done: %d %s", code, body)
	}
	if data := next("callbacks:changed"); !strings.Contains(string(data), `"status":"done"`) || !strings.Contains(string(data), `"doneBy":"admin"`) {
		t.Errorf("callbacks:changed after done: %s", data)
	}
	if code, body := call(t, srv, `{"service":"Callbacks","method":"Create","args":[{"callerNumber":"1"}]}`); code != 422 || !strings.Contains(body, "say who should call back") {
		t.Errorf("create without target: %d %s", code, body)
	}
	if code, body := call(t, srv, `{"service":"Callbacks","method":"List","args":[]}`); code != 200 || !strings.HasPrefix(body, "[{") {
		t.Errorf("list: %d %s", code, body)
	}
	if code, body := call(t, srv, `{"service":"Callbacks","method":"MailSettings","args":[]}`); code != 200 || body != `{"host":"","port":0,"from":"","username":"","passwordSet":false,"security":"starttls"}` {
		t.Errorf("mail settings: %d %s", code, body)
	}
	if code, body := call(t, srv, `{"service":"Callbacks","method":"SaveMailSettings","args":[{"host":"smtp.example.com","port":587,"from":"x@example.com","username":"u","password":"p4ss","security":"starttls"}]}`); code != 200 || !strings.Contains(body, `"passwordSet":true`) || strings.Contains(body, "p4ss") {
		t.Errorf("save mail settings: %d %s", code, body)
	}
	if code, body := call(t, srv, `{"service":"Callbacks","method":"TestMail","args":["nobody"]}`); code != 422 || !strings.Contains(body, "not an e-mail address") {
		t.Errorf("test mail to a bad address: %d %s", code, body)
	}
}
