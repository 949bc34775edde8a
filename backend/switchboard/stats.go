package switchboard

// Stats is a point-in-time view of the switchboard's load, for health checks and
// metrics. Queue-level figures (waiting per queue, attendants) come from Engine().
type Stats struct {
	Calls       int   // calls held: waiting, ringing or bridged
	OnHold      int   // calls hearing music on hold
	Registered  int   // attendants with at least one live softphone registration
	RefusedFull int64 // INVITEs refused with 503 because MaxCalls was reached, since start
	MOHPackets  int64 // music-on-hold RTP packets sent since start
	// Relayed audio packets since start: read from a bridged leg, written to the
	// other, and writes that failed (a leg gone; a full socket buffer).
	RelayIn, RelayOut, RelayFailed int64
}

// Stats returns current counters.
func (s *Switchboard) Stats() Stats {
	st := Stats{
		Calls:       int(s.active.Load()),
		OnHold:      s.moh.count(),
		RefusedFull: s.refused.Load(),
		MOHPackets:  s.moh.sent.Load(),
		RelayIn:     s.relayed.in.Load(),
		RelayOut:    s.relayed.out.Load(),
		RelayFailed: s.relayed.failed.Load(),
	}
	st.Registered = s.reg.count()
	return st
}
