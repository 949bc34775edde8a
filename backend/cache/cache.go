// Package cache is the console's local copy of what the switchboard last sent
// each user (profile, settings, favorites, recent history, searches), so the
// console shows data before the switchboard answers and stays readable while
// it cannot be reached. It is a bbolt file in the user's config folder; a
// file that cannot be read is moved aside and rebuilt, never fatal.
package cache

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Top-level buckets, all created at Open.
var (
	bucketAccounts = []byte("accounts") // one nested bucket per Account
	bucketApp      = []byte("app")      // machine-wide: window geometry, last login
	bucketSearches = []byte("searches") // nested inside an account bucket
)

// Well-known keys of an account's data.
const (
	KeyProfile   = "profile"
	KeySettings  = "settings"
	KeyFavorites = "favorites"
	KeyHistory   = "history"
)

// MaxSearches bounds the remembered directory searches per account.
const MaxSearches = 30

// ErrLocked is returned by Open when another process holds the cache file.
var ErrLocked = errors.New("cache: file in use by another process")

// Account names whose data it is: the same user on two switchboards is two
// accounts.
type Account struct {
	Server   string
	Username string
}

func (a Account) key() []byte { return []byte(a.Server + "\x00" + a.Username) }

// Cache is an open cache file. It is safe for concurrent use.
type Cache struct {
	db  *bolt.DB
	log *slog.Logger
}

// Open opens the cache at path, creating it (mode 0600). A file that bbolt
// cannot read, or whose pages fail a consistency check, is renamed to
// path.corrupt-<time> and a fresh cache is created in its place.
func Open(path string, log *slog.Logger) (*Cache, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cache: create folder: %w", err)
	}
	db, err := open(path)
	if errors.Is(err, ErrLocked) {
		return nil, err
	}
	if err != nil {
		aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405"))
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, fmt.Errorf("cache: %w; moving it aside: %w", err, rerr)
		}
		log.Warn("cache: unreadable cache file moved aside, starting empty", "file", path, "moved_to", aside, "err", err)
		if db, err = open(path); err != nil {
			return nil, err
		}
	}
	return &Cache{db: db, log: log}, nil
}

func open(path string) (db *bolt.DB, err error) {
	// bbolt panics on some kinds of damaged pages instead of returning an error.
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				db.Close()
			}
			db, err = nil, fmt.Errorf("cache: damaged file: %v", r)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		var bad error
		for err := range tx.Check() { // drain: the checker stops when the channel does
			bad = cmp.Or(bad, err)
		}
		if bad != nil {
			return fmt.Errorf("consistency check: %w", bad)
		}
		for _, b := range [][]byte{bucketAccounts, bucketApp} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("cache: %s: %w", path, err)
	}
	return db, nil
}

// Close closes the file.
func (c *Cache) Close() error { return c.db.Close() }

// Put stores v (as JSON) under key for the account.
func (c *Cache) Put(a Account, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cache: encode %s: %w", key, err)
	}
	return c.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketAccounts).CreateBucketIfNotExists(a.key())
		if err != nil {
			return fmt.Errorf("cache: account bucket: %w", err)
		}
		return b.Put([]byte(key), data)
	})
}

// Get decodes the account's value at key into v; ok is false when there is
// none.
func (c *Cache) Get(a Account, key string, v any) (ok bool, err error) {
	err = c.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAccounts).Bucket(a.key())
		if b == nil {
			return nil
		}
		return decode(b.Get([]byte(key)), v, &ok)
	})
	return ok, err
}

// PutApp stores a machine-wide value (window geometry, last login).
func (c *Cache) PutApp(key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cache: encode %s: %w", key, err)
	}
	return c.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketApp).Put([]byte(key), data) })
}

// GetApp reads a machine-wide value; ok is false when there is none.
func (c *Cache) GetApp(key string, v any) (ok bool, err error) {
	err = c.db.View(func(tx *bolt.Tx) error { return decode(tx.Bucket(bucketApp).Get([]byte(key)), v, &ok) })
	return ok, err
}

// search is a remembered directory search; Seq orders them for pruning.
type search struct {
	Seq     uint64          `json:"seq"`
	Results json.RawMessage `json:"results"`
}

// PutSearch remembers the results of a directory search, keeping the
// MaxSearches most recent.
func (c *Cache) PutSearch(a Account, query string, results any) error {
	data, err := json.Marshal(results)
	if err != nil {
		return fmt.Errorf("cache: encode search: %w", err)
	}
	return c.db.Update(func(tx *bolt.Tx) error {
		acct, err := tx.Bucket(bucketAccounts).CreateBucketIfNotExists(a.key())
		if err != nil {
			return fmt.Errorf("cache: account bucket: %w", err)
		}
		b, err := acct.CreateBucketIfNotExists(bucketSearches)
		if err != nil {
			return fmt.Errorf("cache: searches bucket: %w", err)
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		rec, err := json.Marshal(search{Seq: seq, Results: data})
		if err != nil {
			return err
		}
		if err := b.Put([]byte(query), rec); err != nil {
			return err
		}
		if n := b.Stats().KeyN; n > MaxSearches {
			return pruneOldest(b, n-MaxSearches)
		}
		return nil
	})
}

// pruneOldest deletes the n searches with the lowest sequence numbers.
func pruneOldest(b *bolt.Bucket, n int) error {
	for range n {
		var oldest []byte
		var low uint64
		err := b.ForEach(func(k, v []byte) error {
			var s search
			if json.Unmarshal(v, &s) != nil || oldest == nil || s.Seq < low {
				oldest, low = append([]byte(nil), k...), s.Seq
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := b.Delete(oldest); err != nil {
			return err
		}
	}
	return nil
}

// Search returns the remembered results of query into v.
func (c *Cache) Search(a Account, query string, v any) (ok bool, err error) {
	err = c.db.View(func(tx *bolt.Tx) error {
		acct := tx.Bucket(bucketAccounts).Bucket(a.key())
		if acct == nil {
			return nil
		}
		b := acct.Bucket(bucketSearches)
		if b == nil {
			return nil
		}
		var s search
		var found bool
		if err := decode(b.Get([]byte(query)), &s, &found); err != nil || !found {
			return err
		}
		return decode(s.Results, v, &ok)
	})
	return ok, err
}

// decode unmarshals data (nil: absent) into v. The JSON decoder copies, so
// nothing refers to bbolt's memory once the transaction ends.
func decode(data []byte, v any, ok *bool) error {
	if data == nil {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("cache: decode: %w", err)
	}
	*ok = true
	return nil
}
