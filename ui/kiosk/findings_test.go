package kiosk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
)

// Ensure that every key of the on-screen keyboard is a different
// character, in small and capital letters, plain and accented.
func TestKeyboardKeysUnique(t *testing.T) {
	h := newHarness(t)
	k := h.app.keyboard
	for _, accents := range []bool{false, true} {
		for _, upper := range []bool{false, true} {
			k.accents, k.upper = accents, upper
			k.relabel()
			seen := map[string]int{}
			for i, key := range k.keys {
				if len([]rune(key.Text)) != 1 {
					t.Errorf("accents %v, capitals %v: key %d is %q, not one character", accents, upper, i, key.Text)
				}
				if j, dup := seen[key.Text]; dup {
					t.Errorf("accents %v, capitals %v: %q on keys %d and %d", accents, upper, key.Text, j, i)
				}
				seen[key.Text] = i
			}
		}
	}
}

// reachCF answers the questions up to the codice fiscale for Maria Rossi,
// born in Rome on 7 March 1985.
func (h *harness) reachCF(w *wizard) {
	h.t.Helper()
	h.typeInto(w.cognome, "Rossi")
	w.next()
	h.typeInto(w.nome, "Maria")
	w.next()
	test.Tap(w.female)
	h.typeInto(w.nascita, "07/03/1985")
	w.next()
	h.typeInto(w.luogo, "Roma")
	h.tapText("Roma (RM)")
	w.next()
	if got := h.app.Screen(); got != "question:cf" {
		h.t.Fatalf("screen %s, want question:cf", got)
	}
}

// Ensure that "Usa questo codice" takes away the problem shown under the
// codice fiscale: the code it types is the right one.
func TestUseCodeClearsError(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("it")
	h.reachCF(w)
	h.typeInto(w.cf, "RSSMRA85C47H501X")
	w.next()
	if got := shownErrors(w)[pinsede.FieldCodiceFiscale]; got == "" {
		t.Fatalf("no problem shown for a wrong check character")
	}
	h.tapText(tr("cf.use"))
	h.shot("05-cf-used-it")
	if w.cf.Text != "RSSMRA85C47H501Y" {
		t.Errorf("Usa questo codice typed %q", w.cf.Text)
	}
	if got := shownErrors(w); len(got) != 0 {
		t.Errorf("problems still shown after Usa questo codice: %v", got)
	}
	if strings.Contains(h.texts(), tr(pinsede.KeyCFCheck)) {
		t.Errorf("the old problem is still on the screen")
	}
}
