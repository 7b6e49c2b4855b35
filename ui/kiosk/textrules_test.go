package kiosk

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that the kiosk stops, at the question, an answer centrale would
// refuse (a bidirectional override in the surname) and a codice fiscale
// with a character that does not show, in the citizen's language, naming
// the position: centrale took such a ticket and sent it to the desks.
func TestInvisibleCharacterAnswered(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("it")
	h.typeInto(w.cognome, "Ros\u202Esi")
	w.next()
	if got := shownErrors(w)[pinsede.FieldCognome]; h.app.Screen() != "question:cognome" || !strings.Contains(got, "posizione 4") {
		t.Errorf("surname with U+202E: screen %s, problem %q", h.app.Screen(), got)
	}
	h.reachCF(w)
	h.typeInto(w.cf, "RSSMRA85C47H501Y\u200b")
	w.next()
	if got := shownErrors(w)[pinsede.FieldCodiceFiscale]; !strings.Contains(got, "invisibile in posizione 17") {
		t.Errorf("codice fiscale with U+200B: problem %q", got)
	}
}
