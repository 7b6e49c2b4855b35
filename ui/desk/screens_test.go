package desk

import (
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/ui/theme"
)

// shots is a folder to write a PNG of each main screen to, to look at them:
//
//	go test ./ui/desk -run TestScreens -shots /tmp/shots
var shots = flag.String("shots", "", "write a PNG of each main screen to this `folder`")

// walkScreens drives the desk through its main screens, from the first run
// to the citizen page, and calls at with the name of each.
func walkScreens(t *testing.T, h *harness, at func(name string)) {
	t.Helper()
	at("setup")
	h.setUp()
	at("login")
	h.logIn("m.rossi", "password-di-prova")
	if h.app.session == nil {
		t.Fatalf("login: %q", h.app.login.msg.text())
	}
	at("home")
	h.tap(h.app.header.help)
	at("guida")
	h.app.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})

	h.tap(h.app.home.newRequest)
	h.fillRequest(mario)
	h.typeIn(h.app.request.cf, "RSSMRA80A01H501X") // one error: the check character
	h.win.Canvas().Unfocus()
	at("mv35")
	h.app.request.cf.SetText(string(mario.CodiceFiscale))
	h.tap(h.app.request.next)
	if h.app.verify == nil {
		t.Fatalf("Avanti: %v", h.app.request.problems())
	}
	h.fillVerification(passport)
	h.typeIn(h.app.verify.mrz, passportMRZ)
	h.win.Canvas().Unfocus()
	h.app.verify.setScan(&pinsede.Scan{Name: "passaporto-rossi.pdf", Data: append([]byte("%PDF-1.4\n"), make([]byte, 180<<10)...)})
	at("verifica")
	h.tap(h.app.verify.issue)
	if h.app.result == nil {
		t.Fatalf("Emetti PIN: %q", h.app.verify.msg.text())
	}
	at("emesso")
	h.tap(h.app.result.handover)
	at("consegnato")
	h.tap(h.app.result.toCitizen)
	at("cittadino")
	h.tap(h.app.header.ops)
	at("operatori")
	h.tap(h.app.header.lockNow)
	at("blocco")
}

// walkIdentity drives the desk through the identity checks of the MV35 and
// the verification, and calls at with the name of each state: the place
// picker open, by an Italian name and by today's local name of a ceded
// comune, a codice fiscale of the other sex, an MRZ that contradicts
// the data typed, an MRZ with a wrong check digit.
func walkIdentity(t *testing.T, h *harness, at func(name string)) {
	t.Helper()
	h.setUp()
	h.logIn("m.rossi", "password-di-prova")
	r := h.newRequest()
	h.typeIn(r.cognome, "Rossi")
	h.typeIn(r.nome, "Mario")
	r.sesso.SetSelected("F")
	h.typeIn(r.dataNascita, "01/01/1980")
	h.typeIn(r.luogo.entry, "San Giorgio")
	key(r.luogo.entry, fyne.KeyDown)
	at("mv35-luogo")
	key(r.luogo.entry, fyne.KeyEscape)
	h.typeIn(r.luogo.entry, "Krk") // Veglia (FU), ceded in 1947, by today's name
	at("mv35-luogo-storico")
	key(r.luogo.entry, fyne.KeyEscape)
	h.typeIn(r.luogo.entry, "Roma")
	key(r.luogo.entry, fyne.KeyReturn)
	h.typeIn(r.cf, string(mario.CodiceFiscale))
	h.win.Canvas().Unfocus()
	at("mv35-sesso")

	r.sesso.SetSelected("M")
	h.app.showVerify()
	v := h.app.verify
	h.typeIn(v.number, "L898902C4")
	h.typeIn(v.mrz, strings.Join(specimenMRZ, "\n"))
	h.win.Canvas().Unfocus()
	at("verifica-mrz")
	v.mrz.SetText(specimenMRZ[0] + "\n" + strings.Replace(specimenMRZ[1], "7408122F", "7408123F", 1))
	at("verifica-mrz-errore")
}

// Ensure that the main screens render as reviewed: golden markup in
// testdata/, with the development-printer banner that every screen carries.
func TestScreensGolden(t *testing.T) {
	h := newHarness(t, devPrinter)
	test.ApplyTheme(t, theme.New())
	golden := map[string]bool{
		"login": true, "home": true, "mv35": true, "verifica": true, "emesso": true, "cittadino": true,
	}
	walkScreens(t, h, func(name string) {
		if golden[name] {
			h.scrollTop()
			h.settle()
			test.AssertRendersToMarkup(t, name+".xml", h.win.Canvas())
		}
	})
}

// Ensure that the change of a password a supervisor reset, which opens
// at the operator's next login, renders as reviewed: on a card, as the
// login before it (it showed bare on the page, its title smaller than the
// login's: seen in TestXInputEveryKey's screenshots).
func TestChangePasswordGolden(t *testing.T) {
	testclock.RealDayOnly(t, "the change of password's screen")
	h := ready(t, devPrinter)
	test.ApplyTheme(t, theme.New())
	h.addBianchi()
	if err := h.desk.ResetPassword(h.app.session, "l.bianchi", "temporanea-2026"); err != nil {
		t.Fatal(err)
	}
	h.app.logout()
	h.logIn("l.bianchi", "temporanea-2026")
	if c := h.app.changePassword; c == nil || h.app.current.View != c.screen.View {
		t.Fatalf("no change of password after a reset:\n%s", h.screenText())
	}
	h.settle()
	test.AssertRendersToMarkup(t, "password.xml", h.win.Canvas())
}

// Ensure that the lock screen renders as reviewed: the header says the
// session is locked, not the screen behind, and the card names whose
// session it is and why it locked, nothing of the work behind it.
func TestLockScreenGolden(t *testing.T) {
	h := ready(t, devPrinter)
	test.ApplyTheme(t, theme.New())
	h.app.lockSession()
	h.settle()
	test.AssertRendersToMarkup(t, "lock.xml", h.win.Canvas())
}

// Ensure that the identity checks render as reviewed: the place picker's
// suggestions, a codice fiscale of the other sex, an MRZ that contradicts
// the data typed.
func TestIdentityScreensGolden(t *testing.T) {
	h := newHarness(t)
	test.ApplyTheme(t, theme.New())
	golden := map[string]bool{"mv35-luogo": true, "mv35-luogo-storico": true, "mv35-sesso": true, "verifica-mrz": true}
	walkIdentity(t, h, func(name string) {
		if golden[name] {
			h.scrollTop()
			h.settle()
			test.AssertRendersToMarkup(t, name+".xml", h.win.Canvas())
		}
	})
}

// TestScreensPNG writes a PNG of each screen to the -shots folder, in the
// desk's theme at 1280x800, to look at them.
func TestScreensPNG(t *testing.T) {
	if *shots == "" {
		t.Skip("no -shots folder")
	}
	if err := os.MkdirAll(*shots, 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, devPrinter)
	test.ApplyTheme(t, theme.New())
	walkScreens(t, h, func(name string) { writeShots(t, h, name) })
	h = newHarness(t, devPrinter)
	test.ApplyTheme(t, theme.New())
	walkIdentity(t, h, func(name string) { writeShots(t, h, name) })
}

// assertScreen checks the window against the golden markup name.xml and,
// with -shots, also writes it as PNG (see writeShots), to look at it.
func assertScreen(t *testing.T, h *harness, name string) {
	t.Helper()
	h.scrollTop()
	test.AssertRendersToMarkup(t, name+".xml", h.win.Canvas())
	if *shots != "" {
		if err := os.MkdirAll(*shots, 0o755); err != nil {
			t.Fatal(err)
		}
		writeShots(t, h, name)
	}
}

// writeShots writes the window as name.png, and the whole page, for the
// screens that scroll, as name-full.png.
func writeShots(t *testing.T, h *harness, name string) {
	{
		h.scrollTop()
		h.settle()
		img := h.win.Canvas().Capture()
		f, err := os.Create(filepath.Join(*shots, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		// The whole page, for the screens that scroll.
		h.win.Resize(fyne.NewSize(1280, 1700))
		h.settle()
		full, err := os.Create(filepath.Join(*shots, name+"-full.png"))
		if err != nil {
			t.Fatal(err)
		}
		defer full.Close()
		if err := png.Encode(full, h.win.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
		h.win.Resize(fyne.NewSize(1280, 800))
	}
}

// scrollTop shows the top of the current screen, as it opens: the focus
// of the last field typed scrolled it (scrollIntoView).
func (h *harness) scrollTop() {
	if sc := h.app.currentScroll(); sc != nil {
		sc.ScrollToOffset(fyne.Position{})
	}
}
