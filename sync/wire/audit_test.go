package wire_test

import (
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that ParseAuditQuery never panics, that what it accepts is
// within its bounds, and that a filter it accepts travels unchanged
// (AuditQuery, then ParseAuditQuery).
func FuzzParseAuditQuery(f *testing.F) {
	for _, q := range []string{
		"from=2026-12-01&to=2026-12-05",
		"from=2026-12-01&to=2026-12-05&operator=l.bianchi&action=credential.revoked&codice_fiscale=RSSMRA80A01H501U",
		"from=2026-12-05&to=2026-12-01", "from=2025-01-01&to=2026-12-31", "to=2026-12-05", "from=2026-12-01&to=2026-12-05&x=1",
		"from=2026-12-01&to=2026-12-05&operator=%00", "%zz", "from=2026-12-01&from=2026-12-02&to=2026-12-05",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		flt, err := wire.ParseAuditQuery(q)
		if err != nil {
			return
		}
		if es := flt.Validate(); len(es) > 0 {
			t.Fatalf("%q accepted as %+v, which Validate refuses: %v", q, flt, es)
		}
		if len(flt.Actor) > wire.MaxAuditText || len(flt.Action) > wire.MaxAuditText {
			t.Fatalf("%q accepted with a filter of %d, %d bytes", q, len(flt.Actor), len(flt.Action))
		}
		if flt.Subject != "" {
			if cf, err := pinsede.ParseCodiceFiscale(string(flt.Subject)); err != nil || cf != flt.Subject {
				t.Fatalf("%q accepted with codice fiscale %q", q, flt.Subject)
			}
		}
		again, err := wire.ParseAuditQuery(wire.AuditQuery(flt))
		if err != nil || again != flt {
			t.Fatalf("%q: %+v travels as %+v, %v", q, flt, again, err)
		}
	})
}
