package store

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// Meta returns a switchboard-wide document (such as the LDAP sync settings),
// or ErrNotFound.
func (s *Store) Meta(key string) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get([]byte(key))
		if v == nil {
			return ErrNotFound
		}
		out = append(json.RawMessage(nil), v...)
		return nil
	})
	return out, err
}

// PutMeta replaces a switchboard-wide document.
func (s *Store) PutMeta(key string, doc json.RawMessage) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put([]byte(key), doc)
	})
}
