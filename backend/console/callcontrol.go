package console

import "context"

// Call control on the switchboard's lines (W6, W9, W11, O1). These act on the
// switchboard, so they work the same for the built-in softphone and a desk phone.

// Consult puts the caller on hold and calls target on a second line (W9).
func (c *Console) Consult(ctx context.Context, callID, target string) error {
	cl, _, err := c.api()
	if err != nil {
		return err
	}
	return unwrap(cl.Consult(ctx, callID, target))
}

// Swap toggles between the caller and the consulted target (W9).
func (c *Console) Swap(ctx context.Context, callID string) error {
	return c.lineAction(ctx, callID, "swap")
}

// CompleteConsult joins the caller and the consulted target (W9).
func (c *Console) CompleteConsult(ctx context.Context, callID string) error {
	return c.lineAction(ctx, callID, "complete")
}

// CancelConsult hangs up the consulted target and returns to the caller (W9).
func (c *Console) CancelConsult(ctx context.Context, callID string) error {
	return c.lineAction(ctx, callID, "cancel-consult")
}

// Park parks the call for any attendant to retrieve (O1).
func (c *Console) Park(ctx context.Context, callID string) error {
	return c.lineAction(ctx, callID, "park")
}

// Retrieve takes a parked call onto this attendant's phone (O1).
func (c *Console) Retrieve(ctx context.Context, callID string) error {
	return c.lineAction(ctx, callID, "retrieve")
}

// HangupLine ends a line on the switchboard (W6): the way to hang up a consultation, or
// a call answered on a desk phone.
func (c *Console) HangupLine(ctx context.Context, callID string) error {
	return c.lineAction(ctx, callID, "hangup")
}

// MuteLine mutes the attendant towards the caller on the switchboard (W11), for
// attendants on a desk phone.
func (c *Console) MuteLine(ctx context.Context, callID string, on bool) error {
	cl, _, err := c.api()
	if err != nil {
		return err
	}
	return unwrap(cl.Mute(ctx, callID, on))
}

func (c *Console) lineAction(ctx context.Context, callID, action string) error {
	cl, _, err := c.api()
	if err != nil {
		return err
	}
	return unwrap(cl.CallAction(ctx, callID, action))
}

// Dial calls target through the switchboard (W4): my phone rings first (a softphone
// answers by itself), then the target. It returns the new line's ID.
func (c *Console) Dial(ctx context.Context, target string) (string, error) {
	cl, _, err := c.api()
	if err != nil {
		return "", err
	}
	id, err := cl.Dial(ctx, target)
	return id, unwrap(err)
}
