package store

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// bucketFavorites holds each user's favorite groups as one JSON document,
// shaped by package favorites.
var bucketFavorites = []byte("favorites")

// Favorites returns the favorites document of a user, or ErrNotFound.
func (s *Store) Favorites(username string) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketFavorites).Get([]byte(username))
		if v == nil {
			return ErrNotFound
		}
		out = append(json.RawMessage(nil), v...)
		return nil
	})
	return out, err
}

// PutFavorites replaces the favorites document of a user.
func (s *Store) PutFavorites(username string, doc json.RawMessage) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFavorites).Put([]byte(username), doc)
	})
}
