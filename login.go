package pinsede

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"
)

// dummyHash is verified against when there is no operator to check, so that
// an unknown id takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashSecret([]byte("pinsede"), DefaultPasswordParams, rand.Reader)
	return h
})

// Login checks an operator's id and password and opens a session. A wrong
// id, a wrong password, a disabled and a locked account all return
// ErrBadCredentials, so the answer reveals nothing.
func (d *Desk) Login(id, password string) (*Session, error) {
	var op Operator
	var sede Sede
	err := d.Store.View(func(tx Tx) error {
		var err error
		if sede, err = tx.Sede(); err != nil {
			return err
		}
		op, err = tx.Operator(id)
		return err
	})
	switch {
	case errors.Is(err, ErrNotFound) && sede.Code == "":
		return nil, ErrNotSetUp
	case errors.Is(err, ErrNotFound):
		VerifySecret(dummyHash(), []byte(password))
		return nil, ErrBadCredentials
	case err != nil:
		return nil, err
	}
	if err := d.checkPassword(op.ID, password, ActionLogin); err != nil {
		return nil, err
	}
	return &Session{Operator: op, Sede: sede, Desk: d.DeskID, Started: d.Now()}, nil
}

// enqueueLocked enqueues, in tx, the EventOperatorLocked of op, locked
// at now until op.LockedUntil by failed logins at this desk.
func (d *Desk) enqueueLocked(tx OutboxTx, sede string, now time.Time, op Operator) error {
	id, err := NewID(d.Rand)
	if err != nil {
		return err
	}
	acc := op.Shared()
	return tx.Enqueue(Event{ID: id, Kind: EventOperatorLocked, Time: now, Sede: sede, Operator: &acc, Actor: op.ID, Until: op.LockedUntil})
}

// checkPassword verifies an operator's password, records the outcome on the
// account (failures, lock-out) and audits it. success is the action audited
// on success, or "" for none.
func (d *Desk) checkPassword(id, password string, success AuditAction) error {
	var op Operator
	if err := d.Store.View(func(tx Tx) (err error) { op, err = tx.Operator(id); return err }); err != nil {
		return fmt.Errorf("check password: %w", err)
	}
	ok, err := VerifySecret(op.PasswordHash, []byte(password))
	if err != nil {
		return fmt.Errorf("check password of %s: %w", id, err)
	}
	now := d.Now()
	refused := op.Disabled || op.Locked(now)
	err = d.Store.Update(func(tx Tx) error {
		op, err := tx.Operator(id) // read again: another login may have counted
		if err != nil {
			return err
		}
		sede, err := tx.Sede()
		if err != nil {
			return err
		}
		switch {
		case ok && !refused:
			op.FailedLogins, op.LockedUntil, op.LastLogin = 0, time.Time{}, now
			if success != "" {
				if err := appendAudit(tx, now, sede.Code, op.ID, AuditEntry{Action: success}); err != nil {
					return err
				}
			}
		case !ok:
			op.failed(now)
			detail := fmt.Sprintf("tentativo %d", op.FailedLogins)
			if op.Locked(now) {
				detail += ", bloccato fino alle " + op.LockedUntil.Format("15:04:05")
			}
			if err := appendAudit(tx, now, sede.Code, op.ID, AuditEntry{Action: ActionLoginFailed, Detail: detail}); err != nil {
				return err
			}
			if op.Locked(now) { // locked, or for longer: the sede's other desks hold it too
				if err := d.enqueueLocked(tx, sede.Code, now, op); err != nil {
					return err
				}
			}
		default:
			return nil // right password on a locked or disabled account: nothing to record
		}
		return tx.PutOperator(op)
	})
	if err != nil {
		return fmt.Errorf("record login of %s: %w", id, err)
	}
	if !ok || refused {
		return ErrBadCredentials
	}
	return nil
}
