package store

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// Settings returns the raw settings document of a user, or ErrNotFound.
// The switchboard stores it opaquely: the console owns its shape, so new
// settings need no server change.
func (s *Store) Settings(username string) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSettings).Get([]byte(username))
		if v == nil {
			return ErrNotFound
		}
		out = append(json.RawMessage(nil), v...)
		return nil
	})
	return out, err
}

// PutSettings replaces the settings document of a user.
func (s *Store) PutSettings(username string, doc json.RawMessage) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSettings).Put([]byte(username), doc)
	})
}
