package pinsede_test

import (
	"errors"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a supervisor unlocks a locked-out operator, enables a
// disabled one again and resets a forgotten password, each audited; that
// the operator then logs in with the temporary password, must change it,
// and cannot keep it; and that an operator may do none of these.
func TestOperatorAdministration(t *testing.T) {
	f := newFixture(t)
	f.addOperator(t, pinsede.NewOperator{ID: "op1", Name: "Carlo Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"})
	// Locked out by failed logins, then unlocked.
	for range pinsede.MaxFailedLogins {
		f.desk.Login("op1", "sbagliata-sbagliata")
	}
	if _, err := f.desk.Login("op1", "password-op1"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Fatalf("locked out: login = %v", err)
	}
	if err := f.desk.UnlockOperator(f.sup, "op1"); err != nil {
		t.Fatal(err)
	}
	op, err := f.desk.Login("op1", "password-op1")
	if err != nil {
		t.Fatalf("after the unlock: %v", err)
	}
	// An operator administers nobody.
	for name, do := range map[string]func() error{
		"unlock": func() error { return f.desk.UnlockOperator(op, "sup") },
		"enable": func() error { return f.desk.EnableOperator(op, "sup") },
		"reset":  func() error { return f.desk.ResetPassword(op, "sup", "temporanea-123") },
	} {
		if err := do(); !errors.Is(err, pinsede.ErrForbidden) {
			t.Errorf("an operator's %s: %v, want ErrForbidden", name, err)
		}
	}
	// Disabled, then enabled again.
	if err := f.desk.DisableOperator(f.sup, "op1"); err != nil {
		t.Fatal(err)
	}
	if err := f.desk.EnableOperator(f.sup, "op1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Login("op1", "password-op1"); err != nil {
		t.Fatalf("enabled again: %v", err)
	}
	// A forgotten password: reset, a login with the temporary one, which
	// must be changed, and not to itself.
	if err := f.desk.ResetPassword(f.sup, "op1", "corta"); err == nil {
		t.Error("a temporary password of 5 characters was accepted")
	}
	if err := f.desk.ResetPassword(f.sup, "sup", "temporanea-123"); !errors.Is(err, pinsede.ErrForbidden) {
		t.Errorf("resetting one's own password: %v", err)
	}
	if err := f.desk.ResetPassword(f.sup, "op1", "temporanea-123"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Login("op1", "password-op1"); !errors.Is(err, pinsede.ErrBadCredentials) {
		t.Errorf("the old password still works: %v", err)
	}
	op, err = f.desk.Login("op1", "temporanea-123")
	if err != nil || !op.Operator.MustChangePassword {
		t.Fatalf("login with the temporary password: %v, must change %v", err, op != nil && op.Operator.MustChangePassword)
	}
	if err := f.desk.ChangePassword(op, "temporanea-123", "temporanea-123"); !errors.Is(err, pinsede.ErrSamePassword) {
		t.Errorf("kept the temporary password: %v", err)
	}
	if err := f.desk.ChangePassword(op, "temporanea-123", "la-mia-nuova-password"); err != nil {
		t.Fatal(err)
	}
	if op, err = f.desk.Login("op1", "la-mia-nuova-password"); err != nil || op.Operator.MustChangePassword {
		t.Fatalf("after the change: %v", err)
	}
	var audit []pinsede.AuditEntry
	if err := f.store.View(func(tx pinsede.Tx) (err error) {
		audit, err = tx.AuditOn(pinsede.DateOf(f.now))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want := map[pinsede.AuditAction]int{pinsede.ActionOperatorUnlock: 1, pinsede.ActionOperatorOn: 1, pinsede.ActionPasswordReset: 1, pinsede.ActionPasswordChanged: 2} // the first login's, the reset's
	for _, e := range audit {
		if _, ok := want[e.Action]; ok {
			want[e.Action]--
			if e.Action != pinsede.ActionPasswordChanged && e.Actor != "sup" {
				t.Errorf("%s by %s, want the supervisor", e.Action, e.Actor)
			}
		}
	}
	for a, n := range want {
		if n != 0 {
			t.Errorf("%s audited %d times too few", a, n)
		}
	}
}
