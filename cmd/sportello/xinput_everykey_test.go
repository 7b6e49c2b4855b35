package main

import (
	"bytes"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
)

// Every key on every control of the desk (TestXInputEveryKey): each
// screen a clerk reaches, and the dialogs it opens, walked by Tab through
// each of its controls, with the keys a clerk's hands may press on any of
// them, by real X events on the real desk under Xvfb.

// xinQuietKeys are the keys that press nothing: sent together on a
// control, in an order that leaves a field's text as it was (Delete at
// its end, Backspace at its start, the whole cut and pasted back, the
// paste undone and redone), so that what was typed in the forms stays,
// and must stay.
var xinQuietKeys = []string{
	"F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12", "Menu",
	"Up", "Down", "Left", "Right", "Prior", "Next",
	"ctrl+a", "ctrl+c", "End", "Delete", "Home", "BackSpace", "End",
	"ctrl+a", "ctrl+x", "ctrl+v", "ctrl+z", "ctrl+y",
}

// xinKeyGroups are the keys pressed on each control, a group at a time,
// the desk brought back to the screen after each: the quiet keys, then
// each key that may press, open, close or submit something.
var xinKeyGroups = [][]string{xinQuietKeys, {"F1"}, {"Escape"}, {"space"}, {"Return"}, {"KP_Enter"}}

// xinKeyScreen is a screen, or a dialog, of the desk that
// TestXInputEveryKey walks.
type xinKeyScreen struct {
	// name names it in the report; title is the screen's in the window's
	// title (for a dialog, the screen's under it).
	name, title string
	// reach brings the desk to it from any screen of the session with no
	// dialog open, the keyboard on its first control, and waits.
	reach func(d *xinDesk)
	// dialog is set for a dialog: Tab goes round its controls only.
	dialog bool
	// before is set for a screen whose keyboard starts past some of its
	// controls: Shift+Tab walks them too.
	before bool
	// skip reports whether the keys of group must not be pressed on the
	// control stop of n: the deliberate act of the screen (Space on Emetti
	// PIN issues, which the walk does last).
	skip func(stop, n int, keys []string) bool
}

// xinHeaderBand and xinFooterBand are the header bar's buttons (under
// the development banner: Guida first) and the status bar's at 1280×800:
// the focus that reaches them has left the screen's own controls.
var (
	xinHeaderBand = image.Rect(760, 32, 1280, 70)
	xinFooterBand = image.Rect(0, 770, 340, 800)
	// xinPointer is where the walk leaves the mouse pointer: on the
	// status bar's text, where no tip shows.
	xinPointer = image.Pt(640, 790)
	// xinUndrawn are the parts of the screen that two frames of the same
	// focus may draw otherwise, left to right: the mouse pointer, which
	// Xvfb draws itself into the screen it keeps, taking it off while the
	// desk puts a frame and back after, so that a frame read then may
	// lack it (the guide's and the lock screen's controls, walked as
	// dialogs by whole frames, were counted once more when the frame
	// that came round was read so); and the status bar's clock, which
	// changes by itself.
	xinUndrawn = []image.Rectangle{
		image.Rectangle{Min: xinPointer, Max: xinPointer.Add(image.Pt(24, 24))}.Inset(-8),
		image.Rect(1000, 766, 1280, 800),
	}
)

// xinSame reports whether two frames are drawn alike, but for xinUndrawn.
func xinSame(a, b *image.RGBA) bool {
	if a.Rect != b.Rect {
		return false
	}
	same := func(y, x0, x1 int) bool {
		i, j := a.PixOffset(x0, y), a.PixOffset(x1, y)
		return bytes.Equal(a.Pix[i:j], b.Pix[i:j])
	}
	for y := a.Rect.Min.Y; y < a.Rect.Max.Y; y++ {
		x := a.Rect.Min.X
		for _, r := range xinUndrawn {
			if y >= r.Min.Y && y < r.Max.Y {
				if !same(y, x, r.Min.X) {
					return false
				}
				x = min(r.Max.X, a.Rect.Max.X)
			}
		}
		if !same(y, x, a.Rect.Max.X) {
			return false
		}
	}
	return true
}

// xinSeed is the seed of the sample of TestXInputEveryKey: PINSEDE_SEED,
// or the day's date.
func xinSeed(t *testing.T) uint64 {
	t.Helper()
	if s := os.Getenv("PINSEDE_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PINSEDE_SEED=%q: not a number", s)
		}
		return seed
	}
	y, m, d := time.Now().Date()
	return uint64(y*10000 + int(m)*100 + d)
}

// xinEveryKeyPerScreen is how many pairs of control and group of keys
// one run presses on each screen, chosen by the seed: the whole takes
// about twenty minutes, make test's run must stay under about 90 s.
// PINSEDE_EVERYKEY=all presses them all.
const xinEveryKeyPerScreen = 2

// TestXInputEveryKey sets up a desk, types an MV35 and an identity check,
// and on each screen a clerk reaches (the home page, the MV35, the
// identity check, the PIN issued, the citizen's page and its dialogs, the
// delegation, the guide, the audit, the operators, the settings, the lock,
// the operators with a clerk and the dialogs that disable the clerk and
// reset the clerk's password, the conversion of a PIN ordinario, and the
// clerk's change of the password reset, after the clerk's lock-out and
// m.rossi's Sblocca: xinput_everykey_dayone_test.go) walks the focus by
// Tab and by Shift+Tab through every control, and presses on each the keys
// of xinKeyGroups, coming back to the screen after each group. The desk must
// not exit nor panic; no key may drop what was typed (the MV35 and the
// identity check must still issue a PIN, whose slip carries them), nor
// print, issue or revoke by itself; the clerk's lock-out, its Sblocca and
// the change of password, each typed mistake refused first, must end in
// the store as asked (xinCheckClerk). The pairs of control and keys are a
// seeded sample (xinEveryKeyShare; PINSEDE_SEED replays one, and
// PINSEDE_EVERYKEY=all presses every one); a failure names the screen, the
// control (its Tab stop from the screen's first) and the keys.
func TestXInputEveryKey(t *testing.T) {
	t.Parallel()
	testclock.RealDayOnly(t, "every key on every control")
	bin, display, dir := xinPrepare(t, "pdftotext")
	xtest.ClearOfMidnight(t, xinDayMargin)
	seed := xinSeed(t)
	perScreen := xinEveryKeyPerScreen
	if os.Getenv("PINSEDE_EVERYKEY") == "all" {
		perScreen = 0
	}
	t.Logf("seed %d (replay: PINSEDE_SEED=%d), %d pairs of control and keys a screen (0: all)", seed, seed, perScreen)
	r := rand.New(rand.NewPCG(seed, 15))
	began := time.Now()

	d := xinStart(t, bin, display, dir)
	d.setUpAndLogIn()
	d.xdotool("mousemove", strconv.Itoa(xinPointer.X), strconv.Itoa(xinPointer.Y))
	d.toMV35()
	d.fillMV35()
	d.fillVerification()

	w := &xinWalk{d: d, r: r, perScreen: perScreen, slips: filepath.Join(dir, "slips")}
	for _, s := range xinKeyScreens[:3] { // home, MV35, identity check
		w.walk(s)
	}
	// What was typed is all there: the PIN issues, and its slip says so.
	d.keys("ctrl+f")
	d.waitScreen("Home")
	d.keys("ctrl+n")
	d.waitScreen("Richiesta MV35")
	d.keys("ctrl+Return")
	d.waitScreen("Verifica identità")
	d.keys("Return", "space", "Return", "space", "Return", "space", "ctrl+Return")
	d.waitScreen("PIN emesso")
	slip := xinWaitSlip(t, d.app, w.slips)
	xinCheckSlip(t, slip)
	w.issued = 1
	for _, s := range xinKeyScreens[3:] {
		w.walk(s)
	}
	d.resetClerk() // the keys pressed nothing that a supervisor's reset needs
	d.disableAndEnableClerk()
	// The clerk's first day (xinput_everykey_dayone_test.go).
	day := time.Now()
	d.lockOutClerk()
	d.unlockClerk()
	w.walk(xinNewPasswordScreen)
	d.chooseOwnPassword()
	t.Logf("the clerk's lock-out, Sblocca and change of password, the change walked, in %v", time.Since(day).Round(time.Millisecond))
	t.Logf("%d groups of keys on %d controls of %d screens in %v", w.pressed, w.controls, len(xinKeyScreens)+1, time.Since(began).Round(time.Second))
	if err := d.app.Alive(); err != nil {
		t.Fatal(err)
	}
	d.app.Stop(t)
	xinCheckLog(t, dir, d.app)
	xinCheckOps(d)
	xinCheckNotRevoked(t, dir)
}

// fillVerification reads the passport's MRZ and completes the document
// of the identity check, leaving its checks unticked: no key can issue.
func (d *xinDesk) fillVerification() {
	d.t.Helper()
	for _, line := range xinMRZ {
		d.typeText(line)
		d.reader()
	}
	d.typeText("RENAPER")
	d.keys("Return")
	d.typeText("04/05/2022")
	d.keys("Return")
}

// xinWalk walks the screens of TestXInputEveryKey.
type xinWalk struct {
	d *xinDesk
	r *rand.Rand
	// perScreen is how many pairs of control and group of keys the walk
	// presses on each screen, 0 for all.
	perScreen int
	slips     string
	// issued is how many slips the walk printed on purpose.
	issued int
	// pressed counts the groups of keys pressed, controls the controls.
	pressed, controls int
}

// xinFastKeys is xdotool's delay between the keys of a group, in ms.
const xinFastKeys = "5"

// xinPassword is the password of m.rossi, the supervisor setUpAndLogIn
// creates.
const xinPassword = "password-di-prova"

// xinKeyScreens are the screens TestXInputEveryKey walks, in order: the
// first three with the MV35 and the identity check in progress, the rest
// after the PIN is issued.
var xinKeyScreens = []xinKeyScreen{
	{name: "home", title: "Home", reach: func(d *xinDesk) {
		d.leave("ctrl+n", "Richiesta MV35")
		d.mv35Kept()
		d.come("ctrl+f", "Home")
	}},
	{name: "mv35", title: "Richiesta MV35", reach: func(d *xinDesk) {
		d.leave("ctrl+f", "Home")
		d.come("ctrl+n", "Richiesta MV35")
		d.mv35Kept()
		d.come("ctrl+n", "Richiesta MV35")
	}, skip: func(stop, _ int, keys []string) bool {
		// Space on F (the 4th control) chooses the other sex, which the
		// codice fiscale contradicts: the clerk's choice, not a loss.
		return stop == 3 && keys[0] == "space"
	}},
	{name: "verify", title: "Verifica identità", reach: func(d *xinDesk) {
		d.leave("ctrl+f", "Home")
		d.come("ctrl+n", "Richiesta MV35")
		d.come("ctrl+Return", "Verifica identità")
	}, skip: func(stop, n int, keys []string) bool {
		// Space ticks the three checks (the 9th, 10th and 11th controls),
		// chooses PIN telefonico (the 14th) and issues on Emetti PIN (the
		// last): the walk leaves them to the end, where it ticks the
		// checks with Enter (the first not ticked) and Space, and issues.
		return keys[0] == "space" && (stop >= 8 && stop <= 10 || stop == 13 || stop == n-1)
	}},
	{name: "issued", title: "PIN emesso", before: true, reach: (*xinDesk).backToIssued, skip: func(stop, _ int, keys []string) bool {
		// Registra consegna (the 2nd, after the serial) records the
		// handover, as asked; the screen cannot be reached again after.
		return stop == 1 && (keys[0] == "space" || keys[0] == "Return" || keys[0] == "KP_Enter")
	}},
	{name: "citizen", title: "Pagina del cittadino", before: true, reach: (*xinDesk).toCitizen},
	{name: "replace", title: "Pagina del cittadino", dialog: true, reach: func(d *xinDesk) {
		d.toCitizen()
		d.openDialog("Tab", "space") // Sostituisci busta
	}},
	{name: "revoke", title: "Pagina del cittadino", dialog: true, reach: func(d *xinDesk) {
		d.toCitizen()
		d.openDialog("Tab", "Tab", "space") // Revoca
	}},
	{name: "handover", title: "Pagina del cittadino", dialog: true, reach: func(d *xinDesk) {
		d.toCitizen()
		d.openDialog("space") // Registra consegna: the confirmation
	}, skip: func(stop, n int, keys []string) bool {
		// Sì (the last) records the handover, as asked: the page's
		// first action would then be another.
		return stop == n-1 && (keys[0] == "space" || keys[0] == "Return" || keys[0] == "KP_Enter")
	}},
	{name: "delegation", title: "Delega", reach: func(d *xinDesk) {
		d.toCitizen()
		d.come("Tab Tab Tab space", "Delega") // Registra delega, past Revoca
	}},
	{name: "guide", title: "Home", dialog: true, reach: func(d *xinDesk) {
		d.leave("ctrl+n", "Richiesta MV35")
		d.come("ctrl+f", "Home")
		d.openDialog("F1")
	}},
	{name: "audit", title: "Registro", reach: func(d *xinDesk) {
		d.leave("ctrl+n", "Richiesta MV35")
		d.come("ctrl+f", "Home")
		d.come("Tab Tab Tab Tab Tab Tab Tab Tab space", "Registro") // past the citizen found
	}},
	{name: "operators", title: "Operatori", reach: func(d *xinDesk) {
		d.leave("ctrl+n", "Richiesta MV35")
		d.come("ctrl+f", "Home")
		d.come("Tab Tab Tab Tab Tab Tab Tab space", "Operatori") // past the citizen found
	}},
	{name: "settings", title: "Impostazioni", reach: func(d *xinDesk) {
		d.leave("ctrl+f", "Home")
		d.come("ctrl+i", "Impostazioni")
	}},
	// The lock screen is walked as a dialog, until Tab comes round: its
	// header shows no screen's buttons to stop at.
	{name: "lock", title: "Sessione bloccata", dialog: true, reach: func(d *xinDesk) {
		d.leave("ctrl+f", "Home")
		d.come("ctrl+l", "Sessione bloccata")
	}, skip: func(stop, _ int, keys []string) bool {
		// Esci (the 3rd, after the password and Sblocca) logs out, as
		// asked.
		return stop == 2 && (keys[0] == "space" || keys[0] == "Return" || keys[0] == "KP_Enter")
	}},
	// The operators with a clerk, added by the keyboard: Disattiva and
	// Reimposta password first, then the form.
	{name: "clerk", title: "Operatori", reach: (*xinDesk).toOperators},
	{name: "disable", title: "Operatori", dialog: true, reach: func(d *xinDesk) {
		d.toOperators()
		d.openDialog("space") // Disattiva, the first control: the confirmation
	}, skip: func(stop, n int, keys []string) bool {
		// Sì (the last) disables the clerk, as asked.
		return stop == n-1 && (keys[0] == "space" || keys[0] == "Return" || keys[0] == "KP_Enter")
	}},
	{name: "reset", title: "Operatori", dialog: true, reach: func(d *xinDesk) {
		d.toOperators()
		d.openDialog("Tab", "space") // Reimposta password
	}},
	// The conversion of Laura's PIN ordinario, which the desk starts
	// again to hold: no key converts it without the document and the
	// checks.
	{name: "convert", title: "Conversione", reach: (*xinDesk).toConversion},
}

// xinHandoverRect is Registra consegna on the screen of the PIN issued, at
// 1280×800.
var xinHandoverRect = image.Rect(262, 650, 424, 694)

// backToIssued brings the desk back to the screen of the PIN issued,
// which no key reaches again once left: it closes the dialogs a key
// opened, and moves the focus by Tab back to Registra consegna, where the
// screen first had it. The button drawn focused is learnt at the first
// call, from a round of Tab: the one look of the button that shows once
// in the round.
func (d *xinDesk) backToIssued() {
	d.t.Helper()
	d.xdotool("key", "--delay", xinKeyDelay, "Escape", "Escape")
	if d.waitScreen("PIN emesso", "Sessione bloccata") != "PIN emesso" {
		d.t.Fatalf("after %s: the desk left the screen of the PIN issued", d.where)
	}
	img := d.settled()
	if d.issuedAt == nil {
		// From the stop after the first (which the screen's first frame
		// may draw otherwise), round to it again.
		looks := map[string]int{}
		img = d.tabDrawn(img)
		anchor := img
		for range 30 { // round the screen, the header and the status bar
			looks[string(xtest.Pixels(img, xinHandoverRect))]++
			if img = d.tabDrawn(img); xinSame(img, anchor) {
				break
			}
		}
		for look, n := range looks {
			if n == 1 && len(looks) == 2 {
				d.issuedAt = []byte(look)
			}
		}
		if d.issuedAt == nil {
			d.t.Fatalf("a round of Tab on the screen of the PIN issued draws Registra consegna in %d ways, want 2", len(looks))
		}
	}
	for range 30 {
		if bytes.Equal(xtest.Pixels(img, xinHandoverRect), d.issuedAt) {
			return
		}
		img = d.tabDrawn(img)
	}
	d.shot("issued-lost")
	d.t.Fatalf("after %s: Tab does not bring the focus back to Registra consegna", d.where)
}

// tabDrawn presses Tab and returns the frame that shows it, drawn before
// the next key, however slow the machine: two Tabs drawn at once would
// step over a control.
func (d *xinDesk) tabDrawn(prev *image.RGBA) *image.RGBA {
	d.t.Helper()
	d.xdotool("key", "Tab")
	d.waitFrame("the focus moved by Tab", func(f image.Image) bool {
		rgba, ok := f.(*image.RGBA)
		return ok && !xinSame(rgba, prev)
	})
	return d.settled()
}

// leave sends keys that take the desk from whatever screen it shows to
// the screen titled screen, after two Escapes (the dialogs a key opened,
// a confirmation refused), and waits for it: on the way it unlocks a
// session a key locked, and logs in again after a key logged out.
func (d *xinDesk) leave(keys, screen string) {
	d.t.Helper()
	d.xdotool("key", "--delay", xinKeyDelay, "Escape", "Escape")
	for range 3 {
		d.xdotool(append([]string{"key", "--delay", xinKeyDelay}, strings.Fields(keys)...)...)
		switch d.waitScreen(screen, "Sessione bloccata", "Accesso operatore") {
		case screen:
			return
		case "Sessione bloccata":
			d.typeText(xinPassword)
			d.xdotool("key", "Return")
			d.waitNot("Sessione bloccata")
		default:
			d.t.Errorf("after %s: the desk logged out", d.where)
			d.logIn()
		}
	}
	d.t.Fatalf("after %s: the desk does not go to %s", d.where, screen)
}

// mv35Kept checks, from the MV35, that it still holds what was typed:
// Ctrl+Enter goes on to the identity check.
func (d *xinDesk) mv35Kept() {
	d.t.Helper()
	d.xdotool("key", "ctrl+Return")
	if _, err := d.app.WaitTitle(xtest.UntilDeadline, smokeTitlePrefix+" – Sportello · Verifica identità"); err != nil {
		d.shot("mv35-lost")
		d.t.Fatalf("after %s: the MV35 does not go on to the identity check, it lost what was typed: %v", d.where, err)
	}
}

// come sends keys that take the desk to another screen, titled screen,
// and waits for it, drawn: its name in the header.
func (d *xinDesk) come(keys, screen string) {
	d.t.Helper()
	before := d.header()
	d.xdotool(append([]string{"key", "--delay", xinKeyDelay}, strings.Fields(keys)...)...)
	d.waitScreen(screen)
	d.waitHeaderChange(before)
}

// waitNot waits until the window's title names another screen than
// screen.
func (d *xinDesk) waitNot(screen string) {
	d.t.Helper()
	d.drv().WaitScreenNot(screen)
}

// toCitizen opens the page of the walk's citizen from a search.
func (d *xinDesk) toCitizen() {
	d.t.Helper()
	d.leave("ctrl+n", "Richiesta MV35")
	d.come("ctrl+f", "Home")
	d.xdotool("key", "ctrl+a")
	d.typeText("RSSMRA80A01H501U")
	d.come("Return space", "Pagina del cittadino")
}

// openDialog sends the keys that open a dialog over the screen shown,
// and waits for it: the header shaded.
func (d *xinDesk) openDialog(keys ...string) {
	d.t.Helper()
	before := d.header()
	d.xdotool(append([]string{"key", "--delay", xinKeyDelay}, keys...)...)
	d.waitHeaderChange(before)
}

// settled returns the screen once the desk has drawn the frame of the
// keys sent so far (xtest.App.Painted).
func (d *xinDesk) settled() *image.RGBA {
	d.t.Helper()
	if err := d.app.Painted(xtest.UntilDeadline); err != nil {
		d.t.Fatalf("%s: %v", d.where, err)
	}
	img, err := xtest.Frame(d.display)
	if err != nil {
		d.t.Fatal(err)
	}
	return img
}

// drawnAs reports whether the frame of the keys sent so far is drawn as
// at (same) or other than at (!same).
func (d *xinDesk) drawnAs(at *image.RGBA, same bool) bool {
	d.t.Helper()
	return xinSame(d.settled(), at) == same
}

// focusMoved presses key and compares the frame drawn then with prev: the
// focus moving. It returns the new frame, and false when nothing changed:
// the focus moved to a control that does not show it (a value that may be
// copied, Fyne's selectable label), or nowhere.
func (d *xinDesk) focusMoved(key string, prev *image.RGBA) (*image.RGBA, bool) {
	d.t.Helper()
	d.xdotool("key", key)
	img := d.settled()
	if xinSame(img, prev) {
		return prev, false
	}
	return img, true
}

// stops walks the focus from the control reach leaves it on with key (Tab
// or shift+Tab) until it leaves the screen for the header or the status
// bar, or, in a dialog, comes back round; it returns how many controls it
// met on the way, the first included.
func (w *xinWalk) stops(s xinKeyScreen, key string) int {
	d := w.d
	d.t.Helper()
	s.reach(d)
	first := d.settled()
	chrome := func(img *image.RGBA) []byte {
		return append(xtest.Pixels(img, xinHeaderBand), xtest.Pixels(img, xinFooterBand)...)
	}
	seen := []*image.RGBA{first}
	prev := first
	for n := 1; n < 80; n++ {
		d.where = fmt.Sprintf("%s: %s ×%d", s.name, key, n)
		img, moved := d.focusMoved(key, prev)
		if !moved {
			d.t.Logf("%s: the focus does not show", d.where)
			continue
		}
		if s.dialog {
			for _, f := range seen {
				if xinSame(f, img) {
					return n
				}
			}
		} else if !bytes.Equal(chrome(img), chrome(first)) {
			return n
		}
		seen, prev = append(seen, img), img
	}
	d.t.Fatalf("%s: %s meets more than 80 controls", s.name, key)
	return 0
}

// walk walks screen s: its controls by Tab, then by Shift+Tab, then the
// groups of keys on each control of the sample.
func (w *xinWalk) walk(s xinKeyScreen) {
	d := w.d
	d.t.Helper()
	began, pressed := time.Now(), w.pressed
	after := w.stops(s, "Tab")
	before := 0
	if s.before {
		before = w.stops(s, "shift+Tab") - 1
	}
	n := after + before
	w.controls += n
	// The sample: per pairs of control and group of keys, chosen by the
	// seed, or all of them.
	chosen := map[int]bool{}
	for _, p := range w.r.Perm(n * len(xinKeyGroups)) {
		if len(chosen) == w.perScreen {
			break
		}
		chosen[p] = true
	}
	for i := -before; i < after; i++ {
		// at is the control as drawn with the keyboard, nil when the desk
		// must be brought back to it.
		var at *image.RGBA
		for k, g := range xinKeyGroups {
			if s.skip != nil && s.skip(i+before, n, g) || w.perScreen > 0 && !chosen[(i+before)*len(xinKeyGroups)+k] {
				continue
			}
			if at == nil {
				s.reach(d) // after the group before: the desk still holds what was typed
				move := []string{"key", "--delay", xinFastKeys}
				for range abs(i) {
					move = append(move, map[bool]string{true: "Tab", false: "shift+Tab"}[i > 0])
				}
				if len(move) > 3 {
					d.xdotool(move...)
				}
				at = d.settled()
			}
			d.where = fmt.Sprintf("%s, control %d (%s), keys %s", s.name, i, xinMove(i), strings.Join(g, " "))
			d.xdotool(append([]string{"key", "--delay", xinFastKeys}, g...)...)
			w.pressed++
			// Tab moves the focus away (drawn: the keys before it are
			// done) and Shift+Tab back: the control drawn as before shows
			// the keys did nothing to see, and the next keys go to it;
			// otherwise the desk is brought back to it.
			d.xdotool("key", "Tab")
			if !d.drawnAs(at, false) {
				at = nil
			} else if d.xdotool("key", "shift+Tab"); !d.drawnAs(at, true) {
				at = nil
			}
			w.check()
		}
	}
	s.reach(d)
	w.check()
	d.where = s.name
	d.t.Logf("%s: %d controls (%d before the first), %d groups of keys in %v", s.name, n, before, w.pressed-pressed,
		time.Since(began).Round(time.Millisecond))
}

// xinMove names the keys that take the focus from a screen's first
// control to its i-th.
func xinMove(i int) string {
	switch {
	case i > 0:
		return fmt.Sprintf("Tab ×%d", i)
	case i < 0:
		return fmt.Sprintf("Shift+Tab ×%d", -i)
	}
	return "first"
}

// abs is |i|.
func abs(i int) int { return max(i, -i) }

// check fails when the desk died, or printed a slip the walk did not
// ask for.
func (w *xinWalk) check() {
	d := w.d
	d.t.Helper()
	if err := d.app.Alive(); err != nil {
		d.shot("died")
		d.t.Fatalf("%s: %v", d.where, err)
	}
	slips, _ := filepath.Glob(filepath.Join(w.slips, "busta-*.pdf"))
	if len(slips) != w.issued {
		d.shot("printed")
		d.t.Fatalf("%s: %d slips printed, want %d: a key issued or printed by itself", d.where, len(slips), w.issued)
	}
}

// xinCheckNotRevoked checks that the walk's citizen's PIN is not revoked:
// no key revokes without the reason and the confirmation.
func xinCheckNotRevoked(t *testing.T, dir string) {
	t.Helper()
	creds := xinCredentials(t, xinOpenStore(t, dir))
	if len(creds) != 1 || creds[0].State == pinsede.StateRevocato {
		t.Errorf("credentials after the keys: %+v; want one, not revoked", creds)
	}
}
