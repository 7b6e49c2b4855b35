package pinsede

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// DelegationForm is the INPS form on which a delegation of the digital
// identity is registered (circolare INPS 127/2021).
type DelegationForm string

// The delegation forms.
const (
	// FormAA08: delegation by the delegante, present at the sede.
	FormAA08 DelegationForm = "AA08"
	// FormAA09: delegation for a person who cannot come to the sede,
	// with a medical certificate.
	FormAA09 DelegationForm = "AA09"
	// FormAA10: delegation by a tutor, curator or support administrator
	// (tutore, curatore, amministratore di sostegno).
	FormAA10 DelegationForm = "AA10"
)

// DelegationForms lists the forms in the order the desk offers them.
func DelegationForms() []DelegationForm { return []DelegationForm{FormAA08, FormAA09, FormAA10} }

// Valid reports whether f is one of DelegationForms.
func (f DelegationForm) Valid() bool { return slices.Contains(DelegationForms(), f) }

// Party is one side of a delegation: who they are and the document seen.
type Party struct {
	CodiceFiscale CodiceFiscale `json:"codice_fiscale"`
	Cognome       string        `json:"cognome"`
	Nome          string        `json:"nome"`
	Document      Document      `json:"document"`
}

// FullName returns the party's surname and name.
func (p Party) FullName() string { return strings.TrimSpace(p.Cognome + " " + p.Nome) }

// Delegation lets the delegato act on INPS's online services for the
// delegante with the delegato's own digital identity.
type Delegation struct {
	ID        string         `json:"id"`
	Sede      string         `json:"sede"`
	Form      DelegationForm `json:"form"`
	Delegante Party          `json:"delegante"`
	Delegato  Party          `json:"delegato"`
	// MedicalCertificate describes the certificate of an AA09 (doctor,
	// date); empty for the other forms.
	MedicalCertificate string `json:"medical_certificate,omitempty"`
	// From is the first day; Until the last, zero when open-ended.
	From  Date `json:"from"`
	Until Date `json:"until,omitzero"`
	// RegisteredAt and RegisteredBy: when and by which operator.
	RegisteredAt time.Time `json:"registered_at"`
	RegisteredBy string    `json:"registered_by"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	RevokedBy    string    `json:"revoked_by,omitempty"`
	RevokeReason string    `json:"revoke_reason,omitempty"`
}

// DelegationState is where a delegation is on a given day.
type DelegationState string

// The states of a delegation. None is stored: they follow from the dates
// and the revocation ([Delegation.StateOn]).
const (
	// DelegationFuture: registered, its first day still to come.
	DelegationFuture DelegationState = "futura"
	// DelegationActive: in force.
	DelegationActive DelegationState = "attiva"
	// DelegationEnded: its last day (Until) has passed.
	DelegationEnded DelegationState = "terminata"
	// DelegationRevoked: revoked at the desk.
	DelegationRevoked DelegationState = "revocata"
)

// StateOn returns the state of the delegation on day today.
func (dl Delegation) StateOn(today Date) DelegationState {
	switch {
	case !dl.RevokedAt.IsZero():
		return DelegationRevoked
	case !dl.Until.IsZero() && dl.Until.Before(today):
		return DelegationEnded
	case dl.From.After(today):
		return DelegationFuture
	}
	return DelegationActive
}

// Tutor reports whether the delegation was registered by a tutor, curator
// or support administrator (FormAA10): it does not count towards, and is
// not limited by, MaxDelegationsPerDelegate.
func (dl Delegation) Tutor() bool { return dl.Form == FormAA10 }

// inForce reports whether the delegation is in force or still to start on
// day today: the delegations the rules of RegisterDelegation count.
func (dl Delegation) inForce(today Date) bool {
	st := dl.StateOn(today)
	return st == DelegationActive || st == DelegationFuture
}

// MaxDelegationsPerDelegate is the most delegations a delegato may hold at
// once, tutors' delegations (FormAA10) apart (DOMAIN.md, "Delega
// dell'identità digitale").
const MaxDelegationsPerDelegate = 3

// DelegationSide names a side of a delegation in the field names of its
// form.
type DelegationSide string

// The sides of a delegation.
const (
	SideDelegante DelegationSide = "delegante"
	SideDelegato  DelegationSide = "delegato"
)

// Field returns the name of a field of the side's party, e.g.
// "delegato.codice_fiscale" for FieldCodiceFiscale: the party fields take
// the names of the MV35 and of the verification (FieldCognome,
// FieldDocNumber...), prefixed by the side.
func (s DelegationSide) Field(name string) string { return string(s) + "." + name }

// Field names of the delegation form besides the parties'.
const (
	FieldDelegationForm        = "delega_modulo"
	FieldDelegationCertificate = "delega_certificato"
	FieldDelegationFrom        = "delega_dal"
	FieldDelegationUntil       = "delega_al"
)

// Message keys of the delegations.
const (
	// KeyDelegationFromPast: a first day before the day of registration.
	KeyDelegationFromPast = "err.delegation.from.past"
	// KeyDelegationUntilOrder: a last day before the first.
	KeyDelegationUntilOrder = "err.delegation.until.before"
	// KeyDelegationSelf: the delegato is the delegante.
	KeyDelegationSelf = "err.delegation.self"
	// KeyDelegationTaken: the delegante already has a delegate (Args:
	// Name, the delegate's name).
	KeyDelegationTaken = "err.delegation.taken"
	// KeyDelegationTooMany: the delegato already holds the most
	// delegations (Args: Name, Max).
	KeyDelegationTooMany = "err.delegation.toomany"
	// KeyDelegationNotActive: a revocation of a delegation revoked or
	// ended.
	KeyDelegationNotActive = "err.delegation.notactive"
)

// Errors of the delegations, wrapped in a *Problem that says who and why.
var (
	// ErrDelegationLimit is returned when a registration breaks a rule of
	// circolare 127/2021: one delegate per person, at most
	// MaxDelegationsPerDelegate delegations per delegate.
	ErrDelegationLimit = errors.New("delegation limit reached")
	// ErrDelegationNotActive is returned when revoking a delegation that
	// is revoked or ended.
	ErrDelegationNotActive = errors.New("delegation revoked or ended")
)

// The audited actions of the delegations. Each is recorded twice, once
// about each party (AuditEntry.Subject), so that both citizens' pages show
// it.
const (
	ActionDelegationRegistered AuditAction = "delegation.registered"
	ActionDelegationRevoked    AuditAction = "delegation.revoked"
)

// Validate checks the delegation's form as of today, the day of its
// registration, and returns every problem: a known form; for each party a
// codice fiscale, a surname, a name and a document valid as for an issue
// (see [Verification.Validate]), under the side's field names
// ([DelegationSide.Field]); two different people; a medical certificate
// for FormAA09; a first day not before today (zero means today) and a last
// day, when given, not before the first. It normalises the codes, the
// documents and the dates in place, and drops the certificate of the
// forms that have none.
func (dl *Delegation) Validate(today Date) FieldErrors {
	var es FieldErrors
	if !dl.Form.Valid() {
		es.add(FieldDelegationForm, KeyRequired, nil)
	}
	es = append(es, dl.Delegante.validate(SideDelegante, today)...)
	es = append(es, dl.Delegato.validate(SideDelegato, today)...)
	if dl.Delegante.CodiceFiscale != "" && dl.Delegante.CodiceFiscale == dl.Delegato.CodiceFiscale {
		es.add(SideDelegato.Field(FieldCodiceFiscale), KeyDelegationSelf, nil)
	}
	dl.MedicalCertificate = strings.TrimSpace(dl.MedicalCertificate)
	switch {
	case dl.Form != FormAA09:
		dl.MedicalCertificate = ""
	case dl.MedicalCertificate == "":
		es.add(FieldDelegationCertificate, KeyRequired, nil)
	case utf8.RuneCountInString(dl.MedicalCertificate) > maxText:
		es.add(FieldDelegationCertificate, KeyTooLong, map[string]any{"Max": maxText})
	}
	if dl.From.IsZero() {
		dl.From = today
	}
	if dl.From.Before(today) {
		es.add(FieldDelegationFrom, KeyDelegationFromPast, nil)
	}
	if !dl.Until.IsZero() && dl.Until.Before(dl.From) {
		es.add(FieldDelegationUntil, KeyDelegationUntilOrder, nil)
	}
	return es
}

// validate checks one party of a delegation, with the side's field names.
func (p *Party) validate(side DelegationSide, today Date) FieldErrors {
	var es FieldErrors
	if cf, err := ParseCodiceFiscale(string(p.CodiceFiscale)); err != nil {
		es = append(es, asFieldError(err, FieldCodiceFiscale))
	} else {
		p.CodiceFiscale = cf
	}
	p.Cognome, p.Nome = strings.TrimSpace(p.Cognome), strings.TrimSpace(p.Nome)
	for _, f := range []struct{ field, v string }{{FieldCognome, p.Cognome}, {FieldNome, p.Nome}} {
		switch {
		case f.v == "":
			es.add(f.field, KeyRequired, nil)
		case utf8.RuneCountInString(f.v) > maxText:
			es.add(f.field, KeyTooLong, map[string]any{"Max": maxText})
		case !latinName(f.v):
			es.add(f.field, KeyNameLatin, nil)
		}
	}
	// The document as for an issue; the checklist is the MV35's, not the
	// delegation form's, and stands ticked.
	ver := Verification{Document: p.Document, Checklist: Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true}}
	es = append(es, ver.Validate(today)...)
	p.Document = ver.Document
	for i := range es {
		es[i].Field = side.Field(es[i].Field)
	}
	return es
}

// RegisterDelegation registers the delegation dl between its delegante
// and its delegato (circolare INPS 127/2021), on the form and for the
// period it says, after the clerk has seen both parties' documents and the
// signed form. The desk sets its ID, Sede, RegisteredAt and RegisteredBy;
// its revocation fields are ignored. Invalid input returns FieldErrors
// ([Delegation.Validate]) and writes nothing.
//
// The rules, checked on the delegations the store holds that are in force
// or still to start:
//
//   - One delegate per person: a delegante with such a delegation gets a
//     *Problem with KeyDelegationTaken.
//   - At most MaxDelegationsPerDelegate delegations per delegate,
//     KeyDelegationTooMany otherwise. Tutors' delegations (FormAA10)
//     neither count nor are limited.
//
// Both wrap ErrDelegationLimit. A revoked delegation, or one whose Until
// has passed, counts for neither. A delegation still to start counts
// whatever the periods: the central records apply the same rules to the
// delegations of every sede, and a registration the desk accepts must not
// be refused there.
//
// The delegation, an audit entry about each party
// (ActionDelegationRegistered) and an outbox event
// (EventDelegationRegistered, with the delegation) are committed in one
// transaction, and the link is asked to push it.
func (d *Desk) RegisterDelegation(s *Session, dl Delegation) (Delegation, error) {
	now := d.Now()
	if es := dl.Validate(DateOf(now)); len(es) > 0 {
		return Delegation{}, es
	}
	id, err := NewID(d.Rand)
	if err != nil {
		return Delegation{}, fmt.Errorf("register delegation: %w", err)
	}
	dl.ID, dl.Sede, dl.RegisteredAt, dl.RegisteredBy = id, s.Sede.Code, now, s.Actor()
	dl.RevokedAt, dl.RevokedBy, dl.RevokeReason = time.Time{}, "", ""
	err = d.update(s, func(tx Tx) error {
		if err := checkDelegationLimits(tx, dl, DateOf(now)); err != nil {
			return err
		}
		if err := tx.PutDelegation(dl); err != nil {
			return err
		}
		return d.recordDelegation(tx, s, now, dl, ActionDelegationRegistered, EventDelegationRegistered, delegationPeriod(dl))
	})
	if err != nil {
		return Delegation{}, fmt.Errorf("register delegation: %w", err)
	}
	d.notify()
	return dl, nil
}

// checkDelegationLimits checks the rules of circolare 127/2021 for a new
// delegation against those the store holds (see RegisterDelegation).
func checkDelegationLimits(tx RecordsTx, dl Delegation, today Date) error {
	ofDelegante, err := tx.DelegationsOf(dl.Delegante.CodiceFiscale)
	if err != nil {
		return err
	}
	for _, o := range ofDelegante {
		if o.Delegante.CodiceFiscale == dl.Delegante.CodiceFiscale && o.inForce(today) {
			return &Problem{Key: KeyDelegationTaken, Args: map[string]any{"Name": o.Delegato.FullName()}, Err: ErrDelegationLimit}
		}
	}
	if dl.Tutor() {
		return nil
	}
	ofDelegato, err := tx.DelegationsOf(dl.Delegato.CodiceFiscale)
	if err != nil {
		return err
	}
	held := 0
	for _, o := range ofDelegato {
		if o.Delegato.CodiceFiscale == dl.Delegato.CodiceFiscale && !o.Tutor() && o.inForce(today) {
			held++
		}
	}
	if held >= MaxDelegationsPerDelegate {
		return &Problem{Key: KeyDelegationTooMany, Args: map[string]any{
			"Name": dl.Delegato.FullName(), "Max": MaxDelegationsPerDelegate,
		}, Err: ErrDelegationLimit}
	}
	return nil
}

// RevokeDelegation revokes a delegation in force or still to start, for
// reason (from RevokeReasonMin to 120 characters, or a FieldErrors on
// FieldRevokeReason), at the request of either party. A delegation revoked
// or ended returns a *Problem with KeyDelegationNotActive wrapping
// ErrDelegationNotActive; an unknown id, ErrNotFound.
//
// The revocation, an audit entry about each party
// (ActionDelegationRevoked) and an outbox event (EventDelegationRevoked,
// with the delegation) are committed in one transaction, and the link is
// asked to push it.
func (d *Desk) RevokeDelegation(s *Session, id, reason string) (Delegation, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n > maxText {
		return Delegation{}, FieldErrors{{Field: FieldRevokeReason, Key: KeyTooLong, Args: map[string]any{"Max": maxText}}}
	} else if n < RevokeReasonMin {
		key := KeyRevokeReasonShort
		if n == 0 {
			key = KeyRequired
		}
		return Delegation{}, FieldErrors{{Field: FieldRevokeReason, Key: key, Args: map[string]any{"Min": RevokeReasonMin}}}
	}
	now := d.Now()
	var dl Delegation
	err := d.update(s, func(tx Tx) error {
		var err error
		if dl, err = tx.Delegation(id); err != nil {
			return err
		}
		if st := dl.StateOn(DateOf(now)); st == DelegationRevoked || st == DelegationEnded {
			return &Problem{Key: KeyDelegationNotActive, Err: ErrDelegationNotActive}
		}
		dl.RevokedAt, dl.RevokedBy, dl.RevokeReason = now, s.Actor(), reason
		if err := tx.PutDelegation(dl); err != nil {
			return err
		}
		return d.recordDelegation(tx, s, now, dl, ActionDelegationRevoked, EventDelegationRevoked, reason)
	})
	if err != nil {
		return Delegation{}, fmt.Errorf("revoke delegation %s: %w", id, err)
	}
	d.notify()
	return dl, nil
}

// recordDelegation appends an audit entry about each party of dl, saying
// the form, the other party and detail, and enqueues the outbox event of
// kind k with the delegation.
func (d *Desk) recordDelegation(tx Tx, s *Session, now time.Time, dl Delegation, a AuditAction, k EventKind, detail string) error {
	if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), delegationEntries(dl, a, detail)...); err != nil {
		return err
	}
	id, err := NewID(d.Rand)
	if err != nil {
		return err
	}
	ev := dl
	return tx.Enqueue(Event{ID: id, Kind: k, Time: now, Sede: s.Sede.Code, Delegation: &ev})
}

// delegationEntries returns the audit entries of action a on dl, one
// about each party, saying the form, the other party and detail.
func delegationEntries(dl Delegation, a AuditAction, detail string) []AuditEntry {
	entry := func(subject CodiceFiscale, other string, party Party) AuditEntry {
		return AuditEntry{Action: a, Subject: subject, Detail: fmt.Sprintf("%s, %s %s (%s): %s",
			dl.Form, other, party.FullName(), party.CodiceFiscale, detail)}
	}
	return []AuditEntry{
		entry(dl.Delegante.CodiceFiscale, string(SideDelegato), dl.Delegato),
		entry(dl.Delegato.CodiceFiscale, string(SideDelegante), dl.Delegante),
	}
}

// delegationPeriod writes a delegation's period in Italian, for the audit:
// "dal 23/11/2026 al 31/12/2027", or "dal 23/11/2026, senza scadenza".
func delegationPeriod(dl Delegation) string {
	if dl.Until.IsZero() {
		return "dal " + dl.From.Italian() + ", senza scadenza"
	}
	return "dal " + dl.From.Italian() + " al " + dl.Until.Italian()
}
