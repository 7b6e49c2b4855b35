package desk

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that a surname and name not written in Latin letters (emoji,
// Cyrillic) are refused at their fields with the request for the
// document's Latin spelling, that Avanti stays on the MV35 and keeps what
// was typed; and that a Latin name whose letters the codice fiscale does
// not show (Xu Li for Rossi Mario's code) only warns, and goes on.
func TestNameLatin(t *testing.T) {
	testclock.RealDayOnly(t, "names in Latin letters")
	for _, c := range []struct {
		cognome, nome, shot string
		latin               bool
	}{
		{"😀😀", "🙂", "emoji", false},
		{"Иванов", "Сергей", "cirillico", false},
		{"Xu", "Li", "", true},
	} {
		h := ready(t)
		q := mario
		q.Cognome, q.Nome = c.cognome, c.nome
		h.tap(h.app.home.newRequest)
		h.fillRequest(q)
		r := h.app.request
		h.tap(r.next)
		for _, f := range []struct {
			field, typed string
			e            *entry
		}{{pinsede.FieldCognome, c.cognome, r.cognome}, {pinsede.FieldNome, c.nome, r.nome}} {
			problem, note := r.fields[f.field].problemText(), r.fields[f.field].noteText()
			switch {
			case !c.latin && !strings.Contains(problem, "lettere latine"):
				t.Errorf("%s %q: problem %q, note %q; want the Latin spelling asked", f.field, f.typed, problem, note)
			case c.latin && (problem != "" || !strings.Contains(note, "controlla come è scritto")):
				t.Errorf("%s %q: problem %q, note %q; want a warning only", f.field, f.typed, problem, note)
			}
			if f.e.Text != f.typed {
				t.Errorf("%s %q became %q", f.field, f.typed, f.e.Text)
			}
		}
		if onMV35 := h.app.current.View == r.screen.View; onMV35 == c.latin {
			t.Errorf("%s %s: Avanti left the MV35: %v, want %v", c.cognome, c.nome, !onMV35, c.latin)
		}
		if *shots != "" && c.shot != "" {
			writeShots(t, h, "mv35-nome-"+c.shot)
		}
	}
}
