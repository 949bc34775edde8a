package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// historyOrderSlack allows for entries appended slightly out of end-time
// order (two calls ending in the same instant on different goroutines).
const historyOrderSlack = time.Minute

// HistoryEndedSince calls fn for every entry that ended at or after from,
// newest first. History is appended as calls end, so it reads only those
// records, however long the history is.
func (s *Store) HistoryEndedSince(from time.Time, fn func(HistoryEntry)) error {
	stop := from.Add(-historyOrderSlack)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketHistory).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var e HistoryEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode history %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if e.Ended.Before(stop) {
				return nil
			}
			if !e.Ended.Before(from) {
				fn(e)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: history since %s: %w", from.Format(time.RFC3339), err)
	}
	return nil
}
