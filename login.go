package pinsede

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
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
// ErrBadCredentials, so the answer reveals nothing. An empty password
// returns ErrNoPassword, whatever the id, and counts for nothing.
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
	case password == "": // whoever id names: the answer tells nothing of it
		return nil, ErrNoPassword
	case errors.Is(err, ErrNotFound):
		VerifySecret(dummyHash(), []byte(password))
		return nil, ErrBadCredentials
	case err != nil:
		return nil, err
	}
	if err := d.checkPassword(op.ID, password, ActionLogin, nil); err != nil {
		return nil, err
	}
	return &Session{Operator: op, Sede: sede, Desk: d.DeskID, Started: d.Now()}, nil
}

// LockEventID returns the ID of the EventOperatorLocked that the failed
// login of event failure (an EventOperatorLoginFailed's ID) causes: a
// desk where the sede's count of failures reaches the lock-out sends it,
// whether the failure was typed there or pulled, and every desk that
// reaches it by the same failure sends the same event, which the central
// records keep once.
func LockEventID(failure string) string {
	sum := sha256.Sum256([]byte(failure))
	return "locked:" + hex.EncodeToString(sum[:16])
}

// enqueueLogin enqueues, in tx, the event of kind k (EventOperatorLogin,
// EventOperatorLoginFailed or EventOperatorLocked, with until) of id,
// about op's own login at at: the account as the sede shares it, with
// nothing of the password given.
func enqueueLogin(tx OutboxTx, id string, k EventKind, sede string, at time.Time, op Operator, until time.Time) error {
	acc := op.Shared()
	return tx.Enqueue(Event{ID: id, Kind: k, Time: at, Sede: sede, Operator: &acc, Actor: op.ID, Until: until})
}

// checkPassword verifies an operator's password, records the outcome on the
// account (failures, lock-out) and audits it. success is the action audited
// on success, or "" for none. The outcome goes to the sede's other desks,
// which count the failures with theirs: each failure (and the lock-out it
// causes), and a right password after failures.
//
// asker is the session that asked for the password as a supervisor's
// approval (approve), nil for the operator's own: a wrong one still
// counts towards the lock-out (it bounds whoever guesses a supervisor's
// password at a clerk's desk), its audit entry says who asked for it at
// which desk, and a right one is no login (LastLogin stays).
func (d *Desk) checkPassword(id, password string, success AuditAction, asker *Session) error {
	var op Operator
	if err := d.Store.View(func(tx Tx) (err error) { op, err = tx.Operator(id); return err }); err != nil {
		return fmt.Errorf("check password: %w", err)
	}
	verified := op.PasswordHash
	ok, err := VerifySecret(verified, []byte(password))
	if err != nil {
		return fmt.Errorf("check password of %s: %w", id, err)
	}
	now := d.Now()
	refused, sent := false, false
	err = d.Store.Update(func(tx Tx) error {
		op, err := tx.Operator(id) // read again: another login, or a pull, may have counted
		if err != nil {
			return err
		}
		sede, err := tx.Sede()
		if err != nil {
			return err
		}
		if op.PasswordHash != verified {
			refused = true
			return nil // a new password meanwhile: the one given was not checked against it
		}
		refused = op.Disabled || op.Locked(now)
		switch {
		case ok && !refused:
			if op.FailedLogins > 0 { // the sede's other desks stop counting them too
				eid, err := NewID(d.Rand)
				if err != nil {
					return err
				}
				if err := enqueueLogin(tx, eid, EventOperatorLogin, sede.Code, now, op, time.Time{}); err != nil {
					return err
				}
				sent = true
			}
			op.FailedLogins, op.LockedUntil = 0, time.Time{}
			if asker == nil {
				op.LastLogin = now
			}
			if success != "" {
				if err := appendAudit(tx, now, sede.Code, op.ID, AuditEntry{Action: success}); err != nil {
					return err
				}
			}
		case !ok:
			eid, err := NewID(d.Rand)
			if err != nil {
				return err
			}
			longer := op.failed(now)
			if err := appendAudit(tx, now, sede.Code, op.ID, AuditEntry{Action: ActionLoginFailed, Detail: failedDetail(op, now) + approvalDetail(asker)}); err != nil {
				return err
			}
			if err := enqueueLogin(tx, eid, EventOperatorLoginFailed, sede.Code, now, op, time.Time{}); err != nil {
				return err
			}
			if longer { // locked, or for longer: the sede's other desks hold it too
				if err := enqueueLogin(tx, LockEventID(eid), EventOperatorLocked, sede.Code, now, op, op.LockedUntil); err != nil {
					return err
				}
			}
			sent = true
		default:
			return nil // right password on a locked or disabled account: nothing to record
		}
		return tx.PutOperator(op)
	})
	if err != nil {
		return fmt.Errorf("record login of %s: %w", id, err)
	}
	if sent {
		d.notify()
	}
	if !ok || refused {
		return ErrBadCredentials
	}
	return nil
}

// approvalDetail is what the audit entry of a failed password adds when
// the password was typed as an approval asked by the session asker: who
// asked, at which desk. "" for the operator's own login.
func approvalDetail(asker *Session) string {
	if asker == nil {
		return ""
	}
	detail := ", approvazione chiesta da " + asker.Actor()
	if asker.Desk != "" {
		detail += " alla postazione " + asker.Desk
	}
	return detail
}

// failedDetail is the detail of the audit entry of a failed login that op
// counts, at now: the count, and the end of the lock-out in force.
func failedDetail(op Operator, now time.Time) string {
	detail := fmt.Sprintf("tentativo %d", op.FailedLogins)
	if op.Locked(now) {
		detail += ", bloccato fino alle " + op.LockedUntil.Format("15:04:05")
	}
	return detail
}
