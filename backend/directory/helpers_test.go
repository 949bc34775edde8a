package directory

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/concierge-console/concierge/backend/store"
)

var (
	alice = Viewer{Username: "alice"}
	bob   = Viewer{Username: "bob"}
	admin = Viewer{Username: "root", Admin: true}
)

func quiet() Option { return WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))) }

func openStore(t testing.TB, path string) *store.Store {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// newDir returns a directory over a fresh store in a temporary folder.
func newDir(t testing.TB, opts ...Option) (*Directory, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "switchboard.db")
	st := openStore(t, path)
	t.Cleanup(func() { st.Close() })
	d, err := New(st, append([]Option{quiet()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return d, path
}

func mustCreate(t testing.TB, d *Directory, v Viewer, c Contact) Contact {
	t.Helper()
	if c.Visibility == "" {
		c.Visibility = Public
	}
	out, err := d.Create(v, c)
	if err != nil {
		t.Fatalf("create %+v: %v", c, err)
	}
	return out
}

func names(rs []Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Contact.Name()
	}
	return out
}

func search(t testing.TB, d *Directory, v Viewer, q string) []string {
	t.Helper()
	rs, err := d.Search(context.Background(), v, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	return names(rs)
}
