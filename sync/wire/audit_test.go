package wire_test

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

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
		"from=2026-12-01&to=2026-12-05&after=" + cursor("01", 7).String(), "from=2026-12-01&to=2026-12-05&after=eyJ0Ijo",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		flt, after, err := wire.ParseAuditQuery(q)
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
		again, afterAgain, err := wire.ParseAuditQuery(wire.AuditQuery(flt, after))
		if err != nil || again != flt || !sameCursor(after, afterAgain) {
			t.Fatalf("%q: %+v after %+v travels as %+v after %+v, %v", q, flt, after, again, afterAgain, err)
		}
	})
}

// cursor returns the cursor of entry seq of desk, at a fixed time of the
// suite's seeds.
func cursor(desk string, seq uint64) wire.AuditCursor {
	h := sha256.Sum256([]byte{byte(seq)})
	at := time.Date(2026, 12, 5, 9, 30, 0, 123456789, time.FixedZone("", 3600))
	return wire.CursorOf(pinsede.AuditEntry{Time: at, Desk: desk, Seq: seq, Hash: h[:]})
}

// sameCursor reports whether a and b name the same place, the time's
// offset too (it gives the day).
func sameCursor(a, b wire.AuditCursor) bool {
	_, oa := a.Time.Zone()
	_, ob := b.Time.Zone()
	return a.Time.Equal(b.Time) && oa == ob && a.Desk == b.Desk && a.Seq == b.Seq && bytes.Equal(a.Hash, b.Hash)
}

// Ensure that ParseAuditCursor never panics, that a cursor it accepts is
// within its bounds and travels unchanged (String, then
// ParseAuditCursor), and that every cursor String writes is read back.
func FuzzParseAuditCursor(f *testing.F) {
	for _, s := range []string{
		"", cursor("01", 1).String(), cursor("", 1<<53).String(), cursor(`"\<>è`, 12).String(),
		"eyJ0IjoiMjAyNi0xMi0wNVQwOTozMDowMFoiLCJkIjoiMDEiLCJzIjowLCJoIjoiIn0", "!!!", "eyJ4IjoxfQ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := wire.ParseAuditCursor(s)
		if err != nil {
			if !c.IsZero() || c.Hash != nil || c.Desk != "" {
				t.Fatalf("%q refused (%v) with a cursor %+v", s, err, c)
			}
			return
		}
		if s == "" {
			if !c.IsZero() {
				t.Fatalf("the start read as %+v", c)
			}
			return
		}
		if c.IsZero() || c.Seq > wire.MaxAuditCursorSeq || len(c.Hash) != sha256.Size || len(c.Desk) > wire.MaxAuditText {
			t.Fatalf("%q accepted as %+v", s, c)
		}
		enc := c.String()
		if len(enc) > wire.MaxAuditCursor {
			t.Fatalf("%+v written in %d bytes, more than a search takes", c, len(enc))
		}
		again, err := wire.ParseAuditCursor(enc)
		if err != nil || !sameCursor(c, again) {
			t.Fatalf("%q: %+v travels as %+v, %v", s, c, again, err)
		}
	})
}
