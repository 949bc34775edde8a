package store

import (
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// Role orders what a user may do; each role includes the ones before it (A1).
type Role string

const (
	RoleAttendant  Role = "attendant"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Rank gives roles an order so that checks read "at least supervisor".
func (r Role) Rank() int {
	switch r {
	case RoleAttendant:
		return 1
	case RoleSupervisor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// User is an account of the switchboard.
type User struct {
	Username     string   `json:"username"`
	Name         string   `json:"name"`
	Role         Role     `json:"role"`
	PasswordHash string   `json:"passwordHash"` // argon2id, PHC string
	SIPHA1       string   `json:"sipHa1"`       // MD5(user:realm:password) for SIP digest
	Extension    string   `json:"extension"`
	Queues       []string `json:"queues"`
}

// PutUser creates or replaces a user.
func (s *Store) PutUser(u User) error {
	if u.Username == "" {
		return fmt.Errorf("store: user without username")
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return put(tx, bucketUsers, []byte(u.Username), u)
	})
}

// User returns the user named username, or ErrNotFound.
func (s *Store) User(username string) (User, error) {
	var u User
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx, bucketUsers, []byte(username), &u)
	})
	return u, err
}

// Users lists every user ordered by username.
func (s *Store) Users() ([]User, error) {
	var users []User
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var u User
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("decode user %s: %w", k, err)
			}
			users = append(users, u)
			return nil
		})
	})
	sort.Slice(users, func(i, j int) bool { return users[i].Username < users[j].Username })
	return users, err
}

// CountUsers tells whether the store is fresh.
func (s *Store) CountUsers() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketUsers).Stats().KeyN
		return nil
	})
	return n, err
}

// DeleteUser removes a user; their history stays.
func (s *Store) DeleteUser(username string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).Delete([]byte(username))
	})
}
