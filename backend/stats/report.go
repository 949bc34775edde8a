package stats

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

// MaxReportDays bounds a report's range: a quarter.
const MaxReportDays = 92

// Report is the call report of a range of days (A3).
type Report struct {
	From string `json:"from"` // first day, YYYY-MM-DD
	To   string `json:"to"`   // last day, included
	// ServiceLevelSeconds is the default threshold; each row carries its queue's.
	ServiceLevelSeconds int               `json:"serviceLevelSeconds"`
	Rows                []ReportRow       `json:"rows"`       // one per day and queue that had calls, by day then queue
	Attendants          []AttendantReport `json:"attendants"` // by username
}

// ReportRow is one queue's figures on one day.
type ReportRow struct {
	Day            string   `json:"day"`
	QueueID        string   `json:"queueId"`
	QueueName      string   `json:"queueName"`
	Offered        int      `json:"offered"`
	Answered       int      `json:"answered"`
	Abandoned      int      `json:"abandoned"`
	AvgWaitSeconds float64  `json:"avgWaitSeconds"` // of answered calls whose answer time is known
	MaxWaitSeconds int      `json:"maxWaitSeconds"`
	ServiceLevel   *float64 `json:"serviceLevel"` // as in QueueStats
	// The queue's goal as configured now (past days are measured against it
	// too: a report compares like with like across its range).
	ServiceLevelSeconds int `json:"serviceLevelSeconds"`
	ServiceLevelTarget  int `json:"serviceLevelTarget"` // percent
}

// Goals are the queues' service-level goals: Queues by ID, Default for the
// others (a queue removed since).
type Goals struct {
	Default queue.ServiceGoal
	Queues  map[string]queue.ServiceGoal
}

// Of returns queue id's goal.
func (g Goals) Of(id string) queue.ServiceGoal {
	if q, ok := g.Queues[id]; ok && q.ServiceLevelSeconds > 0 && q.ServiceLevelTarget > 0 {
		return q
	}
	return g.Default
}

// DefaultGoals are the usual 20 s / 80 % for every queue.
var DefaultGoals = Goals{Default: queue.ServiceGoal{ServiceLevelSeconds: queue.DefaultServiceLevelSeconds, ServiceLevelTarget: queue.DefaultServiceLevelTarget}}

// AttendantReport is one attendant's figures over the range.
type AttendantReport struct {
	Username    string `json:"username"`
	Name        string `json:"name"`
	Answered    int    `json:"answered"`
	TalkSeconds int    `json:"talkSeconds"`
}

// call is one queue call pieced together from its history entries (an
// answered call may have several: missed offers, a recall, the answer).
type call struct {
	id, queue, day string
	started        time.Time
	answered       bool
	abandoned      bool
	wait           time.Duration
	waitKnown      bool
	talks          []talkPart
}

type talkPart struct {
	user string
	talk time.Duration
}

// classify groups history entries into queue calls. A call is answered if
// anyone answered it, else abandoned if the caller hung up; its day is the
// local day it entered the queue. Calls that were only dropped (shutdown)
// or missed count as offered only.
func classify(entries []store.HistoryEntry, loc *time.Location) []*call {
	byID := map[string]*call{}
	var out []*call
	for _, e := range entries {
		if e.Direction == "out" || e.QueueID == "" || e.CallID == "" {
			continue
		}
		c := byID[e.CallID]
		if c == nil {
			c = &call{id: e.CallID, queue: e.QueueID, started: e.Started}
			byID[e.CallID] = c
			out = append(out, c)
		}
		if e.Started.Before(c.started) {
			c.started = e.Started
		}
		answered := e.Outcome == "answered" || e.Outcome == "transferred" || !e.AnsweredAt.IsZero()
		switch {
		case answered:
			c.answered = true
			if !e.AnsweredAt.IsZero() {
				w := e.AnsweredAt.Sub(e.Started)
				if !c.waitKnown || w < c.wait {
					c.wait = w
				}
				c.waitKnown = true
			}
			if e.Attendant != "" {
				var d time.Duration
				if !e.AnsweredAt.IsZero() {
					d = max(e.Ended.Sub(e.AnsweredAt), 0)
				}
				if i := slices.IndexFunc(c.talks, func(t talkPart) bool { return t.user == e.Attendant }); i >= 0 {
					c.talks[i].talk += d
				} else {
					c.talks = append(c.talks, talkPart{user: e.Attendant, talk: d})
				}
			}
		case e.Outcome == "abandoned":
			c.abandoned = true
		}
	}
	for _, c := range out {
		if c.answered {
			c.abandoned = false
		}
		c.day = c.started.In(loc).Format(time.DateOnly)
	}
	return out
}

// ParseRange checks a report's from and to (YYYY-MM-DD, to included).
func ParseRange(from, to string, loc *time.Location) (time.Time, time.Time, error) {
	f, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("from must be a date YYYY-MM-DD, got %q", from)
	}
	t, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("to must be a date YYYY-MM-DD, got %q", to)
	}
	if t.Before(f) {
		return time.Time{}, time.Time{}, fmt.Errorf("to (%s) is before from (%s)", to, from)
	}
	if days := int(math.Round(t.Sub(f).Hours()/24)) + 1; days > MaxReportDays {
		return time.Time{}, time.Time{}, fmt.Errorf("the range spans %d days; at most %d", days, MaxReportDays)
	}
	return f, t.AddDate(0, 0, 1), nil
}

// BuildReport reads the history of the days from..to (to included) and sums
// it per day and queue, and per attendant; each queue's service level against
// its goal. names names queues and users.
func BuildReport(h History, from, to string, loc *time.Location, goals Goals, queueNames, userNames map[string]string) (Report, error) {
	start, end, err := ParseRange(from, to, loc)
	if err != nil {
		return Report{}, err
	}
	var entries []store.HistoryEntry
	if err := h.HistoryEndedSince(start, func(e store.HistoryEntry) {
		if e.Started.Before(end) {
			entries = append(entries, e)
		}
	}); err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	type key struct{ day, queue string }
	rows := map[key]*queueDay{}
	att := map[string]*AttendantReport{}
	for _, c := range classify(entries, loc) {
		if c.started.Before(start) || !c.started.Before(end) {
			continue
		}
		k := key{c.day, c.queue}
		q := rows[k]
		if q == nil {
			q = &queueDay{}
			rows[k] = q
		}
		q.offered++
		switch {
		case c.answered:
			q.answered++
			if c.waitKnown {
				w := max(c.wait, 0)
				q.waitN++
				q.waitSum += w
				q.waitMax = max(q.waitMax, w)
				q.inTime += b2i(w <= time.Duration(goals.Of(c.queue).ServiceLevelSeconds)*time.Second)
			}
		case c.abandoned:
			q.abandoned++
		}
		for _, t := range c.talks {
			a := att[t.user]
			if a == nil {
				a = &AttendantReport{Username: t.user, Name: userNames[t.user]}
				att[t.user] = a
			}
			a.Answered++
			a.TalkSeconds += seconds(t.talk)
		}
	}
	r := Report{From: from, To: to, ServiceLevelSeconds: goals.Default.ServiceLevelSeconds, Rows: []ReportRow{}, Attendants: []AttendantReport{}}
	for k, q := range rows {
		g := goals.Of(k.queue)
		row := ReportRow{
			Day: k.day, QueueID: k.queue, QueueName: cmp.Or(queueNames[k.queue], k.queue),
			Offered: q.offered, Answered: q.answered, Abandoned: q.abandoned,
			MaxWaitSeconds:      seconds(q.waitMax),
			ServiceLevel:        serviceLevel(q.inTime, q.answered, q.abandoned),
			ServiceLevelSeconds: g.ServiceLevelSeconds, ServiceLevelTarget: g.ServiceLevelTarget,
		}
		if q.waitN > 0 {
			row.AvgWaitSeconds = math.Round(q.waitSum.Seconds()/float64(q.waitN)*10) / 10
		}
		r.Rows = append(r.Rows, row)
	}
	slices.SortFunc(r.Rows, func(a, b ReportRow) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.QueueName, b.QueueName), cmp.Compare(a.QueueID, b.QueueID))
	})
	for _, a := range att {
		r.Attendants = append(r.Attendants, *a)
	}
	slices.SortFunc(r.Attendants, func(a, b AttendantReport) int { return cmp.Compare(a.Username, b.Username) })
	return r, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// WriteCSV writes the report's rows: a header, then one line per day and
// queue. Figures use a dot decimal separator; service level is a percentage,
// empty when there were no finished calls.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	rec := []string{"day", "queue_id", "queue", "offered", "answered", "abandoned", "avg_wait_s", "max_wait_s", "service_level_pct"}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	for _, row := range r.Rows {
		sl := ""
		if row.ServiceLevel != nil {
			sl = strconv.FormatFloat(*row.ServiceLevel*100, 'f', 1, 64)
		}
		rec = []string{
			row.Day, cell(row.QueueID), cell(row.QueueName),
			strconv.Itoa(row.Offered), strconv.Itoa(row.Answered), strconv.Itoa(row.Abandoned),
			strconv.FormatFloat(row.AvgWaitSeconds, 'f', 1, 64), strconv.Itoa(row.MaxWaitSeconds), sl,
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// cell keeps a spreadsheet from reading a name as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
