// Package stats keeps the live queue statistics of the current day (Q10) and
// computes call reports over past days (A3).
//
// Today's figures are rebuilt from the call history at start, so a restart
// loses nothing, then kept up to date from the queue engine's event stream:
// one small update per event, never a scan of the history per request.
package stats

import (
	"cmp"
	"context"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

// DefaultServiceLevel is the usual threshold: calls answered within 20 s.
// Each queue may set its own (queue.Rules.ServiceLevelSeconds).
const DefaultServiceLevel = queue.DefaultServiceLevelSeconds * time.Second

// Attendant states as the wallboard shows them.
const (
	StateAvailable   = "available"   // free to be offered a call
	StateRinging     = "ringing"     // a call is being offered to them
	StateOnCall      = "onCall"      // holding a call
	StateBusy        = "busy"        // logged in, not available (L4)
	StateUnreachable = "unreachable" // their phone cannot be rung
	StateOffline     = "offline"     // logged out; listed for what they did today
)

// Snapshot is the live statistics of today, as GET /api/v1/stats returns them.
type Snapshot struct {
	Day string `json:"day"` // local date of the switchboard, YYYY-MM-DD
	// ServiceLevelSeconds is the default threshold; each queue carries its own.
	ServiceLevelSeconds int              `json:"serviceLevelSeconds"`
	Queues              []QueueStats     `json:"queues"`     // in the engine's queue order
	Attendants          []AttendantStats `json:"attendants"` // by username
}

// QueueStats is one queue's figures for today.
type QueueStats struct {
	ID                 string     `json:"id"`
	Name               string     `json:"name"`
	Waiting            int        `json:"waiting"` // calls in the queue now, ringing or not
	LongestWaitSeconds int        `json:"longestWaitSeconds"`
	OldestEnteredAt    *time.Time `json:"oldestEnteredAt"` // null when none waits; lets a client tick the wait live
	Offered            int        `json:"offered"`         // calls that entered the queue today
	Answered           int        `json:"answered"`
	Abandoned          int        `json:"abandoned"` // the caller hung up before anyone answered
	Forwarded          int        `json:"forwarded"` // a queue rule sent the call elsewhere (closed, overflow…)
	AvgWaitSeconds     float64    `json:"avgWaitSeconds"`
	MaxWaitSeconds     int        `json:"maxWaitSeconds"`
	// ServiceLevel is the share (0..1) of today's finished calls (answered or
	// abandoned) answered within ServiceLevelSeconds; null before any.
	ServiceLevel *float64 `json:"serviceLevel"`
	// The queue's own goal: ServiceLevelTarget percent answered within
	// ServiceLevelSeconds; below it the queue is "below target".
	ServiceLevelSeconds int `json:"serviceLevelSeconds"`
	ServiceLevelTarget  int `json:"serviceLevelTarget"` // percent
}

// AttendantStats is one attendant's state and figures for today.
type AttendantStats struct {
	Username    string `json:"username"`
	Name        string `json:"name"`
	State       string `json:"state"`
	Answered    int    `json:"answered"`
	TalkSeconds int    `json:"talkSeconds"` // finished talk on queue calls
}

// Source is the queue engine as the statistics need it.
type Source interface {
	Subscribe(since uint64) *queue.Subscription
}

// History reads the call history (store.Store implements it).
type History interface {
	HistoryEndedSince(from time.Time, fn func(store.HistoryEntry)) error
}

// Option configures a Service.
type Option func(*Service)

// WithLocation sets the time zone whose midnight starts a new day (default: local).
func WithLocation(loc *time.Location) Option { return func(s *Service) { s.loc = loc } }

// WithServiceLevel sets the service level threshold of queues that do not say
// theirs (default 20 s).
func WithServiceLevel(d time.Duration) Option { return func(s *Service) { s.target = d } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// Service keeps today's statistics. All methods are safe for concurrent use.
type Service struct {
	src    Source
	hist   History
	loc    *time.Location
	target time.Duration
	now    func() time.Time
	log    *slog.Logger

	mu         sync.Mutex
	day        string
	dayStart   time.Time
	order      []string               // queue IDs in the engine's order
	queues     map[string]*queueDay   // by queue ID
	calls      map[string]*callDay    // today's calls by call ID
	waiting    map[string]waitingCall // calls in a queue now
	attendants map[string]*attendantDay
	talking    map[string]talk // caller lines being talked on, by line ID
	changed    uint64
	listeners  map[*Listener]struct{}
}

type queueDay struct {
	name                                 string
	goal                                 queue.ServiceGoal // zero until the engine tells: the defaults
	offered, answered, abandoned, inTime int
	forwarded                            int
	waitN                                int // answered calls whose wait is known
	waitSum, waitMax                     time.Duration
	waits                                []time.Duration // of those calls: inTime is recounted when the threshold changes
}

type callDay struct {
	queue     string
	answered  bool
	abandoned bool
	forwarded bool
	takenBy   []string
}

type waitingCall struct {
	queue     string
	enteredAt time.Time
	offeredTo string
}

type attendantDay struct {
	name     string
	online   *queue.Attendant // nil when logged out
	answered int
	talk     time.Duration
}

type talk struct {
	attendant string
	since     time.Time
}

// New returns a service over the engine src and the history hist. Call Run.
func New(src Source, hist History, opts ...Option) *Service {
	s := &Service{
		src: src, hist: hist, loc: time.Local, target: DefaultServiceLevel, now: time.Now, log: slog.Default(),
		queues: map[string]*queueDay{}, calls: map[string]*callDay{}, waiting: map[string]waitingCall{},
		attendants: map[string]*attendantDay{}, talking: map[string]talk{}, listeners: map[*Listener]struct{}{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Run rebuilds today's figures from the history, then follows the engine
// until ctx ends. The returned channel is closed once the figures are ready
// (Snapshot is correct from then on); Run itself returns when ctx ends.
func (s *Service) Run(ctx context.Context) <-chan struct{} {
	ready := make(chan struct{})
	// Subscribe before reading the history: a call ending in between is then
	// either in the history or in the stream's snapshot, never lost.
	sub := s.src.Subscribe(0)
	s.mu.Lock()
	s.startDay(s.now())
	s.rebuild()
	s.mu.Unlock()
	go func() {
		var last uint64
		for {
			s.follow(ctx, sub, &last, ready)
			if ctx.Err() != nil || !sub.Lagged() {
				return
			}
			sub = s.src.Subscribe(last)
		}
	}()
	return ready
}

func (s *Service) follow(ctx context.Context, sub *queue.Subscription, last *uint64, ready chan struct{}) {
	defer sub.Close()
	if sub.Snapshot != nil {
		s.mu.Lock()
		s.applySnapshot(*sub.Snapshot)
		s.mu.Unlock()
		*last = sub.Snapshot.Seq
	}
	select {
	case <-ready:
	default:
		close(ready)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-sub.C:
			if !ok {
				return
			}
			*last = ev.Seq
			s.mu.Lock()
			s.apply(ev)
			s.mu.Unlock()
		}
	}
}

// localDay is the calendar day of t where the switchboard is.
func (s *Service) localDay(t time.Time) (string, time.Time) {
	t = t.In(s.loc)
	start := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
	return start.Format(time.DateOnly), start
}

// startDay resets the day's counters; what is happening now (waiting calls,
// logged-in attendants) carries over.
func (s *Service) startDay(now time.Time) {
	s.day, s.dayStart = s.localDay(now)
	for _, q := range s.queues {
		*q = queueDay{name: q.name, goal: q.goal}
	}
	clear(s.calls)
	for u, a := range s.attendants {
		if a.online == nil {
			delete(s.attendants, u)
			continue
		}
		a.answered, a.talk = 0, 0
	}
}

// roll starts a new day at midnight.
func (s *Service) roll(now time.Time) {
	if d, _ := s.localDay(now); d != s.day {
		s.startDay(now)
		s.touch()
	}
}

// rebuild counts today's finished calls from the history.
func (s *Service) rebuild() {
	var entries []store.HistoryEntry
	if err := s.hist.HistoryEndedSince(s.dayStart, func(e store.HistoryEntry) { entries = append(entries, e) }); err != nil {
		s.log.Error("stats: rebuild from history", "err", err)
		return
	}
	for _, c := range classify(entries, s.loc) {
		if c.day != s.day {
			continue // began yesterday: counted there
		}
		q := s.queue(c.queue)
		q.offered++
		cd := &callDay{queue: c.queue, answered: c.answered, abandoned: c.abandoned}
		switch {
		case c.answered:
			q.answered++
			if c.waitKnown {
				s.countWait(q, c.wait)
			}
		case c.abandoned:
			q.abandoned++
		}
		for _, t := range c.talks {
			a := s.attendant(t.user)
			a.answered++
			a.talk += t.talk
			cd.takenBy = append(cd.takenBy, t.user)
		}
		s.calls[c.id] = cd
	}
}

func (s *Service) countWait(q *queueDay, wait time.Duration) {
	wait = max(wait, 0)
	q.waitN++
	q.waitSum += wait
	q.waitMax = max(q.waitMax, wait)
	q.waits = append(q.waits, wait)
	if wait <= s.threshold(q) {
		q.inTime++
	}
}

// goalOf is q's goal with the service's defaults filled in.
func (s *Service) goalOf(q *queueDay) queue.ServiceGoal {
	g := q.goal
	if g.ServiceLevelSeconds == 0 {
		g.ServiceLevelSeconds = int(s.target / time.Second)
	}
	if g.ServiceLevelTarget == 0 {
		g.ServiceLevelTarget = queue.DefaultServiceLevelTarget
	}
	return g
}

func (s *Service) threshold(q *queueDay) time.Duration {
	if q.goal.ServiceLevelSeconds > 0 {
		return time.Duration(q.goal.ServiceLevelSeconds) * time.Second
	}
	return s.target
}

// setGoal takes a queue's goal from the engine; a new threshold applies to
// today's calls already counted too, so the figure stays one definition.
func (s *Service) setGoal(q *queueDay, g queue.ServiceGoal) {
	old := s.threshold(q)
	q.goal = g
	if t := s.threshold(q); t != old {
		q.inTime = 0
		for _, w := range q.waits {
			if w <= t {
				q.inTime++
			}
		}
	}
}

func (s *Service) queue(id string) *queueDay {
	q := s.queues[id]
	if q == nil {
		q = &queueDay{}
		s.queues[id] = q
	}
	return q
}

func (s *Service) attendant(user string) *attendantDay {
	a := s.attendants[user]
	if a == nil {
		a = &attendantDay{}
		s.attendants[user] = a
	}
	return a
}

// applySnapshot takes the engine's current state: queues, waiting calls and
// attendants. Today's counters stay; waiting calls not seen before count as
// offered.
func (s *Service) applySnapshot(snap queue.Snapshot) {
	s.roll(s.now())
	s.order = s.order[:0]
	clear(s.waiting)
	for _, q := range snap.Queues {
		s.order = append(s.order, q.ID)
		qd := s.queue(q.ID)
		qd.name = q.Name
		s.setGoal(qd, q.ServiceGoal)
		for _, c := range q.Calls {
			s.callEntered(c)
		}
	}
	for _, a := range s.attendants {
		a.online = nil
	}
	for _, a := range snap.Attendants {
		at := s.attendant(a.Username)
		at.name, at.online = a.Name, &a
	}
	clear(s.talking)
	now := s.now()
	for _, l := range snap.Lines {
		s.line(l, now, false, true)
	}
	s.touch()
}

func (s *Service) callEntered(c queue.Call) {
	s.waiting[c.ID] = waitingCall{queue: c.QueueID, enteredAt: c.EnteredAt, offeredTo: c.OfferedTo}
	if s.calls[c.ID] == nil {
		s.calls[c.ID] = &callDay{queue: c.QueueID}
		s.queue(c.QueueID).offered++
	}
}

// apply updates the figures for one event.
func (s *Service) apply(ev queue.Event) {
	s.roll(ev.Time)
	switch ev.Type {
	case queue.EventQueueUpdated:
		if ev.Queue == nil {
			return
		}
		q := s.queue(ev.Queue.ID)
		q.name = ev.Queue.Name
		s.setGoal(q, ev.Queue.ServiceGoal)
		if !slices.Contains(s.order, ev.Queue.ID) {
			s.order = append(s.order, ev.Queue.ID)
		}
	case queue.EventCallQueued:
		s.callEntered(*ev.Call)
	case queue.EventCallUpdated, queue.EventCallOffered:
		if w, ok := s.waiting[ev.Call.ID]; ok {
			w.offeredTo = ev.Call.OfferedTo
			s.waiting[ev.Call.ID] = w
		}
	case queue.EventCallTaken:
		delete(s.waiting, ev.Call.ID)
		by := ev.By
		if by == "" && ev.Attendant != nil {
			by = ev.Attendant.Username
		}
		if ev.Attendant != nil {
			a := s.attendant(ev.Attendant.Username)
			a.name, a.online = ev.Attendant.Name, ev.Attendant
		}
		c := s.calls[ev.Call.ID]
		if c == nil {
			return // entered before midnight: counted yesterday
		}
		if !c.answered {
			c.answered = true
			q := s.queue(c.queue)
			q.answered++
			s.countWait(q, ev.Time.Sub(ev.Call.EnteredAt))
		}
		if by != "" && !slices.Contains(c.takenBy, by) {
			c.takenBy = append(c.takenBy, by)
			s.attendant(by).answered++
		}
	case queue.EventCallAbandoned:
		delete(s.waiting, ev.Call.ID)
		if c := s.calls[ev.Call.ID]; c != nil && !c.answered && !c.abandoned {
			c.abandoned = true
			s.queue(c.queue).abandoned++
		}
	case queue.EventCallForwarded:
		delete(s.waiting, ev.Call.ID)
		if c := s.calls[ev.Call.ID]; c != nil && !c.answered && !c.forwarded {
			c.forwarded = true
			s.queue(c.queue).forwarded++
		}
	case queue.EventAttendantUpdated:
		a := s.attendant(ev.Attendant.Username)
		a.name, a.online = ev.Attendant.Name, ev.Attendant
	case queue.EventAttendantLeft:
		if a := s.attendants[ev.Attendant.Username]; a != nil {
			a.online = nil
		}
	case queue.EventLineUpdated:
		s.line(*ev.Line, ev.Time, false, false)
	case queue.EventLineEnded:
		s.line(*ev.Line, ev.Time, true, false)
	default:
		return
	}
	s.touch()
}

// line measures talk time: from when an attendant has a caller's line until
// it ends, is parked, or passes to someone else.
//
// fromSnapshot: the line was there before the stats followed the engine (a
// resubscription), so its talk started at StartedAt. Otherwise it starts now:
// StartedAt stays the first answer when a parked call is retrieved.
func (s *Service) line(l queue.Line, at time.Time, ended, fromSnapshot bool) {
	if l.Direction != queue.LineIn || l.ID != l.CallID {
		return // consultations and outgoing calls are not queue calls
	}
	cur, ok := s.talking[l.ID]
	keep := !ended && l.State != queue.LineParked && l.State != queue.LineRinging && l.Attendant != ""
	if ok && (!keep || cur.attendant != l.Attendant) {
		if d := at.Sub(later(cur.since, s.dayStart)); d > 0 {
			s.attendant(cur.attendant).talk += d
		}
		delete(s.talking, l.ID)
		ok = false
	}
	if keep && !ok {
		since := at
		if fromSnapshot && !l.StartedAt.IsZero() && l.StartedAt.Before(at) {
			since = l.StartedAt
		}
		s.talking[l.ID] = talk{attendant: l.Attendant, since: since}
	}
}

// Listener is told when the figures change.
type Listener struct {
	C <-chan struct{} // receives (coalesced) after a change
	c chan struct{}
	s *Service
}

// Listen returns a listener; Close it when done.
func (s *Service) Listen() *Listener {
	ch := make(chan struct{}, 1)
	l := &Listener{C: ch, c: ch, s: s}
	s.mu.Lock()
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	return l
}

// Close stops the notifications.
func (l *Listener) Close() {
	l.s.mu.Lock()
	delete(l.s.listeners, l)
	l.s.mu.Unlock()
}

func (s *Service) touch() {
	s.changed++
	for l := range s.listeners {
		select {
		case l.c <- struct{}{}:
		default:
		}
	}
}

// Snapshot returns today's figures as of now.
func (s *Service) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.roll(now)
	out := Snapshot{Day: s.day, ServiceLevelSeconds: int(s.target / time.Second), Queues: []QueueStats{}, Attendants: []AttendantStats{}}
	ids := slices.Clone(s.order)
	for id := range s.queues {
		if !slices.Contains(ids, id) {
			ids = append(ids, id) // a queue removed since, with calls today
		}
	}
	if n := len(s.order); n < len(ids) {
		slices.Sort(ids[n:])
	}
	type wait struct {
		n      int
		oldest time.Time
	}
	waits := map[string]wait{}
	for _, w := range s.waiting {
		cur, ok := waits[w.queue]
		if !ok || w.enteredAt.Before(cur.oldest) {
			cur.oldest = w.enteredAt
		}
		cur.n++
		waits[w.queue] = cur
	}
	for _, id := range ids {
		q := s.queues[id]
		g := s.goalOf(q)
		qs := QueueStats{
			ID: id, Name: cmp.Or(q.name, id),
			Offered: q.offered, Answered: q.answered, Abandoned: q.abandoned, Forwarded: q.forwarded,
			MaxWaitSeconds:      seconds(q.waitMax),
			ServiceLevel:        serviceLevel(q.inTime, q.answered, q.abandoned),
			ServiceLevelSeconds: g.ServiceLevelSeconds, ServiceLevelTarget: g.ServiceLevelTarget,
		}
		if q.waitN > 0 {
			qs.AvgWaitSeconds = math.Round(q.waitSum.Seconds()/float64(q.waitN)*10) / 10
		}
		if w, ok := waits[id]; ok {
			qs.Waiting, qs.OldestEnteredAt = w.n, &w.oldest
			qs.LongestWaitSeconds = seconds(now.Sub(w.oldest))
		}
		out.Queues = append(out.Queues, qs)
	}
	ringing := map[string]bool{}
	for _, w := range s.waiting {
		if w.offeredTo != "" {
			ringing[w.offeredTo] = true
		}
	}
	for user, a := range s.attendants {
		as := AttendantStats{Username: user, Name: a.name, State: StateOffline, Answered: a.answered, TalkSeconds: seconds(a.talk)}
		for _, t := range s.talking {
			if t.attendant == user {
				as.TalkSeconds += seconds(now.Sub(later(t.since, s.dayStart)))
			}
		}
		if o := a.online; o != nil {
			switch {
			case ringing[user]:
				as.State = StateRinging
			case o.OnCall:
				as.State = StateOnCall
			case o.Unreachable:
				as.State = StateUnreachable
			case !o.Available:
				as.State = StateBusy
			default:
				as.State = StateAvailable
			}
		}
		out.Attendants = append(out.Attendants, as)
	}
	slices.SortFunc(out.Attendants, func(a, b AttendantStats) int { return cmp.Compare(a.Username, b.Username) })
	return out
}

// QueueNames returns the names of the queues seen, by ID.
func (s *Service) QueueNames() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.queues))
	for id, q := range s.queues {
		if q.name != "" {
			out[id] = q.name
		}
	}
	return out
}

// Target is the default service level threshold.
func (s *Service) Target() time.Duration { return s.target }

// Goals returns the queues' service-level goals as last known, for reports.
func (s *Service) Goals() Goals {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := Goals{
		Default: queue.ServiceGoal{ServiceLevelSeconds: int(s.target / time.Second), ServiceLevelTarget: queue.DefaultServiceLevelTarget},
		Queues:  make(map[string]queue.ServiceGoal, len(s.queues)),
	}
	for id, q := range s.queues {
		g.Queues[id] = s.goalOf(q)
	}
	return g
}

// Location is the time zone of the switchboard's days.
func (s *Service) Location() *time.Location { return s.loc }

func seconds(d time.Duration) int { return int(max(d, 0) / time.Second) }

func serviceLevel(inTime, answered, abandoned int) *float64 {
	if answered+abandoned == 0 {
		return nil
	}
	v := math.Round(float64(inTime)/float64(answered+abandoned)*1000) / 1000
	return &v
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
