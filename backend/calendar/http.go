package calendar

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

const (
	// httpTimeout bounds every request to a calendar server: the console
	// waits for the answer, and a stuck server must not hold it.
	httpTimeout = 10 * time.Second
	// maxResponse bounds what one answer may weigh; a year of a busy
	// person's calendar is far below it.
	maxResponse = 8 << 20
)

// defaultHTTP is shared by the sources: one connection pool per switchboard.
var defaultHTTP = &http.Client{Timeout: httpTimeout}

// doer is an http client that adds basic auth, bounds the answer's size and
// turns refusals into this package's errors. It satisfies webdav.HTTPClient.
type doer struct {
	c          *http.Client
	user, pass string
}

func newDoer(c *http.Client, user, pass string) *doer {
	if c == nil {
		c = defaultHTTP
	}
	return &doer{c: c, user: user, pass: pass}
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	if d.user != "" || d.pass != "" {
		req.SetBasicAuth(d.user, d.pass)
	}
	resp, err := d.c.Do(req)
	if err != nil {
		if req.Context().Err() != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnreachable, req.Context().Err())
		}
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		resp.Body.Close()
		return nil, fmt.Errorf("%w (%s)", ErrUnauthorized, resp.Status)
	case http.StatusNotFound, http.StatusGone:
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %s (%s)", ErrNotFound, req.URL.Redacted(), resp.Status)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: maxResponse}
	return resp, nil
}

// limitedBody fails a read past its limit rather than truncating silently,
// so a huge answer is an error, not a wrong calendar.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("%w (over %d MiB)", ErrTooLarge, maxResponse>>20)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left <= 0 && err == nil {
		// One byte more tells a body of exactly the limit from a larger one.
		var one [1]byte
		if m, _ := b.rc.Read(one[:]); m > 0 {
			return n, fmt.Errorf("%w (over %d MiB)", ErrTooLarge, maxResponse>>20)
		}
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
