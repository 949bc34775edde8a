package app

import (
	"context"

	"github.com/concierge-console/concierge/backend/console"
)

// Calls is the workspace's call control on the switchboard's lines: consulted
// transfer (W9), park and retrieve (O1), hang-up and mute of a line (W6, W11). Lines
// themselves come with the queue snapshot and events.
type Calls struct {
	ctx context.Context
	c   *console.Console
}

// Consult puts my caller on hold and calls target on a second line (W9).
func (s *Calls) Consult(callID, target string) error { return s.c.Consult(s.ctx, callID, target) }

// Swap toggles between my caller and the consulted target (W9).
func (s *Calls) Swap(callID string) error { return s.c.Swap(s.ctx, callID) }

// Complete joins my caller and the consulted target and frees me (W9).
func (s *Calls) Complete(callID string) error { return s.c.CompleteConsult(s.ctx, callID) }

// CancelConsult hangs up the consulted target; I am back with my caller (W9).
func (s *Calls) CancelConsult(callID string) error { return s.c.CancelConsult(s.ctx, callID) }

// Park parks my call for any attendant to retrieve (O1).
func (s *Calls) Park(callID string) error { return s.c.Park(s.ctx, callID) }

// Retrieve takes a parked call onto my phone (O1).
func (s *Calls) Retrieve(callID string) error { return s.c.Retrieve(s.ctx, callID) }

// Hangup ends one of my lines on the switchboard (W6).
func (s *Calls) Hangup(callID string) error { return s.c.HangupLine(s.ctx, callID) }

// Mute mutes me towards the caller on the switchboard (W11, desk phones).
func (s *Calls) Mute(callID string, on bool) error { return s.c.MuteLine(s.ctx, callID, on) }

// Dial calls target (W4): my phone rings first, then the target. It returns the line's ID.
func (s *Calls) Dial(target string) (string, error) { return s.c.Dial(s.ctx, target) }
