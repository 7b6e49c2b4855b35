package pinsede_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a session ends, for every action it tries, once a
// supervisor disables its account or resets its password: a disabled
// clerk issued and revoked PINs, and a disabled supervisor created
// accounts and enabled itself again, until their next login. Nothing is
// done by a refused action; the clerk's own change of password keeps
// the session going; a session of pinctl has no account and goes on.
// Enabled again, the account opens a new session; the one it had stays
// ended.
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
	// account's session stays ended (at the desk the next tick had closed
	// it); a new login goes on.
	if err := f.desk.SessionValid(op1); !errors.Is(err, pinsede.ErrSessionEnded) {
		t.Errorf("op1 enabled again, the session of before: %v, want ErrSessionEnded", err)
	}
	if err := f.desk.SessionValid(login("op1", "password-op1")); err != nil {
		t.Errorf("op1 enabled again, a new login: %v", err)
	}
}

// Ensure that a change that ends an account's sessions ends them at the
// sede's other desks even when a later change, pulled with it in one
// batch, undoes the account's state: a password reset and the owner's
// own change of the temporary password (the owner's new password looked
// like one they set themselves, and the session opened with the old one
// went on), a disable and an enable, a role changed and changed back.
// The pulling desk sees only the account's last state; the owner's own
// change of password alone keeps the session, and the account logs in
// again as it is.
func TestSessionEndsThoughUndoneInOnePull(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ended bool
		// act acts at desk 01 on the account, as first (its addition and
		// its owner's first change of password) left it, and returns the
		// changes of the pull beyond desk 01's outbox.
		act   func(t *testing.T, a *fixture, first []pinsede.Change) []pinsede.Change
		login string // the password the account has after the acts
	}{
		{name: "reset, then changed by its owner", ended: true, login: "nuova-di-luca", act: func(t *testing.T, a *fixture, _ []pinsede.Change) []pinsede.Change {
			if err := a.desk.ResetPassword(a.sup, "l.verdi", "temporanea-123"); err != nil {
				t.Fatal(err)
			}
			changeOwn(t, a, "temporanea-123", "nuova-di-luca")
			return nil
		}},
		{name: "disabled, then enabled", ended: true, login: "password-di-luca", act: func(t *testing.T, a *fixture, _ []pinsede.Change) []pinsede.Change {
			if err := a.desk.DisableOperator(a.sup, "l.verdi"); err != nil {
				t.Fatal(err)
			}
			if err := a.desk.EnableOperator(a.sup, "l.verdi"); err != nil {
				t.Fatal(err)
			}
			return nil
		}},
		{name: "role changed, then back", ended: true, login: "password-di-luca", act: func(_ *testing.T, _ *fixture, first []pinsede.Change) []pinsede.Change {
			// The sede has one account of an id: an account added again
			// (at a desk that had not pulled it) replaces it; here with
			// the password its owner set.
			added, owned := first[0], *first[len(first)-1].Event.Operator
			var out []pinsede.Change
			for i, role := range []pinsede.Role{pinsede.RoleSupervisore, pinsede.RoleOperatore} {
				ev, op := *added.Event, owned
				op.Role = role
				ev.ID, ev.Operator = fmt.Sprintf("%s-%d", ev.ID, i), &op
				c := added
				c.Event = &ev
				out = append(out, c)
			}
			return out
		}},
		{name: "changed by its owner only", ended: false, login: "nuova-di-luca", act: func(t *testing.T, a *fixture, _ []pinsede.Change) []pinsede.Change {
			changeOwn(t, a, "password-di-luca", "nuova-di-luca")
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newFixture(t), newFixture(t)
			a.desk.DeskID, b.desk.DeskID = "01", "02"
			a.addOperator(t, pinsede.NewOperator{ID: "l.verdi", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-di-luca"})
			first := sedeChanges(t, a, "01", 1)
			if _, err := b.desk.ApplyPulled(uint64(len(first)), first, b.now); err != nil {
				t.Fatal(err)
			}
			s, err := b.desk.Login("l.verdi", "password-di-luca")
			if err != nil {
				t.Fatalf("at desk 02: %v", err)
			}
			more := tc.act(t, a, first)
			batch := sedeChanges(t, a, "01", 1)[len(first):] // one pull
			batch = append(batch, more...)
			for i := range batch {
				batch[i].Seq = uint64(len(first) + 1 + i)
			}
			if _, err := b.desk.ApplyPulled(uint64(len(first)+len(batch)), batch, b.now); err != nil {
				t.Fatal(err)
			}
			switch err := b.desk.SessionValid(s); {
			case tc.ended && !errors.Is(err, pinsede.ErrSessionEnded):
				t.Errorf("desk 02 pulled %s in one batch: the session opened before goes on (%v), want ErrSessionEnded", kindsOf(batch), err)
			case !tc.ended && err != nil:
				t.Errorf("desk 02 pulled %s: the session ended (%v), want it to go on", kindsOf(batch), err)
			}
			if s2, err := b.desk.Login("l.verdi", tc.login); err != nil {
				t.Errorf("a new login at desk 02: %v", err)
			} else if err := b.desk.SessionValid(s2); err != nil {
				t.Errorf("the new session at desk 02: %v", err)
			}
		})
	}
}

// changeOwn logs l.verdi in at a with the password from, and changes it
// to next, as its owner does.
func changeOwn(t *testing.T, a *fixture, from, next string) {
	t.Helper()
	s, err := a.desk.Login("l.verdi", from)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.desk.ChangePassword(s, from, next); err != nil {
		t.Fatal(err)
	}
}

// kindsOf names the kinds of the events of changes, in order.
func kindsOf(changes []pinsede.Change) string {
	var ks []string
	for _, c := range changes {
		ks = append(ks, string(c.Event.Kind))
	}
	return strings.Join(ks, ", ")
}

// Ensure that a session's lock and its end are audited as its login
// is: who, when, why it locked and how it ended, with nothing put in
// the outbox; a session its account ended (ErrSessionEnded) has its
// logout recorded too.
func TestSessionLockAndLogoutAudited(t *testing.T) {
	f := newFixture(t)
	f.addOperator(t, pinsede.NewOperator{ID: "op1", Name: "Carlo Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"})
	op1, err := f.desk.Login("op1", "password-op1")
	if err != nil {
		t.Fatal(err)
	}
	before, err := f.store.OutboxLen()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := f.store.AuditEntries(0, func(pinsede.AuditEntry) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, rec := range []func() error{
		func() error { return f.desk.SessionLocked(f.sup, true) },
		func() error { return f.desk.SessionLocked(f.sup, false) },
		func() error { return f.desk.Logout(f.sup, pinsede.LogoutOwn) },
		func() error { return f.desk.Logout(f.sup, pinsede.LogoutFromLock) },
		func() error {
			if err := f.desk.DisableOperator(f.sup, "op1"); err != nil {
				return err
			}
			return f.desk.Logout(op1, pinsede.LogoutEnded)
		},
	} {
		if err := rec(); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"operator.session_locked sup per inattività",
		"operator.session_locked sup su richiesta dell'operatore",
		"operator.logout sup Esci dell'operatore",
		"operator.logout sup Esci dalla schermata di blocco",
		"operator.logout op1 sessione chiusa dallo sportello: utenza disabilitata, ruolo cambiato o password reimpostata",
	}
	var got []string
	if err := f.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if (e.Action == pinsede.ActionSessionLocked || e.Action == pinsede.ActionLogout) && e.Sede == "ROMA01" && e.Time.Equal(f.desk.Now()) {
			got = append(got, fmt.Sprintf("%s %s %s", e.Action, e.Actor, e.Detail))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audited:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if after, err := f.store.OutboxLen(); err != nil || after != before+1 { // the disable's event
		t.Errorf("the outbox holds %d (%v), want %d: the disable's event only", after, err, before+1)
	}
}
