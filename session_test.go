package pinsede_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a session ends, for every action it tries, once a
// supervisor disables its account or resets its password: a disabled
// clerk issued and revoked PINs, and a disabled supervisor created
// accounts and enabled itself again, until their next login. Nothing is
// done by a refused action; the clerk's own change of password keeps
// the session going; a session of pinctl has no account and goes on.
func TestSessionEndsWithItsAccount(t *testing.T) {
	f := newFixture(t)
	for _, n := range []pinsede.NewOperator{
		{ID: "sup2", Name: "Lucia Neri", Role: pinsede.RoleSupervisore, Password: "password-sup2"},
		{ID: "op1", Name: "Carlo Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"},
		{ID: "op2", Name: "Paola Gialli", Role: pinsede.RoleOperatore, Password: "password-op2"},
	} {
		f.addOperator(t, n)
	}
	login := func(id, pw string) *pinsede.Session {
		t.Helper()
		s, err := f.desk.Login(id, pw)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sup2, op1, op2 := login("sup2", "password-sup2"), login("op1", "password-op1"), login("op2", "password-op2")
	issued, err := f.desk.Issue(context.Background(), op1, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.desk.SessionValid(op1); err != nil {
		t.Fatalf("before anything changed: %v", err)
	}

	if err := f.desk.DisableOperator(f.sup, "op1"); err != nil {
		t.Fatal(err)
	}
	if err := f.desk.DisableOperator(f.sup, "sup2"); err != nil {
		t.Fatal(err)
	}
	if err := f.desk.ResetPassword(f.sup, "op2", "temporanea-op2"); err != nil {
		t.Fatal(err)
	}
	other := request()
	other.Cognome, other.Nome, other.Sesso, other.CodiceFiscale = "Bianchi", "Laura", pinsede.SexFemale, "BNCLRA85M41F205C"
	other.DataNascita, other.LuogoNascita = pinsede.Date{Year: 1985, Month: 8, Day: 1}, pinsede.Place{Name: "Milano", Province: "MI", Code: "F205"}
	refused := map[string]func() error{
		"op1 validity": func() error { return f.desk.SessionValid(op1) },
		"op1 issue":    func() error { _, err := f.desk.Issue(context.Background(), op1, other, verification()); return err },
		"op1 revoke": func() error {
			_, err := f.desk.Revoke(op1, issued.Credential.ID, "richiesta del cittadino")
			return err
		},
		"op1 handover": func() error { _, err := f.desk.RecordHandover(op1, issued.Credential.ID); return err },
		"op1 search": func() error {
			_, err := f.desk.Search(op1, pinsede.SearchQuery{CodiceFiscale: "RSSMRA80A01H501U"})
			return err
		},
		"op1 unlock": func() error { return f.desk.Unlock(op1, "password-op1") },
		"sup2 add": func() error {
			return f.desk.AddOperator(sup2, pinsede.NewOperator{ID: "op9", Name: "Nuovo", Role: pinsede.RoleSupervisore, Password: "password-op9"})
		},
		"sup2 enable":    func() error { return f.desk.EnableOperator(sup2, "sup2") },
		"sup2 operators": func() error { _, err := f.desk.Operators(sup2); return err },
		"op2 (reset) issue": func() error {
			_, err := f.desk.Issue(context.Background(), op2, other, verification())
			return err
		},
	}
	for name, do := range refused {
		if err := do(); !errors.Is(err, pinsede.ErrSessionEnded) {
			t.Errorf("%s: %v, want ErrSessionEnded", name, err)
		}
	}
	if n := len(f.printer.slips); n != 1 {
		t.Errorf("%d slips printed, want the first issue's only", n)
	}
	var cs []pinsede.Credential
	var first pinsede.Credential
	err = f.store.View(func(tx pinsede.Tx) (err error) {
		if cs, err = tx.Credentials(other.CodiceFiscale); err != nil {
			return err
		}
		first, err = tx.Credential(issued.Credential.ID)
		return err
	})
	if err != nil || len(cs) != 0 {
		t.Errorf("credentials of the refused issue: %+v, %v", cs, err)
	}
	if first.State != pinsede.StateAttivo || !first.HandedOverAt.IsZero() {
		t.Errorf("the first PIN after refused acts: %+v", first)
	}
	ops, err := f.desk.Operators(f.sup)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		if o.ID == "op9" || (o.ID == "sup2" && !o.Disabled) {
			t.Errorf("after refused acts: %+v", o)
		}
	}

	// The clerk's own change of password: the session goes on.
	op2 = login("op2", "temporanea-op2")
	if err := f.desk.ChangePassword(op2, "temporanea-op2", "nuova-password-op2"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Issue(context.Background(), op2, other, verification()); err != nil {
		t.Errorf("issue after the clerk's own change of password: %v", err)
	}
	// pinctl's session has no account; one merely named as it (an
	// account pulled from another desk may be named anything) is not it.
	sys := pinsede.SystemSession(f.sup.Sede, "root", f.now)
	if err := f.desk.EnableOperator(sys, "op1"); err != nil {
		t.Errorf("pinctl: %v", err)
	}
	named := &pinsede.Session{Operator: pinsede.Operator{ID: sys.Actor(), Role: pinsede.RoleSupervisore}, Sede: f.sup.Sede}
	if err := f.desk.SessionValid(named); !errors.Is(err, pinsede.ErrSessionEnded) {
		t.Errorf("a session named as pinctl's, of no account: %v", err)
	}
	// Enabled again, with its role and password as at the login, the
	// account's session may go on.
	if err := f.desk.SessionValid(op1); err != nil {
		t.Errorf("op1 enabled again: %v", err)
	}
}
