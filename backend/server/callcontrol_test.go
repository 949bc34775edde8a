package server

import (
	"context"
	"errors"
	"testing"

	"github.com/concierge-console/concierge/backend/api"
)

// The call-control routes (W4, W9, W11, O1) answer with the status a console can act
// on: 403 without an extension, 400 for bad input, 404 for an unknown call, 409 when
// the attendant has no phone to ring. (The flows themselves are tested with real SIP
// peers in backend/switchboard and, through this API, in test/e2e/consult.test.mjs.)
func TestCallControlStatuses(t *testing.T) {
	s := start(t, t.TempDir(), "cc-pw")
	defer s.Close()
	ctx := context.Background()
	c := api.NewClient(s.URL(), api.HTTPClient(s.Fingerprint()))
	if _, err := c.Login(ctx, api.LoginRequest{Username: "admin", Password: "cc-pw", Extension: "201"}); err != nil {
		t.Fatal(err)
	}
	status := func(err error) int {
		var se *api.StatusError
		if errors.As(err, &se) {
			return se.Status
		}
		return 0
	}
	for name, err := range map[string]error{
		"consult":        c.Consult(ctx, "no-such-call", "2001"),
		"swap":           c.Swap(ctx, "no-such-call"),
		"complete":       c.CompleteConsult(ctx, "no-such-call"),
		"cancel-consult": c.CancelConsult(ctx, "no-such-call"),
		"park":           c.Park(ctx, "no-such-call"),
		"retrieve":       c.Retrieve(ctx, "no-such-call"),
		"mute":           c.Mute(ctx, "no-such-call", true),
		"hangup":         c.CallAction(ctx, "no-such-call.consult", "hangup"),
	} {
		if status(err) != 404 {
			t.Errorf("%s of an unknown call: %v; want 404", name, err)
		}
	}
	if err := c.Consult(ctx, "no-such-call", " "); status(err) != 400 {
		t.Errorf("consult with an empty target: %v; want 400", err)
	}
	if _, err := c.Dial(ctx, ""); status(err) != 400 {
		t.Errorf("dial with an empty number: %v; want 400", err)
	}
	if _, err := c.Dial(ctx, "a;b<c>"); status(err) != 400 {
		t.Errorf("dial of garbage: %v; want 400", err)
	}
	if _, err := c.Dial(ctx, "sip:someone@127.0.0.1:9"); status(err) != 409 {
		t.Errorf("dial without a phone to ring: %v; want 409", err)
	}

	// Logged in without an extension: no call control at all.
	c2 := signIn(ctx, t, s, "admin", "cc-pw")
	if _, err := c2.Dial(ctx, "2001"); status(err) != 403 {
		t.Errorf("dial without an extension: %v; want 403", err)
	}
	if err := c2.Park(ctx, "x"); status(err) != 403 {
		t.Errorf("park without an extension: %v; want 403", err)
	}
	// Not logged in.
	c3 := api.NewClient(s.URL(), api.HTTPClient(s.Fingerprint()))
	if err := c3.Swap(ctx, "x"); status(err) != 401 {
		t.Errorf("swap without a session: %v; want 401", err)
	}
}
