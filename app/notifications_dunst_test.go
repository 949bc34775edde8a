package app

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dunst is a real notification daemon (Debian dunst) drawing on its own Xvfb,
// owning org.freedesktop.Notifications on a private session bus.
type dunst struct{ env []string }

// ctl runs dunstctl against this daemon.
func (d *dunst) ctl(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("dunstctl", args...)
	cmd.Env = d.env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dunstctl %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

func (d *dunst) count(t *testing.T, which string) int {
	t.Helper()
	n, err := strconv.Atoi(d.ctl(t, "count", which))
	if err != nil {
		t.Fatalf("dunstctl count %s: %v", which, err)
	}
	return n
}

// history is what dunst keeps of the notifications it took down.
func (d *dunst) history(t *testing.T) []map[string]string {
	t.Helper()
	var h struct {
		Data [][]map[string]struct {
			Data any `json:"data"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(d.ctl(t, "history")), &h); err != nil {
		t.Fatalf("dunstctl history: %v", err)
	}
	var out []map[string]string
	for _, list := range h.Data {
		for _, n := range list {
			m := map[string]string{}
			for k, v := range n {
				m[k] = fmt.Sprint(v.Data)
			}
			out = append(out, m)
		}
	}
	return out
}

// startDunst starts Xvfb, a private session bus and dunst, and points the
// process at that bus. It skips only when one of them is not installed.
func startDunst(t *testing.T) *dunst {
	t.Helper()
	for _, bin := range []string{"Xvfb", "dbus-daemon", "dunst", "dunstctl"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("skipping: %s not installed (Debian: xvfb dbus dunst; build/deps.sh test)", bin)
		}
	}
	dir := t.TempDir()
	start := func(cmd *exec.Cmd) {
		t.Helper()
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", cmd.Path, err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
	}

	// Xvfb picks a free display and writes its number on fd 3.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1024x768x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	start(x)
	w.Close()
	display := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		display <- strings.TrimSpace(line)
	}()
	var disp string
	select {
	case disp = <-display:
	case <-time.After(15 * time.Second):
	}
	if disp == "" {
		t.Fatal("Xvfb did not come up")
	}

	startSessionBus(t)

	// An empty configuration: dunst's defaults, never the machine user's.
	rc := filepath.Join(dir, "dunstrc")
	if err := os.WriteFile(rc, []byte("[global]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "DISPLAY=:"+disp, "HOME="+dir, "XDG_CONFIG_HOME="+dir, "WAYLAND_DISPLAY=")
	d := exec.Command("dunst", "-config", rc)
	d.Env = env
	logf, err := os.Create(filepath.Join(dir, "dunst.log"))
	if err != nil {
		t.Fatal(err)
	}
	d.Stdout, d.Stderr = logf, logf
	start(d)
	dn := &dunst{env: env}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ctl := exec.Command("dunstctl", "count", "displayed")
		ctl.Env = env
		if out, err := ctl.Output(); err == nil && strings.TrimSpace(string(out)) == "0" {
			return dn
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			t.Skipf("skipping: dunst did not start here: %s", log)
		}
	}
}

// TestOfferedCallNotifiesDunst: the same offer as TestOfferedCallNotifies,
// against a real notification daemon: dunst shows the caller's notification
// while the call is offered and takes it down (into its history, with the
// caller's number) when the caller hangs up.
func TestOfferedCallNotifiesDunst(t *testing.T) {
	d := startDunst(t)
	caller := offerOneCall(t)

	wait := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; dunst shows %d, history %v", what, d.count(t, "displayed"), d.history(t))
			}
		}
	}
	wait("dunst to show the offer", func() bool { return d.count(t, "displayed") == 1 })
	if h := d.history(t); len(h) != 0 {
		t.Fatalf("taken down while still offered: %v", h)
	}
	wait("dunst to take the notification down when the caller hangs up", func() bool {
		return d.count(t, "displayed") == 0 && d.count(t, "history") == 1
	})
	h := d.history(t)[0]
	if h["appname"] != "Concierge" || h["summary"] != "Call for you" || !strings.Contains(h["body"], caller.Number) {
		t.Fatalf("dunst showed %v, want Concierge's \"Call for you\" with %s", h, caller.Number)
	}
}
