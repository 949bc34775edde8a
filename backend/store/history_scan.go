package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// RecentHistory returns the entries among the scan most recent ones that
// match keep, newest first. Unlike History it reads a bounded number of
// records however few match, so a lookup stays fast on a large history.
func (s *Store) RecentHistory(scan int, keep func(HistoryEntry) bool) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketHistory).Cursor()
		n := 0
		for k, v := c.Last(); k != nil && n < scan; k, v = c.Prev() {
			n++
			var e HistoryEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode history %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if keep(e) {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}
