package main

import (
	"bytes"
	"image"
	"strings"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/xtest"
	"github.com/pinsede/pinsede/local"
)

// The clerk's first day, as TestXInputEveryKey ends it, keyboard only:
// the clerk the walk added, whose password m.rossi reset, locks the
// account by wrong passwords at the login; m.rossi lifts the lock-out with
// the operators' Sblocca; the clerk logs in with the temporary password,
// and on the change of password that opens (walked as the other screens,
// every key on every control) makes the mistakes a clerk makes there
// before choosing a password of their own, which opens the session.

const (
	// xinNewPasswordTitle is the title of the change of a password that
	// a supervisor reset.
	xinNewPasswordTitle = "Scegli una nuova password"
	// xinClerkWrong is the wrong password the clerk types at the login,
	// xinClerkOwn the password the clerk chooses.
	xinClerkWrong, xinClerkOwn = "sbagliata-di-verdi", "la-mia-di-verdi"
)

// The login's and the change of password's fields and message, at
// 1280×800 under the development printer's banner.
var (
	xinLoginIDRect       = image.Rect(417, 372, 864, 405)
	xinLoginPasswordRect = image.Rect(417, 438, 864, 471)
	xinLoginMessageRect  = image.Rect(416, 478, 864, 542)
	// xinNewFieldsRect holds Nuova password and Conferma password,
	// xinNewMessageRect the problem under them.
	xinNewFieldsRect  = image.Rect(407, 381, 875, 483)
	xinNewMessageRect = image.Rect(406, 487, 875, 531)
)

// xinNewPasswordScreen is the clerk's change of password, as
// TestXInputEveryKey walks it.
var xinNewPasswordScreen = xinKeyScreen{name: "password", title: xinNewPasswordTitle, reach: (*xinDesk).toNewPassword}

// logOut ends the session by the header's Esci, reached from the home
// page's codice fiscale back through the status bar.
func (d *xinDesk) logOut() {
	d.t.Helper()
	d.leave("ctrl+n", "Richiesta MV35")
	d.come("ctrl+f", "Home")
	d.come("shift+Tab shift+Tab space", "Accesso operatore")
}

// lockOutClerk logs m.rossi out and types, at the login, the clerk's id,
// Enter with no password, then pinsede.MaxFailedLogins wrong passwords.
// Each is refused with the message in red, the password emptied with the
// keyboard in it, the id kept. (The right password refused during the
// lock-out is the headless tests' to prove: the desk runs on the real
// clock, and the lock-out's minute could pass between two keys on a
// loaded machine.)
func (d *xinDesk) lockOutClerk() {
	d.t.Helper()
	d.logOut()
	d.typeText(xinClerk) // the id has the keyboard
	d.keys("Return")
	id := d.region(xinLoginIDRect)
	d.keys("Return") // no password: said in red, and not counted (xinCheckClerk)
	d.waitFrame("the password asked for", func(img image.Image) bool { return xtest.Red(xtest.Pixels(img, xinLoginMessageRect)) })
	var emptied []byte
	for i := range pinsede.MaxFailedLogins {
		d.typeText(xinClerkWrong)
		typed := d.region(xinLoginPasswordRect)
		d.keys("Return")
		// The message cleared at Return shows again with the password
		// emptied: the answer.
		img := d.waitFrame("the login refused", func(img image.Image) bool {
			return xtest.Red(xtest.Pixels(img, xinLoginMessageRect)) && !bytes.Equal(xtest.Pixels(img, xinLoginPasswordRect), typed)
		})
		if s := d.drv().Screen(); s != "Accesso operatore" {
			d.t.Fatalf("login %d of the clerk: the desk shows %s, want the login refused", i+1, s)
		}
		if emptied == nil {
			emptied = xtest.Pixels(img, xinLoginPasswordRect)
		}
		if !bytes.Equal(xtest.Pixels(img, xinLoginIDRect), id) || !bytes.Equal(xtest.Pixels(img, xinLoginPasswordRect), emptied) {
			d.shot("login-refused")
			d.t.Fatalf("login %d of the clerk refused: the id is not drawn as typed, or the password not emptied with the keyboard in it", i+1)
		}
	}
	d.shot("login-locked")
}

// unlockClerk logs m.rossi in from the login that refused the clerk (the
// keyboard in the password, the clerk's id above it) and lifts the
// clerk's lock-out from the operators' screen: Space on Sblocca, after
// Disattiva.
func (d *xinDesk) unlockClerk() {
	d.t.Helper()
	d.keys("shift+Tab", "ctrl+a")
	d.typeText("m.rossi")
	d.keys("Return")
	d.typeText(xinPassword)
	d.keys("Return")
	d.waitScreen("Home")
	d.toOperators()
	d.shot("operators-locked")
	d.keys("Tab", "space") // the keyboard starts on Disattiva
	d.waitBody("the clerk unlocked, in green", xinGreen)
	d.settled()
	d.shot("operators-unlocked")
}

// toNewPassword brings the desk to the clerk's change of password as it
// first shows, the keyboard in Nuova password: from m.rossi's session it
// logs out; from the change of password drawn otherwise (a key typed
// there stays, and so does a problem it showed, or the guide a key
// opened) Escape goes back to the login, after an Escape that closes the
// guide; on the login a key left (the change's Annulla, or Escape, then
// the walk's Tab) the keyboard goes back to the id. Then the clerk logs
// in with the temporary password.
func (d *xinDesk) toNewPassword() {
	d.t.Helper()
	switch d.drv().Screen() {
	case xinNewPasswordTitle:
		if d.newPassword != nil && d.drawnAs(d.newPassword, true) {
			return
		}
		d.come("Escape Escape", "Accesso operatore")
	case "Accesso operatore":
		d.xdotool("key", "--delay", xinKeyDelay, "Escape") // the guide a key opened
		d.toLoginID()
	default:
		d.logOut()
	}
	d.waitScreen("Accesso operatore")
	if d.login == nil {
		d.login = d.settled()
	}
	d.typeText(xinClerk) // the id has the keyboard, empty
	d.keys("Return")
	d.typeText(xinClerkTemporary)
	d.come("Return", xinNewPasswordTitle)
	if img := d.settled(); d.newPassword == nil {
		d.newPassword = img
		d.shot("new-password")
	}
}

// toLoginID brings the keyboard back to the id of the login, empty, by
// Shift+Tab: the login as it first showed after m.rossi's logout.
func (d *xinDesk) toLoginID() {
	d.t.Helper()
	for n := 0; d.login != nil && !d.drawnAs(d.login, true); n++ {
		if n == 12 {
			d.shot("login-not-fresh")
			d.t.Fatalf("%s: the login does not come back empty with the keyboard in the id", d.where)
		}
		d.xdotool("key", "shift+Tab")
	}
}

// xinPasswordMistakes are the mistakes of a clerk choosing a password, in
// the order chooseOwnPassword makes them: each shows another problem than
// the one before.
var xinPasswordMistakes = []struct{ name, pw, again string }{
	{"both empty", "", ""},
	{"the two different", xinClerkOwn, xinClerkOwn + "-bis"},
	{"too short", "corta", "corta"},
	{"the temporary one", xinClerkTemporary, xinClerkTemporary},
}

// chooseOwnPassword makes, on the clerk's change of password as it first
// shows, the mistakes of xinPasswordMistakes, each typed in both fields
// and submitted by Enter in the second: each must show its problem in
// red, with the fields drawn as typed and the keyboard still in the
// second. Then the clerk types their own password twice, and Enter opens
// the session on the home page.
func (d *xinDesk) chooseOwnPassword() {
	d.t.Helper()
	d.toNewPassword()
	fill := func(pw, again string) {
		for i, text := range []string{pw, again} {
			if i > 0 {
				d.keys("Tab")
			}
			d.keys("ctrl+a", "BackSpace")
			if text != "" {
				d.typeText(text)
			}
		}
	}
	for i, m := range xinPasswordMistakes {
		if i > 0 {
			d.keys("shift+Tab") // from the second to the first
		}
		fill(m.pw, m.again)
		typed := d.drawn()
		d.keys("Return")
		was := xtest.Pixels(typed, xinNewMessageRect)
		d.waitFrame(m.name+" refused", func(img image.Image) bool {
			px := xtest.Pixels(img, xinNewMessageRect)
			return xtest.Red(px) && !bytes.Equal(px, was)
		})
		if d.drv().Screen() != xinNewPasswordTitle || !bytes.Equal(xtest.Pixels(d.drawn(), xinNewFieldsRect), xtest.Pixels(typed, xinNewFieldsRect)) {
			d.shot("new-password-lost")
			d.t.Fatalf("%s refused: the fields are not drawn as typed with the keyboard in the second", m.name)
		}
		d.shot("new-password-" + strings.ReplaceAll(m.name, " ", "-"))
	}
	d.keys("shift+Tab")
	fill(xinClerkOwn, xinClerkOwn)
	d.come("Return", "Home")
	d.shot("home-clerk")
}

// xinCheckClerk checks, in store, that the clerk is enabled, with the
// password chosen, nothing left to change and no failure counted, and the
// audit of the clerk's day: the wrong passwords (the last locking the
// account), m.rossi's Sblocca, the clerk's change of password.
func xinCheckClerk(d *xinDesk, store *local.Store) {
	d.t.Helper()
	var op pinsede.Operator
	count := map[pinsede.AuditAction]int{}
	locked := 0
	err := store.View(func(tx pinsede.Tx) (err error) { op, err = tx.Operator(xinClerk); return err })
	if err == nil {
		err = store.AuditEntries(0, func(e pinsede.AuditEntry) error {
			switch {
			case e.Action == pinsede.ActionLoginFailed && e.Actor == xinClerk:
				if strings.Contains(e.Detail, "bloccato") {
					locked++
				}
			case e.Action == pinsede.ActionOperatorUnlock && (e.Actor != "m.rossi" || e.Detail != xinClerk):
				return nil
			case e.Action == pinsede.ActionPasswordChanged && e.Actor != xinClerk:
				return nil
			}
			count[e.Action]++
			return nil
		})
	}
	if err != nil {
		d.t.Fatalf("the clerk in the store: %v", err)
	}
	if ok, err := pinsede.VerifySecret(op.PasswordHash, []byte(xinClerkOwn)); !ok || err != nil || op.MustChangePassword || op.Disabled ||
		op.FailedLogins != 0 || !op.LockedUntil.IsZero() {
		d.t.Errorf("the clerk at the end: password %q matches %v (%v), must change it %v, disabled %v, %d failures, locked until %v; want true, false, false, 0, never",
			xinClerkOwn, ok, err, op.MustChangePassword, op.Disabled, op.FailedLogins, op.LockedUntil)
	}
	if count[pinsede.ActionLoginFailed] != pinsede.MaxFailedLogins || locked != 1 ||
		count[pinsede.ActionOperatorUnlock] != 1 || count[pinsede.ActionPasswordChanged] != 1 {
		d.t.Errorf("audit of the clerk: %d failed logins (%d locking), %d unlocks by m.rossi, %d changes of password by the clerk; want %d (1), 1, 1",
			count[pinsede.ActionLoginFailed], locked, count[pinsede.ActionOperatorUnlock], count[pinsede.ActionPasswordChanged], pinsede.MaxFailedLogins)
	}
}
