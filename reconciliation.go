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

// ReconciliationScope is what a reconciliation covers.
type ReconciliationScope int

// The scopes.
const (
	// ScopeDesk covers the acts of the desk that draws it up: the report
	// of a desk on its own.
	ScopeDesk ReconciliationScope = iota
	// ScopeSede covers the acts of every desk of the sede that the desk
	// holds, per desk and per operator, as of its last pull.
	ScopeSede
)

// ReconciliationRow is one operator's line of the reconciliation: what the
// audit chain says the operator did on the day.
type ReconciliationRow struct {
	// Desk is the desk whose acts the row counts: Desk.DeskID in
	// ScopeDesk, any desk of the sede in ScopeSede ("" for a desk with no
	// desk id).
	Desk     string
	Operator string // id
	Name     string // the operator's name; the id when the account is gone
	// Printed counts the slips printed (ActionPrinted). The print is no
	// event: for another desk of the sede it counts the slips of its
	// issues and replacements that were not voided.
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
	// Desk is the desk that issued it and printed its slip, in a
	// reconciliation (Desk.DeskID's, or another desk's of the sede).
	Desk string
	// Printed is when the slip was printed; zero for a slip of another
	// desk, whose print this desk does not know. Issued is the PIN's
	// issue.
	Printed time.Time
	Issued  time.Time
}

// ReconciledDesk is a desk of the sede in a reconciliation of the sede
// (ScopeSede): its totals, and how recent the data held of it are.
type ReconciledDesk struct {
	Desk string // "" for a desk with no desk id
	// This is the desk that drew up the report: it holds all its acts.
	This bool
	// Total sums the desk's rows; its Operator and Name are empty.
	Total ReconciliationRow
	// LastEvent is the time of the latest event of the desk that this
	// desk pulled (LastPull.Desks): its acts up to then are here. Zero
	// for This, and for a desk of which it pulled none.
	LastEvent time.Time
	// Stale is set for another desk of which this desk holds no event
	// since the start of Day: what it did on Day may be missing.
	Stale bool
}

// Reconciliation is the end-of-day reconciliation of a sede: per operator,
// the slips printed, PINs issued, voided, revoked, replaced and handed over
// on Day, and the slips printed and never handed over, for two people to
// check and sign.
type Reconciliation struct {
	Sede Sede
	Day  Date
	// Scope is what it covers; Desk is the desk that drew it up
	// (Desk.DeskID).
	Scope ReconciliationScope
	Desk  string
	// Rows are by desk and operator id.
	Rows []ReconciliationRow
	// Total sums the rows; its Operator and Name are empty.
	Total ReconciliationRow
	// Mismatches are by slip serial.
	Mismatches []Unhanded
	// Desks are the desks of the sede, by desk id, in ScopeSede: those
	// with a row, those of which this desk ever pulled an event, and
	// this desk. Nil in ScopeDesk.
	Desks []ReconciledDesk
	// LastPull is when this desk last pulled the sede's records from the
	// central records, in ScopeSede; zero when it never did.
	LastPull time.Time
	// DrawnBy is the name of the operator who drew it up, at DrawnAt.
	DrawnBy string
	DrawnAt time.Time
}

// Reconciliation draws up the end-of-day reconciliation of day (local time)
// for the session's sede, of scope, and audits it (ActionReconciliation).
// Any operator may draw it up; a supervisor countersigns the printed copy.
//
// ScopeDesk counts, from the day's audit entries (Tx.AuditOn), by actor,
// the acts of this desk (Desk.DeskID): not those of the sede's other
// desks that it pulled (ChangeSedeEvent). Its mismatches are the
// credentials issued on day whose slip was printed here and never handed
// over, except a slip replaced because it was lost or spoiled (the
// replacement is in the list when it too was not handed over).
//
// ScopeSede counts, by desk and actor, this desk's acts and the other
// desks' acts it pulled whose time there (AuditEntry.At) is on day, even
// when pulled on a later day, and lists the slips never handed over of
// every desk: another desk's are those of its issues not voided. Desks
// and LastPull say as of when it holds each desk's acts (LastPull).
//
// A day after today, by the desk's clock, is refused (a Problem of
// KeyDateFuture): its reconciliation would say that nothing was issued
// on a day not yet begun.
func (d *Desk) Reconciliation(s *Session, day Date, scope ReconciliationScope) (Reconciliation, error) {
	if day.After(DateOf(d.Now())) {
		return Reconciliation{}, &Problem{Key: KeyDateFuture, Err: fmt.Errorf("reconciliation of %s: a day to come", day)}
	}
	if scope == ScopeSede {
		return d.reconcileSede(s, day)
	}
	wrap := func(err error) error { return fmt.Errorf("reconciliation of %s: %w", day, err) }
	rows := map[string]*ReconciliationRow{}
	row := func(id string) *ReconciliationRow {
		if rows[id] == nil {
			rows[id] = &ReconciliationRow{Operator: id, Name: id}
		}
		return rows[id]
	}
	var entries []AuditEntry
	err := d.view(s, func(tx Tx) (err error) {
		entries, err = tx.AuditOn(day)
		return err
	})
	if err != nil {
		return Reconciliation{}, wrap(err)
	}
	for _, e := range entries {
		if e.Sede != "" && e.Sede != s.Sede.Code || !ownAct(e, d.DeskID) {
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
	err = d.update(s, func(tx Tx) error {
		for _, rw := range rows {
			rw.Desk = d.DeskID
			if err := nameRow(tx, rw); err != nil {
				return err
			}
			r.Rows = append(r.Rows, *rw)
		}
		var err error
		r.Mismatches, err = unhandedOn(tx, s.Sede.Code, day, func(c Credential) (string, bool) {
			return d.DeskID, !c.PrintedAt.IsZero()
		})
		if err != nil {
			return err
		}
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionReconciliation, Detail: day.String()})
	})
	if err != nil {
		return Reconciliation{}, wrap(err)
	}
	slices.SortFunc(r.Rows, func(a, b ReconciliationRow) int { return strings.Compare(a.Operator, b.Operator) })
	slices.SortFunc(r.Mismatches, func(a, b Unhanded) int { return strings.Compare(a.SlipSerial, b.SlipSerial) })
	for _, rw := range r.Rows {
		r.Total.add(rw)
	}
	r.Desk = d.DeskID
	return r, nil
}

// unhandedOn returns, in tx, the slips of the credentials of sede issued
// on day and never handed over, except a slip replaced because it was
// lost or spoiled, that printed says were printed, and at which desk.
func unhandedOn(tx Tx, sede string, day Date, printed func(Credential) (desk string, ok bool)) ([]Unhanded, error) {
	creds, err := tx.IssuedOn(day)
	if err != nil {
		return nil, err
	}
	var out []Unhanded
	for _, c := range creds {
		if c.Sede != sede || !c.HandedOverAt.IsZero() || c.RevokeReason == ReasonSlipLost || c.RevokeReason == ReasonSlipSpoiled {
			continue
		}
		desk, ok := printed(c)
		if !ok {
			continue
		}
		u, err := unhanded(tx, c)
		if err != nil {
			return nil, err
		}
		u.Desk = desk
		out = append(out, u)
	}
	return out, nil
}

// ownAct reports whether e records an act of the desk desk, whose chain
// it is, rather than one of another desk of the sede pulled here: those
// name their desk, and keep their time there (At), which tells apart
// the acts of a desk with no desk id.
func ownAct(e AuditEntry, desk string) bool {
	return e.At.IsZero() && (e.Desk == "" || e.Desk == desk)
}

// nameRow gives rw its operator's name, in tx; the id stays when the
// account is gone.
func nameRow(tx SedeTx, rw *ReconciliationRow) error {
	op, err := tx.Operator(rw.Operator)
	switch {
	case err == nil && op.Name != "":
		rw.Name = op.Name
	case err != nil && !errors.Is(err, ErrNotFound):
		return err
	}
	return nil
}

// add adds the counts of o to r.
func (r *ReconciliationRow) add(o ReconciliationRow) {
	r.Printed += o.Printed
	r.Issued += o.Issued
	r.Voided += o.Voided
	r.Revoked += o.Revoked
	r.Replaced += o.Replaced
	r.HandedOver += o.HandedOver
}

// count counts an act of action a in r, and reports whether the
// reconciliation counts acts of a.
func (r *ReconciliationRow) count(a AuditAction) bool {
	switch a {
	case ActionPrinted:
		r.Printed++
	case ActionIssued:
		r.Issued++
	case ActionPrintFailed:
		r.Voided++
	case ActionRevoked:
		r.Revoked++
	case ActionSlipReplaced:
		r.Replaced++
	case ActionHandedOver:
		r.HandedOver++
	default:
		return false
	}
	return true
}

// reconcileSede is Reconciliation for ScopeSede.
func (d *Desk) reconcileSede(s *Session, day Date) (Reconciliation, error) {
	wrap := func(err error) error { return fmt.Errorf("reconciliation of the sede on %s: %w", day, err) }
	now := d.Now()
	type key struct{ desk, actor string }
	rows := map[key]*ReconciliationRow{}
	row := func(desk, id string) *ReconciliationRow {
		k := key{desk, id}
		if rows[k] == nil {
			rows[k] = &ReconciliationRow{Desk: desk, Operator: id, Name: id}
		}
		return rows[k]
	}
	credDesk := map[string]string{} // credential id: the desk that issued it
	var lp LastPull
	err := d.view(s, func(tx Tx) error {
		var err error
		if lp, err = tx.LastPull(); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		// Another desk's act of day may have been pulled on a later day:
		// the store indexes it by its day there too (AuditActedOn), so
		// the day's acts are read, not every day since. LastPull holds
		// the desks of the acts pulled on the days after: recordPull
		// keeps them in the transaction that applies them.
		entries, err := tx.AuditActedOn(day)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Sede != "" && e.Sede != s.Sede.Code {
				continue
			}
			own, at := ownAct(e, d.DeskID), e.Time
			if own {
				e.Desk = d.DeskID
			} else {
				if !e.At.IsZero() {
					at = e.At
				}
				if at.After(lp.Desks[e.Desk]) { // pulled before LastPull kept it
					if lp.Desks == nil {
						lp.Desks = map[string]time.Time{}
					}
					lp.Desks[e.Desk] = at
				}
			}
			if DateOf(at.Local()) != day {
				continue
			}
			var one ReconciliationRow
			if !one.count(e.Action) {
				continue
			}
			row(e.Desk, e.Actor).add(one)
			if e.Action == ActionIssued || e.Action == ActionSlipReplaced {
				credDesk[e.Credential] = e.Desk
			}
		}
		return nil
	})
	if err != nil {
		return Reconciliation{}, wrap(err)
	}
	r := Reconciliation{Sede: s.Sede, Day: day, Scope: ScopeSede, Desk: d.DeskID, DrawnBy: s.Operator.Name, DrawnAt: now, LastPull: lp.At}
	err = d.update(s, func(tx Tx) error {
		for _, rw := range rows {
			if rw.Desk != d.DeskID { // the print is no event: each slip not voided
				rw.Printed = max(0, rw.Issued+rw.Replaced-rw.Voided)
			}
			if err := nameRow(tx, rw); err != nil {
				return err
			}
			r.Rows = append(r.Rows, *rw)
		}
		var err error
		r.Mismatches, err = unhandedOn(tx, s.Sede.Code, day, func(c Credential) (string, bool) {
			if desk, known := credDesk[c.ID]; known && desk != d.DeskID {
				return desk, c.RevokeReason != ReasonPrintFailed // its print is not known here
			}
			return d.DeskID, !c.PrintedAt.IsZero()
		})
		if err != nil {
			return err
		}
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionReconciliation, Detail: day.String() + ", sede"})
	})
	if err != nil {
		return Reconciliation{}, wrap(err)
	}
	slices.SortFunc(r.Rows, func(a, b ReconciliationRow) int {
		if c := strings.Compare(a.Desk, b.Desk); c != 0 {
			return c
		}
		return strings.Compare(a.Operator, b.Operator)
	})
	slices.SortFunc(r.Mismatches, func(a, b Unhanded) int { return strings.Compare(a.SlipSerial, b.SlipSerial) })
	desks := map[string]*ReconciledDesk{d.DeskID: {Desk: d.DeskID, This: true}}
	for id, at := range lp.Desks {
		if id != d.DeskID {
			desks[id] = &ReconciledDesk{Desk: id, LastEvent: at}
		}
	}
	for _, rw := range r.Rows {
		if desks[rw.Desk] == nil {
			desks[rw.Desk] = &ReconciledDesk{Desk: rw.Desk}
		}
		desks[rw.Desk].Total.add(rw)
		r.Total.add(rw)
	}
	for _, dk := range desks {
		dk.Total.Desk = dk.Desk
		dk.Stale = !dk.This && DateOf(dk.LastEvent.Local()).Before(day)
		r.Desks = append(r.Desks, *dk)
	}
	slices.SortFunc(r.Desks, func(a, b ReconciledDesk) int { return strings.Compare(a.Desk, b.Desk) })
	return r, nil
}

// PrintReconciliation draws up the reconciliation of day of scope (see
// Reconciliation, which audits it), renders it and prints it. It needs
// Forms and Documents (ErrNoPrinter without them); a print that fails is
// a *Problem with KeyPrintFailed. It returns the reconciliation printed.
func (d *Desk) PrintReconciliation(ctx context.Context, s *Session, day Date, scope ReconciliationScope) (Reconciliation, error) {
	if d.Forms == nil || d.Documents == nil {
		return Reconciliation{}, ErrNoPrinter
	}
	r, err := d.Reconciliation(s, day, scope)
	if err != nil {
		return Reconciliation{}, err
	}
	pdf, err := d.Forms.RenderReconciliation(r)
	if err != nil {
		return r, fmt.Errorf("print reconciliation: %w", err)
	}
	title := "riconciliazione-" + s.Sede.Code + "-" + day.String()
	if scope == ScopeSede {
		title = "riconciliazione-sede-" + s.Sede.Code + "-" + day.String()
	}
	if err := d.Documents.PrintDocument(ctx, title, pdf); err != nil {
		return r, &Problem{Key: KeyPrintFailed, Err: fmt.Errorf("print reconciliation: %w", err)}
	}
	return r, nil
}
