package local

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/pinsede/pinsede"
	bolt "go.etcd.io/bbolt"
)

// seqKey encodes a sequence number as a key that sorts in number order.
func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// Enqueue puts an event at the end of the outbox. The PDF of an archived
// form (ev.Form.PDF) goes in bucketOutboxForms under the same seq, and the
// event keeps its SHA-256 and size only.
func (t *tx) Enqueue(ev pinsede.Event) error {
	b, err := t.bucket(bucketOutbox)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	if ev.Desk == "" {
		ev.Desk = t.desk
	}
	return t.putOutbox(seq, ev)
}

// putOutbox writes the outbox event of seq, with its form's bytes apart.
func (t *tx) putOutbox(seq uint64, ev pinsede.Event) error {
	key := seqKey(seq)
	if ev.Form != nil && ev.Form.PDF != nil {
		forms, err := t.bucket(bucketOutboxForms)
		if err != nil {
			return err
		}
		pdf := ev.Form.PDF
		ev.Form = pinsede.NewArchivedForm(ev.Form.Kind, pdf)
		ev.Form.PDF = nil
		if err := forms.Put(key, t.k.seal(bucketOutboxForms, key, pdf)); err != nil {
			return err
		}
	}
	return t.put(bucketOutbox, key, ev)
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
func (s *Store) Outbox(limit int) ([]pinsede.OutboxItem, error) {
	return s.OutboxAfter(0, limit, 0)
}

// OutboxAfter returns the events waiting in the outbox after seq after,
// oldest first, with their forms: at most limit of them (no limit when 0
// or less), and no more than fit in budget bytes, but at least one (no
// budget when 0 or less). An item counts the length of its event's JSON
// and of its form, known from the sealed values before they are opened:
// it opens none that it does not return.
func (s *Store) OutboxAfter(after uint64, limit, budget int) ([]pinsede.OutboxItem, error) {
	var items []pinsede.OutboxItem
	err := s.walkOutbox(after, limit, budget, func(seq uint64, key, plain, form []byte) error {
		it := pinsede.OutboxItem{Seq: seq, Form: form}
		defer clear(plain)
		if err := json.Unmarshal(plain, &it.Event); err != nil {
			return fmt.Errorf("%s record %x: %w: %w", bucketOutbox, key, ErrCorrupt, err)
		}
		items = append(items, it)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox of %s: %w", s.path, err)
	}
	return items, nil
}

// OutboxEntries is OutboxAfter for a push: it gives each event's JSON as
// the outbox keeps it, which is what the push sends, and decodes none of
// it but the event's id, its first member.
//
// The outbox keeps each event as json.Marshal of pinsede.Event writes it
// (Enqueue, and migration 8 for the events of earlier versions): a change
// of Event that an earlier JSON no longer fits comes with a migration
// that writes the outbox's events again.
func (s *Store) OutboxEntries(after uint64, limit, budget int) ([]pinsede.OutboxEntry, error) {
	var entries []pinsede.OutboxEntry
	err := s.walkOutbox(after, limit, budget, func(seq uint64, key, plain, form []byte) error {
		id, err := eventID(plain)
		if err != nil {
			return fmt.Errorf("%s record %x: %w: %w", bucketOutbox, key, ErrCorrupt, err)
		}
		entries = append(entries, pinsede.OutboxEntry{Seq: seq, ID: id, JSON: plain, Form: form})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox of %s: %w", s.path, err)
	}
	return entries, nil
}

// walkOutbox calls fn with each event waiting in the outbox after seq
// after, oldest first, as OutboxAfter chooses them (limit, budget): its
// seq and record key, its JSON and its form (nil when it has none),
// opened, in fresh slices.
func (s *Store) walkOutbox(after uint64, limit, budget int, fn func(seq uint64, key, plain, form []byte) error) error {
	return s.view(func(btx *bolt.Tx) error {
		t := &tx{btx: btx, k: s.k}
		b, forms, err := t.outboxBuckets()
		if err != nil {
			return err
		}
		overhead := s.k.sealOverhead()
		used, n := 0, 0
		c := b.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && (limit <= 0 || n < limit); k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("outbox key %x: %w", k, ErrCorrupt)
			}
			sealedForm := forms.Get(k)
			size := len(v) - overhead
			if sealedForm != nil {
				size += len(sealedForm) - overhead
			}
			if budget > 0 && n > 0 && used+size > budget {
				break
			}
			plain, err := s.k.open(bucketOutbox, k, v)
			if err != nil {
				return fmt.Errorf("%s record %x: %w: %w", bucketOutbox, k, ErrCorrupt, err)
			}
			var form []byte
			if sealedForm != nil {
				if form, err = s.k.open(bucketOutboxForms, k, sealedForm); err != nil {
					return fmt.Errorf("%s record %x: %w: %w", bucketOutboxForms, k, ErrCorrupt, err)
				}
			}
			if err := fn(binary.BigEndian.Uint64(k), k, plain, form); err != nil {
				return err
			}
			used += size
			n++
		}
		return nil
	})
}

// eventID returns the id of an event's JSON as json.Marshal writes a
// pinsede.Event: its first member, read without the rest. An id with no
// escape in it is cut out of the JSON as it is; one with an escape is
// decoded.
func eventID(plain []byte) (string, error) {
	if rest, ok := bytes.CutPrefix(plain, []byte(`{"id":"`)); ok {
		if end := bytes.IndexByte(rest, '"'); end >= 0 && bytes.IndexByte(rest[:end], '\\') < 0 {
			return string(rest[:end]), nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(plain))
	var toks [3]json.Token // {, "id", the id
	for i := range toks {
		t, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("event id: %w", err)
		}
		toks[i] = t
	}
	id, ok := toks[2].(string)
	if toks[0] != json.Delim('{') || toks[1] != "id" || !ok {
		return "", errors.New("event id: the JSON does not begin with the event's id")
	}
	return id, nil
}

// outboxBuckets returns the buckets of the outbox's events and of their
// forms.
func (t *tx) outboxBuckets() (events, forms *bolt.Bucket, err error) {
	if events, err = t.bucket(bucketOutbox); err != nil {
		return nil, nil, err
	}
	if forms, err = t.bucket(bucketOutboxForms); err != nil {
		return nil, nil, err
	}
	return events, forms, nil
}

// OutboxForm returns the credential and the form (kind, SHA-256, size) of
// the outbox event of seq when it is one with a form's bytes beside it;
// ok is false for any other event, and for a seq no longer in the outbox.
// It decodes no event but those.
func (t *tx) OutboxForm(seq uint64) (credentialID string, f pinsede.ArchivedForm, ok bool, err error) {
	b, forms, err := t.outboxBuckets()
	if err != nil {
		return "", f, false, err
	}
	key := seqKey(seq)
	sealed := b.Get(key)
	if sealed == nil || forms.Get(key) == nil {
		return "", f, false, nil
	}
	var ev pinsede.Event
	if err := t.decode(bucketOutbox, key, sealed, &ev); err != nil {
		return "", f, false, err
	}
	if ev.Form == nil {
		return "", f, false, nil
	}
	return ev.Credential.ID, pinsede.ArchivedForm{Kind: ev.Form.Kind, SHA256: ev.Form.SHA256, Size: ev.Form.Size}, true, nil
}

// ackOutbox removes the outbox events of taken and of refused, with
// their forms, and keeps those of taken as sent (keepSent).
func (t *tx) ackOutbox(taken, refused []uint64) error {
	b, forms, err := t.outboxBuckets()
	if err != nil {
		return err
	}
	if err := t.keepSent(b, forms, taken); err != nil {
		return err
	}
	for _, seq := range slices.Concat(taken, refused) {
		if err := b.Delete(seqKey(seq)); err != nil {
			return err
		}
		if err := forms.Delete(seqKey(seq)); err != nil {
			return err
		}
	}
	return nil
}

// Ack removes from the outbox the events with the given sequence numbers,
// once the central records have taken them, and keeps them as sent.
// Numbers no longer in the outbox are ignored: acknowledging twice is
// harmless.
func (s *Store) Ack(seqs ...uint64) error {
	err := s.update(func(btx *bolt.Tx) error {
		return (&tx{btx: btx, k: s.k}).ackOutbox(seqs, nil)
	})
	if err != nil {
		return fmt.Errorf("ack outbox of %s: %w", s.path, err)
	}
	return nil
}
