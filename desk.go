package pinsede

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Desk holds the use cases of the sede's desk. The user interfaces call its
// methods and nothing else. Build one with NewDesk.
type Desk struct {
	Store   Store
	Printer SlipPrinter
	// Forms renders the MV35, archived with each new credential and
	// printed by PrintMV35; nil archives nothing.
	Forms FormRenderer
	// Documents prints the forms that hold no PIN; nil prints none.
	Documents DocumentPrinter
	// Now is the clock of every use case: the time of audit entries,
	// events and credentials, and the day rules are checked against.
	Now func() time.Time
	// Rand is the cryptographic source of PINs, salts and ids.
	Rand io.Reader
	// PINParams and PasswordParams are the argon2id costs of new hashes.
	PINParams      Argon2Params
	PasswordParams Argon2Params
	// Link is the connection to the central records; nil when there are
	// none (see Link).
	Link Link
	// Policy is the eligibility policy Issue applies; nil applies
	// DefaultPolicy.
	Policy *Policy
	// Policies gives the policy distributed by the central records, when
	// there are any: Issue applies it when its version is higher than
	// Policy's (see PolicySource).
	Policies PolicySource
	// Central looks citizens up at the central records (lookup.go); nil
	// when there are none.
	Central CentralRecords
	// DeskID names this desk PC within its sede, as its certificate for
	// the central records does (sync/pki); "" for a desk with none. The
	// program reads it from the certificate at start: the domain knows
	// it as a value only. Its sessions and slips carry it; the store
	// puts it in each audit entry and outbox event (local.Store.SetDesk).
	DeskID string
}

// NewDesk returns a Desk on store and printer with the clock now, the
// system's cryptographic source and the default hash costs. Programs pass
// time.Now; tests pass the suite's clock.
func NewDesk(store Store, printer SlipPrinter, now func() time.Time) *Desk {
	return &Desk{
		Store:          store,
		Printer:        printer,
		Now:            now,
		Rand:           rand.Reader,
		PINParams:      DefaultPINParams,
		PasswordParams: DefaultPasswordParams,
	}
}

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

// Unlock resumes a session locked for inactivity with the operator's
// password. Failures count towards the account's lock-out like a login's.
func (d *Desk) Unlock(s *Session, password string) error {
	return d.checkPassword(s.Operator.ID, password, "")
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

// AddOperator creates an operator account. Supervisors only.
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
	return d.Store.Update(func(tx Tx) error {
		if _, err := tx.Operator(n.ID); err == nil {
			return FieldErrors{{Field: FieldOperatorID, Key: "err.operator.exists"}}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		op := Operator{ID: n.ID, Name: n.Name, Role: n.Role, PasswordHash: hash, CreatedAt: now}
		if err := tx.PutOperator(op); err != nil {
			return err
		}
		return appendAudit(tx, now, s.Sede.Code, s.Actor(),
			AuditEntry{Action: ActionOperatorAdded, Detail: op.ID + " " + string(op.Role)})
	})
}

// DisableOperator disables an operator account: it can no longer log in.
// The last active supervisor cannot be disabled. Supervisors only.
func (d *Desk) DisableOperator(s *Session, id string) error {
	if !s.IsSupervisor() {
		return ErrForbidden
	}
	now := d.Now()
	return d.Store.Update(func(tx Tx) error {
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
		op.Disabled = true
		if err := tx.PutOperator(op); err != nil {
			return err
		}
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionOperatorOff, Detail: op.ID})
	})
}

// Operators lists the operator accounts. Supervisors only.
func (d *Desk) Operators(s *Session) ([]Operator, error) {
	if !s.IsSupervisor() {
		return nil, ErrForbidden
	}
	var ops []Operator
	err := d.Store.View(func(tx Tx) (err error) { ops, err = tx.Operators(); return err })
	return ops, err
}

// Issued is the outcome of an issue: the credential as stored. The PIN is
// not in it: it went to the printer.
type Issued struct {
	Credential Credential
	// Replaced are the credentials the new one revoked.
	Replaced []Credential
	// Pending is true when the central records could not be reached at
	// print time: the PIN activates when the link returns, and the slip
	// says so.
	Pending bool
}

// Issue issues a PIN dispositivo to the citizen of req after the identity
// check ver: it validates both, generates the PIN, commits the credential,
// its MV35 (when Forms is set), its audit entry and its outbox event in one
// transaction, and prints the
// sealed-envelope slip. A previous active PIN of the same codice fiscale is
// revoked in the same transaction; a PIN telefonico is not, and stays
// valid beside it (see IssueTelephonePIN).
//
// Invalid input returns FieldErrors and writes nothing. A citizen the
// eligibility policy (Policy) refuses gets no PIN: the error is a *Problem
// whose Key says why, wrapping ErrNotEligible, and only the refusal is
// recorded (ActionRefused, and an EventRefused for centrale); see
// IssueWithOverride. If the slip cannot be
// printed, the new credential is revoked (nobody can know its PIN) and the
// error wraps ErrPrint: the clerk issues again.
func (d *Desk) Issue(ctx context.Context, s *Session, req Request, ver Verification) (Issued, error) {
	if d.Printer == nil {
		return Issued{}, ErrNoPrinter
	}
	now := d.Now()
	today := DateOf(now)
	es := req.Validate(today)
	es = append(es, ver.Validate(today)...)
	if len(es) > 0 {
		return Issued{}, es
	}
	if _, err := d.refusal(s, req, &ver.Document, true); err != nil {
		return Issued{}, err
	}
	return d.issue(ctx, s, req, ver)
}

// issue issues a PIN to a request and a verification already validated
// and allowed, committing the extra audit entries with the credential.
func (d *Desk) issue(ctx context.Context, s *Session, req Request, ver Verification, extra ...AuditEntry) (Issued, error) {
	return d.issueAs(ctx, s, req, ver, "", extra...)
}

// issueAs is issue for a PIN dispositivo when tv is empty, or for a PIN
// telefonico valid for tv: it revokes only the active credentials of the
// same family (see sameFamily).
func (d *Desk) issueAs(ctx context.Context, s *Session, req Request, ver Verification, tv TelephoneValidity, extra ...AuditEntry) (Issued, error) {
	now := d.Now()
	cred, pin, err := d.mint(s, req.CodiceFiscale, now)
	if err != nil {
		return Issued{}, fmt.Errorf("issue: %w", err)
	}
	if tv != "" {
		cred.Type, cred.Validity, cred.ExpiresAt = Telefonico, tv, tv.Expiry(now)
	}
	defer pin.Wipe()
	var out Issued
	err = d.Store.Update(func(tx Tx) error {
		out = Issued{}
		olds, err := tx.Credentials(req.CodiceFiscale)
		if err != nil {
			return err
		}
		for _, old := range olds {
			if old.Can(TransitionReplace, now) != nil || !sameFamily(old.Type, cred.Type) {
				continue
			}
			old.revoke(now, s.Actor(), ReasonReplaced)
			if err := d.recordReplaced(tx, s, now, old); err != nil { // lookup.go
				return err
			}
			out.Replaced = append(out.Replaced, old)
		}
		if err := tx.PutCitizen(Citizen{Request: req, Document: ver.Document, UpdatedAt: now}); err != nil {
			return err
		}
		if ver.Scan != nil {
			if err := tx.PutScan(cred.ID, *ver.Scan); err != nil {
				return err
			}
		}
		out.Credential = cred
		for i := range extra {
			extra[i].Credential = cred.ID
		}
		if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), extra...); err != nil {
			return err
		}
		if err := d.record(tx, s, now, cred, ActionIssued, EventIssued, "busta "+cred.SlipSerial); err != nil {
			return err
		}
		if err := tx.DeleteDraft(s.Actor()); err != nil { // draft.go: the request is done
			return err
		}
		if cred.Type == Telefonico {
			return nil
		}
		return d.archiveMV35(tx, cred.ID, MV35Data{ // after the issue: its event follows the issue's
			Request: req, Document: ver.Document, Sede: s.Sede, Operator: s.Operator.Name, Date: now, Replaces: len(out.Replaced) > 0,
		})
	})
	if err != nil {
		return Issued{}, fmt.Errorf("issue: %w", err)
	}

	out.Pending = d.offline()
	out.Credential, err = d.printSlipPending(ctx, s, req, cred, pin, out.Pending)
	d.notify() // the issue, or the revocation of a slip not printed
	return out, err
}

// mint generates a PIN and the active credential it opens, issued now by
// the session's operator to cf. The caller wipes the PIN.
func (d *Desk) mint(s *Session, cf CodiceFiscale, now time.Time) (Credential, *PIN, error) {
	pin, err := GeneratePIN(d.Rand)
	if err != nil {
		return Credential{}, nil, err
	}
	secret := pin.Bytes()
	hash, err := HashSecret(secret, d.PINParams, d.Rand)
	clear(secret)
	if err != nil {
		pin.Wipe()
		return Credential{}, nil, err
	}
	cred := Credential{
		CodiceFiscale: cf,
		Type:          Dispositivo,
		State:         StateAttivo,
		PINHash:       hash,
		IssuedAt:      now,
		ExpiresAt:     now.AddDate(0, ValidityMonths, 0),
		IssuedBy:      s.Actor(),
		Sede:          s.Sede.Code,
	}
	if cred.ID, err = NewID(d.Rand); err != nil {
		pin.Wipe()
		return Credential{}, nil, err
	}
	cred.SlipSerial = slipSerial(s.Sede.Code, now, cred.ID)
	return cred, pin, nil
}

// printSlipPending prints the slip of a credential just committed, saying
// "in attesa di attivazione" when pending, and records the print. If the
// slip cannot be printed, the credential is revoked (nobody can know its
// PIN) and the error wraps ErrPrint. It returns the credential as stored.
func (d *Desk) printSlipPending(ctx context.Context, s *Session, req Request, cred Credential, pin *PIN, pending bool) (Credential, error) {
	slip := Slip{
		Serial: cred.SlipSerial, Sede: s.Sede, Desk: s.Desk, Operator: s.Operator.Name, Citizen: req, PIN: pin,
		Type: cred.Type, IssuedAt: cred.IssuedAt, ExpiresAt: cred.ExpiresAt, Pending: pending,
		Validity: cred.Validity,
	}
	if perr := d.Printer.PrintSlip(ctx, slip); perr != nil {
		cred.revoke(d.Now(), s.Actor(), ReasonPrintFailed)
		err := d.Store.Update(func(tx Tx) error {
			return d.record(tx, s, cred.RevokedAt, cred, ActionPrintFailed, EventRevoked, perr.Error())
		})
		return cred, &Problem{Key: KeyPrintFailed, Err: errors.Join(ErrPrint, perr, err)}
	}
	cred.PrintedAt = d.Now()
	err := d.Store.Update(func(tx Tx) error {
		if err := tx.PutCredential(cred); err != nil {
			return err
		}
		return appendAudit(tx, cred.PrintedAt, s.Sede.Code, s.Actor(), AuditEntry{
			Action: ActionPrinted, Subject: cred.CodiceFiscale, Credential: cred.ID, Detail: "busta " + cred.SlipSerial,
		})
	})
	if err != nil {
		return cred, fmt.Errorf("record print of %s: %w", cred.SlipSerial, err)
	}
	return cred, nil
}

// record stores a credential with its audit entry and its outbox event.
func (d *Desk) record(tx Tx, s *Session, now time.Time, c Credential, a AuditAction, k EventKind, detail string) error {
	if err := tx.PutCredential(c); err != nil {
		return err
	}
	if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{
		Action: a, Subject: c.CodiceFiscale, Credential: c.ID, Detail: detail,
	}); err != nil {
		return err
	}
	id, err := NewID(d.Rand)
	if err != nil {
		return err
	}
	return tx.Enqueue(Event{ID: id, Kind: k, Time: now, Sede: s.Sede.Code, Credential: c})
}

// Search finds citizens by codice fiscale, or by surname and name (and birth
// date).
func (d *Desk) Search(s *Session, q SearchQuery) ([]Citizen, error) {
	q.Cognome, q.Nome = strings.TrimSpace(q.Cognome), strings.TrimSpace(q.Nome)
	if q.CodiceFiscale == "" && (q.Cognome == "" || q.Nome == "") {
		return nil, FieldErrors{{Field: FieldSearchQuery, Key: KeySearchTooShort}}
	}
	if q.CodiceFiscale != "" {
		cf, err := ParseCodiceFiscale(string(q.CodiceFiscale))
		if err != nil {
			return nil, FieldErrors{asFieldError(err, FieldCodiceFiscale)}
		}
		q.CodiceFiscale = cf
	}
	var found []Citizen
	err := d.Store.View(func(tx Tx) (err error) { found, err = tx.FindCitizens(q); return err })
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return found, nil
}

// CitizenPage is everything the desk shows about one citizen.
type CitizenPage struct {
	Citizen     Citizen
	Credentials []Credential // newest first
	// Delegations are the citizen's, as delegante and as delegato, in
	// every state, newest first.
	Delegations []Delegation
	History     []AuditEntry // oldest first
	// Unknown is true when the sede holds no record of the citizen (no
	// MV35 of theirs was typed here): the page comes from their
	// credentials alone, a copy converted here or those of the central
	// records (CentralCitizen), and Citizen holds the codice fiscale only.
	Unknown bool
	// Central are the citizen's credentials that the central records hold
	// and the sede does not, newest first, on a page from CentralCitizen;
	// nil on one from Citizen.
	Central []Credential
}

// Citizen returns a citizen's page, and audits that the operator looked.
// A citizen the sede holds no record of has an Unknown page when the sede
// holds a credential of theirs (a PIN obtained elsewhere and converted
// here, see ConvertCentral); otherwise the error is ErrNotFound.
func (d *Desk) Citizen(s *Session, cf CodiceFiscale) (CitizenPage, error) {
	var p CitizenPage
	err := d.Store.Update(func(tx Tx) (err error) { p, err = citizenPage(tx, s, d.Now(), cf, false); return err })
	if err != nil {
		return CitizenPage{}, fmt.Errorf("citizen %s: %w", cf.Redacted(), err)
	}
	return p, nil
}

// citizenPage reads the page of cf in tx and audits the view. Without a
// record of the citizen the page is Unknown, when the sede holds a
// credential of theirs or elsewhere says that the central records do;
// otherwise the error is ErrNotFound, and nothing is audited.
func citizenPage(tx Tx, s *Session, now time.Time, cf CodiceFiscale, elsewhere bool) (CitizenPage, error) {
	var p CitizenPage
	var err error
	if p.Credentials, err = tx.Credentials(cf); err != nil {
		return CitizenPage{}, err
	}
	switch p.Citizen, err = tx.Citizen(cf); {
	case errors.Is(err, ErrNotFound) && (elsewhere || len(p.Credentials) > 0):
		p.Citizen, p.Unknown = Citizen{Request: Request{CodiceFiscale: cf}}, true
	case err != nil:
		return CitizenPage{}, err
	}
	if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionCitizenViewed, Subject: cf}); err != nil {
		return CitizenPage{}, err
	}
	if p.Delegations, err = tx.DelegationsOf(cf); err != nil {
		return CitizenPage{}, err
	}
	if p.History, err = tx.AuditFor(cf); err != nil {
		return CitizenPage{}, err
	}
	return p, nil
}

// Summary is the desk's home figures.
type Summary struct {
	IssuedToday int
	PendingSync int
}

// Summary returns today's issued count and the events waiting for sync. A
// PIN counts as issued once its slip is printed: one revoked at once
// because the printer failed never reached the citizen.
func (d *Desk) Summary() (Summary, error) {
	var sum Summary
	err := d.Store.View(func(tx Tx) error {
		today, err := tx.IssuedOn(DateOf(d.Now()))
		if err != nil {
			return err
		}
		for _, c := range today {
			if !c.PrintedAt.IsZero() {
				sum.IssuedToday++
			}
		}
		sum.PendingSync, err = tx.Pending()
		return err
	})
	return sum, err
}

func appendAudit(tx Tx, now time.Time, sede, actor string, es ...AuditEntry) error {
	for _, e := range es {
		e.Time, e.Sede, e.Actor = now, sede, actor
		if _, err := tx.AppendAudit(e); err != nil {
			return fmt.Errorf("audit %s: %w", e.Action, err)
		}
	}
	return nil
}

// slipSerial makes the slip's serial number: sede, date and the first
// characters of the credential id, e.g. ROMA01-20261123-3F9A2C. It carries
// no personal data.
func slipSerial(sede string, t time.Time, id string) string {
	return fmt.Sprintf("%s-%s-%s", strings.ToUpper(sede), t.Format("20060102"), strings.ToUpper(id[:6]))
}
