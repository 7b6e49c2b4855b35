package pinsede

import (
	"crypto/rand"
	"fmt"
	"io"
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

// appendAudit appends es to the audit chain, each at now, of sede and by
// actor, its Detail as an entry keeps it (auditDetail).
func appendAudit(tx AuditTx, now time.Time, sede, actor string, es ...AuditEntry) error {
	for _, e := range es {
		e.Time, e.Sede, e.Actor, e.Detail = now, sede, actor, auditDetail(e.Detail)
		if _, err := tx.AppendAudit(e); err != nil {
			return fmt.Errorf("audit %s: %w", e.Action, err)
		}
	}
	return nil
}
