package main

import (
	"bytes"
	"image"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
)

// xinIdle is the inactivity after which TestXInputIdleLock's desk locks:
// longer than any pause between the test's keys before it stops typing
// (the login's hash, a screen's drawing), short enough not to keep the
// test waiting.
const xinIdle = "4s"

// TestXInputIdleLock leaves the real desk idle in the middle of an MV35,
// as a clerk called away from the desk would: the session locks by
// itself (the ticker on the UI goroutine, woken through Fyne's loop,
// which the idle patch puts to sleep while nothing happens), the lock
// screen shows nothing of the form, a wrong password is refused and the
// session stays locked, and the right one gives the form back with what
// was typed and the keyboard where it was: the MV35 is finished from
// there and goes on to the identity check, which it cannot without the
// names typed before the lock. Locked again, on the identity check, a
// password typed and left there is emptied by the idle time, an empty
// password is refused without counting, and a colleague's Esci, by
// keyboard, keeps the request: the clerk's next login offers it, and
// Enter resumes it on the identity check. It waits for each screen by the
// window's title, never for a time. It does not run in parallel with the
// other X tests, as they do: a pause of xinIdle between two of its keys,
// on a machine busy with two more desks, would lock the desk early.
func TestXInputIdleLock(t *testing.T) {
	testclock.RealDayOnly(t, "the idle lock")
	bin, display, dir := xinPrepare(t)
	d := xinStart(t, bin, display, dir, "-idle", xinIdle)
	d.setUpAndLogIn()
	home := d.header() // no dialog over it
	d.toMV35()
	d.typeText("Rossi") // Cognome has the focus
	d.keys("Tab")
	d.typeText("Mario")
	typed := xtest.Pixels(d.drawn(), xinColumnRect)

	// Nothing more is typed: the idle timer locks the session.
	d.waitScreen("Sessione bloccata")
	locked := xtest.Pixels(d.drawn(), xinColumnRect)
	if bytes.Equal(locked, typed) || !xinUniform(locked) {
		t.Error("locked by the idle timer: the form shows behind the lock screen")
	}
	d.shot("idle-locked")

	// A wrong password: a problem, still locked.
	d.typeText("password-sbagliata")
	d.keys("Return")
	d.waitProblem()
	if s := d.waitScreen("Sessione bloccata", "Richiesta MV35"); s != "Sessione bloccata" {
		t.Fatalf("a wrong password unlocked the session: the desk shows %q", s)
	}
	d.shot("idle-wrong-password")
	d.keys("ctrl+a") // the wrong password, replaced by the right one
	d.typeText("password-di-prova")
	d.keys("Return")
	d.waitScreen("Richiesta MV35")
	d.shot("idle-unlocked")

	// The focus is back in Nome, after "Mario": the rest of the MV35, as
	// fillMV35 types it from the sex on.
	d.keys("Tab", "space")
	d.typeText("01/01/1980")
	d.keys("Tab")
	d.typeText("Roma")
	d.keys("Return")
	d.typeText("RSSMRA80A01H501U")
	d.keys("Tab")
	d.typeText("arg")
	d.keys("Return")
	d.typeText("Avenida de Mayo 1370")
	d.keys("Tab")
	d.typeText("Buenos Aires")
	d.keys("Tab")
	d.typeText("C1085")
	d.keys("Tab")
	d.typeText("+54 11 5555 1234")
	d.keys("Tab")
	d.typeText("mario.rossi@example.com")
	d.keys("Return")
	d.waitScreen("Verifica identità")
	d.lockEsciKeeps(home)
	if err := d.app.Alive(); err != nil {
		t.Fatalf("sportello: %v", err)
	}
	d.app.Stop(t)
	xinCheckLog(t, dir, d.app)
}

// xinLockPasswordRect is inside the password field of the lock screen
// that Ctrl+L shows, at 1280×800, past the cursor of the empty field.
var xinLockPasswordRect = image.Rect(428, 382, 820, 398)

// xinUniform reports whether the pixels px are all of one colour.
func xinUniform(px []byte) bool { return bytes.Equal(px, bytes.Repeat(px[:3], len(px)/3)) }

// lockEsciKeeps locks the desk (Ctrl+L) on the identity check of a
// request in progress, types the password and leaves it there until the
// idle time empties it, presses Enter on the empty password (a problem
// shows, nothing is counted), then Esci by keyboard, as a colleague
// would: the login screen comes, and the clerk's login (on the home
// screen drawn with home's header, unshaded) offers the request kept,
// which Enter resumes on the identity check.
func (d *xinDesk) lockEsciKeeps(home []byte) {
	d.t.Helper()
	d.keys("ctrl+l")
	d.waitScreen("Sessione bloccata")
	// A password typed and left without Enter: the idle time empties it,
	// so that Enter, pressed next, finds none to unlock with.
	d.typeText("password-di-prova")
	if xinUniform(d.region(xinLockPasswordRect)) {
		d.t.Fatal("the password typed on the lock screen does not show")
	}
	d.waitFrame("the password left typed, emptied by the idle time", func(img image.Image) bool {
		return xinUniform(xtest.Pixels(img, xinLockPasswordRect))
	})
	d.keys("Return")
	d.waitProblem()
	d.shot("idle-empty-password")
	d.keys("Tab", "Tab", "space") // Sblocca, Esci
	d.waitScreen("Accesso operatore")
	d.shot("idle-esci-kept")
	d.logIn()
	d.waitFrame("the offer to resume the request, shading the header", func(img image.Image) bool {
		return !bytes.Equal(xtest.Pixels(img, xinHeaderRect), home)
	})
	d.shot("idle-offer")
	d.keys("Return") // on Riprendi, which has the keyboard
	d.waitScreen("Verifica identità")
}
