package pinsede

import (
	"errors"
	"fmt"
)

// Approval is a supervisor's consent to an action, given on the desk's
// screen with the supervisor's own id and password.
type Approval struct {
	SupervisorID string
	Password     string
}

// approve checks a supervisor's approval of an action of session s: the
// approver is someone else, the password is right (failures count, as
// the approver's, audited as asked by s), the account is an active
// supervisor's, and the password is one they chose: a temporary one (a
// new account, a reset) is known to the colleague who set it, who could
// approve in their name: ErrApproverTemporary. An empty password counts
// for nothing: ErrNoPassword.
func (d *Desk) approve(s *Session, a Approval) error {
	if a.SupervisorID == s.Operator.ID {
		return ErrSameApprover
	}
	if a.Password == "" { // whoever SupervisorID names
		return ErrNoPassword
	}
	var op Operator
	err := d.view(s, func(tx Tx) (err error) { op, err = tx.Operator(a.SupervisorID); return err })
	switch {
	case errors.Is(err, ErrNotFound):
		VerifySecret(dummyHash(), []byte(a.Password))
		return ErrBadCredentials
	case err != nil:
		return fmt.Errorf("approval: %w", err)
	}
	if err := d.checkPassword(op.ID, a.Password, "", s); err != nil {
		return fmt.Errorf("approval by %s: %w", op.ID, err)
	}
	if op.Role != RoleSupervisore {
		return fmt.Errorf("approval by %s: %w", op.ID, ErrForbidden)
	}
	if op.MustChangePassword {
		return fmt.Errorf("approval by %s: %w", op.ID, ErrApproverTemporary)
	}
	return nil
}
