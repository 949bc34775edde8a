package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketCallbacks holds the callback requests (W15), one JSON record per ID,
// shaped by package callbacks.
var bucketCallbacks = []byte("callbacks")

// Callbacks returns every stored callback request, in key order.
func (s *Store) Callbacks() ([]json.RawMessage, error) {
	var out []json.RawMessage
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCallbacks).ForEach(func(_, v []byte) error {
			out = append(out, append(json.RawMessage(nil), v...))
			return nil
		})
	})
	return out, err
}

// PutCallback stores a new or replaced callback request.
func (s *Store) PutCallback(id string, doc json.RawMessage) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCallbacks).Put([]byte(id), doc)
	})
}

// UpdateCallback replaces the callback request id with what f makes of it, in
// one transaction, so that two attendants marking it at once cannot lose a
// change. It returns ErrNotFound for an unknown id; an error from f changes
// nothing.
func (s *Store) UpdateCallback(id string, f func(json.RawMessage) (json.RawMessage, error)) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCallbacks)
		old := b.Get([]byte(id))
		if old == nil {
			return ErrNotFound
		}
		next, err := f(append(json.RawMessage(nil), old...))
		if err != nil {
			return err
		}
		if err := b.Put([]byte(id), next); err != nil {
			return fmt.Errorf("store callback %s: %w", id, err)
		}
		out = next
		return nil
	})
	return out, err
}
