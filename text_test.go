package pinsede_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// wantFieldError fails unless err is FieldErrors with key on field.
func wantFieldError(t *testing.T, err error, field, key string) pinsede.FieldError {
	t.Helper()
	var es pinsede.FieldErrors
	if !errors.As(err, &es) {
		t.Fatalf("got %v, want field errors", err)
	}
	fe, ok := es.For(field)
	if !ok || fe.Key != key {
		t.Fatalf("got %v, want %s on %s", es, key, field)
	}
	return fe
}

// Ensure that an issue whose texts the central records would refuse (a
// control or bidirectional character, more bytes than they keep) is
// refused at the field, with the character's position, before anything
// is committed or printed: a PIN printed and then refused by centrale
// never works.
func TestIssueRefusesTextCentraleRefuses(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name  string
		edit  func(*pinsede.Request, *pinsede.Verification)
		field string
		key   string
		pos   int
	}{
		{"U+202E nel cognome", func(r *pinsede.Request, _ *pinsede.Verification) { r.Cognome = "Rossi\u202E" }, pinsede.FieldCognome, pinsede.KeyTextInvisible, 6},
		{"tab nel nome", func(r *pinsede.Request, _ *pinsede.Verification) { r.Nome = "Ma\trio" }, pinsede.FieldNome, pinsede.KeyTextInvisible, 3},
		{"a capo nella via", func(r *pinsede.Request, _ *pinsede.Verification) { r.Residenza.Street = "Calle\nMayor 1" }, pinsede.FieldIndirizzo, pinsede.KeyTextInvisible, 6},
		{"NUL nel comune", func(r *pinsede.Request, _ *pinsede.Verification) { r.Residenza.City = "Mad\x00rid" }, pinsede.FieldComune, pinsede.KeyTextInvisible, 4},
		{"byte non UTF-8 nella via", func(r *pinsede.Request, _ *pinsede.Verification) { r.Residenza.Street = "Calle \xff 1" }, pinsede.FieldIndirizzo, pinsede.KeyTextInvisible, 7},
		{"U+2028 nel luogo di nascita", func(r *pinsede.Request, _ *pinsede.Verification) { r.LuogoNascita.Name = "Ro\u2028ma" }, pinsede.FieldLuogoNascita, pinsede.KeyTextInvisible, 3},
		{"ESC nella provincia estera", func(r *pinsede.Request, _ *pinsede.Verification) { r.Residenza.Province = "M\x1b" }, pinsede.FieldProvincia, pinsede.KeyTextInvisible, 2},
		{"solo un tab nel CAP estero, facoltativo", func(r *pinsede.Request, _ *pinsede.Verification) { r.Residenza.CAP = "\t" }, pinsede.FieldCAP, pinsede.KeyTextInvisible, 1},
		{"NUL nell'e-mail", func(r *pinsede.Request, _ *pinsede.Verification) { r.Recapiti.Email = "mario\x00@example.es" }, pinsede.FieldEmail, pinsede.KeyTextInvisible, 6},
		{"telefono di 600 byte", func(r *pinsede.Request, _ *pinsede.Verification) {
			r.Recapiti.Mobile = "+34 600" + strings.Repeat(" ", 600) + "123 456"
		}, pinsede.FieldCellulare, pinsede.KeyPhone, 0},
		{"BEL nell'autorità", func(_ *pinsede.Request, v *pinsede.Verification) { v.Document.Authority = "Ministerio\a" }, pinsede.FieldDocAuthority, pinsede.KeyTextInvisible, 11},
		{"autorità di 600 caratteri", func(_ *pinsede.Request, v *pinsede.Verification) { v.Document.Authority = strings.Repeat("M", 600) }, pinsede.FieldDocAuthority, pinsede.KeyTooLong, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, v := request(), verification()
			tc.edit(&r, &v)
			_, err := f.desk.Issue(context.Background(), f.sup, r, v)
			fe := wantFieldError(t, err, tc.field, tc.key)
			if tc.pos != 0 && fe.Args["Pos"] != tc.pos {
				t.Errorf("position %v, want %d", fe.Args["Pos"], tc.pos)
			}
		})
	}
	if sum, err := f.desk.Summary(); err != nil || sum.IssuedToday != 0 || sum.PendingSync != 0 || len(f.printer.pins) != 0 {
		t.Fatalf("something was written: %+v, %v, %d slips", sum, err, len(f.printer.pins))
	}
}

// Ensure that a reason typed on several lines is kept on one, its line
// breaks spaces, in the credential and its event; and that a reason with
// a character the central records refuse is refused at the field.
func TestRevokeReasonOnOneLine(t *testing.T) {
	f := newFixture(t)
	out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	fe := wantFieldError(t, func() error { _, err := f.desk.Revoke(f.sup, out.Credential.ID, "Busta \u202Esmarrita"); return err }(),
		pinsede.FieldRevokeReason, pinsede.KeyTextInvisible)
	if fe.Args["Pos"] != 7 || fe.Args["Char"] != "U+202E" {
		t.Errorf("args %v, want the 7th character, U+202E", fe.Args)
	}
	c, err := f.desk.Revoke(f.sup, out.Credential.ID, "Busta smarrita\r\ndal cittadino\n")
	if err != nil {
		t.Fatal(err)
	}
	const want = "Busta smarrita dal cittadino"
	if c.RevokeReason != want {
		t.Errorf("reason %q, want %q", c.RevokeReason, want)
	}
	items, err := f.store.OutboxAfter(0, 10, 1<<22)
	if err != nil || len(items) == 0 {
		t.Fatalf("outbox %v, %v", items, err)
	}
	if ev := items[len(items)-1].Event; ev.Kind != pinsede.EventRevoked || ev.Credential.RevokeReason != want {
		t.Fatalf("last event %s with reason %q, want %s with %q", ev.Kind, ev.Credential.RevokeReason, pinsede.EventRevoked, want)
	}
}

// Ensure that an operator's name and the sede's name and address are
// bounded (the MV35 and the slip print them) and hold no control or
// bidirectional character, at the set-up and at an operator's addition
// alike (pinctl's too), and that nothing is kept of a refused one.
func TestOperatorAndSedeText(t *testing.T) {
	f := newTestStoreDesk(t)
	first := pinsede.NewOperator{ID: "sup", Name: "Anna Bianchi", Password: "password-lunga"}
	sede := pinsede.Sede{Code: "ROMA01", Name: "Roma Tuscolano", Address: "Via Tuscolana 1, Roma"}
	for _, tc := range []struct {
		name  string
		edit  func(*pinsede.Sede, *pinsede.NewOperator)
		field string
		key   string
	}{
		{"nome della sede con U+202E", func(s *pinsede.Sede, _ *pinsede.NewOperator) { s.Name = "Roma\u202E" }, pinsede.FieldSedeName, pinsede.KeyTextInvisible},
		{"nome della sede troppo lungo", func(s *pinsede.Sede, _ *pinsede.NewOperator) { s.Name = strings.Repeat("Sede ", 25) }, pinsede.FieldSedeName, pinsede.KeyTooLong},
		{"indirizzo con tab", func(s *pinsede.Sede, _ *pinsede.NewOperator) { s.Address = "Via Tuscolana 1\t00182 Roma" }, pinsede.FieldSedeAddress, pinsede.KeyTextInvisible},
		{"indirizzo di 600 caratteri", func(s *pinsede.Sede, _ *pinsede.NewOperator) { s.Address = strings.Repeat("V", 600) }, pinsede.FieldSedeAddress, pinsede.KeyTooLong},
		{"supervisore con ESC", func(_ *pinsede.Sede, o *pinsede.NewOperator) { o.Name = "Anna\x1b[31m" }, pinsede.FieldOperatorName, pinsede.KeyTextInvisible},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, o := sede, first
			tc.edit(&s, &o)
			wantFieldError(t, f.desk.Setup(s, o), tc.field, tc.key)
			if need, err := f.desk.NeedsSetup(); err != nil || !need {
				t.Fatalf("set up after a refusal: %v, %v", need, err)
			}
		})
	}
	if err := f.desk.Setup(sede, first); err != nil {
		t.Fatal(err)
	}
	sup, err := f.desk.Login("sup", "password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ name, key string }{
		"600 A":       {strings.Repeat("A", 600), pinsede.KeyTooLong},
		"U+202E":      {"Mario \u202ERossi", pinsede.KeyTextInvisible},
		"escape ANSI": {"Mario \x1b[2JRossi", pinsede.KeyTextInvisible},
	} {
		err := f.desk.AddOperator(sup, pinsede.NewOperator{ID: "op1", Name: tc.name, Role: pinsede.RoleOperatore, Password: "password-lunga"})
		t.Run(name, func(t *testing.T) { wantFieldError(t, err, pinsede.FieldOperatorName, tc.key) })
	}
	long := strings.Repeat("W", pinsede.MaxNameRunes)
	if err := f.desk.AddOperator(sup, pinsede.NewOperator{ID: "op1", Name: long, Role: pinsede.RoleOperatore, Password: "password-lunga"}); err != nil {
		t.Fatalf("a name of %d characters: %v", pinsede.MaxNameRunes, err)
	}
}

// Ensure that a character that does not show, pasted with a codice
// fiscale, is named with its position, not counted as a 17th character.
func TestCodiceFiscaleInvisible(t *testing.T) {
	for s, pos := range map[string]int{"RSSMRA80A01H501U\u200b": 17, "\ufeffRSSMRA80A01H501U": 1, "RSSMRA80\u2060A01H501U": 9} {
		_, err := pinsede.ParseCodiceFiscale(s)
		var fe pinsede.FieldError
		if !errors.As(err, &fe) || fe.Key != pinsede.KeyCFInvisible || fe.Args["Pos"] != pos {
			t.Errorf("%+q: %v %v, want %s at %d", s, err, fe.Args, pinsede.KeyCFInvisible, pos)
		}
	}
}
