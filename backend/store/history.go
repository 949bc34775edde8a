package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// HistoryEntry is one call as it ended: who called, which queue, who took it
// and how it ended (answered, abandoned, transferred, recalled, missed).
type HistoryEntry struct {
	ID           uint64    `json:"id"`
	CallID       string    `json:"callId"`
	Direction    string    `json:"direction"` // "in" or "out"
	QueueID      string    `json:"queueId,omitempty"`
	CallerNumber string    `json:"callerNumber"`
	CallerName   string    `json:"callerName,omitempty"`
	Attendant    string    `json:"attendant,omitempty"`
	Outcome      string    `json:"outcome"`
	Destination  string    `json:"destination,omitempty"`
	Reason       string    `json:"reason,omitempty"` // why a missed or dropped call ended: "timeout", "486 Busy Here"…
	Note         string    `json:"note,omitempty"`
	Started      time.Time `json:"started"`
	AnsweredAt   time.Time `json:"answeredAt,omitzero"` // when an attendant answered; zero if nobody did (or recorded before it was kept)
	Ended        time.Time `json:"ended"`
}

// AddHistory appends an entry. Keys are big-endian sequence numbers so a
// cursor walks history in the order it happened.
func (s *Store) AddHistory(e HistoryEntry) (HistoryEntry, error) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHistory)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.ID = id
		return put(tx, bucketHistory, itob(id), e)
	})
	if err != nil {
		return e, fmt.Errorf("store: add history: %w", err)
	}
	return e, nil
}

// History returns up to limit most recent entries, newest first, that match keep
// (nil keeps all).
func (s *Store) History(limit int, keep func(HistoryEntry) bool) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketHistory).Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var e HistoryEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode history %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if keep == nil || keep(e) {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}
