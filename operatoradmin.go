package pinsede

import (
	"errors"
	"fmt"
	"time"
)

// ErrSamePassword is returned by ChangePassword when the new password is
// the one it replaces.
var ErrSamePassword = errors.New("the new password is the one it replaces")

// EnableOperator enables a disabled operator account again. Supervisors
// only; audited as ActionOperatorOn.
func (d *Desk) EnableOperator(s *Session, id string) error {
	return d.adminOperator(s, id, ActionOperatorOn, func(op *Operator) bool {
		if !op.Disabled {
			return false
		}
		op.Disabled = false
		return true
	})
}

// UnlockOperator lifts the lock-out of an account locked by failed logins
// and forgets the failures, here and at the sede's other desks, whose
// counts may differ (failures they typed or pulled that this desk has not
// pulled yet): it is recorded even when this desk holds no lock-out.
// Supervisors only; audited as ActionOperatorUnlock.
func (d *Desk) UnlockOperator(s *Session, id string) error {
	return d.adminOperator(s, id, ActionOperatorUnlock, func(op *Operator) bool {
		op.FailedLogins, op.LockedUntil = 0, time.Time{}
		return true
	})
}

// ResetPassword gives an operator who forgot their password a temporary
// one, which they replace at their next login (MustChangePassword), and
// lifts their lock-out. A supervisor cannot reset their own (they change
// it). Supervisors only; audited as ActionPasswordReset; the password is
// in no audit entry.
func (d *Desk) ResetPassword(s *Session, id, temporary string) error {
	if len([]rune(temporary)) < MinPasswordLength {
		return FieldErrors{{Field: FieldPassword, Key: KeyPasswordShort, Args: map[string]any{"Min": MinPasswordLength}}}
	}
	if id == s.Actor() {
		return ErrForbidden
	}
	hash, err := HashSecret([]byte(temporary), d.PasswordParams, d.Rand)
	if err != nil {
		return fmt.Errorf("reset password of %s: %w", id, err)
	}
	return d.adminOperator(s, id, ActionPasswordReset, func(op *Operator) bool {
		op.PasswordHash, op.MustChangePassword = hash, true
		op.FailedLogins, op.LockedUntil = 0, time.Time{}
		return true
	})
}

// ChangePassword sets the session's operator's password, after checking
// the current one (a failure counts as a failed login), and clears
// MustChangePassword. Audited as ActionPasswordChanged. An empty current
// password is not a failure: it returns ErrNoPassword and counts nothing.
func (d *Desk) ChangePassword(s *Session, current, next string) error {
	if current == "" {
		return ErrNoPassword
	}
	if len([]rune(next)) < MinPasswordLength {
		return FieldErrors{{Field: FieldPassword, Key: KeyPasswordShort, Args: map[string]any{"Min": MinPasswordLength}}}
	}
	if next == current {
		return ErrSamePassword
	}
	if err := d.checkPassword(s.Operator.ID, current, "", nil); err != nil {
		return err
	}
	hash, err := HashSecret([]byte(next), d.PasswordParams, d.Rand)
	if err != nil {
		return fmt.Errorf("change password of %s: %w", s.Operator.ID, err)
	}
	now := d.Now()
	err = d.update(s, func(tx Tx) error {
		op, err := tx.Operator(s.Operator.ID)
		if err != nil {
			return err
		}
		op.PasswordHash, op.MustChangePassword = hash, false
		if err := tx.PutOperator(op); err != nil {
			return err
		}
		if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionPasswordChanged, Detail: op.ID}); err != nil {
			return err
		}
		return d.enqueueOperator(tx, s, now, EventOperatorPasswordChanged, op)
	})
	if err != nil {
		return fmt.Errorf("change password of %s: %w", s.Operator.ID, err)
	}
	s.Operator.PasswordHash, s.Operator.MustChangePassword = hash, false // the session goes on (checkSession)
	return nil
}

// adminOperator applies change to the account id, audits it as action
// and enqueues its event for the sede's other desks (the operator.* kind
// of action), in one transaction, when change reports that it changed
// something. Supervisors only.
func (d *Desk) adminOperator(s *Session, id string, action AuditAction, change func(*Operator) bool) error {
	if !s.IsSupervisor() {
		return ErrForbidden
	}
	now := d.Now()
	err := d.update(s, func(tx Tx) error {
		op, err := tx.Operator(id)
		if err != nil {
			return err
		}
		held := op
		if !change(&op) {
			return nil
		}
		op.countEnded(held) // a reset ends its sessions
		if err := tx.PutOperator(op); err != nil {
			return err
		}
		if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: action, Detail: op.ID}); err != nil {
			return err
		}
		return d.enqueueOperator(tx, s, now, EventKind(action), op)
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, id, err)
	}
	return nil
}

// AddOperator creates an operator account. Supervisors only. Its
// password is a temporary one, as after a reset (MustChangePassword): the
// new operator chooses their own at the first login, so that the
// supervisor who created the account does not know it (they could
// approve in a colleague's name, approve). The account, with its password
// hash, goes to the sede's other desks (EventOperatorAdded), as every
// change below does.
func (d *Desk) AddOperator(s *Session, n NewOperator) error {
	if !s.IsSupervisor() {
		return ErrForbidden
	}
	if es := n.Validate(); len(es) > 0 {
		return es
	}
	hash, err := HashSecret([]byte(n.Password), d.PasswordParams, d.Rand)
	if err != nil {
		return err
	}
	now := d.Now()
	return d.update(s, func(tx Tx) error {
		if _, err := tx.Operator(n.ID); err == nil {
			return FieldErrors{{Field: FieldOperatorID, Key: "err.operator.exists"}}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		op := Operator{ID: n.ID, Name: n.Name, Role: n.Role, PasswordHash: hash, MustChangePassword: true, CreatedAt: now}
		if err := tx.PutOperator(op); err != nil {
			return err
		}
		if err := appendAudit(tx, now, s.Sede.Code, s.Actor(),
			AuditEntry{Action: ActionOperatorAdded, Detail: op.ID + " " + string(op.Role)}); err != nil {
			return err
		}
		return d.enqueueOperator(tx, s, now, EventOperatorAdded, op)
	})
}

// DisableOperator disables an operator account: it can no longer log in.
// The last active supervisor cannot be disabled. Supervisors only.
func (d *Desk) DisableOperator(s *Session, id string) error {
	if !s.IsSupervisor() {
		return ErrForbidden
	}
	now := d.Now()
	return d.update(s, func(tx Tx) error {
		op, err := tx.Operator(id)
		if err != nil {
			return fmt.Errorf("disable operator %s: %w", id, err)
		}
		if op.Disabled {
			return nil
		}
		if op.Role == RoleSupervisore {
			ops, err := tx.Operators()
			if err != nil {
				return err
			}
			active := 0
			for _, o := range ops {
				if o.Role == RoleSupervisore && !o.Disabled {
					active++
				}
			}
			if active <= 1 {
				return ErrLastSupervisor
			}
		}
		held := op
		op.Disabled = true
		op.countEnded(held) // its sessions end, though enabled again
		if err := tx.PutOperator(op); err != nil {
			return err
		}
		if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionOperatorOff, Detail: op.ID}); err != nil {
			return err
		}
		return d.enqueueOperator(tx, s, now, EventOperatorDisabled, op)
	})
}

// Operators lists the operator accounts. Supervisors only.
func (d *Desk) Operators(s *Session) ([]Operator, error) {
	if !s.IsSupervisor() {
		return nil, ErrForbidden
	}
	var ops []Operator
	err := d.view(s, func(tx Tx) (err error) { ops, err = tx.Operators(); return err })
	return ops, err
}
