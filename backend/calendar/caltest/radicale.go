// Package caltest starts a real Radicale CalDAV server for tests: the
// switchboard's calendar tests and the console's end-to-end tests read real
// calendars from it. Radicale (Debian package radicale) is installed by
// build/deps.sh.
package caltest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-console/concierge/backend/nettest"
)

// Service account of every Radicale started here: it may read and write
// every user's calendars, as a switchboard's service account would read them.
const (
	ServiceUser     = "concierge"
	ServicePassword = "caldav-service-pw"
)

// Radicale is a running Radicale on a loopback port.
type Radicale struct {
	URL  string // http://127.0.0.1:PORT
	Dir  string // config, users and storage
	cmd  *exec.Cmd
	done chan struct{}
	log  *syncBuffer
}

// rights: the service account may do anything; users their own calendars.
const rights = `[service]
user: ` + ServiceUser + `
collection: .*
permissions: RrWw

[owner]
user: .+
collection: {user}(/.*)?
permissions: RrWw

[root]
user: .+
collection:
permissions: R
`

// Binary returns the radicale command, or "" when it is not installed.
func Binary() string {
	if p, err := exec.LookPath("radicale"); err == nil {
		return p
	}
	return ""
}

// Start runs Radicale with htpasswd (plain) auth and filesystem storage in a
// temporary directory, on an ephemeral loopback port, and waits until it
// answers. It is stopped when the test ends. Extra users ("name" →
// "password") may log in too.
func Start(t testing.TB, users map[string]string) *Radicale {
	t.Helper()
	if Binary() == "" {
		t.Fatal("radicale is not installed (apt-get install radicale; build/deps.sh does it)")
	}
	r, err := Launch(t.TempDir(), users)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// Launch is Start outside a test (the caltest-radicale command for the
// end-to-end tests): Radicale's files go in dir; call Stop when done.
func Launch(dir string, users map[string]string) (*Radicale, error) {
	bin := Binary()
	if bin == "" {
		return nil, fmt.Errorf("radicale is not installed (apt-get install radicale; build/deps.sh does it)")
	}
	var htpasswd strings.Builder
	fmt.Fprintf(&htpasswd, "%s:%s\n", ServiceUser, ServicePassword)
	for u, p := range users {
		fmt.Fprintf(&htpasswd, "%s:%s\n", u, p)
	}
	write := func(name, content string) (string, error) {
		p := filepath.Join(dir, name)
		return p, os.WriteFile(p, []byte(content), 0o600)
	}
	usersFile, err := write("users", htpasswd.String())
	if err != nil {
		return nil, err
	}
	rightsFile, err := write("rights", rights)
	if err != nil {
		return nil, err
	}
	// Port 0: Radicale takes a free port itself, read back below, where a port
	// found free could be taken before it binds it.
	conf, err := write("config", fmt.Sprintf(`[server]
hosts = 127.0.0.1:0

[auth]
type = htpasswd
htpasswd_filename = %s
htpasswd_encryption = plain
delay = 0

[rights]
type = from_file
file = %s

[storage]
filesystem_folder = %s

[web]
type = none

[logging]
level = warning
`, usersFile, rightsFile, filepath.Join(dir, "collections")))
	if err != nil {
		return nil, err
	}

	r := &Radicale{Dir: dir, done: make(chan struct{}), log: &syncBuffer{}}
	r.cmd = exec.Command(bin, "--config", conf)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start radicale: %w", err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := fmt.Errorf("not listening yet")
		if ports := nettest.TCPListenPorts(r.cmd.Process.Pid); len(ports) == 1 {
			r.URL = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
			var resp *http.Response
			if resp, err = http.Get(r.URL + "/"); err == nil {
				resp.Body.Close()
				return r, nil
			}
		}
		select {
		case <-r.done:
			return nil, fmt.Errorf("radicale exited: %s", r.log)
		default:
		}
		if time.Now().After(deadline) {
			r.Stop()
			return nil, fmt.Errorf("radicale does not answer on %s: %w\n%s", r.URL, err, r.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncBuffer is Radicale's output, written by the process and read by errors.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Stop ends Radicale and waits for it (a failing source in tests).
func (r *Radicale) Stop() {
	if r.cmd.Process == nil {
		return
	}
	select {
	case <-r.done:
		return
	default:
	}
	r.cmd.Process.Kill()
	<-r.done
}

// CalendarURL is the URL of user's calendar "calendar".
func (r *Radicale) CalendarURL(user string) string { return r.URL + "/" + user + "/calendar/" }

// CreateCalendar creates user's principal collection and calendar (as the
// service account) and returns the calendar's URL.
func (r *Radicale) CreateCalendar(t testing.TB, user string) string {
	t.Helper()
	u, err := r.MakeCalendar(user)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// MakeCalendar is CreateCalendar outside a test.
func (r *Radicale) MakeCalendar(user string) (string, error) {
	if err := r.do("MKCOL", r.URL+"/"+user+"/", "", http.StatusCreated, http.StatusMethodNotAllowed); err != nil {
		return "", err
	}
	body := `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>` + user + `</D:displayname>
  <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>`
	return r.CalendarURL(user), r.do("MKCALENDAR", r.CalendarURL(user), body, http.StatusCreated)
}

// Put stores one iCalendar object (a VCALENDAR with one UID) as name.ics in
// user's calendar.
func (r *Radicale) Put(t testing.TB, user, name, ics string) {
	t.Helper()
	if err := r.PutEvent(user, name, ics); err != nil {
		t.Fatal(err)
	}
}

// PutEvent is Put outside a test.
func (r *Radicale) PutEvent(user, name, ics string) error {
	ics = strings.ReplaceAll(strings.ReplaceAll(ics, "\r\n", "\n"), "\n", "\r\n")
	return r.do(http.MethodPut, r.CalendarURL(user)+name+".ics", ics, http.StatusCreated, http.StatusNoContent)
}

func (r *Radicale) do(method, url, body string, ok ...int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.SetBasicAuth(ServiceUser, ServicePassword)
	if method == http.MethodPut {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	} else if body != "" {
		req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	for _, s := range ok {
		if resp.StatusCode == s {
			return nil
		}
	}
	return fmt.Errorf("%s %s: %s %s\n%s", method, url, resp.Status, b, r.log)
}
