package pinsede

import (
	"errors"
	"fmt"
	"time"
)

// Citizen returns a citizen's page, and audits that the operator looked.
// A citizen the sede holds no record of has an Unknown page when the sede
// holds a credential of theirs (a PIN obtained elsewhere and converted
// here, see ConvertCentral); otherwise the error is ErrNotFound.
func (d *Desk) Citizen(s *Session, cf CodiceFiscale) (CitizenPage, error) {
	var p CitizenPage
	err := d.update(s, func(tx Tx) (err error) { p, err = citizenPage(tx, s, d.Now(), cf, false); return err })
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
