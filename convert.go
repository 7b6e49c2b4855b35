package pinsede

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ActionConverted records that a PIN ordinario became dispositivo at the
// desk.
const ActionConverted AuditAction = "credential.converted"

// Convert turns the active PIN ordinario credentialID into a PIN
// dispositivo, after the identity check ver (the document and the
// checklist of an issue, see [Verification.Validate]; the MV35 the citizen
// signs is the request). At the sede the conversion is immediate
// (DOMAIN.md, "Converti PIN"): the credential keeps its ID, its PIN hash
// and its slip serial; its Type becomes Dispositivo, and ConvertedAt and
// ConvertedBy say when and by whom.
//
// The expiry does not change: the sources say a PIN is valid 6 months from
// its generation and a conversion generates nothing, so the PIN keeps the
// date it had, and renewal stays the path to a new one.
//
// No paper is printed: the citizen keeps the PIN and the envelope they
// hold, which now open the services of a PIN dispositivo; the MV35 they
// signed is archived with the credential (when Forms is set), with the
// scan of the document, if any.
//
// Invalid input returns FieldErrors and writes nothing. A credential that
// is not an active ordinario is refused by the state machine
// ([Credential.Can] with TransitionConvert): ErrNotActive, or ErrTransition
// for a dispositivo or telefonico. The credential, the citizen's document
// (when the citizen's record is at the sede), its audit entry
// (ActionConverted) and its outbox event (EventConverted, with the
// converted credential) are committed in one transaction, and the link is
// asked to push it.
func (d *Desk) Convert(s *Session, credentialID string, ver Verification) (Credential, error) {
	wrap := func(err error) error { return fmt.Errorf("convert %s: %w", credentialID, err) }
	now := d.Now()
	if es := ver.Validate(DateOf(now)); len(es) > 0 {
		return Credential{}, es
	}
	var cred Credential
	err := d.update(s, func(tx Tx) error {
		var err error
		if cred, err = tx.Credential(credentialID); err != nil {
			return err
		}
		cred, err = d.convertIn(tx, s, now, cred, ver)
		return err
	})
	if err != nil {
		return Credential{}, wrap(err)
	}
	d.notify()
	return cred, nil
}

// ConvertCentral is Convert for a PIN ordinario of cf that the central
// records hold and this desk does not: obtained online, or at another
// sede (see CentralCredentials). The conversion is an act on the
// citizen's central record after the identity check in person, so any
// sede makes it. The credential is asked again of the central records
// (Desk.Central), so that the conversion starts from its state there:
// unreachable, they answer a *Problem (see CentralRecords) and nothing is
// written; ErrNotFound when they do not hold it.
//
// The desk then stores a copy of it, which keeps its issuing sede and
// has no PIN hash: the PIN stays with the central records, which check
// it. Nothing at the desk reads the hash of a stored credential;
// ReplaceSlip and Revoke refuse another sede's credential (ErrOtherSede),
// and a new PIN issued here revokes the copy with no
// event (recordReplaced), as the central records supersede it
// themselves. The copy, its conversion, its audit entry and its outbox
// event (EventConverted: the event is this sede's, the credential the
// issuing sede's) are committed in one transaction, as for Convert; the
// MV35 the citizen signed is archived at the sede only, because the
// central records keep forms of a sede's own credentials.
func (d *Desk) ConvertCentral(ctx context.Context, s *Session, cf CodiceFiscale, credentialID string, ver Verification) (Credential, error) {
	wrap := func(err error) error { return fmt.Errorf("convert %s at centrale: %w", credentialID, err) }
	if es := ver.Validate(DateOf(d.Now())); len(es) > 0 {
		return Credential{}, es
	}
	found, err := d.centralCopy(ctx, cf, credentialID)
	if err != nil {
		return Credential{}, wrap(err)
	}
	now := d.Now()
	var cred Credential
	err = d.update(s, func(tx Tx) error {
		switch held, err := tx.Credential(credentialID); {
		case err == nil:
			cred = held // pulled or converted meanwhile: the desk's own state stands
		case errors.Is(err, ErrNotFound):
			cred = found
		default:
			return err
		}
		cred, err = d.convertIn(tx, s, now, cred, ver)
		return err
	})
	if err != nil {
		return Credential{}, wrap(err)
	}
	d.notify()
	return cred, nil
}

// convertIn converts cred inside tx: the state machine's check, the
// credential with its audit entry (naming the document checked) and
// outbox event, the scan of the
// document, and the citizen's document and MV35 when the citizen's record
// is at the sede.
func (d *Desk) convertIn(tx Tx, s *Session, now time.Time, cred Credential, ver Verification) (Credential, error) {
	if err := cred.Can(TransitionConvert, now); err != nil {
		return Credential{}, err
	}
	cred.Type, cred.ConvertedAt, cred.ConvertedBy = Dispositivo, now, s.Actor()
	// The audit entry names the document checked: for a citizen with no
	// record at the sede (a PIN found at centrale), it is the only trace
	// of it here.
	doc := ver.Document
	detail := fmt.Sprintf("da ordinario a dispositivo; documento %s n. %s (%s), scade il %s",
		doc.Type, doc.Number, doc.Country, doc.ExpiresOn.Italian())
	if err := d.record(tx, s, now, cred, ActionConverted, EventConverted, detail); err != nil {
		return Credential{}, err
	}
	if ver.Scan != nil {
		if err := tx.PutScan(cred.ID, *ver.Scan); err != nil {
			return Credential{}, err
		}
	}
	c, err := tx.Citizen(cred.CodiceFiscale)
	switch {
	case errors.Is(err, ErrNotFound):
		return cred, nil
	case err != nil:
		return Credential{}, err
	}
	c.Document, c.UpdatedAt = ver.Document, now
	if err := tx.PutCitizen(c); err != nil {
		return Credential{}, err
	}
	form := MV35Data{Request: c.Request, Document: ver.Document, Sede: s.Sede, Operator: s.Operator.Name, Date: now}
	if cred.Sede != s.Sede.Code {
		return cred, d.keepMV35(tx, cred.ID, form)
	}
	// After the conversion: the form's event follows it, as an issue's
	// does.
	return cred, d.archiveMV35(tx, cred.ID, form)
}

// keepMV35 renders the MV35 of a credential and archives it, sealed, at
// the sede only: no event carries it to the central records. Without
// Forms it does nothing.
func (d *Desk) keepMV35(tx Tx, credentialID string, f MV35Data) error {
	if d.Forms == nil {
		return nil
	}
	pdf, err := d.Forms.RenderMV35(f)
	if err != nil {
		return fmt.Errorf("archive mv35: %w", err)
	}
	if err := tx.PutDocument(credentialID, DocumentMV35, pdf); err != nil {
		return fmt.Errorf("archive mv35: %w", err)
	}
	return nil
}
