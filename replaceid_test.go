package pinsede_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that a lost slip is replaced after an identity check made at the
// replacement, with the care of an issue (issue 7): the document checked
// at the first visit, expired since, is refused, as is an unticked
// checklist and a document the policy refuses the citizen; the new
// document goes on the new MV35, in the audit entry and in the citizen's
// record. Before, ReplaceSlip took no identity check and archived an MV35
// dated 15/01/2027 that said the identity was verified with a document
// expired on 01/12/2026.
func TestReplaceSlipChecksIdentity(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	forms := &fakeForms{}
	f.desk.Forms = forms
	f.addOperator(t, pinsede.NewOperator{ID: "op1", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"})
	op, err := f.desk.Login("op1", "password-op1")
	if err != nil {
		t.Fatal(err)
	}
	first := verification()
	first.Document.ExpiresOn = pinsede.Date{Year: 2026, Month: 12, Day: 1} // valid on 23/11/2026
	out, err := f.desk.Issue(ctx, op, request(), first)
	if err != nil {
		t.Fatal(err)
	}
	id := out.Credential.ID
	f.now = time.Date(2027, 1, 15, 10, 0, 0, 0, time.Local) // the document expired on 01/12/2026
	approval := pinsede.Approval{SupervisorID: "sup", Password: "password-lunga"}

	refused := func(name string, ver pinsede.Verification, field, key string) {
		t.Helper()
		_, err := f.desk.ReplaceSlip(ctx, op, id, pinsede.ReasonSlipLost, ver, approval)
		var es pinsede.FieldErrors
		if !errors.As(err, &es) {
			t.Fatalf("%s: want FieldErrors, got %v", name, err)
		}
		if e, ok := es.For(field); !ok || e.Key != key {
			t.Fatalf("%s: want %s on %s, got %v", name, key, field, es)
		}
	}
	refused("the document of the first visit, expired", first, pinsede.FieldDocExpires, pinsede.KeyDocExpired)
	now := verification()
	now.Document.Number = "PAB654321"
	now.Document.IssuedOn = pinsede.Date{Year: 2027, Month: 1, Day: 10}
	now.Document.ExpiresOn = pinsede.Date{Year: 2037, Month: 1, Day: 9}
	unticked := now
	unticked.Checklist.OriginalSeen = false
	refused("the original not seen", unticked, pinsede.FieldCheckOriginal, pinsede.KeyCheckNotDone)
	none := now
	none.Checklist = pinsede.Checklist{}
	refused("no checklist", none, pinsede.FieldCheckPhoto, pinsede.KeyCheckNotDone)

	// An Italian document: the policy refuses the citizen, as an issue.
	cie := now
	cie.Document = pinsede.Document{Type: pinsede.DocCIE, Number: "CA12345AB", Authority: "Comune di Roma", Country: "IT",
		IssuedOn: pinsede.Date{Year: 2026, Month: 5, Day: 4}, ExpiresOn: pinsede.Date{Year: 2036, Month: 5, Day: 3}}
	_, err = f.desk.ReplaceSlip(ctx, op, id, pinsede.ReasonSlipLost, cie, approval)
	var p *pinsede.Problem
	if !errors.As(err, &p) || p.Key != pinsede.KeyRefusedItalianDocument || !errors.Is(err, pinsede.ErrNotEligible) {
		t.Fatalf("an Italian document: want the policy's refusal, got %v", err)
	}
	if len(f.printer.pins) != 1 || len(forms.rendered) != 1 {
		t.Fatalf("a refused replacement printed %d slips, archived %d forms", len(f.printer.pins), len(forms.rendered))
	}
	cp, err := f.desk.Citizen(f.sup, request().CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, e := range cp.History {
		audited = audited || e.Action == pinsede.ActionRefused && e.Detail == pinsede.KeyRefusedItalianDocument
	}
	if !audited {
		t.Fatalf("the refusal is not audited: %+v", cp.History)
	}
	if cp.Citizen.Document.Number != "PAA123456" {
		t.Fatalf("a refused replacement changed the citizen's document: %+v", cp.Citizen.Document)
	}

	now.Scan = &pinsede.Scan{Name: "passaporto.png", MIME: "image/png", Data: []byte("\x89PNG\r\n\x1a\n")}
	rep, err := f.desk.ReplaceSlip(ctx, op, id, pinsede.ReasonSlipLost, now, approval)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Credential.Active(f.now) || len(rep.Replaced) != 1 {
		t.Fatalf("replacement %+v", rep)
	}
	form := forms.rendered[len(forms.rendered)-1]
	if !form.Replaces || form.Document.Number != "PAB654321" || form.Document.ExpiresOn != now.Document.ExpiresOn || !form.Date.Equal(f.now) {
		t.Fatalf("the new MV35 carries %+v, dated %v; want the document checked now", form.Document, form.Date)
	}
	if cp, err = f.desk.Citizen(f.sup, request().CodiceFiscale); err != nil {
		t.Fatal(err)
	}
	if cp.Citizen.Document.Number != "PAB654321" {
		t.Fatalf("the citizen's record keeps the document %+v", cp.Citizen.Document)
	}
	var entry *pinsede.AuditEntry
	for i, e := range cp.History {
		if e.Action == pinsede.ActionSlipReplaced {
			entry = &cp.History[i]
		}
	}
	if entry == nil || !strings.Contains(entry.Detail, "n. PAB654321 (ES), scade il 09/01/2037") {
		t.Fatalf("the audit entry does not name the document checked: %+v", entry)
	}
}
