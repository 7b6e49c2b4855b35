package pinsede_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that a supervisor cannot approve in a colleague's name with a
// password they chose for them: a new account's password, and a reset's,
// is a temporary one that its operator changes at the first login
// (MustChangePassword), and an approval given with it is refused
// (ErrApproverTemporary), after the password check, whose failures still
// count. The approval goes through once the colleague chose their own.
// The first supervisor, who chose their own password at the setup, need
// not change it. (AddOperator set no MustChangePassword, and approve took
// a temporary password.)
func TestApproverChoseTheirPassword(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if f.sup.Operator.MustChangePassword {
		t.Fatal("the first supervisor must change the password they chose at the setup")
	}
	if err := f.desk.AddOperator(f.sup, pinsede.NewOperator{ID: "sup2", Name: "Carla Neri", Role: pinsede.RoleSupervisore, Password: "data-da-anna"}); err != nil {
		t.Fatal(err)
	}
	sup2, err := f.desk.Login("sup2", "data-da-anna")
	if err != nil || !sup2.Operator.MustChangePassword {
		t.Fatalf("first login of a new account: %v, must change it %v", err, sup2 != nil && sup2.Operator.MustChangePassword)
	}
	replace := func(cognome, pw string) error {
		t.Helper()
		c := f.issueTo(t, f.sup, cognome)
		_, err := f.desk.ReplaceSlip(ctx, f.sup, c.ID, pinsede.ReasonSlipLost, verification(), pinsede.Approval{SupervisorID: "sup2", Password: pw})
		return err
	}
	if err := replace("Verdi", "data-da-anna"); !errors.Is(err, pinsede.ErrApproverTemporary) {
		t.Fatalf("approved with the password the creator chose: %v, want ErrApproverTemporary", err)
	}
	if err := replace("Neri", "sbagliata-sbagliata"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Fatalf("a wrong password: %v, want ErrBadCredentials", err)
	}
	if n := failedLogins(t, f, "sup2"); n != 1 {
		t.Errorf("failures of sup2: %d, want the wrong approval's", n)
	}
	if err := f.desk.ChangePassword(sup2, "data-da-anna", "scelta-da-carla"); err != nil {
		t.Fatal(err)
	}
	if err := replace("Gialli", "scelta-da-carla"); err != nil {
		t.Fatalf("approved with the password sup2 chose: %v", err)
	}
	// A reset's temporary password: the same.
	if err := f.desk.ResetPassword(f.sup, "sup2", "temporanea-di-anna"); err != nil {
		t.Fatal(err)
	}
	if err := replace("Bruni", "temporanea-di-anna"); !errors.Is(err, pinsede.ErrApproverTemporary) {
		t.Fatalf("approved with a reset's password: %v, want ErrApproverTemporary", err)
	}
}

// Ensure that a wrong approval password typed at a clerk's desk is
// audited as asked by that clerk at that desk, and still counts towards
// the supervisor's lock-out, and that an approval is no login of the
// supervisor (LastLogin, "Ultimo accesso"). (The audit read as the
// supervisor's own failed login, and an approval set LastLogin.)
func TestApprovalIsNoLogin(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.desk.DeskID = "03"
	f.addOperator(t, pinsede.NewOperator{ID: "op1", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"})
	op, err := f.desk.Login("op1", "password-op1")
	if err != nil {
		t.Fatal(err)
	}
	lastLogin := func() time.Time {
		t.Helper()
		var o pinsede.Operator
		if err := f.store.View(func(tx pinsede.Tx) (err error) { o, err = tx.Operator("sup"); return err }); err != nil {
			t.Fatal(err)
		}
		return o.LastLogin
	}
	logged := lastLogin()
	f.now = f.now.Add(time.Hour)
	c := f.issueTo(t, op, "Verdi")
	if _, err := f.desk.ReplaceSlip(ctx, op, c.ID, pinsede.ReasonSlipLost, verification(), pinsede.Approval{SupervisorID: "sup", Password: "sbagliata-sbagliata"}); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Fatalf("a wrong approval: %v", err)
	}
	if n := failedLogins(t, f, "sup"); n != 1 {
		t.Errorf("failures of sup: %d, want the wrong approval's", n)
	}
	var audit []pinsede.AuditEntry
	if err := f.store.View(func(tx pinsede.Tx) (err error) { audit, err = tx.AuditOn(pinsede.DateOf(f.now)); return err }); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range audit {
		if e.Action == pinsede.ActionLoginFailed {
			found = true
			if e.Actor != "sup" || !strings.Contains(e.Detail, "tentativo 1") || !strings.Contains(e.Detail, "approvazione chiesta da op1 alla postazione 03") {
				t.Errorf("the wrong approval audited as %s %q, want who asked it, at which desk", e.Actor, e.Detail)
			}
		}
	}
	if !found {
		t.Error("the wrong approval was not audited")
	}
	if _, err := f.desk.ReplaceSlip(ctx, op, c.ID, pinsede.ReasonSlipLost, verification(), pinsede.Approval{SupervisorID: "sup", Password: "password-lunga"}); err != nil {
		t.Fatal(err)
	}
	if n := failedLogins(t, f, "sup"); n != 0 {
		t.Errorf("failures of sup after a right approval: %d, want none", n)
	}
	if got := lastLogin(); !got.Equal(logged) {
		t.Errorf("last login of sup %v after an approval, want %v, its login", got, logged)
	}
}
