package pinsede

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"
)

// An issue commits its credential, then prints its slip, then records the
// print (or, when the print fails, revokes the credential): between the
// two an active PIN exists whose slip nobody holds. The transaction that
// commits the credential also keeps its Printing; the one that records
// the print, or the revocation, removes it. A Printing still kept when
// the desk starts is a print cut short (a crash, a power cut, the window
// closed or the program stopped mid-print): RecoverPrints treats it as a
// print that failed, and UnprintedSlips tells its operator at their next
// login, until they close the notice (ForgetUnprinted). Only this desk
// keeps them: a credential of another desk of the sede (applySedeEvent)
// has no print of its own here, and no Printing. A store restored from a
// copy made while a slip printed keeps that slip as printing, though its
// print went on after the copy: the restore marks it Restored
// (MarkRestored), and its PIN is left active, its outcome unknown to the
// copy, until its operator, told at their login, hands the envelope over
// or revokes the PIN.

// Printing is the slip of a credential committed whose print is not
// recorded yet. It holds nothing of the PIN.
type Printing struct {
	Credential    string        `json:"credential"`
	SlipSerial    string        `json:"slip_serial"`
	CodiceFiscale CodiceFiscale `json:"codice_fiscale"`
	// Operator is the id of the operator who issued the PIN.
	Operator string    `json:"operator"`
	Started  time.Time `json:"started"`
	// Draft is the operator's request in progress that the issue wiped,
	// kept again when the print is cut short, for a new attempt; nil for
	// a replaced slip, or when none was kept.
	Draft *Draft `json:"draft,omitempty"`
	// CutShort is when RecoverPrints revoked the credential, its print
	// cut short; zero while it prints. Its operator is told at their
	// next login (UnprintedSlips), until they close the notice.
	CutShort time.Time `json:"cut_short,omitzero"`
	// Restored is when the store was restored from a copy made while
	// the slip printed (MarkRestored): what came of the print, after the
	// copy, the store cannot know. Its PIN is left active (the envelope
	// may be with the citizen), RecoverPrints revokes nothing of it, its
	// handover is taken, and its operator is told at their next login;
	// zero for a slip printing on this store.
	Restored time.Time `json:"restored,omitzero"`
	// Told is when the operator closed the notice of a slip Restored:
	// the slip stays kept, for its PIN to be no orphan (recoverOrphans)
	// and its handover taken, until its PIN is handed over or no longer
	// active.
	Told time.Time `json:"told,omitzero"`
}

// Unprinted is a slip whose print was cut short, as its operator is told:
// its PIN was revoked (ReasonPrintFailed), and the citizen needs a new
// one.
type Unprinted struct {
	// Credential is the id of the credential revoked.
	Credential    string
	SlipSerial    string
	CodiceFiscale CodiceFiscale
	// Citizen is the citizen's name; empty when the sede has no record.
	Citizen string
	Issued  time.Time
	// Restored says the slip was printing when the copy the store was
	// restored from was made: its PIN was not revoked, and is valid if
	// the citizen has the envelope; if not, the operator revokes it.
	Restored bool
}

// MarkRestored marks, in tx, the slips a store restored from a copy
// keeps as printing (their print started before the copy, and what came
// of it after is not in the copy) as Restored at now, the restore's
// time, and returns them: the restore (local.Restore) calls it in the
// write that puts the copy in place, so that the next start revokes
// none of their PINs. Slips already cut short, or already restored, are
// left as they are.
func MarkRestored(tx PrintTx, now time.Time) ([]Printing, error) {
	ps, err := tx.Printing()
	if err != nil {
		return nil, err
	}
	var out []Printing
	for _, p := range ps {
		if !p.CutShort.IsZero() || !p.Restored.IsZero() {
			continue
		}
		p.Restored = now
		if err := tx.PutPrinting(p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// detailCutShort is the audit detail of the revocation of a PIN whose
// print was cut short, where a failed print has the printer's error;
// detailNeverRecorded that of a PIN a desk of before the slips were kept
// as printing left with no print recorded (recoverOrphans). The envelope
// may have printed: it is void.
const (
	detailCutShort      = "stampa non registrata: lo sportello si è chiuso durante la stampa o prima di registrarla; la busta, se stampata, non vale"
	detailNeverRecorded = "stampa mai registrata da una versione precedente dello sportello; la busta, se stampata, non vale"
)

// errPrinterPanic is the print's error when the printer panicked.
var errPrinterPanic = errors.New("the printer stopped on an internal error")

// startPrint keeps, in the transaction that commits cred at now, its slip
// as printing; draft is the request in progress the issue wiped, or nil.
func startPrint(tx PrintTx, cred Credential, now time.Time, draft *Draft) error {
	return tx.PutPrinting(Printing{
		Credential: cred.ID, SlipSerial: cred.SlipSerial, CodiceFiscale: cred.CodiceFiscale,
		Operator: cred.IssuedBy, Started: now, Draft: draft,
	})
}

// endPrint removes, in the transaction that records the print of the
// credential id or revokes it, its slip kept as printing. It reports
// false when there was none, RecoverPrints having taken it: the
// transaction then writes nothing.
func endPrint(tx PrintTx, id string) (bool, error) {
	ps, err := tx.Printing()
	if err != nil {
		return false, err
	}
	if !slices.ContainsFunc(ps, func(p Printing) bool { return p.Credential == id && p.CutShort.IsZero() && p.Restored.IsZero() }) {
		return false, nil
	}
	return true, tx.DeletePrinting(id)
}

// printSlip has the printer print slip, turning a panic into an error
// that names no data of the slip (its value names only its type, unless
// it is the runtime's own): the credential is committed already, and a
// panic that left it active would leave a PIN nobody holds.
func (d *Desk) printSlip(ctx context.Context, slip Slip) (err error) {
	defer func() {
		switch p := recover().(type) {
		case nil:
		case runtime.Error:
			err = fmt.Errorf("%w: %v", errPrinterPanic, p)
		default:
			err = fmt.Errorf("%w: panic (%T)", errPrinterPanic, p)
		}
	}()
	return d.Printer.PrintSlip(ctx, slip)
}

// RecoverPrints revokes the credentials of this desk whose print was cut
// short, as a print that failed: each is revoked with ReasonPrintFailed,
// with its audit entry (ActionPrintFailed) and its outbox event, by the
// operator who issued it; the request that operator had in progress is
// kept again as their draft, unless they keep a newer one; and the slip
// waits for their next login (UnprintedSlips). So are the orphans a desk
// of before the slips were kept left (recoverOrphans), looked for once a
// store: the transaction that looks marks the store (OrphansChecked), and
// from then on every issue keeps its slip as printing, so none can come
// (a copy of a store of before, restored, has no mark: its start looks
// again). Looking decoded every active credential at each start (13,000
// at a desk of a year: 40 MiB and 0.7 s). A slip restored
// as printing (MarkRestored) is left active, and forgotten once its PIN
// is handed over or no longer active. All in one
// transaction. The desk runs it at start, before anyone logs in. It
// returns how many it revoked.
func (d *Desk) RecoverPrints() (int, error) {
	now := d.Now()
	n := 0
	err := d.Store.Update(func(tx Tx) error {
		n = 0
		checked, err := tx.OrphansChecked()
		if err != nil {
			return err
		}
		sede, err := tx.Sede()
		if errors.Is(err, ErrNotFound) { // not set up: nothing issued, no orphan to come
			if checked {
				return nil
			}
			return tx.SetOrphansChecked(true)
		}
		if err != nil {
			return err
		}
		if !checked {
			if n, err = d.recoverOrphans(tx, sede, now); err != nil {
				return err
			}
			if err := tx.SetOrphansChecked(true); err != nil {
				return err
			}
		}
		ps, err := tx.Printing()
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !p.Restored.IsZero() {
				if err := dropSettled(tx, p, now); err != nil {
					return fmt.Errorf("slip %s: %w", p.SlipSerial, err)
				}
				continue
			}
			if !p.CutShort.IsZero() {
				continue
			}
			revoked, err := d.cutShort(tx, sede, p, now)
			if err != nil {
				return fmt.Errorf("slip %s: %w", p.SlipSerial, err)
			}
			if revoked {
				n++
			}
			p.CutShort = now
			if err := tx.PutPrinting(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("recover the prints cut short: %w", err)
	}
	if n > 0 {
		d.notify()
	}
	return n, nil
}

// recoverOrphans revokes, in tx, the PINs this desk issued whose print
// was never recorded and that no slip kept as printing names: a desk of
// before the slips were kept (printing.go) left them so when its print
// was cut short. RecoverPrints runs it once a store. Each still active,
// of the sede, neither printed nor handed over, and issued or replaced
// by this desk (its audit says so) is revoked as a print cut short, by
// the operator who issued it, and kept as cut short for that operator's
// next login. A credential another desk
// of the sede issued (pulled: no print here) is not this desk's, and one
// handed over has its envelope with the citizen: both are left as they
// are. It looks at the credentials that may still be active (those
// expiring from today on) and returns how many it revoked.
func (d *Desk) recoverOrphans(tx Tx, sede Sede, now time.Time) (int, error) {
	today := DateOf(now.Local())
	creds, err := tx.Expiring(today, DateOf(Expiry(now).Local().AddDate(0, 0, orphanMarginDays)))
	if err != nil {
		return 0, err
	}
	ps, err := tx.Printing()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range creds {
		if c.Sede != sede.Code || !c.PrintedAt.IsZero() || !c.HandedOverAt.IsZero() || c.Can(TransitionRevoke, now) != nil ||
			slices.ContainsFunc(ps, func(p Printing) bool { return p.Credential == c.ID }) {
			continue
		}
		switch err := d.printed(tx, c); { // handover.go: this desk's issue, never printed
		case err == nil:
			continue
		case !errors.Is(err, ErrNotPrinted):
			return 0, fmt.Errorf("slip %s: %w", c.SlipSerial, err)
		}
		p := Printing{Credential: c.ID, SlipSerial: c.SlipSerial, CodiceFiscale: c.CodiceFiscale, Operator: c.IssuedBy, Started: c.IssuedAt}
		if _, err := d.revokeCutShort(tx, sede, p, now, detailNeverRecorded); err != nil {
			return 0, fmt.Errorf("slip %s: %w", c.SlipSerial, err)
		}
		p.CutShort = now
		if err := tx.PutPrinting(p); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// dropSettled forgets, in tx, the slip p restored as printing once its
// PIN is settled: handed over, or no longer active (revoked, expired,
// gone). Until then it stays kept, even once told.
func dropSettled(tx Tx, p Printing, now time.Time) error {
	c, err := tx.Credential(p.Credential)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	case restoredOpen(c, now):
		return nil
	}
	return tx.DeletePrinting(p.Credential)
}

// restoredOpen reports whether c, the credential of a slip restored as
// printing, is still to be settled: active and not handed over.
func restoredOpen(c Credential, now time.Time) bool {
	return c.HandedOverAt.IsZero() && c.Can(TransitionRevoke, now) == nil
}

// orphanMarginDays is how many days past the longest validity of a PIN
// issued now recoverOrphans looks, for one issued on a clock that ran
// ahead.
const orphanMarginDays = 31

// cutShort revokes, in tx, the credential of p, whose print was cut
// short, and keeps its operator's request again; it reports whether it
// revoked it (a credential no longer active is left as it is).
func (d *Desk) cutShort(tx Tx, sede Sede, p Printing, now time.Time) (bool, error) {
	if p.Draft != nil {
		switch _, err := tx.Draft(p.Operator); {
		case errors.Is(err, ErrNotFound):
			dr := *p.Draft
			dr.Saved = now // offered at the operator's next login, even on a later day
			if err := tx.PutDraft(dr); err != nil {
				return false, err
			}
		case err != nil:
			return false, err
		}
	}
	return d.revokeCutShort(tx, sede, p, now, detailCutShort)
}

// revokeCutShort revokes, in tx, the credential of p, whose print was
// cut short, by its operator, with the audit detail detail; it reports
// whether it revoked it (a credential no longer active, or printed, is
// left as it is).
func (d *Desk) revokeCutShort(tx Tx, sede Sede, p Printing, now time.Time, detail string) (bool, error) {
	cred, err := tx.Credential(p.Credential)
	if err != nil {
		return false, err
	}
	if cred.Can(TransitionRevoke, now) != nil || !cred.PrintedAt.IsZero() {
		return false, nil
	}
	op, err := tx.Operator(p.Operator)
	if errors.Is(err, ErrNotFound) {
		op, err = Operator{ID: p.Operator}, nil
	}
	if err != nil {
		return false, err
	}
	s := &Session{Operator: op, Sede: sede, Desk: d.DeskID, Started: now}
	cred.revoke(now, s.Actor(), ReasonPrintFailed)
	return true, d.record(tx, s, now, cred, ActionPrintFailed, EventRevoked, detail)
}

// UnprintedSlips returns the slips of the session's operator whose print
// was cut short (RecoverPrints), and those restored as printing whose PIN
// is still active and not handed over (Unprinted.Restored): the desk tells the operator at their
// login, at each until they close the notice (ForgetUnprinted). A notice
// closed otherwise (a colleague's Esci on the lock, the desk closed) is
// told again.
func (d *Desk) UnprintedSlips(s *Session) ([]Unprinted, error) {
	now := d.Now()
	var out []Unprinted
	err := d.update(s, func(tx Tx) error {
		out = nil
		ps, err := tx.Printing()
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Operator != s.Actor() {
				continue
			}
			switch tell, err := toTell(tx, p, now); {
			case err != nil:
				return err
			case !tell:
				continue
			}
			u := Unprinted{Credential: p.Credential, SlipSerial: p.SlipSerial, CodiceFiscale: p.CodiceFiscale, Issued: p.Started,
				Restored: !p.Restored.IsZero()}
			switch cit, err := tx.Citizen(p.CodiceFiscale); {
			case err == nil:
				u.Citizen = cit.Request.FullName()
			case !errors.Is(err, ErrNotFound):
				return err
			}
			out = append(out, u)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("slips not printed of %s: %w", s.Actor(), err)
	}
	return out, nil
}

// toTell reports whether the operator of p is told of it at the login:
// a slip cut short, until told; a slip restored as printing, until told,
// while its PIN is still to be settled.
func toTell(tx Tx, p Printing, now time.Time) (bool, error) {
	if p.Restored.IsZero() {
		return !p.CutShort.IsZero(), nil
	}
	if !p.Told.IsZero() {
		return false, nil
	}
	switch c, err := tx.Credential(p.Credential); {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	default:
		return restoredOpen(c, now), nil
	}
}

// ForgetUnprinted forgets the slips un (UnprintedSlips), told to the
// session's operator, who closed the notice: they are not told again.
func (d *Desk) ForgetUnprinted(s *Session, un []Unprinted) error {
	now := d.Now()
	err := d.Store.Update(func(tx Tx) error {
		ps, err := tx.Printing()
		if err != nil {
			return err
		}
		for _, p := range ps {
			if (p.CutShort.IsZero() && p.Restored.IsZero()) || p.Operator != s.Actor() ||
				!slices.ContainsFunc(un, func(u Unprinted) bool { return u.Credential == p.Credential }) {
				continue
			}
			if !p.Restored.IsZero() { // kept until its PIN is settled (dropSettled)
				if p.Told.IsZero() {
					p.Told = now
					if err := tx.PutPrinting(p); err != nil {
						return err
					}
				}
				continue
			}
			if err := tx.DeletePrinting(p.Credential); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget the slips not printed told to %s: %w", s.Actor(), err)
	}
	return nil
}
