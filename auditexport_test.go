package pinsede_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that an export of the audit gives the entries of its days, by
// operator and action when asked, only to a supervisor, within its bound
// of days, and is itself audited.
func TestExportAudit(t *testing.T) {
	f := newFixture(t)
	if _, err := f.desk.Issue(context.Background(), f.sup, request(), verification()); err != nil {
		t.Fatal(err)
	}
	today := pinsede.DateOf(f.now)
	all, err := f.desk.ExportAudit(f.sup, pinsede.AuditFilter{From: today, To: today})
	if err != nil {
		t.Fatal(err)
	}
	issued, err := f.desk.ExportAudit(f.sup, pinsede.AuditFilter{From: today, To: today, Action: pinsede.ActionIssued, Actor: "sup"})
	if err != nil {
		t.Fatal(err)
	}
	if len(issued) != 1 || issued[0].Action != pinsede.ActionIssued || len(all) <= len(issued) {
		t.Errorf("export: %d entries, %d of them issues; want more than the one issue", len(all), len(issued))
	}
	if none, err := f.desk.ExportAudit(f.sup, pinsede.AuditFilter{From: today, To: today, Actor: "nessuno"}); err != nil || len(none) != 0 {
		t.Errorf("another operator's entries: %d, %v", len(none), err)
	}
	next, err := f.desk.ExportAudit(f.sup, pinsede.AuditFilter{From: today, To: today})
	if err != nil {
		t.Fatal(err)
	}
	if last := next[len(next)-1]; last.Action != pinsede.ActionAuditExported || last.Actor != "sup" {
		t.Errorf("the last entry after an export is %+v, want the export's own", last)
	}

	op := &pinsede.Session{Operator: pinsede.Operator{ID: "op", Role: pinsede.RoleOperatore}, Sede: f.sup.Sede}
	if _, err := f.desk.ExportAudit(op, pinsede.AuditFilter{From: today, To: today}); !errors.Is(err, pinsede.ErrForbidden) {
		t.Errorf("an operator's export: %v, want ErrForbidden", err)
	}
	yearAgo := pinsede.DateOf(f.now.AddDate(-1, 0, -2))
	if _, err := f.desk.ExportAudit(f.sup, pinsede.AuditFilter{From: yearAgo, To: today}); err == nil {
		t.Errorf("an export of %d days: no error", pinsede.MaxAuditExportDays+2)
	}
	if _, err := f.desk.ExportAudit(f.sup, pinsede.AuditFilter{From: today, To: yearAgo}); err == nil {
		t.Error("an export whose end is before its start: no error")
	}
}
