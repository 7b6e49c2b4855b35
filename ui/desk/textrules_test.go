package desk

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that the MV35 form refuses, at the field, a text centrale would
// refuse (a bidirectional override in the surname, an escape in the
// street) and a codice fiscale with a character that does not show,
// naming the position, and keeps everything typed: the issue printed a
// PIN that centrale then refused, and the codice fiscale said "17
// characters" of 16 seen.
func TestRequestRefusesInvisibleText(t *testing.T) {
	testclock.RealDayOnly(t, "invisible text refused")
	h := ready(t)
	q := mario
	q.Cognome = "Ros\u202Esi"
	q.Residenza.Street = "Avenida de Mayo\x1b 1370"
	q.CodiceFiscale = mario.CodiceFiscale + "\u200b"
	h.tap(h.app.home.newRequest)
	h.fillRequest(q)
	r := h.app.request
	h.tap(r.next)
	if h.app.verify != nil && h.app.current.View == h.app.verify.screen.View {
		t.Fatal("Avanti went on to the verification with invisible characters in the MV35")
	}
	for _, c := range []struct {
		field string
		want  []string
	}{
		{pinsede.FieldCognome, []string{"invisibile", "posizione 4", "U+202E"}},
		{pinsede.FieldIndirizzo, []string{"invisibile", "posizione 16", "U+001B"}},
		{pinsede.FieldCodiceFiscale, []string{"invisibile", "posizione 17", "U+200B"}},
	} {
		got := r.fields[c.field].problemText()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: problem %q lacks %q", c.field, got, w)
			}
		}
	}
	if r.cognome.Text != q.Cognome || r.nome.Text != q.Nome || r.indirizzo.Text != q.Residenza.Street || r.email.Text != q.Recapiti.Email {
		t.Errorf("the form lost what was typed: %q %q %q %q", r.cognome.Text, r.nome.Text, r.indirizzo.Text, r.email.Text)
	}
}

// Ensure that the first-run screen and the operators' page refuse, at the
// field, a sede's name or an operator's name that centrale would refuse
// or the MV35 would not hold (a bidirectional override, an escape, 600
// characters), and keep everything typed.
func TestNamesRefusedAtTheField(t *testing.T) {
	testclock.RealDayOnly(t, "names refused at the field")
	h := newHarness(t)
	s := h.app.setup
	h.fillSetUp("password-di-prova")
	h.typeIn(s.name, "Roma \u202EEur")
	h.typeIn(s.opName, "Maria\x1b[2J Rossi")
	h.tap(s.create)
	if need, err := h.desk.NeedsSetup(); err != nil || !need {
		t.Fatalf("set up with invisible characters in the names: %v, %v", need, err)
	}
	for field, want := range map[string]string{pinsede.FieldSedeName: "posizione 6", pinsede.FieldOperatorName: "posizione 6"} {
		if got := s.fields[field].problemText(); !strings.Contains(got, want) || !strings.Contains(got, "invisibile") {
			t.Errorf("%s: problem %q, want the invisible character at %s", field, got, want)
		}
	}
	if s.name.Text != "Roma \u202EEur" || s.address.Text == "" || s.opID.Text != "m.rossi" {
		t.Errorf("the set-up lost what was typed: %q %q %q", s.name.Text, s.address.Text, s.opID.Text)
	}

	h.typeIn(s.name, "Roma Eur")
	h.typeIn(s.opName, "Maria Rossi")
	h.tap(s.create)
	h.ackSetUp()
	h.logIn("m.rossi", "password-di-prova")
	h.app.showOperators()
	o := h.app.operators
	long := strings.Repeat("A", 600)
	h.typeIn(o.id, "l.bianchi")
	h.typeIn(o.name, long)
	h.typeIn(o.pw, "password-bianchi")
	h.typeIn(o.pwConfirm, "password-bianchi")
	h.tap(o.add)
	if got := o.fields[pinsede.FieldOperatorName].problemText(); !strings.Contains(got, "60") {
		t.Errorf("a name of 600 characters: problem %q, want at most %d", got, pinsede.MaxNameRunes)
	}
	if o.name.Text != long || o.id.Text != "l.bianchi" || o.pw.Text == "" {
		t.Errorf("the operators' page lost what was typed: %q %q", o.id.Text, o.name.Text)
	}
}

// Ensure that the identity check refuses, at the field, an issuing
// authority centrale would refuse (a BEL, 600 characters), keeps what was
// typed, and prints nothing: the slip printed a PIN that never worked.
func TestAuthorityRefusedAtTheField(t *testing.T) {
	testclock.RealDayOnly(t, "the issuing authority refused at the field")
	for authority, want := range map[string]string{"RENAPER\a": "posizione 8", strings.Repeat("M", 600): "120"} {
		h := ready(t)
		h.toVerification(mario)
		doc := passport
		doc.Authority = authority
		h.fillVerification(doc)
		v := h.app.verify
		h.tap(v.issue)
		if got := v.fields[pinsede.FieldDocAuthority].problemText(); !strings.Contains(got, want) {
			t.Errorf("authority %.20q: problem %q lacks %q", authority, got, want)
		}
		if v.authority.Text != authority || v.number.Text != passport.Number || len(h.printer.printed()) != 0 {
			t.Errorf("authority %.20q: typed %q %q, %d slips printed", authority, v.authority.Text, v.number.Text, len(h.printer.printed()))
		}
	}
}
