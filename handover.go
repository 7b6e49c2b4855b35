package pinsede

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// RecordHandover records that the sealed envelope of a credential was handed
// to the citizen (consegnato). A credential this desk issued with no print
// recorded (its slip printing, or its print cut short) has no envelope:
// ErrNotPrinted. A credential of another sede or of the online channel
// (a copy converted here) was handed over where it was issued: a
// *Problem with KeyOtherSede (ErrOtherSede).
func (d *Desk) RecordHandover(s *Session, credentialID string) (Credential, error) {
	now := d.Now()
	var cred Credential
	err := d.update(s, func(tx Tx) error {
		var err error
		if cred, err = tx.Credential(credentialID); err != nil {
			return err
		}
		if cred.Sede != s.Sede.Code {
			return &Problem{Key: KeyOtherSede, Args: map[string]any{"Sede": cred.Sede}, Err: ErrOtherSede}
		}
		if err := cred.Can(TransitionHandOver, now); err != nil {
			return err
		}
		if err := d.printed(tx, cred); err != nil {
			return err
		}
		cred.HandedOverAt, cred.HandedOverBy = now, s.Actor()
		return d.record(tx, s, now, cred, ActionHandedOver, EventHandedOver, "busta "+cred.SlipSerial)
	})
	if err != nil {
		return Credential{}, fmt.Errorf("record handover of %s: %w", credentialID, err)
	}
	d.notify()
	return cred, nil
}

// PendingHandovers returns the slips the session's sede printed today
// (local time) whose envelope was not handed over and still can be: the
// home page lists them, so that a slip whose result screen was left (a
// crash, a new request, the idle lock) is still recorded as consegnato from
// the citizen's page. By slip serial.
func (d *Desk) PendingHandovers(s *Session) ([]Unhanded, error) {
	now := d.Now()
	var out []Unhanded
	err := d.view(s, func(tx Tx) error {
		creds, err := tx.IssuedOn(DateOf(now.Local()))
		if err != nil {
			return err
		}
		for _, c := range creds {
			if c.Sede != s.Sede.Code || c.Can(TransitionHandOver, now) != nil {
				continue
			}
			switch err := d.printed(tx, c); {
			case errors.Is(err, ErrNotPrinted):
				continue
			case err != nil:
				return err
			}
			u, err := unhanded(tx, c)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("slips to hand over: %w", err)
	}
	slices.SortFunc(out, func(a, b Unhanded) int { return strings.Compare(a.SlipSerial, b.SlipSerial) })
	return out, nil
}

// printed returns ErrNotPrinted when c, a credential this desk issued,
// has no envelope: its slip is kept as printing (printing.go), cut short
// or not, or it has no print recorded (a print cut short before the desk
// kept its slips as printing). A slip restored as printing from a copy
// (MarkRestored) is not refused. A credential of another desk of the sede
// has no print here, and is not refused: its issue's entry is another
// desk's (OfDesk), or names that desk in its detail (an entry pulled
// before pulled entries kept their time there, sedeDetail).
func (d *Desk) printed(tx Tx, c Credential) error {
	if !c.PrintedAt.IsZero() {
		return nil
	}
	ps, err := tx.Printing()
	if err != nil {
		return err
	}
	notPrinted := fmt.Errorf("slip %s: %w", c.SlipSerial, ErrNotPrinted)
	if i := slices.IndexFunc(ps, func(p Printing) bool { return p.Credential == c.ID }); i >= 0 {
		if !ps[i].Restored.IsZero() { // printing when the restored copy was made: the envelope held shows it printed
			return nil
		}
		return notPrinted
	}
	es, err := tx.AuditFor(c.CodiceFiscale)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.Credential == c.ID && (e.Action == ActionIssued || e.Action == ActionSlipReplaced) && e.OfDesk(d.DeskID) && !sedeDetail(e.Detail) {
			return notPrinted
		}
	}
	return nil
}

// unhanded describes the slip of c, with the citizen's name when the sede
// has a record of them.
func unhanded(tx RecordsTx, c Credential) (Unhanded, error) {
	u := Unhanded{SlipSerial: c.SlipSerial, Credential: c.ID, CodiceFiscale: c.CodiceFiscale, Operator: c.IssuedBy, Printed: c.PrintedAt, Issued: c.IssuedAt}
	switch cit, err := tx.Citizen(c.CodiceFiscale); {
	case err == nil:
		u.Citizen = cit.Request.FullName()
	case !errors.Is(err, ErrNotFound):
		return Unhanded{}, err
	}
	return u, nil
}
