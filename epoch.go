package pinsede

import (
	"fmt"
	"time"
)

// CentraleRestore is what a desk did when it found centrale's store put
// back from a copy (a new epoch, FollowEpoch).
type CentraleRestore struct {
	// At is when the desk found it.
	At time.Time
	// Resent counts the events sent before, and kept, that the desk put
	// back in its outbox: those the copy holds are answered duplicate,
	// the others taken again.
	Resent int
	// Oldest is the outbox seq of the oldest event sent again (0: none).
	Oldest uint64
	// Pruned says that events sent before those were no longer kept
	// (the store keeps the newest only).
	Pruned bool
	// Lost says that the copy lacked the oldest event sent again (it was
	// taken as new, not a duplicate) while older ones were pruned: those
	// the copy lacks too are lost at centrale. The sync client sets it
	// once that event is answered. A copy that holds it holds every
	// event of the desk before it: the desk pushes in order.
	Lost bool
	// From and Cursor are the pull cursor the desk pulls again from,
	// and the one it had: the changes after From are of the new epoch.
	From, Cursor uint64
}

// FollowEpoch keeps epoch, the epoch of centrale's store an answer
// named, and returns nil, when the desk kept none before or the same.
// When the desk kept another, centrale's store was put back from a copy
// since: in one transaction the desk puts the events it sent and keeps
// back in its outbox, before those waiting (SyncTx.ResendSent), pulls
// again from from when its cursor is past it (the copy's newest change:
// the numbers after it are given again), and keeps epoch; it returns
// what it did.
func (d *Desk) FollowEpoch(epoch string, from uint64, now time.Time) (*CentraleRestore, error) {
	var done *CentraleRestore
	err := d.Store.Update(func(tx Tx) error {
		done = nil
		kept, err := tx.CentraleEpoch()
		if err != nil || kept == epoch {
			return err
		}
		if err := tx.SetCentraleEpoch(epoch); err != nil || kept == "" {
			return err
		}
		r := CentraleRestore{At: now, From: from}
		if r.Resent, r.Oldest, r.Pruned, err = tx.ResendSent(); err != nil {
			return err
		}
		if r.Cursor, err = tx.SyncCursor(); err != nil {
			return err
		}
		if r.Cursor > from {
			if err := tx.SetSyncCursor(from); err != nil {
				return err
			}
		} else {
			r.From = r.Cursor
		}
		done = &r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("follow centrale's epoch %s: %w", epoch, err)
	}
	return done, nil
}
