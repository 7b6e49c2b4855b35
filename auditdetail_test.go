package pinsede_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pinsede/pinsede"
)

// lastAudit returns the last n entries of f's audit chain.
func lastAudit(t *testing.T, f *fixture, n int) []pinsede.AuditEntry {
	t.Helper()
	var all []pinsede.AuditEntry
	if err := f.store.AuditEntries(0, func(e pinsede.AuditEntry) error { all = append(all, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return all[len(all)-n:]
}

// Ensure that the longest detail the desk writes of bounded inputs, a
// delegation's (two names of 120 characters, each a Latin letter and 119
// combining marks of four bytes, the most bytes a name in Latin letters
// can take; a reason of 120 four-byte characters),
// fits in pinsede.MaxAuditDetail whole, with room, and that a reason
// longer than 120 characters is refused with the field and its maximum.
func TestLongestAuditDetailFits(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("𝐀", 120)                // U+1D400, a letter of 4 bytes
	name := "A" + strings.Repeat("\U0001D167", 119) // U+1D167, a combining mark of 4 bytes
	in := delegation(t, f, pinsede.FormAA09, 0, 1, 0, 90)
	in.Delegante.Cognome, in.Delegante.Nome, in.Delegato.Cognome, in.Delegato.Nome = name, name, name, name
	in.MedicalCertificate = long
	dl, err := f.desk.RegisterDelegation(f.sup, in)
	if err != nil {
		t.Fatal(err)
	}
	var es pinsede.FieldErrors
	if _, err := f.desk.RevokeDelegation(f.sup, dl.ID, long+"𝐀"); !errors.As(err, &es) {
		t.Fatalf("a reason of 121 characters: %v, want FieldErrors", err)
	}
	if fe, ok := es.For(pinsede.FieldRevokeReason); !ok || fe.Key != pinsede.KeyTooLong {
		t.Fatalf("a reason of 121 characters: %v, want %s on %s", es, pinsede.KeyTooLong, pinsede.FieldRevokeReason)
	}
	if _, err := f.desk.RevokeDelegation(f.sup, dl.ID, long); err != nil {
		t.Fatal(err)
	}
	longest := 0
	for _, e := range lastAudit(t, f, 2) {
		if !strings.HasSuffix(e.Detail, long) || !strings.Contains(e.Detail, name+" "+name) {
			t.Errorf("detail of %s cut: %q", e.Action, e.Detail)
		}
		longest = max(longest, len(e.Detail))
	}
	if longest > pinsede.MaxAuditDetail/2 {
		t.Errorf("the longest real detail is %d bytes, want at most half of %d", longest, pinsede.MaxAuditDetail)
	}
	t.Logf("the longest real detail: %d bytes of %d", longest, pinsede.MaxAuditDetail)
}

// Ensure that a detail of an input the desk does not bound (an audit
// search's operator) is cut to pinsede.MaxAuditDetail bytes at a
// character's boundary, "…" at its end, its NULs dropped: the desk writes
// no entry that centrale would refuse.
func TestAuditDetailCut(t *testing.T) {
	f := newFixture(t)
	day := pinsede.DateOf(f.now)
	op := "\x00" + strings.Repeat("è", pinsede.MaxAuditDetail)
	if _, err := f.desk.SearchAudit(f.sup, pinsede.AuditFilter{From: day, To: day, Actor: op}); err != nil {
		t.Fatal(err)
	}
	e := lastAudit(t, f, 1)[0]
	if e.Action != pinsede.ActionAuditSearched || len(e.Detail) > pinsede.MaxAuditDetail || len(e.Detail) < pinsede.MaxAuditDetail-4 ||
		!utf8.ValidString(e.Detail) || !strings.HasSuffix(e.Detail, "è…") || strings.ContainsRune(e.Detail, 0) {
		t.Errorf("%s: detail of %d bytes ending %q, want at most %d, cut at a character, no NUL", e.Action, len(e.Detail), e.Detail[len(e.Detail)-8:], pinsede.MaxAuditDetail)
	}
}
