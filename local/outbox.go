package local

import (
	"encoding/binary"
	"fmt"

	"github.com/pinsede/pinsede"
	bolt "go.etcd.io/bbolt"
)

// OutboxItem is an event waiting in the outbox, with its place in the queue.
type OutboxItem struct {
	// Seq orders the outbox: events are sent in increasing Seq. Pass it to
	// Ack once the central records have taken the event.
	Seq   uint64
	Event pinsede.Event
}

// seqKey encodes a sequence number as a key that sorts in number order.
func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// Enqueue puts an event at the end of the outbox.
func (t *tx) Enqueue(ev pinsede.Event) error {
	b, err := t.bucket(bucketOutbox)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return t.put(bucketOutbox, seqKey(seq), ev)
}

// Pending counts the events waiting in the outbox.
func (t *tx) Pending() (int, error) {
	b, err := t.bucket(bucketOutbox)
	if err != nil {
		return 0, err
	}
	return b.Stats().KeyN, nil
}

// Outbox returns the first limit events waiting in the outbox, oldest
// first; all of them when limit is 0 or less.
func (s *Store) Outbox(limit int) ([]OutboxItem, error) {
	return s.OutboxAfter(0, limit)
}

// Ack removes from the outbox the events with the given sequence numbers,
// once the central records have taken them. Numbers no longer in the
// outbox are ignored: acknowledging twice is harmless.
func (s *Store) Ack(seqs ...uint64) error {
	err := s.db.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketOutbox)
		if b == nil {
			return fmt.Errorf("no %s bucket: %w", bucketOutbox, ErrCorrupt)
		}
		for _, seq := range seqs {
			if err := b.Delete(seqKey(seq)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ack outbox of %s: %w", s.path, err)
	}
	return nil
}
