package store

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/concierge-console/concierge/backend/queue"
	bolt "go.etcd.io/bbolt"
)

// bucketQueues holds the queue definitions (A4), one JSON record per queue ID.
var bucketQueues = []byte("queues")

// Queue is a queue's configuration: the numbers routed to it, its priority and
// whether it takes the calls no other queue's numbers match.
type Queue struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Numbers  []string `json:"numbers"`
	Priority int      `json:"priority"`
	Default  bool     `json:"default"`
	// Mode and Rules are the queue's Q9 rules; they apply live, without a
	// restart. Mode "" is auto (by opening hours).
	Mode  queue.Mode   `json:"mode,omitempty"`
	Rules *queue.Rules `json:"rules,omitempty"`
}

// Queues returns every queue, highest priority first, then by ID.
func (s *Store) Queues() ([]Queue, error) {
	var qs []Queue
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		qs, err = readQueues(tx)
		return err
	})
	return qs, err
}

// SeedQueues stores qs if no queue is stored yet: the site file's queues
// become the database's on first start, after which the database is the
// truth. It reports whether it stored them.
func (s *Store) SeedQueues(qs []Queue) (bool, error) {
	seeded := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketQueues).Cursor().First(); k != nil {
			return nil
		}
		seeded = true
		return writeQueues(tx, nil, qs)
	})
	return seeded, err
}

// UpdateQueues replaces the queue set with what f makes of the current one, in
// one transaction, so that checks across queues (no number routed twice, one
// default) hold against concurrent changes. An error from f changes nothing.
func (s *Store) UpdateQueues(f func([]Queue) ([]Queue, error)) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		old, err := readQueues(tx)
		if err != nil {
			return err
		}
		next, err := f(slices.Clone(old))
		if err != nil {
			return err
		}
		return writeQueues(tx, old, next)
	})
}

func readQueues(tx *bolt.Tx) ([]Queue, error) {
	var qs []Queue
	err := tx.Bucket(bucketQueues).ForEach(func(k, v []byte) error {
		var q Queue
		if err := json.Unmarshal(v, &q); err != nil {
			return fmt.Errorf("decode queue %s: %w", k, err)
		}
		qs = append(qs, q)
		return nil
	})
	slices.SortFunc(qs, func(a, b Queue) int { return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.ID, b.ID)) })
	return qs, err
}

func writeQueues(tx *bolt.Tx, old, next []Queue) error {
	b := tx.Bucket(bucketQueues)
	for _, q := range old {
		if !slices.ContainsFunc(next, func(n Queue) bool { return n.ID == q.ID }) {
			if err := b.Delete([]byte(q.ID)); err != nil {
				return fmt.Errorf("delete queue %s: %w", q.ID, err)
			}
		}
	}
	for _, q := range next {
		if q.Numbers == nil {
			q.Numbers = []string{}
		}
		if err := put(tx, bucketQueues, []byte(q.ID), q); err != nil {
			return err
		}
	}
	return nil
}
