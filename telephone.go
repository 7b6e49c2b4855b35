package pinsede

import (
	"context"
	"fmt"
	"time"
)

// TelephoneValidity is how long a PIN telefonico is valid from its issue:
// one day, one week, one month or three months (DOMAIN.md, "PIN
// telefonico").
type TelephoneValidity string

// The validities of a PIN telefonico.
const (
	ValidityDay         TelephoneValidity = "1g"
	ValidityWeek        TelephoneValidity = "1s"
	ValidityMonth       TelephoneValidity = "1m"
	ValidityThreeMonths TelephoneValidity = "3m"
)

// TelephoneValidities lists the validities, shortest first, in the order
// the desk offers them.
func TelephoneValidities() []TelephoneValidity {
	return []TelephoneValidity{ValidityDay, ValidityWeek, ValidityMonth, ValidityThreeMonths}
}

// FieldTelephoneValidity is the field of the validity of a PIN telefonico.
const FieldTelephoneValidity = "durata_telefonico"

// KeyTelephoneValidity is the message of a missing or unknown validity.
const KeyTelephoneValidity = "err.telephone.validity"

// Valid reports whether v is one of TelephoneValidities.
func (v TelephoneValidity) Valid() bool {
	for _, w := range TelephoneValidities() {
		if v == w {
			return true
		}
	}
	return false
}

// Expiry returns when a PIN telefonico issued at from stops being valid:
// its days later, or its months (AddMonths).
func (v TelephoneValidity) Expiry(from time.Time) time.Time {
	switch v {
	case ValidityDay:
		return from.AddDate(0, 0, 1)
	case ValidityWeek:
		return from.AddDate(0, 0, 7)
	case ValidityMonth:
		return AddMonths(from, 1)
	case ValidityThreeMonths:
		return AddMonths(from, 3)
	}
	return from
}

// Label is the validity as the slip and the desk say it in Italian, e.g.
// "una settimana".
func (v TelephoneValidity) Label() string {
	switch v {
	case ValidityDay:
		return "un giorno"
	case ValidityWeek:
		return "una settimana"
	case ValidityMonth:
		return "un mese"
	case ValidityThreeMonths:
		return "tre mesi"
	}
	return ""
}

// String returns the validity's code.
func (v TelephoneValidity) String() string { return string(v) }

// sameFamily reports whether a credential of type a takes the place of one
// of type b when issued: a PIN telefonico replaces only a PIN telefonico,
// and lives alongside the citizen's PIN ordinario or dispositivo.
func sameFamily(a, b CredentialType) bool { return (a == Telefonico) == (b == Telefonico) }

// IssueTelephonePIN issues a PIN telefonico, valid for validity, to the
// citizen of req after the identity check ver, and prints its slip. It
// takes the path of Issue (one transaction for the credential, its audit
// entry and its outbox event; a slip that cannot be printed revokes the
// credential) with three differences:
//
//   - The eligibility policy does not apply. It restricts the PIN
//     dispositivo since 2021-10-01; the PIN telefonico serves citizens who
//     already hold SPID, CNS or CIE, to be helped by the Contact Center,
//     so refusing them would refuse exactly the citizens it is for.
//   - It revokes a previous active PIN telefonico of the same codice
//     fiscale, never the PIN ordinario or dispositivo, which stays valid
//     beside it.
//   - The credential expires after validity, not after ValidityMonths, and
//     no MV35 is archived (the MV35 requests a PIN dispositivo).
//
// The PIN has the 16 characters and the alphabet of every PIN the desk
// issues: the sources give the validities of a PIN telefonico but not a
// different length, so the desk keeps one format, one slip and one hash.
func (d *Desk) IssueTelephonePIN(ctx context.Context, s *Session, req Request, ver Verification, validity TelephoneValidity) (Issued, error) {
	if d.Printer == nil {
		return Issued{}, ErrNoPrinter
	}
	if err := d.clockOff(); err != nil { // before the dates are checked on it
		return Issued{}, fmt.Errorf("PIN telefonico: %w", err)
	}
	today := DateOf(d.Now())
	es := validateIssue(&req, &ver, today)
	if !validity.Valid() {
		es = append(es, FieldError{Field: FieldTelephoneValidity, Key: KeyTelephoneValidity})
	}
	if len(es) > 0 {
		return Issued{}, es
	}
	return d.issueAs(ctx, s, req, ver, validity)
}

// keepTelephone makes the replacement cred of a PIN telefonico's slip
// (ReplaceSlip) a PIN telefonico too, with the old one's validity and
// expiry: a lost slip must not turn a Contact Center PIN into a PIN
// dispositivo, nor lengthen its life. The expiry is no later than the
// replacement's own issue plus the validity, which the central records
// check: a month from 30 January at 21:30 ends on 28 February at 21:30,
// from 31 January at 00:30 on 28 February at 00:30 (AddMonths), and a
// slip replaced past midnight kept the later time, rejected there; both
// fall on the day the first slip printed. A PIN stamped on a clock
// ahead, its slip replaced once the clock was put right, kept an expiry
// as far past the replacement's month, rejected too.
func keepTelephone(cred *Credential, old Credential) {
	if old.Type == Telefonico {
		cred.Type, cred.Validity, cred.ExpiresAt = Telefonico, old.Validity, old.ExpiresAt
		if end := old.Validity.Expiry(cred.IssuedAt); end.Before(cred.ExpiresAt) {
			cred.ExpiresAt = end
		}
	}
}
