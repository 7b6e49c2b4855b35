package pinsede

import "errors"

// NeedsSetup reports whether the sede and its first supervisor are still to
// be created.
func (d *Desk) NeedsSetup() (bool, error) {
	err := d.Store.View(func(tx Tx) error {
		_, err := tx.Sede()
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return true, nil
	}
	return false, err
}

// Setup creates the sede and its first supervisor, on first run.
func (d *Desk) Setup(sede Sede, first NewOperator) error {
	first.Role = RoleSupervisore
	if es := append(sede.Validate(), first.Validate()...); len(es) > 0 {
		return es
	}
	hash, err := HashSecret([]byte(first.Password), d.PasswordParams, d.Rand)
	if err != nil {
		return err
	}
	now := d.Now()
	return d.Store.Update(func(tx Tx) error {
		if _, err := tx.Sede(); err == nil {
			return ErrAlreadySetUp
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := tx.SetSede(sede); err != nil {
			return err
		}
		op := Operator{ID: first.ID, Name: first.Name, Role: RoleSupervisore, PasswordHash: hash, CreatedAt: now}
		if err := tx.PutOperator(op); err != nil {
			return err
		}
		return appendAudit(tx, now, sede.Code, op.ID,
			AuditEntry{Action: ActionSetup, Detail: sede.Code + " " + sede.Name},
			AuditEntry{Action: ActionOperatorAdded, Detail: op.ID + " " + string(op.Role)})
	})
}
