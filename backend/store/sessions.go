package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Session is a logged-in console. Only a hash of its token is stored, so a
// copy of the database does not hand out live sessions.
type Session struct {
	TokenHash string    `json:"tokenHash"`
	Username  string    `json:"username"`
	Extension string    `json:"extension"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
}

// PutSession stores a session keyed by its token hash.
func (s *Store) PutSession(sess Session) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return put(tx, bucketSessions, []byte(sess.TokenHash), sess)
	})
}

// Session returns the session with the given token hash, or ErrNotFound.
func (s *Store) Session(tokenHash string) (Session, error) {
	var sess Session
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx, bucketSessions, []byte(tokenHash), &sess)
	})
	return sess, err
}

// DeleteSession removes a session; removing a missing one is not an error.
func (s *Store) DeleteSession(tokenHash string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete([]byte(tokenHash))
	})
}

// PruneSessions deletes sessions that expired before now.
func (s *Store) PruneSessions(now time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var sess Session
			if err := json.Unmarshal(v, &sess); err != nil {
				return fmt.Errorf("decode session: %w", err)
			}
			if sess.Expires.Before(now) {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}
