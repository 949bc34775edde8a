package api

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

func dialEvents(ctx context.Context, c *Client, since uint64, epoch string) (*websocket.Conn, *http.Response, error) {
	u := strings.Replace(c.base, "https", "wss", 1) + "/api/v1/events?since=" + strconv.FormatUint(since, 10) + "&epoch=" + epoch
	return websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.http, HTTPHeader: http.Header{"Authorization": {"Bearer " + c.Token()}}})
}

func readJSON(ctx context.Context, conn *websocket.Conn, v any) error {
	return wsjson.Read(ctx, conn, v)
}

// rawDo returns the status and body of an authenticated request.
func rawDo(t *testing.T, r *rig, c *Client, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, r.srv.URL+"/api/v1"+path, strings.NewReader(body))
	if c != nil {
		req.Header.Set("Authorization", "Bearer "+c.Token())
	}
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
