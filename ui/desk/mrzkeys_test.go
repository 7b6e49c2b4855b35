package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that Tab leaves the MRZ field instead of typing a tab into it: a
// keyboard-only clerk, or a wedge reader followed by Tab, moves on to the
// next field (issue 14, finding 3). The driver sends Tab to an object only
// when it accepts tabs; the MRZ, multi-line, accepted them.
func TestMRZTabLeaves(t *testing.T) {
	testclock.RealDayOnly(t, "Tab out of the MRZ")
	h := ready(t)
	h.toVerification(mario)
	v := h.app.verify
	for _, e := range []*entry{v.mrz, v.number, h.app.request.cognome} {
		if e.AcceptsTab() {
			t.Errorf("%q accepts Tab: the driver would type it", e.PlaceHolder)
		}
	}
}

// Ensure that the Enter a keyboard-wedge reader sends after each line
// starts the next line until the zone parses, and then moves on to the
// next field, with the zone read and its data filled in.
func TestMRZWedgeReaderEnter(t *testing.T) {
	testclock.RealDayOnly(t, "a wedge reader's Enter")
	h := ready(t)
	h.toVerification(mario)
	v := h.app.verify
	h.win.Canvas().Focus(v.mrz)
	lines := strings.Split(passportMRZ, "\n")
	test.Type(v.mrz, lines[0])
	key(v.mrz, fyne.KeyReturn)
	if h.win.Canvas().Focused() != v.mrz || !strings.Contains(v.mrz.Text, "\n") {
		t.Fatalf("Enter after the first line: focus on %T, text %q", h.win.Canvas().Focused(), v.mrz.Text)
	}
	test.Type(v.mrz, lines[1])
	key(v.mrz, fyne.KeyReturn)
	if v.mrzRead == nil {
		t.Fatalf("the zone does not parse: %v", v.mrzErr)
	}
	if h.win.Canvas().Focused() == v.mrz {
		t.Error("Enter after the last line left the focus in the MRZ")
	}
	if strings.Count(v.mrz.Text, "\n") != 1 {
		t.Errorf("the last Enter went into the zone: %q", v.mrz.Text)
	}
	if v.number.Text != passport.Number {
		t.Errorf("document number %q, want %q from the zone", v.number.Text, passport.Number)
	}
}

// Ensure that reading a second MRZ, of another document, replaces what the
// first one filled in: the expiry of an expired passport read first, and
// its "Documento scaduto", do not stay (issue 14, finding 4). What the
// clerk typed stays, and is compared.
func TestSecondMRZReplacesFirst(t *testing.T) {
	h := ready(t)
	h.toVerification(mario)
	v := h.app.verify
	h.typeIn(v.mrz, strings.Join(specimenMRZ, "\n")) // expired on 15/04/2012
	if v.expires.Text != "15/04/2012" {
		t.Fatalf("first MRZ: expiry %q", v.expires.Text)
	}
	if !hasProblem(v.problems(), pinsede.FieldDocExpires) {
		t.Fatalf("first MRZ: the expired document is not reported: %v", v.problems())
	}
	h.typeIn(v.mrz, passportMRZ)
	if v.mrzRead == nil {
		t.Fatalf("second MRZ does not parse: %v", v.mrzErr)
	}
	if v.expires.Text != passport.ExpiresOn.Italian() || v.number.Text != passport.Number || v.country.code() != "AR" {
		t.Errorf("second MRZ: expiry %q, number %q, country %q; want the second document's", v.expires.Text, v.number.Text, v.country.code())
	}
	if hasProblem(v.problems(), pinsede.FieldDocExpires) {
		t.Errorf("second MRZ: still reported expired: %v", v.problems())
	}
	// A field the clerk typed over is theirs: a third read compares it.
	h.typeIn(v.number, "ZZ9999999")
	h.typeIn(v.mrz, strings.Join(specimenMRZ, "\n"))
	if v.number.Text != "ZZ9999999" {
		t.Errorf("the typed number was replaced by the MRZ's: %q", v.number.Text)
	}
}

// hasProblem reports whether es holds a problem of field.
func hasProblem(es pinsede.FieldErrors, field string) bool {
	_, ok := es.For(field)
	return ok
}

// Ensure that Enter on a check of the identity check goes on to what is
// left, as from its fields (found by TestXInputEveryKey: it did nothing
// on a check box): the next check not ticked, then Emetti PIN, which it
// never presses.
func TestEnterOnACheckGoesOn(t *testing.T) {
	testclock.RealDayOnly(t, "Enter on a check box")
	h := ready(t)
	h.toVerification(mario)
	v := h.app.verify
	h.fillVerification(passport)
	v.checkOriginal.SetChecked(true)
	v.checkPhoto.SetChecked(false)
	v.checkSigned.SetChecked(false)
	c := h.win.Canvas()
	for _, want := range []fyne.Focusable{v.checkPhoto, v.checkSigned, v.issue} {
		from := c.Focused()
		if from == nil {
			from = v.checkOriginal
			c.Focus(from)
		}
		from.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnter})
		if got := c.Focused(); got != want {
			t.Fatalf("Enter on %T: focus on %T, want %T", from, got, want)
		}
		if ck, ok := want.(*check); ok {
			ck.TypedRune(' ')
		}
	}
	if h.app.current.View != v.screen.View {
		t.Error("Enter issued the PIN")
	}
}
