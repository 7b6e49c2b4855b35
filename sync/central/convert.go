package central

import (
	"time"

	"github.com/pinsede/pinsede/sync/wire"
)

// putConverted stores r, a PIN ordinario just converted to dispositivo
// by the desk of sede. The conversion is an act on the citizen's record
// after an identity check in person, so any sede may make it, whatever
// sede (or channel: the online one) issued the credential: the record
// keeps its issuing sede, ConvertedBy names the operator, and when the
// issuing sede is another one it is told by a ChangeConverted (BySede:
// the converting sede), so that its copy follows.
func putConverted(tx Tx, sede string, r Record, at time.Time) error {
	if err := tx.PutRecord(r); err != nil {
		return err
	}
	c := r.Credential
	if c.Sede == sede {
		return nil
	}
	return tx.AddChange(wire.Change{
		Kind: wire.ChangeConverted, Time: at, Sede: c.Sede, CredentialID: c.ID, CodiceFiscale: c.CodiceFiscale, BySede: sede,
	})
}
