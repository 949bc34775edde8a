package stats

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

// clock is a settable time shared by the engine and the statistics.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type noOffer struct{}

func (noOffer) Offer(queue.Call, queue.Attendant, bool) {}
func (noOffer) CancelOffer(string, string)              {}

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newEngine(t *testing.T, clk *clock) *queue.Engine {
	e := queue.New(noOffer{}, queue.WithClock(clk.now))
	t.Cleanup(e.Close)
	e.AddQueue(queue.QueueConfig{ID: "reception", Name: "Reception"})
	e.AddQueue(queue.QueueConfig{ID: "sales", Name: "Sales"})
	return e
}

func start(t *testing.T, e *queue.Engine, st *store.Store, clk *clock) *Service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := New(e, st, WithLocation(paris), WithClock(clk.now))
	<-s.Run(ctx)
	return s
}

// until waits for the figures to satisfy ok; the service applies events on
// its own goroutine.
func until(t *testing.T, s *Service, ok func(Snapshot) bool) Snapshot {
	t.Helper()
	l := s.Listen()
	defer l.Close()
	deadline := time.After(5 * time.Second)
	for {
		snap := s.Snapshot()
		if ok(snap) {
			return snap
		}
		select {
		case <-l.C:
		case <-deadline:
			t.Fatalf("statistics never matched; last: %+v", snap)
		}
	}
}

func queueOf(s Snapshot, id string) QueueStats {
	for _, q := range s.Queues {
		if q.ID == id {
			return q
		}
	}
	return QueueStats{}
}

func attendantOf(s Snapshot, u string) AttendantStats {
	for _, a := range s.Attendants {
		if a.Username == u {
			return a
		}
	}
	return AttendantStats{}
}

// A call answered after 12 s, one abandoned after 30 s, one answered after
// 25 s, and one still waiting: today's figures as a supervisor expects them.
func TestLiveFigures(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, paris)}
	e := newEngine(t, clk)
	st := openStore(t, filepath.Join(t.TempDir(), "sb.db"))
	s := start(t, e, st, clk)

	e.Login(queue.Attendant{Username: "anna", Name: "Anna", Available: true})
	mustEnqueue(t, e, "c1")
	clk.add(12 * time.Second)
	if _, err := e.Answered("c1", "anna"); err != nil {
		t.Fatal(err)
	}
	snap := until(t, s, func(s Snapshot) bool {
		return queueOf(s, "reception").Answered == 1 && attendantOf(s, "anna").State == StateOnCall
	})
	if a := attendantOf(snap, "anna"); a.State != StateOnCall || a.Answered != 1 {
		t.Fatalf("anna after answering: %+v", a)
	}
	e.Release("anna")
	e.SetAvailable("anna", false) //nolint:errcheck // logged in
	mustEnqueue(t, e, "c2")
	clk.add(30 * time.Second)
	if _, err := e.Abandon("c2"); err != nil {
		t.Fatal(err)
	}
	e.SetAvailable("anna", true) //nolint:errcheck
	mustEnqueue(t, e, "c3")
	clk.add(25 * time.Second)
	if _, err := e.Answered("c3", "anna"); err != nil {
		t.Fatal(err)
	}
	e.Release("anna")
	e.SetAvailable("anna", false) //nolint:errcheck
	mustEnqueue(t, e, "c4")
	clk.add(7 * time.Second)

	// Every event applied, not an earlier moment when another call was the one waiting.
	snap = until(t, s, func(s Snapshot) bool {
		q := queueOf(s, "reception")
		return q.Offered == 4 && q.Answered == 2 && q.Waiting == 1
	})
	q := queueOf(snap, "reception")
	if snap.Day != "2026-11-25" || snap.ServiceLevelSeconds != 20 {
		t.Fatalf("day %q, service level %d s", snap.Day, snap.ServiceLevelSeconds)
	}
	if q.Name != "Reception" || q.Offered != 4 || q.Answered != 2 || q.Abandoned != 1 {
		t.Fatalf("counts: %+v", q)
	}
	if q.AvgWaitSeconds != 18.5 || q.MaxWaitSeconds != 25 || q.LongestWaitSeconds != 7 || q.OldestEnteredAt == nil {
		t.Fatalf("waits: %+v", q)
	}
	if q.ServiceLevel == nil || *q.ServiceLevel != 0.333 {
		t.Fatalf("service level: %v, want 1 of 3 finished calls", q.ServiceLevel)
	}
	if sales := queueOf(snap, "sales"); sales.Offered != 0 || sales.ServiceLevel != nil {
		t.Fatalf("sales had no calls: %+v", sales)
	}
	if a := attendantOf(snap, "anna"); a.Answered != 2 || a.State != StateBusy {
		t.Fatalf("anna: %+v", a)
	}
}

func mustEnqueue(t *testing.T, e *queue.Engine, id string) {
	t.Helper()
	if err := e.Enqueue(queue.Call{ID: id, QueueID: "reception", CallerNumber: "+3310000" + id}); err != nil {
		t.Fatal(err)
	}
}

// history is what the switchboard records for the calls of TestLiveFigures,
// plus one from yesterday and one outgoing call.
func history(day time.Time) []store.HistoryEntry {
	at := func(sec int) time.Time { return day.Add(time.Duration(sec) * time.Second) }
	return []store.HistoryEntry{
		{CallID: "old", Direction: "in", QueueID: "reception", Outcome: "abandoned", Started: at(-36000), Ended: at(-35000)},
		{CallID: "c1", Direction: "in", QueueID: "reception", Attendant: "anna", Outcome: "answered", Started: at(0), AnsweredAt: at(12), Ended: at(72)},
		{CallID: "c2", Direction: "in", QueueID: "reception", Outcome: "abandoned", Started: at(100), Ended: at(130)},
		{CallID: "c3", Direction: "in", QueueID: "reception", Attendant: "bob", Outcome: "missed", Reason: "timeout", Started: at(200), Ended: at(220)},
		{CallID: "c3", Direction: "in", QueueID: "reception", Attendant: "anna", Outcome: "transferred", Destination: "204", Started: at(200), AnsweredAt: at(225), Ended: at(265)},
		{CallID: "o1", Direction: "out", Attendant: "anna", Outcome: "answered", Started: at(300), AnsweredAt: at(301), Ended: at(400)},
	}
}

// After a restart the switchboard's engine is empty; today's figures come
// back from the call history.
func TestRestartRebuildsToday(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	st := openStore(t, path)
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, paris)
	for _, h := range history(day.Add(9 * time.Hour)) {
		if _, err := st.AddHistory(h); err != nil {
			t.Fatal(err)
		}
	}
	clk := &clock{t: day.Add(11 * time.Hour)}
	s := start(t, newEngine(t, clk), st, clk)
	snap := s.Snapshot()
	q := queueOf(snap, "reception")
	if q.Offered != 3 || q.Answered != 2 || q.Abandoned != 1 || q.Waiting != 0 {
		t.Fatalf("rebuilt counts: %+v", q)
	}
	if q.AvgWaitSeconds != 18.5 || q.MaxWaitSeconds != 25 || q.ServiceLevel == nil || *q.ServiceLevel != 0.333 {
		t.Fatalf("rebuilt waits: %+v", q)
	}
	a := attendantOf(snap, "anna")
	if a.Answered != 2 || a.TalkSeconds != 60+40 || a.State != StateOffline {
		t.Fatalf("anna rebuilt: %+v", a)
	}
	if b := attendantOf(snap, "bob"); b.Answered != 0 {
		t.Fatalf("bob only missed a call: %+v", b)
	}

	// Midnight starts a new day: counts reset, a waiting call stays.
	clk.add(13 * time.Hour)
	snap = s.Snapshot()
	if q := queueOf(snap, "reception"); snap.Day != "2026-11-26" || q.Offered != 0 || q.ServiceLevel != nil {
		t.Fatalf("after midnight: %s %+v", snap.Day, q)
	}
}

func TestReportAndCSV(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "sb.db"))
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, paris)
	for _, h := range history(day.Add(9 * time.Hour)) {
		if _, err := st.AddHistory(h); err != nil {
			t.Fatal(err)
		}
	}
	r, err := BuildReport(st, "2026-11-24", "2026-11-25", paris, DefaultGoals, map[string]string{"reception": "Reception"}, map[string]string{"anna": "Anna"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 2 || r.Rows[0].Day != "2026-11-24" || r.Rows[0].Abandoned != 1 {
		t.Fatalf("rows: %+v", r.Rows)
	}
	if row := r.Rows[1]; row.Day != "2026-11-25" || row.Offered != 3 || row.Answered != 2 || row.Abandoned != 1 {
		t.Fatalf("row: %+v", row)
	}
	if len(r.Attendants) != 1 || r.Attendants[0] != (AttendantReport{Username: "anna", Name: "Anna", Answered: 2, TalkSeconds: 100}) {
		t.Fatalf("attendants: %+v", r.Attendants)
	}
	// One day leaves out the call of the evening before.
	r, err = BuildReport(st, "2026-11-25", "2026-11-25", paris, DefaultGoals, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 || r.Rows[0].Offered != 3 {
		t.Fatalf("one day: %+v", r.Rows)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	want := "day,queue_id,queue,offered,answered,abandoned,avg_wait_s,max_wait_s,service_level_pct\n" +
		"2026-11-25,reception,reception,3,2,1,18.5,25,33.3\n"
	if buf.String() != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestReportRangeErrors(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"", "2026-11-25", "from must be a date"},
		{"2026-11-25", "25/11/2026", "to must be a date"},
		{"2026-11-25", "2026-11-24", "is before"},
		{"2026-01-01", "2026-12-31", "at most 92"},
	} {
		if _, _, err := ParseRange(c.from, c.to, paris); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s..%s: %v, want %q", c.from, c.to, err, c.want)
		}
	}
	if _, _, err := ParseRange("2026-09-01", "2026-11-30", paris); err != nil {
		t.Errorf("91 days: %v", err)
	}
}

// Talk time counts while an attendant has the caller's line, not while it is
// parked; a consultation line is not a queue call.
func TestTalkTimeFromLines(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, paris)}
	e := newEngine(t, clk)
	s := start(t, e, openStore(t, filepath.Join(t.TempDir(), "sb.db")), clk)
	line := queue.Line{ID: "c1", CallID: "c1", Attendant: "anna", Direction: queue.LineIn, State: queue.LineActive, StartedAt: clk.now()}
	e.Login(queue.Attendant{Username: "anna", Name: "Anna", Available: true})
	e.SetLine(line)
	clk.add(30 * time.Second)
	line.State = queue.LineParked
	e.SetLine(line)
	clk.add(time.Hour) // parked: nobody talks
	e.SetLine(queue.Line{ID: "c1.consult", CallID: "c1", Attendant: "anna", Direction: queue.LineOut, State: queue.LineActive, StartedAt: clk.now()})
	line.State = queue.LineActive
	e.SetLine(line)
	clk.add(15 * time.Second)
	e.EndLine("c1", "caller hung up")
	clk.add(time.Minute)
	snap := until(t, s, func(s Snapshot) bool { return attendantOf(s, "anna").TalkSeconds == 45 })
	if a := attendantOf(snap, "anna"); a.Name != "Anna" || a.State != StateAvailable {
		t.Fatalf("anna: %+v", a)
	}
}

// A queue with its own goal (30 s, 90 %) is measured against it, today and in
// reports; changing the goal live recounts today's calls, and a restart that
// rebuilds from the history uses the engine's goal too.
func TestPerQueueServiceGoal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	st := openStore(t, path)
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, paris)
	for _, h := range history(day.Add(9 * time.Hour)) { // answered after 12 s and 25 s, one abandoned
		if _, err := st.AddHistory(h); err != nil {
			t.Fatal(err)
		}
	}
	clk := &clock{t: day.Add(11 * time.Hour)}
	e := newEngine(t, clk)
	if err := e.SetRules("reception", queue.Rules{ServiceLevelSeconds: 30, ServiceLevelTarget: 90}); err != nil {
		t.Fatal(err)
	}
	s := start(t, e, st, clk)
	q := queueOf(s.Snapshot(), "reception")
	if q.ServiceLevel == nil || *q.ServiceLevel != 0.667 || q.ServiceLevelSeconds != 30 || q.ServiceLevelTarget != 90 {
		t.Fatalf("reception at 30 s: level %v, goal %d s %d %%", q.ServiceLevel, q.ServiceLevelSeconds, q.ServiceLevelTarget)
	}
	if sales := queueOf(s.Snapshot(), "sales"); sales.ServiceLevelSeconds != 20 || sales.ServiceLevelTarget != 80 {
		t.Fatalf("sales keeps the defaults: %+v", sales)
	}

	// Live: a tighter threshold recounts the calls already answered today.
	if err := e.SetRules("reception", queue.Rules{ServiceLevelSeconds: 10, ServiceLevelTarget: 50}); err != nil {
		t.Fatal(err)
	}
	snap := until(t, s, func(s Snapshot) bool { return queueOf(s, "reception").ServiceLevelSeconds == 10 })
	if q := queueOf(snap, "reception"); q.ServiceLevel == nil || *q.ServiceLevel != 0 || q.ServiceLevelTarget != 50 {
		t.Fatalf("reception at 10 s: level %v, target %d", q.ServiceLevel, q.ServiceLevelTarget)
	}
	// A call answered after 8 s now counts in time.
	e.Login(queue.Attendant{Username: "anna", Name: "Anna", Available: true})
	if err := e.Enqueue(queue.Call{ID: "c9", QueueID: "reception"}); err != nil {
		t.Fatal(err)
	}
	clk.add(8 * time.Second)
	if _, err := e.Answered("c9", "anna"); err != nil {
		t.Fatal(err)
	}
	snap = until(t, s, func(s Snapshot) bool { return queueOf(s, "reception").Answered == 3 })
	if q := queueOf(snap, "reception"); q.ServiceLevel == nil || *q.ServiceLevel != 0.25 {
		t.Fatalf("one of four finished calls within 10 s: %v", q.ServiceLevel)
	}

	r, err := BuildReport(st, "2026-11-25", "2026-11-25", paris, s.Goals(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 || r.Rows[0].ServiceLevelSeconds != 10 || r.Rows[0].ServiceLevelTarget != 50 || *r.Rows[0].ServiceLevel != 0 {
		t.Fatalf("report row against the queue's goal: %+v", r.Rows)
	}
	if r.ServiceLevelSeconds != 20 {
		t.Fatalf("report default threshold %d", r.ServiceLevelSeconds)
	}
}
