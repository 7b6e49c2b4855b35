package local

import (
	"encoding/binary"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// The events the central records took, kept to send them again to a
// centrale put back from a copy (pinsede.Desk.FollowEpoch): the newest
// SentKeep, each as the outbox kept it, sealed for the outbox
// under its outbox seq, so that it goes back there as it is. Made on
// first use.
var (
	// bucketSent: outbox seq (big-endian) -> the event's record of
	// bucketOutbox.
	bucketSent = []byte("outbox_sent")
	// bucketSentForms: outbox seq -> the form's record of
	// bucketOutboxForms.
	bucketSentForms = []byte("outbox_sent_forms")
)

// SentKeep is how many events taken by the central records a desk keeps,
// the newest, with their forms: some 4 days of a busy desk (500 events
// a day), about 12 MB of MV35s. A centrale put back from a copy older
// than them gets back those only.
const SentKeep = 2000

// sentKeep is SentKeep, lowered by the tests.
var sentKeep = SentKeep

// sentBuckets returns the buckets of the events sent and of their forms,
// making them.
func (t *tx) sentBuckets() (events, forms *bolt.Bucket, err error) {
	if events, err = t.btx.CreateBucketIfNotExists(bucketSent); err != nil {
		return nil, nil, err
	}
	if forms, err = t.btx.CreateBucketIfNotExists(bucketSentForms); err != nil {
		return nil, nil, err
	}
	return events, forms, nil
}

// keepSent copies the records of the outbox events of seqs, and their
// forms, from outbox and outboxForms to the events sent, and prunes
// those more than SentKeep outbox numbers older than the newest of seqs,
// marking the store when it prunes (metaSentPruned): at most SentKeep are
// kept.
func (t *tx) keepSent(outbox, outboxForms *bolt.Bucket, seqs []uint64) error {
	if len(seqs) == 0 {
		return nil
	}
	sent, forms, err := t.sentBuckets()
	if err != nil {
		return err
	}
	for _, seq := range seqs {
		k := seqKey(seq)
		if v := outbox.Get(k); v != nil {
			if err := sent.Put(k, append([]byte(nil), v...)); err != nil {
				return err
			}
		}
		if v := outboxForms.Get(k); v != nil {
			if err := forms.Put(k, append([]byte(nil), v...)); err != nil {
				return err
			}
		}
	}
	newest := slices.Max(seqs)
	if newest <= uint64(sentKeep) {
		return nil
	}
	pruned := false
	c := sent.Cursor()
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= newest-uint64(sentKeep); k, _ = c.First() {
		if err := forms.Delete(k); err != nil {
			return err
		}
		if err := c.Delete(); err != nil {
			return err
		}
		pruned = true
	}
	if !pruned {
		return nil
	}
	return t.btx.Bucket(bucketMeta).Put(metaSentPruned, []byte{1})
}

// ResendSent puts the events kept as sent back in the outbox, with their
// forms, in their places (before those waiting, sent after them), and
// returns how many and the outbox seq of the oldest; pruned says that
// events sent before them are no longer kept. The events sent are kept no more: they are in the outbox,
// and are kept again once taken.
func (t *tx) ResendSent() (n int, oldest uint64, pruned bool, err error) {
	outbox, outboxForms, err := t.outboxBuckets()
	if err != nil {
		return 0, 0, false, err
	}
	pruned = t.btx.Bucket(bucketMeta).Get(metaSentPruned) != nil
	sent, forms := t.btx.Bucket(bucketSent), t.btx.Bucket(bucketSentForms)
	if sent == nil {
		return 0, 0, pruned, nil
	}
	err = sent.ForEach(func(k, v []byte) error {
		if n++; n == 1 {
			oldest = binary.BigEndian.Uint64(k)
		}
		if err := outbox.Put(append([]byte(nil), k...), append([]byte(nil), v...)); err != nil {
			return err
		}
		if f := forms.Get(k); f != nil {
			return outboxForms.Put(append([]byte(nil), k...), append([]byte(nil), f...))
		}
		return nil
	})
	if err != nil {
		return 0, 0, pruned, err
	}
	for _, name := range [][]byte{bucketSent, bucketSentForms} {
		if err := t.btx.DeleteBucket(name); err != nil {
			return 0, 0, pruned, err
		}
	}
	return n, oldest, pruned, nil
}

// CentraleEpoch returns the epoch of centrale's store kept by
// SetCentraleEpoch; "" before.
func (t *tx) CentraleEpoch() (string, error) {
	return string(t.btx.Bucket(bucketMeta).Get(metaCentraleEpoch)), nil
}

// SetCentraleEpoch keeps the epoch of centrale's store last seen.
func (t *tx) SetCentraleEpoch(epoch string) error {
	return t.btx.Bucket(bucketMeta).Put(metaCentraleEpoch, []byte(epoch))
}

// CentraleEpoch returns the epoch of centrale's store last seen; "" before.
func (s *Store) CentraleEpoch() (string, error) {
	var e string
	err := s.view(func(btx *bolt.Tx) (err error) {
		e, err = (&tx{btx: btx, k: s.k}).CentraleEpoch()
		return err
	})
	return e, err
}
