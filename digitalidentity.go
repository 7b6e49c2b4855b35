package pinsede

import (
	"errors"
	"fmt"
	"slices"
)

// ActionDigitalIdentity records that a citizen chose SPID, CIE or CNS
// instead of a PIN; the detail is the choice.
const ActionDigitalIdentity AuditAction = "citizen.digital_identity"

// FieldDigitalIdentity is the field of the digital identity the citizen
// chose (one of Alternatives).
const FieldDigitalIdentity = "identita_digitale"

// RecordDigitalIdentityChoice records that the citizen of req chose a
// digital identity, choice being one of Alternatives ("SPID", "CIE",
// "CNS"), instead of a PIN. It validates the request (FieldErrors, and a
// choice not in Alternatives is a FieldError on FieldDigitalIdentity),
// stores or updates the citizen's record (keeping the document of an
// earlier visit), audits ActionDigitalIdentity with the choice as detail
// and enqueues an EventDigitalIdentityChosen (with the codice fiscale and
// the choice only), in one transaction, and asks the link to push it.
// Invalid input writes nothing.
//
// No PIN is generated and no credential is created: the event tells the
// central records how the visit ended, so that the citizens directed to
// another credential are counted across every sede.
func (d *Desk) RecordDigitalIdentityChoice(s *Session, req Request, choice string) error {
	now := d.Now()
	es := req.Validate(DateOf(now))
	if !slices.Contains(Alternatives(), choice) {
		es.add(FieldDigitalIdentity, KeyRequired, nil)
	}
	if len(es) > 0 {
		return es
	}
	err := d.update(s, func(tx Tx) error {
		c, err := tx.Citizen(req.CodiceFiscale)
		switch {
		case errors.Is(err, ErrNotFound):
			c = Citizen{}
		case err != nil:
			return err
		}
		c.Request, c.UpdatedAt = req, now
		if err := tx.PutCitizen(c); err != nil {
			return err
		}
		if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{
			Action: ActionDigitalIdentity, Subject: req.CodiceFiscale, Detail: choice,
		}); err != nil {
			return err
		}
		return d.enqueueOutcome(tx, s, now, EventDigitalIdentityChosen, Outcome{CodiceFiscale: req.CodiceFiscale, Choice: choice})
	})
	if err != nil {
		return fmt.Errorf("record digital identity of %s: %w", req.CodiceFiscale.Redacted(), err)
	}
	d.notify()
	return nil
}
