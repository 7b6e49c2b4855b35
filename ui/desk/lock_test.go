package desk

import (
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
)

// Ensure that Esci on the lock screen, pressed by a colleague from the
// keyboard, does not lose the request the clerk left there: the login
// screen says it was kept, the colleague's own session and logout leave it
// alone, and the clerk's next login offers it with what was typed, the
// keys typed in the second before the lock included. (Esci dropped it.)
func TestLockLogoutKeepsRequest(t *testing.T) {
	h := ready(t)
	h.addOperator("l.verdi", "Luca Verdi", pinsede.RoleOperatore, "password-di-luca")
	r := h.newRequest()
	h.typeIn(r.cognome, "Bianchi")
	h.app.checkDraft() // a tick
	h.typeIn(r.nome, "Lucia")
	h.app.lockSession() // before the next tick
	l := h.app.lock
	if got := strings.Join(strings.Fields(h.screenText()), " "); !strings.Contains(got, "resta salvata: sarà riproposta a Maria Rossi") {
		t.Errorf("the lock screen does not say the request stays for Maria Rossi:\n%s", got)
	}

	h.win.Canvas().Focus(l.logout)
	key(l.logout, fyne.KeySpace)
	h.wait()
	if h.app.session != nil || h.app.current.View != h.app.login.screen.View {
		t.Fatal("Space on Esci did not log out")
	}
	const kept = "La richiesta non terminata di Maria Rossi (m.rossi) è stata salvata: sarà riproposta a Maria Rossi al prossimo accesso di oggi su questo sportello."
	if got := h.app.login.msg.text(); got != kept {
		t.Errorf("the login screen after Esci says %q, want %q", got, kept)
	}

	// The colleague works, types a request of their own and logs out.
	h.logIn("l.verdi", "password-di-luca")
	if n := len(h.win.Canvas().Overlays().List()); n != 0 {
		t.Fatalf("the colleague's login offers %d dialogs:\n%s", n, h.screenText())
	}
	h.typeIn(h.newRequest().cognome, "Neri")
	h.app.checkDraft()
	h.tap(h.app.header.logout)
	h.tapDialogConfirm() // what the colleague typed goes
	h.wait()

	h.logIn("m.rossi", "password-di-prova")
	if got := h.screenText(); !strings.Contains(got, "Bianchi Lucia") {
		t.Fatalf("the clerk's login does not offer the request of Bianchi Lucia:\n%s", got)
	}
	h.tapDialogConfirm()
	r = h.app.request
	if r == nil || h.app.current.View != r.screen.View || r.cognome.Text != "Bianchi" || r.nome.Text != "Lucia" {
		t.Fatal("the request kept at Esci was not resumed as typed")
	}
	if got := h.app.login.msg.text(); got != "" {
		t.Errorf("the login screen still says %q", got)
	}
}

// Ensure that Esci on the lock screen keeps a request kept before, whose
// offer to resume it was still open when the desk locked: the clerk's
// next login offers it again. (Esci wiped it, nothing being typed.)
func TestLockLogoutKeepsOffer(t *testing.T) {
	h := ready(t)
	h.typeIn(h.newRequest().cognome, "Bianchi")
	h.app.checkDraft()
	h.restart() // a power cut
	h.logIn("m.rossi", "password-di-prova")
	if !strings.Contains(h.screenText(), "Bianchi") {
		t.Fatalf("no offer to resume the request of Bianchi:\n%s", h.screenText())
	}
	h.idle = h.idle.Add(DefaultIdle) // the clerk stepped away
	h.app.checkIdle()
	h.tap(h.app.lock.logout)
	if h.app.session != nil {
		t.Fatal("Esci did not log out")
	}
	h.logIn("m.rossi", "password-di-prova")
	if !strings.Contains(h.screenText(), "Bianchi") {
		t.Errorf("after Esci on the lock screen, the next login offers no request of Bianchi:\n%s", h.screenText())
	}
}

// Ensure that an empty password on the lock screen, Enter in the field or
// Sblocca, says to type it, keeps the keyboard in the field and is not a
// failed attempt: more of them than lock an account out leave the right
// password working. (Each counted: Enter pressed five times locked the
// clerk out of the session.)
func TestLockEmptyPassword(t *testing.T) {
	h := ready(t)
	h.app.lockSession()
	l := h.app.lock
	for i := range pinsede.MaxFailedLogins + 1 {
		if i%2 == 0 {
			key(l.password, fyne.KeyReturn)
			h.wait()
		} else {
			h.win.Canvas().Focus(l.unlock)
			h.tap(l.unlock)
		}
		if got := l.msg.text(); got != "Scrivi la password." {
			t.Fatalf("empty password %d: message %q, want %q", i+1, got, "Scrivi la password.")
		}
		if h.win.Canvas().Focused() != l.password || !l.locked {
			t.Fatalf("empty password %d: focused %T, locked %v; want the password field, still locked", i+1, h.win.Canvas().Focused(), l.locked)
		}
	}
	ops, err := h.desk.Operators(h.app.session)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		if o.FailedLogins != 0 {
			t.Errorf("%s: %d failed logins counted, want 0", o.ID, o.FailedLogins)
		}
	}
	test.Type(l.password, "password-di-prova")
	h.tap(l.unlock)
	if l.locked {
		t.Fatalf("the right password after the empty ones: still locked, %q", l.msg.text())
	}
}

// Ensure that an empty password on the login screen says to type it,
// keeps the id and the keyboard in the password field, and counts
// nothing.
func TestLoginEmptyPassword(t *testing.T) {
	h := ready(t)
	h.tap(h.app.header.logout)
	l := h.app.login
	for range pinsede.MaxFailedLogins {
		h.typeIn(l.id, "m.rossi")
		h.win.Canvas().Focus(l.password)
		key(l.password, fyne.KeyReturn)
		h.wait()
		if got := l.msg.text(); got != "Scrivi la password." || l.id.Text != "m.rossi" || h.win.Canvas().Focused() != l.password {
			t.Fatalf("empty password: message %q, id %q, focused %T; want it to say so, the id kept, the password focused",
				got, l.id.Text, h.win.Canvas().Focused())
		}
	}
	h.logIn("m.rossi", "password-di-prova")
	if h.app.session == nil {
		t.Fatalf("the right password after the empty ones: %q", l.msg.text())
	}
}

// Ensure that an issue that ends while the session is locked (Ctrl+L
// pressed as the slip printed) shows its result behind the lock only: the
// lock screen keeps the keyboard, the window's title and its header
// without the navigation, so that the password typed reaches the password
// field and not the result's Registra consegna; the unlock shows the
// result with Registra consegna focused. (The result took the keyboard
// from the lock screen, named itself in the title and showed the header's
// buttons on it.)
func TestLockWhileIssuing(t *testing.T) {
	h := ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	test.Tap(h.app.verify.issue) // the issue runs...
	h.app.lockSession()          // ...and the clerk locks the desk
	h.wait()                     // the slip printed
	l := h.app.lock
	if h.app.result == nil {
		t.Fatal("the issue did not end")
	}
	cv := h.win.Canvas()
	if cv.Focused() != l.password || h.win.Title() != "Sessione bloccata" || h.app.header.nav.Visible() || h.app.work.Visible() {
		t.Fatalf("the issue ended behind the lock: focused %T, title %q, navigation shown %v, work shown %v; want the password, the lock's title, neither shown",
			cv.Focused(), h.win.Title(), h.app.header.nav.Visible(), h.app.work.Visible())
	}
	test.Type(cv.Focused(), "password-di-prova")
	key(cv.Focused(), fyne.KeyReturn)
	h.wait()
	if l.locked || h.app.current.View != h.app.result.screen.View || h.win.Title() != "PIN emesso" {
		t.Fatalf("after the unlock: locked %v, title %q; want the result", l.locked, h.win.Title())
	}
	if v := h.app.result.screen.View; v.Size().Width < 600 || !h.app.result.handover.Visible() {
		t.Errorf("after the unlock the result is laid out %v wide, want the window's", v.Size())
	}
	if cv.Focused() != h.app.result.handover {
		t.Errorf("after the unlock the keyboard is on %T, want Registra consegna", cv.Focused())
	}
	if !h.app.result.handover.Visible() || h.app.result.handover.Disabled() {
		t.Error("the handover was recorded behind the lock")
	}
}

// Ensure that a dialog a job raises while the session is locked waits for
// the unlock: the offer to resume a request, whose reading of the store
// ended after Ctrl+L, pressed as the home showed. The lock screen keeps
// the keyboard, shows no dialog and names no screen, in the window's
// title nor in its header; the password typed reaches the password field;
// the unlock shows the offer, with the keyboard on Riprendi, and resumes
// the request. (The offer showed over the lock screen, Riprendi took the
// keys, and the header still named the home.)
func TestLockHoldsDialogs(t *testing.T) {
	h := ready(t)
	h.typeIn(h.newRequest().cognome, "Bianchi")
	h.app.checkDraft()
	h.restart() // a power cut
	toUI := h.app.toUI
	h.app.toUI = func(step func()) {
		toUI(func() {
			step()
			if h.app.session != nil {
				h.app.lockSession() // Ctrl+L as soon as the home shows
			}
		})
	}
	h.logIn("m.rossi", "password-di-prova")
	l, cv := h.app.lock, h.win.Canvas()
	if !l.locked {
		t.Fatal("the session did not lock")
	}
	if n := len(cv.Overlays().List()); n != 0 || cv.Focused() != l.password {
		t.Fatalf("behind the lock: %d dialogs shown, keyboard on %T; want none, the password:\n%s", n, cv.Focused(), h.screenText())
	}
	if got, want := h.app.header.screen.Text, "·  Sessione bloccata"; got != want || h.win.Title() != "Sessione bloccata" {
		t.Errorf("behind the lock the header says %q, the title %q; want %q, %q", got, h.win.Title(), want, "Sessione bloccata")
	}
	if *shots != "" {
		writeShots(t, h, "blocco-offerta-in-attesa")
	}
	h.app.toUI = toUI
	test.Type(cv.Focused(), "password-di-prova")
	key(cv.Focused(), fyne.KeyReturn)
	h.wait()
	if l.locked {
		t.Fatalf("the unlock failed: %q", l.msg.text())
	}
	if got := h.app.header.screen.Text; got != "·  Home" {
		t.Errorf("after the unlock the header says %q", got)
	}
	b, ok := cv.Focused().(*button)
	if n := len(cv.Overlays().List()); n != 1 || !ok || b.Text != "Riprendi" || !strings.Contains(h.screenText(), "Bianchi") {
		t.Fatalf("after the unlock: %d dialogs, keyboard on %T; want the offer of Bianchi with Riprendi focused:\n%s", n, cv.Focused(), h.screenText())
	}
	if *shots != "" {
		writeShots(t, h, "sblocco-offerta")
	}
	key(b, fyne.KeySpace)
	h.wait()
	if r := h.app.request; r == nil || r.cognome.Text != "Bianchi" || len(cv.Overlays().List()) != 0 {
		t.Fatal("Space on Riprendi did not resume the request")
	}
}

// Ensure that the message of a job that failed inside the desk (a panic),
// ending while the session is locked, is not lost: it shows at the unlock.
// Esci from the lock screen closes it with the session: the colleague who
// logs in next sees nothing of it, the clerk's next login says that an
// operation failed, once. (It showed over the lock screen; then Esci
// dropped it, and the clerk never knew.)
func TestLockHoldsPanicMessage(t *testing.T) {
	for _, unlock := range []bool{true, false} {
		h := ready(t, func(_ *pinsede.Desk, c *Config) { c.Log = slog.New(slog.DiscardHandler) })
		h.addOperator("l.verdi", "Luca Verdi", pinsede.RoleOperatore, "password-di-luca")
		h.app.lockSession()
		h.app.background(func() func() { return func() { panic("a job's last step") } })
		h.wait()
		cv := h.win.Canvas()
		if n := len(cv.Overlays().List()); n != 0 || cv.Focused() != h.app.lock.password {
			t.Fatalf("behind the lock: %d dialogs, keyboard on %T; want none, the password", n, cv.Focused())
		}
		if !unlock {
			h.tap(h.app.lock.logout)
			h.logIn("l.verdi", "password-di-luca")
			if n := len(cv.Overlays().List()); n != 0 {
				t.Errorf("after Esci, the colleague's login shows %d dialogs:\n%s", n, h.screenText())
			}
			h.tap(h.app.header.logout)
			h.logIn("m.rossi", "password-di-prova")
			if got := strings.Join(strings.Fields(h.screenText()), " "); len(cv.Overlays().List()) != 1 ||
				!strings.Contains(got, "Lavoro rimasto in sospeso") || !strings.Contains(got, "«Operazione non riuscita»: un'operazione non è stata completata per un errore interno") {
				t.Errorf("after Esci, the clerk's next login does not tell the failure:\n%s", got)
			}
			pressSpaceOn(h, dialogButtonOf(h, "OK"))
			h.tap(h.app.header.logout)
			h.logIn("m.rossi", "password-di-prova")
			if n := len(cv.Overlays().List()); n != 0 {
				t.Errorf("the clerk's second login tells it again: %d dialogs:\n%s", n, h.screenText())
			}
			continue
		}
		test.Type(h.app.lock.password, "password-di-prova")
		h.tap(h.app.lock.unlock)
		if n := len(cv.Overlays().List()); n != 1 || !strings.Contains(h.screenText(), "Operazione non riuscita") {
			t.Errorf("after the unlock: %d dialogs, want the failure's message:\n%s", n, h.screenText())
		}
	}
}

// Ensure that the lock screen says why the session locked: after the idle
// time, or because the clerk asked (Ctrl+L, Blocca). (It said "per
// inattività" after Ctrl+L too.)
func TestLockSaysWhy(t *testing.T) {
	h := ready(t)
	h.tap(h.app.header.lockNow)
	const asked = "La sessione di Maria Rossi (m.rossi) è bloccata. Inserisci la password per riprendere il lavoro da dove l'hai lasciato."
	if got := h.app.lock.who.Text; got != asked {
		t.Errorf("after Blocca the lock screen says %q, want %q", got, asked)
	}
	test.Type(h.app.lock.password, "password-di-prova")
	h.tap(h.app.lock.unlock)
	h.idle = h.idle.Add(DefaultIdle)
	h.app.checkIdle()
	const idle = "La sessione di Maria Rossi (m.rossi) è stata bloccata per inattività. Inserisci la password per riprendere il lavoro da dove l'hai lasciato."
	if got := h.app.lock.who.Text; !h.app.lock.locked || got != idle {
		t.Errorf("after the idle time the lock screen says %q (locked %v), want %q", got, h.app.lock.locked, idle)
	}
}

// Ensure that a password typed on the lock screen and left there, before
// Enter, is emptied after the idle time: whoever came next pressed Enter
// and had the clerk's work back.
func TestLockIdleForgetsPassword(t *testing.T) {
	h := ready(t)
	h.app.lockSession()
	l := h.app.lock
	test.Type(l.password, "password-di-prova")
	h.idle = h.idle.Add(DefaultIdle)
	h.app.checkIdle()
	if l.password.Text != "" {
		t.Fatal("after the idle time the lock screen keeps the password typed")
	}
	key(l.password, fyne.KeyReturn)
	h.wait()
	if !l.locked {
		t.Fatal("Enter after the idle time unlocked the session")
	}
}

// Ensure that a request whose slip did not print is kept again for a new
// attempt, as its screen keeps it: the issue's transaction wiped its
// draft, and the desk, which had kept those same fields a tick before,
// wrote none again. The slip failing behind the lock (Ctrl+L as it
// printed), a colleague's Esci then left the login saying the request was
// kept and the clerk's next login offered nothing; a crash after the
// failure lost it too. Now the clerk's next login offers it, on the
// identity check, with what was typed.
func TestPrintFailureKeepsTheRequest(t *testing.T) {
	for _, esci := range []bool{true, false} {
		h := ready(t)
		h.toVerification(mario)
		h.fillVerification(passport)
		h.app.checkDraft() // a tick: the request kept as typed
		h.wait()
		h.printer.fail = errPrinterJam
		if esci {
			test.Tap(h.app.verify.issue) // the issue runs...
			h.app.lockSession()          // ...and the clerk locks the desk
			h.wait()                     // the slip did not print: its PIN revoked
			h.tap(h.app.lock.logout)     // a colleague's Esci
			if got := h.app.login.msg.text(); !strings.Contains(got, "è stata salvata") {
				t.Errorf("after Esci the login says %q, want the request kept", got)
			}
		} else {
			h.tap(h.app.verify.issue)
			h.app.checkDraft() // a tick after the failure
			h.wait()
			h.restart() // a crash
		}
		h.logIn("m.rossi", "password-di-prova")
		if got := h.screenText(); !strings.Contains(got, "Rossi Mario") {
			t.Fatalf("esci %v: the clerk's next login offers no request of Rossi Mario:\n%s", esci, got)
		}
		h.tapDialogConfirm()
		v := h.app.verify
		if v == nil || h.app.current.View != v.screen.View || v.number.Text != passport.Number || !v.checkSigned.Checked {
			t.Fatalf("esci %v: the request resumed is not the identity check as typed", esci)
		}
		h.printer.fail = nil
		h.tap(v.issue)
		if h.app.result == nil {
			t.Errorf("esci %v: the resumed request does not issue: %q", esci, v.msg.text())
		}
	}
}

// Ensure that a revocation confirmed as the clerk locked the desk is not
// forgotten when a colleague's Esci on the lock screen closes its dialog:
// still running then, or refused behind the lock (a reason too short),
// the clerk's next login says so, with the problem, and the colleague's
// shows nothing. (Esci dropped the dialog: the clerk, back, believed the
// PIN revoked.)
func TestLockLogoutTellsTheActionLeft(t *testing.T) {
	for _, running := range []bool{true, false} {
		h, out := onMariosPage(t)
		h.addOperator("l.verdi", "Luca Verdi", pinsede.RoleOperatore, "password-di-luca")
		h.tap(h.app.citizen.revokeCred[out.Credential.ID])
		d := h.app.citizen.revoke
		d.checked.SetChecked(true)
		reason := "smarrito"
		if running {
			reason = "richiesta del cittadino"
		}
		h.typeIn(d.reason, reason)
		test.Tap(d.confirm) // the revocation runs...
		h.app.lockSession() // ...and the clerk locks the desk
		if !running {
			h.wait() // refused behind the lock
		}
		h.tap(h.app.lock.logout) // a colleague's Esci
		cv := h.win.Canvas()
		h.logIn("l.verdi", "password-di-luca")
		if n := len(cv.Overlays().List()); n != 0 {
			t.Errorf("running %v: the colleague's login shows %d dialogs:\n%s", running, n, h.screenText())
		}
		h.tap(h.app.header.logout)
		h.logIn("m.rossi", "password-di-prova")
		want := "«Revoca del PIN – RSSMRA80A01H501U»: l'operazione non è stata eseguita. Scrivi il motivo della revoca."
		if running {
			want = "«Revoca del PIN – RSSMRA80A01H501U»: l'operazione era ancora in corso. Controlla se è stata eseguita."
		}
		if got := strings.Join(strings.Fields(h.screenText()), " "); len(cv.Overlays().List()) != 1 || !strings.Contains(got, want) {
			t.Errorf("running %v: the clerk's next login does not say %q:\n%s", running, want, got)
		}
		page, err := h.desk.Citizen(h.app.session, mario.CodiceFiscale)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := page.Credentials[0].State, map[bool]pinsede.CredentialState{true: pinsede.StateRevocato, false: pinsede.StateAttivo}[running]; got != want {
			t.Errorf("running %v: the PIN is %s, want %s", running, got, want)
		}
		if *shots != "" && !running {
			writeShots(t, h, "accesso-lavoro-in-sospeso")
		}
	}
}
