package pinsede_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pinsede/pinsede"
)

// reconForms renders the reconciliation as a fake PDF.
type reconForms struct {
	fakeForms
	got []pinsede.Reconciliation
}

func (r *reconForms) RenderReconciliation(rc pinsede.Reconciliation) ([]byte, error) {
	r.got = append(r.got, rc)
	return []byte("%PDF-1.7 riconciliazione"), nil
}

// Ensure that the reconciliation counts, per operator, what the day's audit
// says (three PINs issued and printed, one voided by a print failure, two
// handed over) and lists the one slip printed and never handed over.
func TestReconciliation(t *testing.T) {
	f := newFixture(t)
	f.addOperator(t, pinsede.NewOperator{ID: "op1", Name: "Carlo Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"})
	op, err := f.desk.Login("op1", "password-op1")
	if err != nil {
		t.Fatal(err)
	}
	issue := func(s *pinsede.Session, cognome string) pinsede.Credential { return f.issueTo(t, s, cognome) }
	a := issue(f.sup, "Rossi")
	b := issue(f.sup, "Bianchi")
	c := issue(op, "Martini")
	f.printer.err = errors.New("carta esaurita")
	issue(f.sup, "Esposito")
	f.printer.err = nil
	if _, err := f.desk.RecordHandover(f.sup, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.RecordHandover(op, c.ID); err != nil {
		t.Fatal(err)
	}

	r, err := f.desk.Reconciliation(op, pinsede.DateOf(f.now), pinsede.ScopeDesk)
	if err != nil {
		t.Fatal(err)
	}
	want := []pinsede.ReconciliationRow{
		{Operator: "op1", Name: "Carlo Verdi", Printed: 1, Issued: 1, HandedOver: 1},
		{Operator: "sup", Name: "Anna Bianchi", Printed: 2, Issued: 3, Voided: 1, HandedOver: 1},
	}
	if len(r.Rows) != len(want) {
		t.Fatalf("rows %+v, want %+v", r.Rows, want)
	}
	for i := range want {
		if r.Rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, r.Rows[i], want[i])
		}
	}
	if tot := (pinsede.ReconciliationRow{Printed: 3, Issued: 4, Voided: 1, HandedOver: 2}); r.Total != tot {
		t.Errorf("total %+v, want %+v", r.Total, tot)
	}
	if len(r.Mismatches) != 1 || r.Mismatches[0].SlipSerial != b.SlipSerial || r.Mismatches[0].Citizen != "Bianchi Mario" ||
		r.Mismatches[0].Operator != "sup" {
		t.Fatalf("mismatches %+v, want the slip %s of Bianchi Mario", r.Mismatches, b.SlipSerial)
	}
	if r.DrawnBy != "Carlo Verdi" || r.Sede.Code != "ROMA01" {
		t.Errorf("drawn by %q for %q", r.DrawnBy, r.Sede.Code)
	}

	other, err := f.desk.Reconciliation(op, pinsede.DateOf(f.now.AddDate(0, 0, -1)), pinsede.ScopeDesk)
	if err != nil || len(other.Rows) != 0 || len(other.Mismatches) != 0 {
		t.Fatalf("the day before: %+v, %v", other, err)
	}
	audited := 0
	err = f.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Action == pinsede.ActionReconciliation && e.Actor == "op1" {
			audited++
		}
		return nil
	})
	if err != nil || audited != 2 {
		t.Fatalf("%d reconciliations audited, want 2: %v", audited, err)
	}
}

// Ensure that the reconciliation is printed only with a renderer that
// draws it and a printer, through Documents.
func TestPrintReconciliation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	day := pinsede.DateOf(f.now)
	docs := &documents{}
	f.desk.Forms, f.desk.Documents = nil, docs
	if _, err := f.desk.PrintReconciliation(ctx, f.sup, day, pinsede.ScopeDesk); !errors.Is(err, pinsede.ErrNoPrinter) {
		t.Fatalf("without a renderer: %v", err)
	}
	forms := &reconForms{}
	f.desk.Forms = forms
	if _, err := f.desk.PrintReconciliation(ctx, f.sup, day, pinsede.ScopeDesk); err != nil {
		t.Fatal(err)
	}
	if len(forms.got) != 1 || len(docs.titles) != 1 || docs.titles[0] != "riconciliazione-ROMA01-"+day.String() {
		t.Fatalf("rendered %d, printed %v", len(forms.got), docs.titles)
	}
}

// Ensure that no reconciliation is drawn up, nor printed, for a day to
// come, of either scope: it would say that nothing was issued on a day
// not yet begun, drawn up before it. The audit screen refused such a
// day, but Desk.Reconciliation took any (its one caller's rule).
func TestReconciliationOfADayToCome(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	docs, forms := &documents{}, &reconForms{}
	f.desk.Forms, f.desk.Documents = forms, docs
	tomorrow := pinsede.DateOf(f.now.AddDate(0, 0, 1))
	for _, scope := range []pinsede.ReconciliationScope{pinsede.ScopeDesk, pinsede.ScopeSede} {
		var p *pinsede.Problem
		if _, err := f.desk.PrintReconciliation(ctx, f.sup, tomorrow, scope); !errors.As(err, &p) || p.Key != pinsede.KeyDateFuture {
			t.Errorf("scope %d, the reconciliation of %s, a day to come: %v, want the problem %s", scope, tomorrow, err, pinsede.KeyDateFuture)
		}
	}
	if len(forms.got) != 0 || len(docs.titles) != 0 {
		t.Errorf("rendered %d, printed %v for a day to come", len(forms.got), docs.titles)
	}
	if _, err := f.desk.Reconciliation(f.sup, pinsede.DateOf(f.now), pinsede.ScopeDesk); err != nil {
		t.Errorf("today's: %v", err)
	}
}

// Ensure that the reconciliation counts revocations and replaced slips,
// and leaves out of the mismatches a slip replaced because it was lost
// (its replacement, not handed over, is in).
func TestReconciliationReplaced(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.addOperator(t, pinsede.NewOperator{ID: "sup2", Name: "Lucia Neri", Role: pinsede.RoleSupervisore, Password: "password-sup2"})
	out, err := f.desk.Issue(ctx, f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.desk.ReplaceSlip(ctx, f.sup, out.Credential.ID, pinsede.ReasonSlipLost, verification(), pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Revoke(f.sup, rep.Credential.ID, "richiesta del cittadino"); err != nil {
		t.Fatal(err)
	}
	r, err := f.desk.Reconciliation(f.sup, pinsede.DateOf(f.now), pinsede.ScopeDesk)
	if err != nil {
		t.Fatal(err)
	}
	want := pinsede.ReconciliationRow{Operator: "sup", Name: "Anna Bianchi", Printed: 2, Issued: 1, Revoked: 2, Replaced: 1}
	if len(r.Rows) != 1 || r.Rows[0] != want {
		t.Fatalf("rows %+v, want %+v", r.Rows, want)
	}
	if len(r.Mismatches) != 1 || r.Mismatches[0].SlipSerial != rep.Credential.SlipSerial {
		t.Fatalf("mismatches %+v, want only the replacement %s", r.Mismatches, rep.Credential.SlipSerial)
	}
}

// issueTo issues, in session s, a PIN to the citizen of request() with
// surname cognome; a printer failure set on the fixture is not fatal.
func (f *fixture) issueTo(t *testing.T, s *pinsede.Session, cognome string) pinsede.Credential {
	t.Helper()
	r := request()
	r.Cognome = cognome
	cf, err := pinsede.EncodeCodiceFiscale(r.Cognome, r.Nome, r.Sesso, r.DataNascita, r.LuogoNascita.Code)
	if err != nil {
		t.Fatal(err)
	}
	r.CodiceFiscale = cf
	out, err := f.desk.Issue(context.Background(), s, r, verification())
	if err != nil && f.printer.err == nil {
		t.Fatal(err)
	}
	return out.Credential
}
