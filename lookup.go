package pinsede

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// ActionCentralLookup records that the desk looked a citizen up at the
// central records.
const ActionCentralLookup AuditAction = "citizen.central_lookup"

// ErrNoCentral is returned by the lookups of a Desk without central
// records (Desk.Central nil).
var ErrNoCentral = errors.New("no central records")

// CentralRecords looks a citizen up at the central records (the sync
// client). Desk.Central is nil when there are none.
type CentralRecords interface {
	// Credentials returns every credential of cf at the central records,
	// newest first, whatever sede or channel issued them, without a PIN
	// hash (PINHash is empty: the PIN stays with the central records). An
	// active one is StateAttivo; a revoked or superseded one
	// StateRevocato. A failure to reach them is a *Problem that says
	// why, in the user interface's words.
	Credentials(ctx context.Context, cf CodiceFiscale) ([]Credential, error)
	// SearchAudit returns the newest MaxAuditSearchResults entries of
	// the sede's desks that f selects (f passed Validate) after the
	// cursor after ("" for the newest), as the central records keep
	// them: each desk's own acts, each naming its desk
	// (AuditEntry.Desk); with More, Next is the cursor of the page that
	// follows. A failure to reach them is a *Problem, as for
	// Credentials.
	SearchAudit(ctx context.Context, f AuditFilter, after AuditCursor) (AuditSearch, error)
}

// CentralCredentials returns the credentials of cf that the central
// records hold and this desk does not, newest issue first: a PIN obtained
// online, or at another sede. The lookup is audited (ActionCentralLookup). An active
// PIN ordinario among them can be converted here (ConvertCentral).
func (d *Desk) CentralCredentials(ctx context.Context, s *Session, cf CodiceFiscale) ([]Credential, error) {
	wrap := func(err error) error { return fmt.Errorf("central credentials of %s: %w", cf.Redacted(), err) }
	if d.Central == nil {
		return nil, wrap(ErrNoCentral)
	}
	found, err := d.Central.Credentials(ctx, cf)
	if err != nil {
		return nil, wrap(err)
	}
	var out []Credential
	err = d.update(s, func(tx Tx) error {
		out = out[:0]
		known, err := tx.Credentials(cf)
		if err != nil {
			return err
		}
		held := map[string]bool{}
		for _, c := range known {
			held[c.ID] = true
		}
		for _, c := range found {
			if !held[c.ID] && c.CodiceFiscale == cf {
				out = append(out, c)
			}
		}
		slices.SortStableFunc(out, func(a, b Credential) int { return b.IssuedAt.Compare(a.IssuedAt) })
		return appendAudit(tx, d.Now(), s.Sede.Code, s.Actor(), AuditEntry{
			Action: ActionCentralLookup, Subject: cf, Detail: fmt.Sprintf("%d non presenti in sede", len(out)),
		})
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// CentralCitizen returns the page of cf after a lookup at the central
// records: the way to a walk-in the sede holds no record of, whose PIN was
// obtained online or at another sede. The lookup is CentralCredentials'
// (audited, ErrNoCentral without central records, a *Problem when they
// cannot be reached, and nothing else is written); what it found is the
// page's Central. Without a record at the sede the page is Unknown; when
// neither the sede nor the central records hold anything of cf, the error
// is ErrNotFound.
func (d *Desk) CentralCitizen(ctx context.Context, s *Session, cf CodiceFiscale) (CitizenPage, error) {
	found, err := d.CentralCredentials(ctx, s, cf)
	if err != nil {
		return CitizenPage{}, err
	}
	var p CitizenPage
	err = d.update(s, func(tx Tx) (err error) { p, err = citizenPage(tx, s, d.Now(), cf, len(found) > 0); return err })
	if err != nil {
		return CitizenPage{}, fmt.Errorf("central citizen %s: %w", cf.Redacted(), err)
	}
	p.Central = found
	return p, nil
}

// centralCopy asks the central records for the credential id of cf, for
// a conversion at this desk: its copy, with no PIN hash.
func (d *Desk) centralCopy(ctx context.Context, cf CodiceFiscale, id string) (Credential, error) {
	if d.Central == nil {
		return Credential{}, ErrNoCentral
	}
	found, err := d.Central.Credentials(ctx, cf)
	if err != nil {
		return Credential{}, err
	}
	for _, c := range found {
		if c.ID == id && c.CodiceFiscale == cf {
			c.PINHash = ""
			return c, nil
		}
	}
	return Credential{}, ErrNotFound
}
