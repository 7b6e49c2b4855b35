package desk

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that Enter in a field of the MV35 submits it, as on the login,
// and that a keyboard-only clerk reaches the identity check (issue 14,
// finding 5).
func TestMV35EnterSubmits(t *testing.T) {
	testclock.RealDayOnly(t, "Enter on the MV35")
	h := ready(t)
	r := h.newRequest()
	h.fillRequest(mario)
	h.win.Canvas().Focus(r.pec)
	key(r.pec, fyne.KeyReturn)
	if h.app.verify == nil || h.app.current.View != h.app.verify.screen.View {
		t.Fatalf("Enter on the MV35 did not go on: %v", r.problems())
	}
}

// Ensure that "Usa il codice calcolato" leaves the focus on the next field,
// the residence, not back on Cognome (issue 14, finding 5).
func TestUseComputedKeepsTheFocusForward(t *testing.T) {
	testclock.RealDayOnly(t, "the focus after the computed codice fiscale")
	h := ready(t)
	r := h.newRequest()
	q := mario
	q.CodiceFiscale = ""
	h.fillRequest(q)
	if r.cfComputed == "" {
		t.Fatal("no codice fiscale computed from the data")
	}
	h.tap(r.cfUse)
	if f := h.win.Canvas().Focused(); f != fyne.Focusable(r.stato.entry) {
		t.Errorf("focus on %T after Usa il codice, want the residence", f)
	}
}

// Ensure that Tab to a field below the visible part of the MV35 scrolls it
// into view (issue 14, finding 5).
func TestFocusScrollsIntoView(t *testing.T) {
	testclock.RealDayOnly(t, "the focus scrolled into view")
	h := ready(t)
	r := h.newRequest()
	sc := h.app.currentScroll()
	if sc == nil {
		t.Fatal("the MV35 does not scroll")
	}
	h.win.Canvas().Focus(r.pec) // the last field, below the fold at 1280×800
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(r.pec).Y - d.AbsolutePositionForObject(sc).Y
	if sc.Offset.Y == 0 || top < 0 || top+r.pec.Size().Height > sc.Size().Height {
		t.Errorf("PEC focused at %v..%v of a view %v high (offset %v): not in view", top, top+r.pec.Size().Height, sc.Size().Height, sc.Offset.Y)
	}
	h.win.Canvas().Focus(r.cognome)
	if top := d.AbsolutePositionForObject(r.cognome).Y - d.AbsolutePositionForObject(sc).Y; top < 0 {
		t.Errorf("back to Cognome, at %v: above the view", top)
	}
}

// Ensure that Esc closes the dialog on top, from an entry of the dialog
// or with nothing focused, as its cancel button would (issue 14, finding 5).
func TestEscClosesDialogs(t *testing.T) {
	testclock.RealDayOnly(t, "Esc on the dialogs")
	h, out := onMariosPage(t)
	c := h.app.citizen
	overlays := func() int { return len(h.win.Canvas().Overlays().List()) }

	h.tap(c.revokeCred[out.Credential.ID])
	if overlays() != 1 || h.win.Canvas().Focused() != fyne.Focusable(c.revoke.reason) {
		t.Fatalf("revocation dialog: %d overlays, focus %T", overlays(), h.win.Canvas().Focused())
	}
	key(c.revoke.reason, fyne.KeyEscape)
	if overlays() != 0 {
		t.Fatal("Esc in the dialog's reason did not close it")
	}
	// Tab to Annulla, then Esc (issue 17: a Fyne button drops it).
	h.tap(c.revokeCred[out.Credential.ID])
	h.win.Canvas().Focus(c.revoke.cancel)
	c.revoke.cancel.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if overlays() != 0 {
		t.Fatal("Esc on the dialog's Annulla did not close it")
	}

	h.tap(c.handover[out.Credential.ID])
	h.win.Canvas().Unfocus()
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // what the window does with a key nobody takes
	if overlays() != 0 {
		t.Fatal("Esc did not close the confirmation")
	}
	if page, _ := h.desk.Citizen(h.app.session, mario.CodiceFiscale); !page.Credentials[0].HandedOverAt.IsZero() {
		t.Error("Esc on the confirmation recorded the handover")
	}
	if len(h.app.dialogs) != 0 {
		t.Errorf("%d dialogs still kept after they closed", len(h.app.dialogs))
	}
}

// Ensure that the Space that pressed a button does not reach, as a
// character, the field the next screen focuses: Space on Nuova richiesta
// left Cognome as " Rossi" (found with real X input). A password keeps a
// leading space.
func TestSpaceDoesNotLeakIntoTheNextScreen(t *testing.T) {
	testclock.RealDayOnly(t, "a Space kept from the next screen")
	h := ready(t)
	h.tap(h.app.home.newRequest) // the button took the key press
	r := h.app.request
	if f := h.win.Canvas().Focused(); f != fyne.Focusable(r.cognome) {
		t.Fatalf("MV35 opened with the focus on %T", f)
	}
	test.Type(r.cognome, " Rossi") // the character of that Space, then the name
	if r.cognome.Text != "Rossi" {
		t.Errorf("Cognome %q, want no leading space", r.cognome.Text)
	}
	pw := h.app.newPasswordEntry()
	test.Type(pw, " segreta")
	if pw.Text != " segreta" {
		t.Errorf("password %q lost its leading space", pw.Text)
	}
}

// Ensure that the desk's shortcuts work from an entry and from nothing
// focused: Ctrl+N opens the MV35, and back on it from elsewhere keeps what
// was typed; Ctrl+F goes to the search; Ctrl+I opens the settings, for a
// supervisor only; Ctrl+L locks; none acts on the lock screen.
func TestShortcuts(t *testing.T) {
	testclock.RealDayOnly(t, "the desk's shortcuts")
	h := ready(t)
	ctrl := func(k fyne.KeyName) fyne.Shortcut {
		return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
	}
	h.win.Canvas().Focus(h.app.home.cf)
	h.app.home.cf.TypedShortcut(ctrl(fyne.KeyN)) // from an entry
	r := h.app.request
	if r == nil || h.app.current.View != r.screen.View {
		t.Fatal("Ctrl+N did not open the MV35")
	}
	h.typeIn(r.cognome, "Rossi")
	h.win.Canvas().Unfocus()
	h.app.shortcut(ctrl(fyne.KeyF)) // what the canvas does with nothing focused
	if h.app.current.View != h.app.home.screen.View || h.win.Canvas().Focused() != fyne.Focusable(h.app.home.cf) {
		t.Fatal("Ctrl+F did not go to the search")
	}
	h.app.shortcut(ctrl(fyne.KeyN))
	if h.app.request != r || r.cognome.Text != "Rossi" {
		t.Fatalf("Ctrl+N dropped the MV35 in progress (cognome %q)", h.app.request.cognome.Text)
	}
	h.app.home.cf.TypedShortcut(ctrl(fyne.KeyI))
	if h.app.settings == nil || h.app.current.View != h.app.settings.screen.View {
		t.Fatalf("Ctrl+I did not open the settings: on %q", h.win.Title())
	}
	h.app.shortcut(ctrl(fyne.KeyL))
	if !h.app.lock.locked {
		t.Fatal("Ctrl+L did not lock")
	}
	h.app.shortcut(ctrl(fyne.KeyF))
	if !h.app.lock.locked || h.app.current.View == h.app.home.screen.View {
		t.Error("a shortcut acted behind the lock screen")
	}

	// An operator has no settings: Ctrl+I leaves the screen as it is.
	h.typeIn(h.app.lock.password, "password-di-prova")
	h.tap(h.app.lock.unlock)
	h.addBianchi()
	h.app.logout()
	h.logIn("l.bianchi", "password-bianchi")
	h.app.shortcut(ctrl(fyne.KeyI))
	if h.app.current.View != h.app.home.screen.View {
		t.Errorf("Ctrl+I took an operator to %q", h.win.Title())
	}
}

// Ensure that the red summary of the identity check goes once its errors
// are fixed (issue 14, finding 8).
func TestVerifySummaryGoesWithTheErrors(t *testing.T) {
	testclock.RealDayOnly(t, "the identity check's summary of errors")
	h := ready(t)
	h.toVerification(mario)
	v := h.app.verify
	h.tap(v.issue) // nothing filled in
	if v.msg.text() == "" {
		t.Fatal("no summary of the errors")
	}
	h.fillVerification(passport)
	if got := v.msg.text(); got != "" {
		t.Errorf("summary %q stays after the errors are fixed", got)
	}
}

// Ensure that Ctrl+T calls the next kiosk ticket from any screen, as
// "Prossimo biglietto" does: the MV35 opens with what the citizen typed.
func TestNextTicketShortcut(t *testing.T) {
	testclock.RealDayOnly(t, "Ctrl+T")
	dir := filepath.Join(t.TempDir(), "spool")
	req := giulia(t)
	kioskTicket(t, dir, "K011", "CTRLTTK4", testNow.Add(-time.Minute), req)
	h := ready(t, withTickets(dir))
	h.tap(h.app.home.newRequest) // somewhere else than the home page
	h.app.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierShortcutDefault})
	h.wait()
	r := h.app.request
	if r == nil || h.app.current.View != r.screen.View {
		t.Fatalf("Ctrl+T: not on the MV35 of the ticket:\n%s", h.screenText())
	}
	if got := r.request(); got.CodiceFiscale != req.CodiceFiscale {
		t.Errorf("Ctrl+T opened the MV35 of %s, want %s", got.CodiceFiscale, req.CodiceFiscale)
	}
	// Under the ticket's banner the MV35 still scrolls the focus into view.
	h.win.Canvas().Focus(r.pec)
	if sc := h.app.currentScroll(); sc == nil || sc.Offset.Y == 0 {
		t.Errorf("PEC focused on the ticket's MV35: scroll %v, want it scrolled into view", sc)
	}
}

// Ensure that Ctrl+T does not drop a request in progress unasked: with
// something typed it asks first, and taking the ticket follows a yes.
func TestNextTicketShortcutKeepsTypedRequest(t *testing.T) {
	testclock.RealDayOnly(t, "Ctrl+T with a request typed")
	dir := filepath.Join(t.TempDir(), "spool")
	req := giulia(t)
	kioskTicket(t, dir, "K012", "KEEPTTK4", testNow.Add(-time.Minute), req)
	h := ready(t, withTickets(dir))
	h.tap(h.app.home.newRequest)
	typed := h.app.request
	h.typeIn(typed.cognome, "Verdi")
	h.app.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierShortcutDefault})
	h.wait()
	if h.app.request != typed || typed.cognome.Text != "Verdi" {
		t.Fatal("Ctrl+T dropped the request being typed without asking")
	}
	if !strings.Contains(h.screenText(), "quanto scritto andrà perso") {
		t.Fatalf("Ctrl+T with a request typed: no question:\n%s", h.screenText())
	}
	h.tapDialogConfirm()
	if got := h.app.request.request(); got.CodiceFiscale != req.CodiceFiscale {
		t.Errorf("after yes: the MV35 of %s, want the ticket's %s", got.CodiceFiscale, req.CodiceFiscale)
	}
}

// Ensure that no button drops a request in progress unasked (found by
// TestXInputEveryKey: Enter on the home page's Nuova richiesta emptied the
// MV35 typed): with something typed, Nuova richiesta (of the home page and
// of a citizen's), Esci, Prossimo biglietto and a ticket's code ask
// first; Esc keeps the request as typed, and a yes goes on.
func TestNoButtonDropsTypedRequest(t *testing.T) {
	testclock.RealDayOnly(t, "what the clerk typed, kept by every button")
	// ticketOpened reports whether the kiosk's ticket replaced typed.
	ticketOpened := func(h *harness, typed *requestScreen) bool {
		h.wait()
		return h.app.request != typed && h.app.request.cf.Text != ""
	}
	for _, c := range []struct {
		name string
		// press presses the button, on its screen.
		press func(h *harness)
		// gone reports whether the yes went on: the request dropped.
		gone func(h *harness, typed *requestScreen) bool
	}{
		{"home's Nuova richiesta", func(h *harness) {
			h.app.showHome()
			h.tap(h.app.home.newRequest)
		}, func(h *harness, typed *requestScreen) bool {
			return h.app.request != typed && h.app.request.cognome.Text == ""
		}},
		{"citizen's Nuova richiesta", func(h *harness) {
			h.app.showCitizen(mario.CodiceFiscale)
			h.tap(h.app.citizen.newRequest)
		}, func(h *harness, typed *requestScreen) bool {
			return h.app.request != typed && h.app.request.cognome.Text == mario.Cognome
		}},
		{"Esci", func(h *harness) {
			h.tap(h.app.header.logout)
		}, func(h *harness, _ *requestScreen) bool {
			return h.app.session == nil && h.app.request == nil
		}},
		{"Prossimo biglietto", func(h *harness) {
			h.app.showHome()
			h.tap(h.app.home.queue.next)
		}, ticketOpened},
		{"a ticket's code", func(h *harness) {
			h.app.showHome()
			q := h.app.home.queue
			if q.code.Text == "" {
				h.typeIn(q.code, "DROPTTK4")
			}
			h.tap(q.open)
		}, ticketOpened},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "spool")
			kioskTicket(t, dir, "K013", "DROPTTK4", testNow.Add(-time.Minute), giulia(t))
			h := ready(t, withTickets(dir))
			if _, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport); err != nil {
				t.Fatal(err)
			}
			typed := h.newRequest()
			h.typeIn(typed.cognome, "Verdi")
			c.press(h)
			if h.app.request != typed || typed.cognome.Text != "Verdi" || h.app.session == nil {
				t.Fatal("the request being typed was dropped without asking")
			}
			if !strings.Contains(h.screenText(), "quanto scritto andrà perso") {
				t.Fatalf("no question:\n%s", h.screenText())
			}
			h.app.escape() // No
			if h.app.request != typed || typed.cognome.Text != "Verdi" || len(h.app.dialogs) != 0 {
				t.Fatalf("after Esc: the request %v kept, %d dialogs; want it kept, none", h.app.request == typed, len(h.app.dialogs))
			}
			c.press(h)
			h.tapDialogConfirm()
			if !c.gone(h, typed) {
				t.Errorf("after yes: the request in progress stays:\n%s", h.screenText())
			}
		})
	}
}

// Ensure that the MV35 costs a keyboard-only clerk no key beyond the data
// where a choice says where to go: Space on M or F moves on to the date of
// birth, Enter on a place of birth to the codice fiscale (the choice filled
// the codice catastale), Enter on a country of residence to the address;
// the e-mail is one Tab after the mobile (issue 14: at most 25 navigation
// keys for a walk-in). Space on the sex already chosen keeps it (found by
// TestXInputEveryKey: it unticked M, and the MV35 lost the sex typed).
func TestMV35ChoicesMoveOn(t *testing.T) {
	testclock.RealDayOnly(t, "the MV35's choices at the keyboard")
	h := ready(t)
	r := h.newRequest()
	c := h.win.Canvas()
	h.typeIn(r.nome, "Mario")
	c.FocusNext() // M
	c.Focused().TypedRune(' ')
	if r.sesso.Selected != "M" || c.Focused() != fyne.Focusable(r.dataNascita) {
		t.Errorf("Space on M: sesso %q, focus on %T, want M and the date of birth", r.sesso.Selected, c.Focused())
	}
	c.FocusPrevious() // F
	c.FocusPrevious() // M
	c.Focused().TypedRune(' ')
	if r.sesso.Selected != "M" {
		t.Errorf("Space on M chosen: sesso %q, want M", r.sesso.Selected)
	}

	h.typeIn(r.luogo.entry, "Roma")
	key(r.luogo.entry, fyne.KeyReturn)
	if r.catastale.Text != "H501" || c.Focused() != fyne.Focusable(r.cf) {
		t.Errorf("Enter on Roma: catastale %q, focus on %T, want H501 and the codice fiscale", r.catastale.Text, c.Focused())
	}

	h.typeIn(r.stato.entry, "arg")
	key(r.stato.entry, fyne.KeyReturn)
	if r.stato.code() != "AR" || c.Focused() != fyne.Focusable(r.indirizzo) {
		t.Errorf("Enter on arg: country %q, focus on %T, want AR and the address", r.stato.code(), c.Focused())
	}

	c.Focus(r.cellulare)
	c.FocusNext()
	if c.Focused() != fyne.Focusable(r.email) {
		t.Errorf("Tab from the mobile: focus on %T, want the e-mail", c.Focused())
	}
}

// Ensure that the keys that press nothing (cmd/sportello's xinQuietKeys:
// all cut, pasted back, the paste undone and redone) on the place of birth
// chosen keep the codice catastale the choice wrote, and then on the code
// keep it too: the MV35 still goes on. The place cut and pasted back
// emptied the code for good, and the same keys on the empty code pasted
// the place there (TestXInputEveryKey, PINSEDE_EVERYKEY=all: "Richiesta
// MV35", Tab ×6). A place changed still empties the code chosen with it.
func TestMV35QuietKeysKeepPlaceCode(t *testing.T) {
	testclock.RealDayOnly(t, "the place code kept through quiet keys")
	h := ready(t)
	r := h.newRequest()
	h.fillRequest(mario)
	h.typeIn(r.luogo.entry, "Roma")
	key(r.luogo.entry, fyne.KeyReturn)
	if r.catastale.Text != "H501" {
		t.Fatalf("Enter on Roma: catastale %q, want H501", r.catastale.Text)
	}
	cb := fyne.CurrentApp().Clipboard()
	quiet := func(e *entry) {
		h.win.Canvas().Focus(e)
		for _, s := range []fyne.Shortcut{&fyne.ShortcutSelectAll{}, &fyne.ShortcutCopy{Clipboard: cb},
			&fyne.ShortcutSelectAll{}, &fyne.ShortcutCut{Clipboard: cb}, &fyne.ShortcutPaste{Clipboard: cb},
			&fyne.ShortcutUndo{}, &fyne.ShortcutRedo{}} {
			e.TypedShortcut(s)
		}
		key(e, fyne.KeyEscape) // the suggestions the paste opened close
	}
	quiet(r.luogo.entry)
	if r.luogo.text() != "Roma (RM)" || r.catastale.Text != "H501" {
		t.Errorf("quiet keys on the place: place %q, catastale %q; want Roma (RM) and H501", r.luogo.text(), r.catastale.Text)
	}
	quiet(r.catastale)
	if r.catastale.Text != "H501" {
		t.Errorf("quiet keys on the code after the place: catastale %q, want H501", r.catastale.Text)
	}
	if ps := r.problems(); len(ps) > 0 {
		t.Errorf("after the quiet keys: %v; want none", ps)
	}

	h.win.Canvas().Focus(r.luogo.entry)
	r.luogo.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if r.catastale.Text != "" {
		t.Errorf("place changed to %q: catastale %q, want it emptied", r.luogo.text(), r.catastale.Text)
	}
}

// Ensure that Enter in a field of the identity check moves to what is left
// to do (the next field left empty, then the checks not ticked, then
// Emetti PIN) and never issues; and that Ctrl+Enter presses the screen's
// main button from a check box: Avanti on the MV35, Emetti PIN here.
func TestIdentityCheckEnterAndCtrlEnter(t *testing.T) {
	testclock.RealDayOnly(t, "Enter and Ctrl+Enter on the identity check")
	h := ready(t)
	r := h.newRequest()
	h.fillRequest(mario)
	c := h.win.Canvas()
	ctrlEnter := &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}
	c.Focus(r.cognome)
	r.cognome.TypedShortcut(ctrlEnter)
	v := h.app.verify
	if v == nil || h.app.current.View != v.screen.View {
		t.Fatalf("Ctrl+Enter on the MV35 did not go on: %v", r.problems())
	}

	h.typeIn(v.mrz, passportMRZ)
	key(v.mrz, fyne.KeyReturn)
	if c.Focused() != fyne.Focusable(v.authority) {
		t.Fatalf("Enter after the MRZ: focus on %T, want the authority", c.Focused())
	}
	h.typeIn(v.authority, "RENAPER")
	key(v.authority, fyne.KeyReturn)
	if c.Focused() != fyne.Focusable(v.issued) {
		t.Fatalf("Enter on the authority: focus on %T, want the issue date (the country came from the MRZ)", c.Focused())
	}
	h.typeIn(v.issued, "04/05/2022")
	key(v.issued, fyne.KeyReturn)
	if c.Focused() != fyne.Focusable(v.checkOriginal) {
		t.Fatalf("Enter on the issue date: focus on %T, want the first check", c.Focused())
	}
	v.checkOriginal.SetChecked(true)
	v.checkPhoto.SetChecked(true)
	key(v.issued, fyne.KeyReturn)
	if c.Focused() != fyne.Focusable(v.checkSigned) {
		t.Fatalf("Enter with two checks ticked: focus on %T, want the third", c.Focused())
	}
	v.checkSigned.SetChecked(true)
	key(v.issued, fyne.KeyReturn)
	if c.Focused() != fyne.Focusable(v.issue) || h.app.result != nil {
		t.Fatalf("Enter with all done: focus on %T, issued %v; want Emetti PIN focused, nothing issued", c.Focused(), h.app.result != nil)
	}
	c.Focus(v.checkSigned)
	h.app.shortcut(ctrlEnter) // a check box has no shortcuts: the canvas passes it on
	h.wait()
	if h.app.result == nil {
		t.Fatalf("Ctrl+Enter did not issue: %q", v.msg.text())
	}
}

// Ensure that a search leaves the keyboard on the first citizen found, and
// that the citizen page opens with it on the first action on their PIN:
// the handover of a slip not handed over, else the replacement, one Tab
// before Revoca (a revocation from the keyboard, cmd/sportello's
// TestXInputWalkIn).
func TestSearchAndCitizenPageFocus(t *testing.T) {
	testclock.RealDayOnly(t, "the focus of the search and the citizen page")
	h := ready(t)
	out, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport)
	if err != nil {
		t.Fatal(err)
	}
	c := h.win.Canvas()
	h.app.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	h.typeIn(h.app.home.cf, string(mario.CodiceFiscale))
	key(h.app.home.cf, fyne.KeyReturn)
	if len(h.app.home.resultButtons) != 1 || c.Focused() != fyne.Focusable(h.app.home.resultButtons[0]) {
		t.Fatalf("search: %d results, focus on %T; want the one found focused", len(h.app.home.resultButtons), c.Focused())
	}
	pressSpace(c.Focused())
	p := h.app.citizen
	if p == nil || h.app.current.View != p.screen.View {
		t.Fatal("Space on the citizen found did not open the page")
	}
	id := out.Credential.ID
	if c.Focused() != fyne.Focusable(p.handover[id]) {
		t.Errorf("citizen page: focus on %T, want Registra consegna", c.Focused())
	}
	if _, err := h.desk.RecordHandover(h.app.session, id); err != nil {
		t.Fatal(err)
	}
	h.app.showCitizen(mario.CodiceFiscale)
	p = h.app.citizen
	if c.Focused() != fyne.Focusable(p.replaceSlip[id]) {
		t.Fatalf("citizen page after the handover: focus on %T, want Sostituisci busta", c.Focused())
	}
	c.FocusNext()
	if c.Focused() != fyne.Focusable(p.revokeCred[id]) {
		t.Errorf("Tab from Sostituisci busta: focus on %T, want Revoca", c.Focused())
	}
}

// dialogButtonOf returns the button labelled text of the dialog on top.
func dialogButtonOf(h *harness, text string) *button {
	h.t.Helper()
	var found *button
	h.walkShown(func(o fyne.CanvasObject) {
		if b, ok := o.(*button); ok && b.Text == text {
			found = b
		}
	})
	if found == nil {
		h.t.Fatalf("no dialog button %q:\n%s", text, h.screenText())
	}
	return found
}

// Ensure that Esc closes a dialog whose button has the keyboard, as its
// cancel button would: Tab to the guide's Chiudi, then Esc, left the
// guide open on the real desk (issue 17); and that Space and Enter on a
// confirmation's Sì confirm, on its No answer no.
func TestEscFromADialogsButton(t *testing.T) {
	testclock.RealDayOnly(t, "Esc from a dialog's button")
	h := ready(t)
	h.tap(h.app.header.help)
	chiudi := dialogButtonOf(h, "Chiudi")
	h.win.Canvas().Focus(chiudi)
	chiudi.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // what the window does with a key while a button has the focus
	if h.app.help != nil || len(h.app.dialogs) != 0 || len(h.win.Canvas().Overlays().List()) != 0 {
		t.Fatal("Esc on the guide's Chiudi did not close the guide")
	}

	for _, c := range []struct {
		button string
		key    fyne.KeyName
		want   bool
	}{{"Sì", fyne.KeyEscape, false}, {"No", fyne.KeyEscape, false}, {"Sì", fyne.KeySpace, true}, {"No", fyne.KeySpace, false},
		{"Sì", fyne.KeyReturn, true}, {"No", fyne.KeyReturn, false}, {"Sì", fyne.KeyEnter, true}} {
		answer := "none"
		h.app.showDialog(h.app.newConfirm("Conferma", "Procedere?", func(ok bool) { answer = strconv.FormatBool(ok) }))
		b := dialogButtonOf(h, c.button)
		h.win.Canvas().Focus(b)
		b.TypedKey(&fyne.KeyEvent{Name: c.key})
		h.wait()
		if answer != strconv.FormatBool(c.want) || len(h.app.dialogs) != 0 || len(h.win.Canvas().Overlays().List()) != 0 {
			t.Errorf("%s on %s: answer %s, %d dialogs open; want %v and none", c.key, c.button, answer, len(h.app.dialogs), c.want)
		}
	}
}

// Ensure that the lock says so in the window's title, and the screen's
// title again after the unlock; that a dialog open at the lock (the guide)
// comes back with the unlock, Esc closing it then; and that the shortcuts
// work after the unlock, and F1 opens the guide again (issue 17: the
// random keys that locked the desk).
func TestLockTitleAndDialogs(t *testing.T) {
	h := ready(t)
	h.app.showAudit()
	h.tap(h.app.header.help)
	h.app.lockSession()
	if got := h.win.Title(); got != "Sessione bloccata" {
		t.Errorf("locked: the window's title is %q", got)
	}
	h.typeIn(h.app.lock.password, "password-di-prova")
	h.tap(h.app.lock.unlock)
	if got := h.win.Title(); got != "Registro" || h.app.lock.locked {
		t.Errorf("unlocked: the window's title is %q (locked %v), want Registro", got, h.app.lock.locked)
	}
	if len(h.app.dialogs) != 1 || h.app.help == nil || len(h.win.Canvas().Overlays().List()) != 1 {
		t.Fatalf("after the unlock: %d dialogs counted, guide %v; want the guide back", len(h.app.dialogs), h.app.help != nil)
	}
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(h.app.dialogs) != 0 || h.app.help != nil || len(h.win.Canvas().Overlays().List()) != 0 {
		t.Fatal("Esc after the unlock did not close the guide")
	}
	h.app.deskKey(&fyne.KeyEvent{Name: fyne.KeyF1})
	if h.app.help == nil {
		t.Error("F1 after the unlock did not open the guide")
	}
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.app.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	if h.app.current.View != h.app.home.screen.View {
		t.Error("Ctrl+F after the unlock did not go to the search")
	}
}

// Ensure that Esc on the lock screen closes the guide opened there (it
// stayed open: found by TestXInputEveryKey), and otherwise empties the
// password and puts the keyboard back in it from Esci or Sblocca, where
// the password typed went nowhere; the dialog the lock put away stays.
func TestLockScreenEsc(t *testing.T) {
	h := ready(t)
	h.app.showDialog(h.app.newInformation("Prova", "messaggio")) // put away by the lock
	h.app.lockSession()
	l := h.app.lock
	key(l.password, fyne.KeyF1)
	if len(h.win.Canvas().Overlays().List()) != 1 {
		t.Fatalf("F1 on the lock screen: %d overlays, want the guide", len(h.win.Canvas().Overlays().List()))
	}
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(h.win.Canvas().Overlays().List()) != 0 || !l.locked {
		t.Fatalf("Esc on the lock screen's guide: %d overlays, locked %v; want it closed, still locked",
			len(h.win.Canvas().Overlays().List()), l.locked)
	}
	for _, b := range []*button{l.logout, l.unlock} {
		h.typeIn(l.password, "parziale")
		h.win.Canvas().Focus(b)
		key(b, fyne.KeyEscape)
		if h.win.Canvas().Focused() != l.password || l.password.Text != "" || !l.locked || h.app.session == nil {
			t.Errorf("Esc on %q: focused %T, password %q, locked %v; want the password, empty, still locked",
				b.Text, h.win.Canvas().Focused(), l.password.Text, l.locked)
		}
	}
	h.typeIn(l.password, "password-di-prova")
	h.tap(l.unlock)
	if l.locked || len(h.app.dialogs) != 1 || len(h.win.Canvas().Overlays().List()) != 1 {
		t.Errorf("after the unlock: locked %v, %d dialogs; want unlocked, the dialog put away back", l.locked, len(h.app.dialogs))
	}
}

// Ensure that the idle lock keeps the dialog open in it, out of sight: the
// lock screen shows none of it, Esc there closes nothing, and the unlock
// brings it back as it was, with what was typed and the keyboard in the
// field that had it; a password typed in it (a supervisor's approval) is
// emptied; a dialog closed while locked (its job ended) stays closed, and
// the guide opened on the lock screen closes at the unlock. Ctrl+L locks
// from a dialog as the idle timer does.
func TestIdleLockKeepsTheDialog(t *testing.T) {
	h, out := onMariosPage(t)
	c := h.app.citizen
	cv := h.win.Canvas()
	const why = "Il cittadino ha perso la busta"
	idleLock := func() {
		t.Helper()
		h.idle = h.idle.Add(DefaultIdle)
		h.app.checkIdle()
		if !h.app.lock.locked {
			t.Fatal("the idle session did not lock")
		}
		if n := len(cv.Overlays().List()); n != 0 {
			t.Errorf("locked: %d dialogs over the lock screen", n)
		}
		if text := h.screenText(); strings.Contains(text, why) || strings.Contains(text, mario.CodiceFiscale.String()) {
			t.Errorf("locked: the screen shows the dialog or the citizen:\n%s", text)
		}
	}
	unlock := func() {
		t.Helper()
		h.typeIn(h.app.lock.password, "password-di-prova")
		h.tap(h.app.lock.unlock)
		if h.app.lock.locked {
			t.Fatalf("unlock: %q", h.app.lock.msg.text())
		}
	}

	cv.Focus(c.revokeCred[out.Credential.ID])
	pressSpace(c.revokeCred[out.Credential.ID])
	d := c.revoke
	h.typeIn(d.reason, why)
	d.checked.SetChecked(true)
	cv.Focus(d.reason)
	idleLock()
	key(h.app.lock.password, fyne.KeyEscape)
	key(h.app.lock.password, fyne.KeyF1) // the guide, over the lock screen
	if h.app.help == nil {
		t.Fatal("F1 on the lock screen did not open the guide")
	}
	unlock()
	if len(cv.Overlays().List()) != 1 || len(h.app.dialogs) != 1 || h.app.help != nil {
		t.Fatalf("after the unlock: %d overlays, %d dialogs, guide %v; want the revocation only", len(cv.Overlays().List()), len(h.app.dialogs), h.app.help != nil)
	}
	if d.reason.Text != why || !d.checked.Checked || cv.Focused() != fyne.Focusable(d.reason) {
		t.Errorf("after the unlock: reason %q, checked %v, focus on %T; want them as before the lock", d.reason.Text, d.checked.Checked, cv.Focused())
	}
	if !strings.Contains(h.screenText(), why) {
		t.Error("after the unlock the dialog is not drawn")
	}
	key(d.reason, fyne.KeyEscape)
	if len(cv.Overlays().List()) != 0 || len(h.app.dialogs) != 0 {
		t.Fatal("Esc after the unlock did not close the dialog")
	}
	if cv.Focused() != fyne.Focusable(c.revokeCred[out.Credential.ID]) {
		t.Errorf("under the dialog, the focus is on %T, want Revoca as before", cv.Focused())
	}

	// A supervisor's password is not kept behind the lock.
	h.tap(c.replaceSlip[out.Credential.ID])
	r := c.replace
	r.reason.SetSelected(reason(pinsede.ReasonSlipLost))
	h.typeIn(r.supID, "c.bianchi")
	h.typeIn(r.supPW, "password-bianchi")
	idleLock()
	unlock()
	if r.supID.Text != "c.bianchi" || r.reason.Selected != reason(pinsede.ReasonSlipLost) || r.supPW.Text != "" {
		t.Errorf("after the unlock: id %q, reason %q, password %q; want the id and reason kept, the password emptied", r.supID.Text, r.reason.Selected, r.supPW.Text)
	}

	// A dialog closed while locked stays closed. Ctrl+L locks from a
	// dialog too.
	r.supID.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	if !h.app.lock.locked || len(cv.Overlays().List()) != 0 {
		t.Fatalf("Ctrl+L in a dialog: locked %v, %d dialogs shown", h.app.lock.locked, len(cv.Overlays().List()))
	}
	r.dialog.Hide() // as a job ending while locked does
	unlock()
	if len(cv.Overlays().List()) != 0 || len(h.app.dialogs) != 0 {
		t.Errorf("a dialog closed while locked came back: %d overlays, %d dialogs", len(cv.Overlays().List()), len(h.app.dialogs))
	}
}

// Ensure that Esc closes a dialog whose check box or radio button has the
// keyboard, as its cancel button would, and F1 from them opens the guide
// (a Fyne check box or radio group took both and dropped them); and that
// Space still ticks the box and chooses the option, the option chosen
// staying chosen.
func TestEscFromADialogsChoices(t *testing.T) {
	testclock.RealDayOnly(t, "Esc from a dialog's choices")
	h, out := onMariosPage(t)
	c := h.app.citizen
	c2 := h.win.Canvas()
	press := func(f fyne.Focusable, k fyne.KeyName) {
		t.Helper()
		c2.Focus(f)
		if c2.Focused() != f {
			t.Fatalf("%T takes no focus", f)
		}
		f.TypedKey(&fyne.KeyEvent{Name: k}) // what the window does with a key while f has the focus
	}
	closed := func(what string) {
		t.Helper()
		if len(h.app.dialogs) != 0 || len(c2.Overlays().List()) != 0 {
			t.Errorf("Esc on %s did not close the dialog", what)
		}
	}

	// The revocation's check box.
	h.tap(c.revokeCred[out.Credential.ID])
	press(c.revoke.checked, fyne.KeySpace)
	c.revoke.checked.TypedRune(' ') // Space comes as a key and a character
	if !c.revoke.checked.Checked {
		t.Error("Space did not tick the revocation's check box")
	}
	press(c.revoke.checked, fyne.KeyF1)
	if h.app.help == nil {
		t.Error("F1 on the check box did not open the guide")
	}
	h.app.escape() // the guide, on top
	press(c.revoke.checked, fyne.KeyEscape)
	closed("the revocation's check box")

	// The replacement's reasons.
	h.tap(c.replaceSlip[out.Credential.ID])
	d := c.replace
	lost, other := reason(pinsede.ReasonSlipLost), d.reason.Options[len(d.reason.Options)-1]
	for _, o := range []string{lost, lost, other} {
		b := d.reason.boxes[slices.Index(d.reason.Options, o)]
		press(b, fyne.KeySpace)
		b.TypedRune(' ')
		if d.reason.Selected != o || !b.Checked {
			t.Errorf("Space on %q: chosen %q", o, d.reason.Selected)
		}
	}
	ticked := 0
	for _, b := range d.reason.boxes {
		if b.Checked {
			ticked++
		}
	}
	if ticked != 1 {
		t.Errorf("%d reasons ticked, want one", ticked)
	}
	press(d.reason.boxes[0], fyne.KeyEscape)
	closed("a reason of the replacement")
}

// Ensure that Enter presses the focused button of a screen, as Space does
// (a Fyne button dropped it), and not a disabled one; and that on the
// identity check Enter on Emetti PIN still never issues: it goes to what is
// left, and stays there when nothing is.
func TestEnterPressesTheFocusedButton(t *testing.T) {
	testclock.RealDayOnly(t, "Enter on the focused button")
	h := ready(t)
	c := h.win.Canvas()
	enter := func(b *button) {
		t.Helper()
		c.Focus(b)
		if c.Focused() != fyne.Focusable(b) {
			t.Fatalf("%q takes no focus: %d dialogs, %T focused", b.Text, len(h.app.dialogs), c.Focused())
		}
		b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // what the window does with Enter while b has the focus
		h.wait()
	}
	h.app.showHome()
	enter(h.app.home.newRequest)
	r := h.app.request
	if r == nil || h.app.current.View != r.screen.View {
		t.Fatalf("Enter on Nuova richiesta: on %q, want the MV35", h.win.Title())
	}
	h.fillRequest(mario)
	enter(r.next)
	v := h.app.verify
	if v == nil || h.app.current.View != v.screen.View {
		t.Fatalf("Enter on Avanti: on %q, want the identity check (%v)", h.win.Title(), r.problems())
	}

	enter(v.issue)
	if c.Focused() != fyne.Focusable(v.docType) || h.app.result != nil {
		t.Fatalf("Enter on Emetti PIN with nothing filled: focus on %T, issued %v; want the type of document, the first field left", c.Focused(), h.app.result != nil)
	}
	h.fillVerification(passport)
	enter(v.issue)
	if c.Focused() != fyne.Focusable(v.issue) || h.app.result != nil {
		t.Fatalf("Enter on Emetti PIN with all done: focus on %T, issued %v; want Emetti PIN focused, nothing issued", c.Focused(), h.app.result != nil)
	}
	if n := len(h.printer.printed()); n != 0 {
		t.Fatalf("Enter printed %d slips", n)
	}
	pressSpace(v.issue)
	h.wait()
	if h.app.result == nil {
		t.Fatalf("Space on Emetti PIN did not issue: %q", v.msg.text())
	}

	res := h.app.result
	c.Focus(res.handover)
	res.handover.Disable() // as while its screen works
	res.handover.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.wait()
	if res.msg.text() != "" {
		t.Errorf("Enter on a disabled Registra consegna: %q", res.msg.text())
	}
	res.handover.Enable()
	enter(res.handover)
	enter(res.toHome)
	if h.app.current.View != h.app.home.screen.View {
		t.Errorf("Enter on Torna alla home: on %q", h.win.Title())
	}
}

// onMariosPage is a harness logged in as the supervisor, on the page of
// mario, to whom it has issued a PIN (out).
func onMariosPage(t *testing.T) (*harness, pinsede.Issued) {
	t.Helper()
	h := ready(t)
	out, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport)
	if err != nil {
		t.Fatal(err)
	}
	h.app.showCitizen(mario.CodiceFiscale)
	return h, out
}

// Ensure that the file picker of the document's scan is one of the desk's
// dialogs (found by TestXInputEveryKey: Esc left it open, and Ctrl+F took
// the desk home under it, where Tab and Space went on in it): Ctrl+F does
// nothing under it, and Esc closes it from each of its controls, its list
// of files included (Fyne's file picker dropped Esc there), attaching
// nothing, the identity check as it was.
func TestScanPickerClosesOnEsc(t *testing.T) {
	testclock.RealDayOnly(t, "Esc on the scan picker")
	h := ready(t)
	h.app.scanFolder = t.TempDir()
	if err := os.WriteFile(filepath.Join(h.app.scanFolder, "passaporto.pdf"), []byte("%PDF-1.4"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.toVerification(mario)
	v := h.app.verify
	c := h.win.Canvas()
	for stop := 0; ; stop++ {
		h.tap(v.scanChoose)
		if len(h.app.dialogs) != 1 || len(c.Overlays().List()) != 1 {
			t.Fatalf("Scegli file: %d dialogs of the desk, %d overlays; want the picker, one of each",
				len(h.app.dialogs), len(c.Overlays().List()))
		}
		if stop == 0 {
			h.app.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
			if h.app.current.View != v.screen.View {
				t.Fatal("Ctrl+F under the file picker left the identity check")
			}
		}
		for range stop {
			c.FocusNext()
		}
		f := c.Focused()
		if f == nil {
			t.Fatalf("Tab ×%d in the picker: nothing has the keyboard", stop)
		}
		if _, list := f.(*pickList); list != (stop == 0) {
			f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
			if stop == 0 {
				t.Fatalf("the picker opens with %T focused, want its list", f)
			}
			break // round
		}
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if len(h.app.dialogs) != 0 || len(c.Overlays().List()) != 0 {
			t.Fatalf("Esc on %T (Tab ×%d): %d dialogs, %d overlays; want the picker closed", f, stop, len(h.app.dialogs), len(c.Overlays().List()))
		}
		if v.scan != nil || h.app.current.View != v.screen.View {
			t.Errorf("after Esc: scan %v, on the identity check %v; want none, on it", v.scan, h.app.current.View == v.screen.View)
		}
		if stop > 10 {
			t.Fatal("Tab does not come round the picker's controls")
		}
	}
}

// pressSpaceOn sends Space to the button b as the real driver does: the
// key to b, then its character to whatever has the keyboard by then (the
// field of the dialog or screen the press opened), or to the window.
func pressSpaceOn(h *harness, b *button) {
	h.t.Helper()
	h.win.Canvas().Focus(b)
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	h.wait()
	if f := h.win.Canvas().Focused(); f != nil {
		f.TypedRune(' ')
	} else {
		h.win.Canvas().OnTypedRune()(' ')
	}
}

// Ensure that the Space that pressed a button does not reach, as a
// character, the password the press focused: Space on Reimposta password
// put a space before the temporary password, which the clerk cannot see
// (the two passwords then differed), and Space on Blocca one before the
// password of the unlock (found by TestXInputEveryKey). A space the clerk
// types into a password stays.
func TestSpaceDoesNotLeakIntoAPassword(t *testing.T) {
	testclock.RealDayOnly(t, "a Space kept from a password")
	h := ready(t)
	h.addBianchi()
	h.app.showOperators()
	o := h.app.operators
	pressSpaceOn(h, o.reset["l.bianchi"])
	rd := o.resetDlg
	if rd == nil || h.win.Canvas().Focused() != fyne.Focusable(rd.pw) {
		t.Fatal("Space on Reimposta password did not open its dialog with the keyboard on the password")
	}
	if rd.pw.Text != "" {
		t.Errorf("Space on Reimposta password typed %q into the temporary password", rd.pw.Text)
	}
	// A space typed, key and character, stays.
	rd.pw.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	rd.pw.TypedRune(' ')
	test.Type(rd.pw, "temporanea-2026")
	if rd.pw.Text != " temporanea-2026" {
		t.Errorf("password %q, want the space typed kept", rd.pw.Text)
	}
	h.app.escape()

	pressSpaceOn(h, h.app.header.lockNow)
	if !h.app.lock.locked || h.win.Canvas().Focused() != fyne.Focusable(h.app.lock.password) {
		t.Fatal("Space on Blocca did not lock with the keyboard on the password")
	}
	if got := h.app.lock.password.Text; got != "" {
		t.Errorf("Space on Blocca typed %q into the password of the unlock", got)
	}
}
