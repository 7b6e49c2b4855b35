package pinsede

import (
	"errors"
	"fmt"
)

// ExpiringWithinDays is how far ahead the sede looks for PINs about to
// expire: a citizen told in time renews at the desk before the PIN stops
// working.
const ExpiringWithinDays = 30

// ExpiringPIN is an active PIN of the sede that expires soon, with the
// citizen it was issued to.
type ExpiringPIN struct {
	Credential Credential
	// Citizen is the sede's record of the citizen; zero when there is none
	// (a credential pulled from centrale without its citizen).
	Citizen Citizen
}

// Expiring returns the active PINs issued by the session's sede that expire
// within ExpiringWithinDays days from now (expiry days in local time, today
// included), soonest first. A PIN already expired is not in it: the
// citizen's page shows it scaduto. Nor is a PIN telefonico, which expires
// by the validity the citizen chose.
func (d *Desk) Expiring(s *Session) ([]ExpiringPIN, error) {
	now := d.Now()
	from, to := DateOf(now.Local()), DateOf(now.Local().AddDate(0, 0, ExpiringWithinDays))
	var out []ExpiringPIN
	err := d.view(s, func(tx Tx) error {
		creds, err := tx.Expiring(from, to)
		if err != nil {
			return err
		}
		for _, c := range creds {
			if c.Sede != s.Sede.Code || !c.Active(now) || c.Type == Telefonico {
				continue // a PIN telefonico is temporary by choice: nothing to renew
			}
			p := ExpiringPIN{Credential: c}
			switch p.Citizen, err = tx.Citizen(c.CodiceFiscale); {
			case errors.Is(err, ErrNotFound):
			case err != nil:
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("expiring PINs: %w", err)
	}
	return out, nil
}
