package pinsede

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ActionReconciliation records that an operator drew up the end-of-day
// reconciliation of a day; the detail is the day.
const ActionReconciliation AuditAction = "report.reconciliation"

// ReconciliationRow is one operator's line of the reconciliation: what the
// audit chain says the operator did on the day.
type ReconciliationRow struct {
	Operator string // id
	Name     string // the operator's name; the id when the account is gone
	// Printed counts the slips printed (ActionPrinted).
	Printed int
	// Issued counts the PINs issued (ActionIssued).
	Issued int
	// Voided counts the PINs revoked at once because the slip did not
	// print (ActionPrintFailed).
	Voided int
	// Revoked counts the revocations (ActionRevoked), including those of a
	// PIN replaced by a new one or by a new slip.
	Revoked int
	// Replaced counts the slips replaced by a new one (ActionSlipReplaced).
	Replaced int
	// HandedOver counts the envelopes handed to the citizen
	// (ActionHandedOver).
	HandedOver int
}

// Unhanded is a slip issued and printed on a day and not handed over to the
// citizen: a mismatch of the reconciliation, or one still to hand over
// today (PendingHandovers).
type Unhanded struct {
	SlipSerial    string
	Credential    string
	CodiceFiscale CodiceFiscale
	Citizen       string // the citizen's name; empty when the sede has no record
	// Operator is the id of the operator who issued the PIN.
	Operator string
	Printed  time.Time
}

// Reconciliation is the end-of-day reconciliation of a sede: per operator,
// the slips printed, PINs issued, voided, revoked, replaced and handed over
// on Day, and the slips printed and never handed over, for two people to
// check and sign.
type Reconciliation struct {
	Sede Sede
	Day  Date
	// Rows are by operator id.
	Rows []ReconciliationRow
	// Total sums the rows; its Operator and Name are empty.
	Total ReconciliationRow
	// Mismatches are by slip serial.
	Mismatches []Unhanded
	// DrawnBy is the name of the operator who drew it up, at DrawnAt.
	DrawnBy string
	DrawnAt time.Time
}

// Reconciliation draws up the end-of-day reconciliation of day (local time)
// for the session's sede, and audits it (ActionReconciliation). Any operator
// may draw it up; a supervisor countersigns the printed copy.
//
// The counts come from the day's audit entries (Tx.AuditOn), by actor,
// of the acts of this desk (Desk.DeskID): not those of the sede's other
// desks that it pulled (ChangeSedeEvent).
// The mismatches are the credentials issued on day whose slip was printed
// and never handed over, except a slip replaced because it was lost or
// spoiled (the replacement is in the list when it too was not handed
// over).
func (d *Desk) Reconciliation(s *Session, day Date) (Reconciliation, error) {
	wrap := func(err error) error { return fmt.Errorf("reconciliation of %s: %w", day, err) }
	rows := map[string]*ReconciliationRow{}
	row := func(id string) *ReconciliationRow {
		if rows[id] == nil {
			rows[id] = &ReconciliationRow{Operator: id, Name: id}
		}
		return rows[id]
	}
	var entries []AuditEntry
	err := d.Store.View(func(tx Tx) (err error) {
		entries, err = tx.AuditOn(day)
		return err
	})
	if err != nil {
		return Reconciliation{}, wrap(err)
	}
	for _, e := range entries {
		if e.Sede != "" && e.Sede != s.Sede.Code || e.Desk != "" && e.Desk != d.DeskID {
			continue // another sede's, or another desk's act pulled here
		}
		switch e.Action {
		case ActionPrinted:
			row(e.Actor).Printed++
		case ActionIssued:
			row(e.Actor).Issued++
		case ActionPrintFailed:
			row(e.Actor).Voided++
		case ActionRevoked:
			row(e.Actor).Revoked++
		case ActionSlipReplaced:
			row(e.Actor).Replaced++
		case ActionHandedOver:
			row(e.Actor).HandedOver++
		}
	}
	now := d.Now()
	r := Reconciliation{Sede: s.Sede, Day: day, DrawnBy: s.Operator.Name, DrawnAt: now}
	err = d.Store.Update(func(tx Tx) error {
		for id, rw := range rows {
			if op, err := tx.Operator(id); err == nil && op.Name != "" {
				rw.Name = op.Name
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			r.Rows = append(r.Rows, *rw)
		}
		creds, err := tx.IssuedOn(day)
		if err != nil {
			return err
		}
		for _, c := range creds {
			if c.Sede != s.Sede.Code || c.PrintedAt.IsZero() || !c.HandedOverAt.IsZero() ||
				c.RevokeReason == ReasonSlipLost || c.RevokeReason == ReasonSlipSpoiled {
				continue
			}
			u, err := unhanded(tx, c)
			if err != nil {
				return err
			}
			r.Mismatches = append(r.Mismatches, u)
		}
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionReconciliation, Detail: day.String()})
	})
	if err != nil {
		return Reconciliation{}, wrap(err)
	}
	slices.SortFunc(r.Rows, func(a, b ReconciliationRow) int { return strings.Compare(a.Operator, b.Operator) })
	slices.SortFunc(r.Mismatches, func(a, b Unhanded) int { return strings.Compare(a.SlipSerial, b.SlipSerial) })
	for _, rw := range r.Rows {
		r.Total.Printed += rw.Printed
		r.Total.Issued += rw.Issued
		r.Total.Voided += rw.Voided
		r.Total.Revoked += rw.Revoked
		r.Total.Replaced += rw.Replaced
		r.Total.HandedOver += rw.HandedOver
	}
	return r, nil
}

// PrintReconciliation draws up the reconciliation of day (see
// Reconciliation, which audits it), renders it and prints it. It needs
// Forms and Documents (ErrNoPrinter without them); a print that fails is
// a *Problem with KeyPrintFailed. It returns the reconciliation printed.
func (d *Desk) PrintReconciliation(ctx context.Context, s *Session, day Date) (Reconciliation, error) {
	if d.Forms == nil || d.Documents == nil {
		return Reconciliation{}, ErrNoPrinter
	}
	r, err := d.Reconciliation(s, day)
	if err != nil {
		return Reconciliation{}, err
	}
	pdf, err := d.Forms.RenderReconciliation(r)
	if err != nil {
		return r, fmt.Errorf("print reconciliation: %w", err)
	}
	if err := d.Documents.PrintDocument(ctx, "riconciliazione-"+s.Sede.Code+"-"+day.String(), pdf); err != nil {
		return r, &Problem{Key: KeyPrintFailed, Err: fmt.Errorf("print reconciliation: %w", err)}
	}
	return r, nil
}
