// Package store keeps what must survive a restart of the switchboard: users,
// sessions, settings, call history and notes. It is a thin typed layer over
// bbolt; every value is JSON so that records stay readable with bbolt tools.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket names. All are created at Open so that reads never meet a missing bucket.
var (
	bucketUsers    = []byte("users")
	bucketSessions = []byte("sessions")
	bucketSettings = []byte("settings")
	bucketHistory  = []byte("history")
	bucketMeta     = []byte("meta")

	allBuckets = [][]byte{bucketUsers, bucketSessions, bucketSettings, bucketHistory, bucketMeta, bucketContacts, bucketFavorites, bucketQueues, bucketCallbacks}
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("store: not found")

// Store is a bbolt database. It is safe for concurrent use.
type Store struct {
	db *bolt.DB
}

// Open opens (creating if needed) the database file at path with mode 0600.
// A database locked by another process fails after one second instead of
// hanging, so a second switchboard on the same data dir gets a clear error.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create data dir: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: init %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func put(tx *bolt.Tx, bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", bucket, key, err)
	}
	return tx.Bucket(bucket).Put(key, data)
}

// get decodes the value at key into v. The JSON decoder copies, so nothing
// refers to bbolt's memory once the transaction ends.
func get(tx *bolt.Tx, bucket, key []byte, v any) error {
	data := tx.Bucket(bucket).Get(key)
	if data == nil {
		return ErrNotFound
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s/%s: %w", bucket, key, err)
	}
	return nil
}
