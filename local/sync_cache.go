package local

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
	bolt "go.etcd.io/bbolt"
)

// bucketSync holds what the sync client keeps (sealed): the pull cursor,
// the changes pulled from the central records, and the events the central
// records did not accept. It is made on first use; the next schema
// migration should make it with the others.
//
//	"cursor"                       -> sealed uint64
//	"change" ‖ seq (big-endian)    -> sealed wire.Change
//	"refused" ‖ outbox seq         -> sealed NotAccepted
//	"policy"                       -> sealed pinsede.Policy
var bucketSync = []byte("sync")

var (
	syncCursor  = []byte("cursor")
	syncChange  = []byte("change")
	syncRefused = []byte("refused")
	syncPolicy  = []byte("policy")
)

// NotAccepted is an outbox event the central records answered with a
// verdict other than accepted or duplicate: the desk shows it to the
// operator.
type NotAccepted struct {
	Seq     uint64        `json:"seq"`
	Event   pinsede.Event `json:"event"`
	Verdict wire.Verdict  `json:"verdict"`
	Reason  string        `json:"reason"`
	At      time.Time     `json:"at"`
}

// syncUpdate runs fn on the sync bucket in a write transaction, making the
// bucket if needed.
func (s *Store) syncUpdate(fn func(t *tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error {
		if _, err := btx.CreateBucketIfNotExists(bucketSync); err != nil {
			return err
		}
		return fn(&tx{btx: btx, k: s.k, desk: s.desk})
	})
}

// syncView runs fn in a read transaction; has reports whether the sync
// bucket exists yet.
func (s *Store) syncView(fn func(t *tx, has bool) error) error {
	return s.db.View(func(btx *bolt.Tx) error {
		return fn(&tx{btx: btx, k: s.k}, btx.Bucket(bucketSync) != nil)
	})
}

// OutboxLen counts the events waiting in the outbox.
func (s *Store) OutboxLen() (int, error) {
	var n int
	err := s.View(func(t pinsede.Tx) (err error) { n, err = t.Pending(); return err })
	return n, err
}

// AckSync removes from the outbox the events the central records answered,
// and keeps those not accepted, in one transaction.
func (s *Store) AckSync(seqs []uint64, refused []NotAccepted) error {
	err := s.syncUpdate(func(t *tx) error {
		if err := t.ackOutbox(seqs); err != nil {
			return err
		}
		for _, r := range refused {
			if err := t.put(bucketSync, append(append([]byte{}, syncRefused...), seqKey(r.Seq)...), r); err != nil {
				return err
			}
			if err := t.endRejectedDelegation(r); err != nil {
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

// NotAcceptedEvents returns the events the central records did not accept,
// oldest first.
func (s *Store) NotAcceptedEvents() ([]NotAccepted, error) {
	var out []NotAccepted
	err := s.syncView(func(t *tx, has bool) error {
		if !has {
			return nil
		}
		c := t.btx.Bucket(bucketSync).Cursor()
		for k, v := c.Seek(syncRefused); k != nil && bytes.HasPrefix(k, syncRefused); k, v = c.Next() {
			var r NotAccepted
			if err := t.decode(bucketSync, k, v, &r); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("events not accepted in %s: %w", s.path, err)
	}
	return out, nil
}

// SyncCursor returns the cursor of the last pull; 0 before the first.
func (s *Store) SyncCursor() (uint64, error) {
	var cur uint64
	err := s.syncView(func(t *tx, has bool) error {
		if !has {
			return nil
		}
		err := t.get(bucketSync, syncCursor, &cur)
		if errors.Is(err, pinsede.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sync cursor of %s: %w", s.path, err)
	}
	return cur, nil
}

// PulledChanges returns the changes pulled from the central records,
// oldest first.
func (s *Store) PulledChanges() ([]wire.Change, error) {
	var out []wire.Change
	err := s.syncView(func(t *tx, has bool) error {
		if !has {
			return nil
		}
		c := t.btx.Bucket(bucketSync).Cursor()
		for k, v := c.Seek(syncChange); k != nil && bytes.HasPrefix(k, syncChange); k, v = c.Next() {
			var ch wire.Change
			if err := t.decode(bucketSync, k, v, &ch); err != nil {
				return err
			}
			out = append(out, ch)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pulled changes in %s: %w", s.path, err)
	}
	return out, nil
}

// SavePolicy keeps p, the eligibility policy the central records
// distribute, unless a policy of the same or a higher version is kept
// already: the newest version stays. It reports whether it kept p.
func (s *Store) SavePolicy(p pinsede.Policy) (bool, error) {
	if err := p.Validate(); err != nil {
		return false, fmt.Errorf("save policy in %s: %w", s.path, err)
	}
	kept := false
	err := s.syncUpdate(func(t *tx) error {
		var cur pinsede.Policy
		switch err := t.get(bucketSync, syncPolicy, &cur); {
		case err == nil && cur.Version >= p.Version:
			return nil
		case err != nil && !errors.Is(err, pinsede.ErrNotFound):
			return err
		}
		kept = true
		return t.put(bucketSync, syncPolicy, p)
	})
	if err != nil {
		return false, fmt.Errorf("save policy in %s: %w", s.path, err)
	}
	return kept, nil
}

// CachedPolicy returns the policy of the central records kept by
// SavePolicy; ok is false when none is kept yet.
func (s *Store) CachedPolicy() (p pinsede.Policy, ok bool, err error) {
	err = s.syncView(func(t *tx, has bool) error {
		if !has {
			return nil
		}
		err := t.get(bucketSync, syncPolicy, &p)
		if errors.Is(err, pinsede.ErrNotFound) {
			return nil
		}
		ok = err == nil
		return err
	})
	if err != nil {
		return pinsede.Policy{}, false, fmt.Errorf("cached policy in %s: %w", s.path, err)
	}
	return p, ok, nil
}

// ReasonRejectedAtCentrale returns the revocation reason of a delegation
// that the central records rejected for reason.
func ReasonRejectedAtCentrale(reason string) string {
	return "rifiutata dall'archivio centrale: " + reason
}

// endRejectedDelegation ends, at the sede, a delegation whose registration
// the central records rejected (another sede registered one that breaks a
// rule first): it is revoked by pinsede.ActorCentrale with the reason, and
// audited for each party, so that it no longer counts toward the limits
// nor shows as active. Other refusals change nothing here.
func (t *tx) endRejectedDelegation(r NotAccepted) error {
	if r.Verdict != wire.Rejected || r.Event.Kind != pinsede.EventDelegationRegistered || r.Event.Delegation == nil {
		return nil
	}
	dl, err := t.Delegation(r.Event.Delegation.ID)
	switch {
	case errors.Is(err, pinsede.ErrNotFound):
		return nil
	case err != nil:
		return err
	case !dl.RevokedAt.IsZero():
		return nil
	}
	reason := ReasonRejectedAtCentrale(r.Reason)
	dl.RevokedAt, dl.RevokedBy, dl.RevokeReason = r.At, pinsede.ActorCentrale, reason
	if err := t.PutDelegation(dl); err != nil {
		return err
	}
	for _, cf := range []pinsede.CodiceFiscale{dl.Delegante.CodiceFiscale, dl.Delegato.CodiceFiscale} {
		if _, err := t.AppendAudit(pinsede.AuditEntry{
			Time: r.At, Sede: dl.Sede, Actor: pinsede.ActorCentrale, Action: pinsede.ActionDelegationRevoked,
			Subject: cf, Detail: string(dl.Form) + ": " + reason,
		}); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
	}
	return nil
}
