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

// Setup creates the sede and its first supervisor, on first run, and
// enqueues both for the sede's other desks (EventSedeSetUp, and
// EventOperatorAdded with the password hash, never the password): a desk
// that joins the sede later pulls them (Desk.ApplyPulled) and needs no
// set-up of its own. The events' IDs are fixed (SetUpEventID): the same
// set-up made again at a second desk is a duplicate at the central
// records, and the first stays.
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
		if err := appendAudit(tx, now, sede.Code, op.ID,
			AuditEntry{Action: ActionSetup, Detail: sede.Code + " " + sede.Name},
			AuditEntry{Action: ActionOperatorAdded, Detail: op.ID + " " + string(op.Role)}); err != nil {
			return err
		}
		if err := tx.Enqueue(Event{ID: SetUpEventID, Kind: EventSedeSetUp, Time: now, Sede: sede.Code, SetUp: &sede, Actor: op.ID}); err != nil {
			return err
		}
		acc := op.Shared()
		return tx.Enqueue(Event{ID: SetUpOperatorEventID(op.ID), Kind: EventOperatorAdded, Time: now, Sede: sede.Code, Operator: &acc, Actor: op.ID})
	})
}
