package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

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
