//go:build linux

package server

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/api"
	"github.com/concierge-console/concierge/backend/nettest"
	"github.com/concierge-console/concierge/backend/queue"
	"github.com/concierge-console/concierge/backend/store"
)

// answeringTarget runs a SIPp UAS (test/sipp/uas_answer.xml) that answers one call;
// it returns its sip: URI and a channel closed when SIPp exits (after the BYE).
func answeringTarget(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	sipp, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp not installed")
	}
	scenario, _ := filepath.Abs("../../test/sipp/uas_answer.xml")
	var done chan struct{}
	port := nettest.StartOnFreePort(t, "udp", func(port int) nettest.Proc {
		cmd := exec.Command(sipp, "-sf", scenario, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-mi", "127.0.0.1",
			"-m", "1", "-nostdin")
		cmd.Dir = t.TempDir()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done = make(chan struct{})
		exited := done
		go func() {
			cmd.Wait()
			close(exited)
		}()
		stop := func() {
			cmd.Process.Kill()
			<-exited
		}
		t.Cleanup(stop)
		return nettest.Proc{Pid: cmd.Process.Pid, Exited: exited, Stop: stop}
	})
	return "sip:night@127.0.0.1:" + strconv.Itoa(port), done
}

// Q9 end to end: an administrator gives the reception queue an emergency number, a
// supervisor declares the emergency over the API, and the next caller is forwarded to
// it (SIPp answers) with a "forwarded" history entry. The mode is stored: after a
// restart the queue is still in emergency.
func TestEmergencyModeOverAPISurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	target, answered := answeringTarget(t)
	s := start(t, dir, "admin-password")
	admin := signIn(ctx, t, s, "admin", "admin-password")
	list, err := admin.QueueSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := list.Queues[0].Queue
	if _, err := admin.SaveQueue(ctx, api.QueueRequest{ID: q.ID, Name: q.Name, Numbers: q.Numbers, Priority: q.Priority, Default: q.Default,
		Rules: &queue.Rules{EmergencyTarget: target}}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateUser(ctx, api.UserRequest{Username: "sue", Name: "Sue", Role: store.RoleSupervisor, Password: "sue-password"}); err != nil {
		t.Fatal(err)
	}
	sue := signIn(ctx, t, s, "sue", "sue-password")
	got, err := sue.SetQueueMode(ctx, q.ID, queue.ModeEmergency)
	if err != nil || got.State != queue.StateEmergency || got.RestartRequired {
		t.Fatalf("supervisor sets emergency: %+v, %v", got, err)
	}

	out := placeCall(t, s, "0612000001", 1000)
	select {
	case <-answered:
	case <-ctx.Done():
		t.Fatalf("the emergency number never got the call; caller:\n%s", out.String())
	}
	var e store.HistoryEntry
	for e.Outcome == "" {
		h, err := s.store.History(10, func(h store.HistoryEntry) bool { return h.Outcome == "forwarded" })
		if err != nil {
			t.Fatal(err)
		}
		if len(h) > 0 {
			e = h[0]
		} else if ctx.Err() != nil {
			t.Fatal("no forwarded history entry")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if e.Reason != "emergency" || e.Destination != target || e.CallerNumber != "0612000001" {
		t.Errorf("history = %+v", e)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = start(t, dir, "")
	defer s.Close()
	admin = signIn(ctx, t, s, "admin", "admin-password")
	qs, err := admin.Queues(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if qs[0].Mode != queue.ModeEmergency || qs[0].State != queue.StateEmergency {
		t.Errorf("after restart: %+v; want still in emergency", qs[0])
	}
}
