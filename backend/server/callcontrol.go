package server

import (
	"context"

	"github.com/concierge-console/concierge/backend/api"
)

// The API's CallControl: consulted transfer, park, retrieve, mute.
var _ api.CallControl = (*engine)(nil)

func (e *engine) Consult(ctx context.Context, username, callID, target string) error {
	return classify(e.Switchboard.Consult(ctx, username, callID, target))
}

func (e *engine) Swap(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.Swap(ctx, username, callID))
}

func (e *engine) CompleteConsult(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.CompleteConsult(ctx, username, callID))
}

func (e *engine) CancelConsult(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.CancelConsult(ctx, username, callID))
}

func (e *engine) Park(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.Park(ctx, username, callID))
}

func (e *engine) Retrieve(ctx context.Context, username, callID string) error {
	return classify(e.Switchboard.Retrieve(ctx, username, callID))
}

func (e *engine) Mute(ctx context.Context, username, callID string, on bool) error {
	return classify(e.Switchboard.Mute(ctx, username, callID, on))
}

func (e *engine) Dial(ctx context.Context, username, target string) (string, error) {
	id, err := e.Switchboard.Dial(ctx, username, target)
	return id, classify(err)
}
