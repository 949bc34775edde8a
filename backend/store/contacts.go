package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketContacts holds directory contacts keyed by contact ID. The directory
// package owns the record's shape (like Settings, the store keeps the JSON
// document opaque) so that adding a contact field needs no store change.
var bucketContacts = []byte("contacts")

// ContactRecord is one stored contact: its ID and its JSON document.
type ContactRecord struct {
	ID  string
	Doc json.RawMessage
}

// PutContact creates or replaces one contact document.
func (s *Store) PutContact(id string, doc json.RawMessage) error {
	return s.WriteContacts([]ContactRecord{{ID: id, Doc: doc}}, nil)
}

// DeleteContact removes a contact; removing a missing one is not an error.
func (s *Store) DeleteContact(id string) error {
	return s.WriteContacts(nil, []string{id})
}

// WriteContacts stores puts and removes deletes in one transaction, so a bulk
// import of thousands of contacts costs one fsync instead of one per contact,
// and a crash leaves either the whole batch or none of it.
func (s *Store) WriteContacts(puts []ContactRecord, deletes []string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketContacts)
		for _, r := range puts {
			if r.ID == "" {
				return fmt.Errorf("contact without id")
			}
			if !json.Valid(r.Doc) {
				return fmt.Errorf("contact %s: document is not JSON", r.ID)
			}
			if err := b.Put([]byte(r.ID), r.Doc); err != nil {
				return fmt.Errorf("put contact %s: %w", r.ID, err)
			}
		}
		for _, id := range deletes {
			if err := b.Delete([]byte(id)); err != nil {
				return fmt.Errorf("delete contact %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: write contacts: %w", err)
	}
	return nil
}

// Contact returns the document of one contact, or ErrNotFound.
func (s *Store) Contact(id string) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketContacts).Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		out = append(json.RawMessage(nil), v...)
		return nil
	})
	return out, err
}

// ForEachContact calls fn with every stored contact, in key order. The
// document handed to fn is a copy: bbolt's memory is only valid inside the
// transaction, and fn may keep what it is given. An error from fn stops the
// walk and is returned.
func (s *Store) ForEachContact(fn func(id string, doc json.RawMessage) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketContacts).ForEach(func(k, v []byte) error {
			return fn(string(k), append(json.RawMessage(nil), v...))
		})
	})
}

// CountContacts returns the number of stored contacts.
func (s *Store) CountContacts() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketContacts).Stats().KeyN
		return nil
	})
	return n, err
}
