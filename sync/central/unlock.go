package central

import (
	"errors"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// ReasonUnlockOtherCF is why an EventUnlocked is rejected when its
// codice fiscale is not its credential's.
const ReasonUnlockOtherCF = ReasonBadEvent + ": the codice fiscale is not the credential's"

// applyUnlocked applies an EventUnlocked of sede: the desk checked the
// citizen's identity, so any sede lifts the lock of any sede's credential
// (RecordSede), as it converts one. The credential must be known and be
// the codice fiscale's; its lock is lifted at the time of acceptance, by
// the sede (UnlockRecord). A credential with nothing to lift is left as
// it is, and the event accepted all the same: it is the audit of the
// identity check at centrale.
func applyUnlocked(tx Tx, sede string, ev pinsede.Event, at time.Time) (wire.Verdict, string, error) {
	rec, err := tx.Record(ev.Credential.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		return wire.Rejected, ReasonUnknownCred, nil
	case err != nil:
		return "", "", err
	case rec.Credential.CodiceFiscale != ev.Credential.CodiceFiscale:
		return wire.Rejected, ReasonUnlockOtherCF, nil
	}
	if !UnlockRecord(&rec, sede, at) {
		return wire.Accepted, "", nil
	}
	return wire.Accepted, "", tx.PutRecord(rec)
}
