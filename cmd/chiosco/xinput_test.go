package main

// The X input tests drive the real chiosco under Xvfb with real X keyboard
// and mouse events (xdotool), full screen and configured as in production
// (a spool folder, the state folder, a CUPS queue: the tests' cups-pdf
// one, ui/cups/cupstest), as a walk-in citizen's hands would: a whole
// request by keyboard alone in Spanish, a mistake on the way corrected, to
// the printed ticket and the sealed file the desks read, and the next
// citizen's Ctrl+V pasting nothing of it; then seeded random keys and taps,
// after which the kiosk must still run, have written nothing to the spool
// but complete valid requests, and go back to the languages on its idle
// timer.
//
// The X server's keyboard is given keys for the letters of the citizens'
// languages and dead keys (xkKeyboard), as a Spanish, German or Romanian
// keyboard plugged into the kiosk has. They wait on the window's title,
// which names the screen ("INPS – Chiosco · question:nascita"), on frames
// drawn and on files, never on a fixed time. They need Xvfb, xwininfo,
// import, xdotool, xmodmap, pdftotext and the tests' CUPS queue
// (scripts/setup.sh installs them), and are skipped with -short, and,
// outside CI, when one is missing (internal/xtest.Need, cupstest.Need).
//
// Each test runs its kiosk on an X server of its own, so most run in
// parallel (t.Parallel), as many at a time as go test's -parallel
// (GOMAXPROCS by default). TestXInputKioskIdleWarning and
// TestXInputKioskRandom do not: their kiosks run on idle timers of
// seconds, which a machine busy with more kiosks must not reach between
// two of their keys.
//
// Every name in this file starts with "xk" so that it cannot clash with
// main.go's.

import (
	"bytes"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/xtest"
	"github.com/pinsede/pinsede/ui/cups/cupstest"
	uitheme "github.com/pinsede/pinsede/ui/theme"
	"github.com/pinsede/pinsede/ui/ticket"
)

const (
	// xkScreen is the kiosk's screen: 1920x1080, as in the sede.
	xkScreen = "1920x1080x24"
	// xkSmallScreen is a small kiosk screen, 5:4, high enough for two
	// rows of suggestions at the normal text size (the lower screens
	// the kiosk targets: xkLowScreens).
	xkSmallScreen = "1280x1024x24"
	// xkTimeout bounds the wait for a screen or a frame after the keys
	// that lead to it.
	xkTimeout = 30 * time.Second
	// xkKeyDelay is xdotool's delay between keys, in ms.
	xkKeyDelay = "15"
	// xkIdle is the kiosk's idle timeout in the random test, the least
	// chiosco takes (kiosk.MinIdle): it warns 10 s before, then wipes
	// the session.
	xkIdle = 30 * time.Second
	// xkDayMargin is far more than a walk-in takes: the ticket and the
	// spool's day are the real clock's.
	xkDayMargin = 5 * time.Minute
)

// xkKiosk is a running chiosco driven through xdotool.
type xkKiosk struct {
	*xtest.Driver
	t     *testing.T
	spool ticket.Spool
}

// xkStart builds chiosco, starts an X server of screen (WxHxD) with
// xkKeyboard's keys, and starts the kiosk on it with its spool and state
// in a new folder, and args (the printer's); it waits for the language
// screen.
func xkStart(t *testing.T, screen string, args ...string) *xkKiosk {
	t.Helper()
	xtest.Need(t, "xdotool", "xmodmap")
	if os.Getenv("PINSEDE_TEST_NOW") != "" {
		// make test's later passes move the suites' clock; chiosco reads
		// the real one, so its real-input tests would add nothing.
		t.Skip("X input test of the real kiosk: run once, on the real clock, not again with PINSEDE_TEST_NOW")
	}
	bin := xtest.Build(t, "chiosco")
	display := xtest.StartXvfb(t, screen)
	xkKeyboard(t, display)
	dir := t.TempDir()
	k := &xkKiosk{t: t, spool: ticket.Spool{Dir: filepath.Join(dir, "spool")}}
	app := xtest.Start(t, bin, display, dir, windowTitle, append([]string{
		"-sede", "Roma Eur",
		"-spool", k.spool.Dir,
		"-state", filepath.Join(dir, "state"),
	}, args...)...)
	k.Driver = &xtest.Driver{TB: t, App: app, Dir: dir, ScreenPrefix: windowTitle + " · ",
		ShotPrefix: "chiosco-", KeyDelay: xkKeyDelay, Timeout: xkTimeout}
	if _, err := app.WaitMapped(xkTimeout); err != nil {
		t.Fatalf("chiosco window: %v", err)
	}
	k.WaitScreen("languages")
	return k
}

// xkKeys are the keys xkKeyboard adds: the letters of the kiosk's
// languages that a US keyboard lacks, each with its capital, and dead keys.
var xkKeys = [][2]string{
	{"aacute", "Aacute"}, {"eacute", "Eacute"}, {"iacute", "Iacute"}, {"oacute", "Oacute"},
	{"uacute", "Uacute"}, {"ntilde", "Ntilde"}, {"udiaeresis", "Udiaeresis"}, {"odiaeresis", "Odiaeresis"},
	{"ssharp", "U1E9E"}, {"ccedilla", "Ccedilla"}, {"agrave", "egrave"}, {"abreve", "acircumflex"},
	{"U0219", "U021B"}, // ș ț
	{"dead_acute", "dead_grave"}, {"dead_circumflex", "dead_diaeresis"},
}

// xkTyped are the characters xkKeys type, for the random test.
const xkTyped = "áéíóúñüößçàèăâșțÁÉÍÓÚÑÜÖẞÇ"

// xkKeyboard gives the X server's keyboard the keys of xkKeys, on key
// codes that have none, leaving some free for xdotool's own use: a
// citizen's keyboard of another language, whose letters are keys and not
// xdotool's passing remaps (a character typed on a key code remapped for
// it is lost when the kiosk reads the event after xdotool has mapped the
// code back).
func xkKeyboard(t *testing.T, display string) {
	t.Helper()
	table, err := xtest.X(display, "xmodmap", "-pke")
	if err != nil {
		t.Fatal(err)
	}
	var free []string
	for line := range strings.Lines(table) {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "keycode" && f[2] == "=" {
			free = append(free, f[1])
		}
	}
	if len(free) < len(xkKeys)+2 {
		t.Fatalf("the X server's keyboard has %d free key codes, want %d", len(free), len(xkKeys)+2)
	}
	args := []string{}
	for i, k := range xkKeys {
		args = append(args, "-e", fmt.Sprintf("keycode %s = %s %s", free[i], k[0], k[1]))
	}
	if _, err := xtest.X(display, "xmodmap", args...); err != nil {
		t.Fatal(err)
	}
}

// At 1920x1080, xkFieldRect and xkProblemRect are where a question of one
// field shows the field, and the problem under it in red (24 px higher
// since the question's text has no padding of its own).
var (
	xkFieldRect   = image.Rect(160, 276, 1760, 341)
	xkProblemRect = image.Rect(160, 360, 1760, 420)
)

// xkSmallQuestionRect is, on xkSmallScreen, the question over the
// keyboard, down to the keyboard's top (about 535 px): with more room
// over the keyboard the hint stays in view, and the problem of the place
// shows at about 390 px.
var xkSmallQuestionRect = image.Rect(0, 100, 1280, 510)

// checkLog fails on a panic in the kiosk's output.
func (k *xkKiosk) checkLog() {
	k.t.Helper()
	if out := k.App.Output(); strings.Contains(strings.ToLower(out), "panic") {
		k.t.Errorf("chiosco's output reports a panic:\n%s", out)
	}
}

// spooled returns the submissions in the spool folder, each taken as a
// desk takes it (ticket.Spool.Take), and fails on any other file there or
// on a file a desk could not open.
func (k *xkKiosk) spooled() []ticket.Submission {
	k.t.Helper()
	entries, err := os.ReadDir(k.spool.Dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		k.t.Fatal(err)
	}
	var subs []ticket.Submission
	for _, e := range entries {
		code, ok := strings.CutPrefix(e.Name(), "ticket-")
		code, sealed := strings.CutSuffix(code, ".seal")
		if !ok || !sealed {
			k.t.Errorf("the spool folder holds %s, not a ticket's file", e.Name())
			continue
		}
		sub, err := k.spool.TakeOn(code, time.Now()) // the kiosk's real clock
		if err != nil {
			k.t.Errorf("the desk cannot take %s: %v", e.Name(), err)
			continue
		}
		subs = append(subs, sub)
	}
	return subs
}

// xkCitizen is the request TestXInputKioskWalkIn types: a Spanish-speaking
// citizen born in Barletta and resident in Buenos Aires.
func xkCitizen(t *testing.T) pinsede.Request {
	t.Helper()
	places := pinsede.SearchPlaces("Barlet", 6)
	if len(places) == 0 || places[0].Name != "Barletta" {
		t.Fatalf("the first place of Barlet is %v, want Barletta", places)
	}
	return xkBornIn(t, pinsede.Request{
		Cognome: "Núñez Peña", Nome: "José María", Sesso: pinsede.SexFemale,
		DataNascita: pinsede.Date{Year: 1985, Month: time.February, Day: 13},
		Residenza:   pinsede.Address{Street: "Avenida de Mayo 1370", CAP: "C1085", City: "Buenos Aires", Country: "AR"},
		Recapiti:    pinsede.Contacts{Mobile: "+54 11 5555 1234", Email: "maria.nunez@example.com"},
	}, places[0])
}

// xkBornIn returns r with p as its place of birth and the codice fiscale
// computed from its answers.
func xkBornIn(t *testing.T, r pinsede.Request, p pinsede.PlaceInfo) pinsede.Request {
	t.Helper()
	r.LuogoNascita = pinsede.Place{Name: p.Name, Province: p.Province, Code: p.Code}
	cf, err := pinsede.EncodeCodiceFiscale(r.Cognome, r.Nome, r.Sesso, r.DataNascita, p.Code)
	if err != nil {
		t.Fatal(err)
	}
	r.CodiceFiscale = cf
	return r
}

// TestXInputKioskWalkIn serves a walk-in citizen by keyboard alone, in
// Spanish, on the real kiosk: the language, the PIN request, every
// question (the place and the codice fiscale from the kiosk's
// suggestions, the country confirmed with Enter), a birth date that does
// not exist corrected in place (the problem shows under the field, and
// what was typed stays: only the day is typed again), the review and the
// ticket. Then the spool folder holds the one request typed, in Spanish,
// as a desk takes it, and the ticket was printed on the CUPS queue.
func TestXInputKioskWalkIn(t *testing.T) {
	t.Parallel()
	xtest.Need(t, "xdotool", "xmodmap", "pdftotext")
	cupstest.Need(t)
	want := xkCitizen(t)
	k := xkStart(t, xkScreen, "-printer", cupstest.Queue)
	xtest.ClearOfMidnight(t, xkDayMargin)
	k.Shot("01-languages")

	k.Keys("Tab", "Tab", "Tab", "Tab", "Return") // Italiano, English, Français, Deutsch: Español
	k.WaitScreen("services")
	k.Keys("Return") // the focus is on the first service, the PIN request
	k.WaitScreen("service")
	k.Keys("Return") // Continuar
	k.WaitScreen("question:cognome")
	k.Type("Núñez Peña")
	k.Shot("02-cognome")
	k.Keys("Return")
	k.WaitScreen("question:nome")
	k.Type("Jos")
	k.Keys("dead_acute", "e") // é from a dead key, as on a Spanish keyboard
	k.Type(" María")
	k.Keys("Return")
	k.WaitScreen("question:sesso")
	k.Keys("Tab", "Return") // from Hombre to Mujer, chosen: on to the date
	k.WaitScreen("question:nascita")

	// A day that does not exist: the problem shows under the field, in
	// red, and the question stays; the day alone is typed again.
	k.Type("31/02/1985")
	k.WaitFrame("the date typed, no problem", func(img image.Image) bool {
		return !xtest.Red(xtest.Pixels(img, xkProblemRect))
	})
	k.Keys("Return")
	k.WaitFrame("the problem of the date in red", func(img image.Image) bool {
		return xtest.Red(xtest.Pixels(img, xkProblemRect))
	})
	if s := k.Screen(); s != "question:nascita" {
		t.Fatalf("after a date that does not exist the kiosk shows %s", s)
	}
	shot, _ := k.Shot("03-nascita-problem")
	t.Logf("the problem of the date: %s", shot)
	k.Keys("Home", "Delete", "Delete")
	k.Type("13")
	k.Keys("Return")
	k.WaitScreen("question:luogo")

	k.Type("Barlet")
	k.Shot("04-luogo-suggestions")
	k.Keys("Tab", "Return") // the first suggestion, Barletta (BT): back to the field
	k.Keys("Return")
	k.WaitScreen("question:cf")
	k.Shot("05-cf-proposed")
	k.Keys("Tab", "Return") // Usar este código: back to the field
	k.Keys("Return")
	k.WaitScreen("question:stato")
	k.Type("Argentina")
	k.Keys("Return")
	k.WaitScreen("question:indirizzo")
	k.Type("Avenida de Mayo 1370")
	k.Keys("Tab")
	k.Type("Buenos Aires")
	k.Keys("Tab")
	k.Type("C1085")
	k.Keys("Return")
	k.WaitScreen("question:telefono")
	k.Type("+54 11 5555 1234")
	k.Keys("Return")
	k.WaitScreen("question:email")
	k.Type("maria.nunez@example.com")
	k.Keys("ctrl+a", "ctrl+c") // copied: the next citizen must not paste it
	k.Keys("Return")
	k.WaitScreen("review")
	k.Shot("06-review")
	k.Keys("Return") // the focus is on Confirmar
	k.WaitScreen("done")
	k.Shot("07-done")
	// The ticket, printed on the CUPS queue: the spool has the request
	// before it prints.
	subs := k.spooled()
	if len(subs) != 1 {
		t.Fatalf("the spool folder holds %d requests, want 1", len(subs))
	}
	s := subs[0]
	printed := xkWaitPrinted(t, "ticket-"+s.Ticket.Issued.Format("20060102")+"-"+s.Ticket.Number)
	out, err := exec.Command("pdftotext", printed, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", printed, err)
	}
	if !strings.Contains(string(out), s.Ticket.Code) || !strings.Contains(string(out), "K001") {
		t.Errorf("the printed ticket lacks K001 or the code %s:\n%s", s.Ticket.Code, out)
	}
	k.Shot("08-done-printed")

	// The next citizen, in English: Ctrl+V in the surname pastes nothing
	// of the last one's, and Enter asks for the surname.
	k.Keys("Return") // Terminar
	k.WaitScreen("languages")
	k.Keys("Tab", "Return")
	k.WaitScreen("services")
	k.Keys("Return")
	k.WaitScreen("service")
	service := xtest.Pixels(k.Painted(), xkFieldRect)
	k.Keys("Return")
	k.WaitScreen("question:cognome")
	k.WaitFrame("the surname's question", func(img image.Image) bool {
		return !bytes.Equal(xtest.Pixels(img, xkFieldRect), service)
	})
	empty := xtest.Pixels(k.Painted(), xkFieldRect)
	k.Keys("ctrl+v", "Return")
	pasted := k.WaitFrame("the problem of the surname in red, or the next question", func(img image.Image) bool {
		return xtest.Red(xtest.Pixels(img, xkProblemRect)) || k.Screen() != "question:cognome"
	})
	if s := k.Screen(); s != "question:cognome" || !bytes.Equal(xtest.Pixels(pasted, xkFieldRect), empty) {
		shot, _ := k.Shot("09-next-pasted")
		t.Errorf("the next citizen's Ctrl+V pasted something (%s, screen %s)", shot, s)
	}
	if err := k.App.Alive(); err != nil {
		t.Fatal(err)
	}
	k.App.Stop(t)
	k.checkLog()

	if !reflect.DeepEqual(s.Request, want) {
		t.Errorf("the request in the spool:\n%+v\nwant what was typed:\n%+v", s.Request, want)
	}
	if es := s.Request.Validate(pinsede.DateOf(time.Now())); len(es) > 0 {
		t.Errorf("the request in the spool is not valid: %v", es)
	}
	if s.Language != "es" || s.Ticket.Service != "request" || s.Ticket.Number != "K001" || s.Ticket.Pending {
		t.Errorf("the submission's ticket %+v, language %q; want K001, request, es, not pending", s.Ticket, s.Language)
	}
	t.Logf("ticket %s %s, request %s %s, %s", s.Ticket.Number, s.Ticket.Code, s.Request.Cognome, s.Request.Nome, s.Request.CodiceFiscale)
}

// TestXInputKioskSuggestions chooses the kiosk's suggestions by real keys
// alone, in German, on a small screen (xkSmallScreen): a place of birth
// whose name two places bear (Peglio), confirmed with Enter, lists the two
// under the problem, and Tab, Tab and Space take the second; the code
// computed from the answers is taken with Tab and Space; of the states
// that "Bel" starts, Tab three times and Enter take the third. The spool
// then holds the places and the code chosen, not the first ones listed.
func TestXInputKioskSuggestions(t *testing.T) {
	t.Parallel()
	places := pinsede.SearchPlaces("Peglio", 6)
	if len(places) != 2 || places[1].Province != "PU" {
		t.Fatalf("the places of Peglio are %v, want Peglio (CO) and Peglio (PU)", places)
	}
	want := xkMariaRossi(t, places[1])

	k := xkStart(t, xkSmallScreen, "-ticket-dir", t.TempDir())
	xtest.ClearOfMidnight(t, xkDayMargin)
	xkAssertTypeface(t, k.WaitFrame("the top bar's blue INPS", func(img image.Image) bool {
		return xkInk(img, xkTitleRect) > 0
	}))
	k.toPlaceOfBirth()

	// Peglio and Enter: the two places of the name, under the problem in
	// red, over the keyboard.
	k.Type("Peglio")
	k.Keys("Return")
	k.WaitFrame("the problem of Peglio in red over the keyboard", func(img image.Image) bool {
		return xtest.Red(xtest.Pixels(img, xkSmallQuestionRect))
	})
	k.Shot("luogo-two-places")
	k.Keys("Tab", "Tab", "space") // Peglio (CO), Peglio (PU): taken, back to the field
	k.Keys("Return")
	k.WaitScreen("question:cf")
	k.Shot("cf-proposed")
	k.Keys("Tab", "space") // Diesen Code verwenden: back to the field
	k.Keys("Return")
	k.WaitScreen("question:stato")
	empty := xtest.Pixels(k.Painted(), xkSmallQuestionRect)
	k.Type("Bel")
	k.WaitFrame("the states of Bel over the keyboard", func(img image.Image) bool {
		return !bytes.Equal(xtest.Pixels(img, xkSmallQuestionRect), empty)
	})
	k.Shot("stato-suggestions")
	k.Keys("Tab", "Tab", "Tab", "Return") // Belgien, Belarus, Belize
	k.Keys("Return")
	k.finish(want)
}

// xkMariaRossi is the request of TestXInputKioskSuggestions and
// TestXInputKioskMoreSuggestions, born in p: a woman living in Belize
// (of Belgien, Belarus, Belize, the states "Bel" lists in the order of
// their codes, the third).
func xkMariaRossi(t *testing.T, p pinsede.PlaceInfo) pinsede.Request {
	t.Helper()
	return xkBornIn(t, pinsede.Request{
		Cognome: "Rossi", Nome: "Maria", Sesso: pinsede.SexFemale,
		DataNascita: pinsede.Date{Year: 1985, Month: time.March, Day: 7},
		Residenza:   pinsede.Address{Street: "Regent Street 12", City: "Belize City", Country: "BZ"},
		Recapiti:    pinsede.Contacts{Mobile: "+501 223 4567", Email: "maria.rossi@example.com"},
	}, p)
}

// toPlaceOfBirth goes, from the languages, to the place of birth of a
// PIN request in German, by keys: Rossi, Maria, a woman, born on
// 07/03/1985.
func (k *xkKiosk) toPlaceOfBirth() {
	k.t.Helper()
	k.Keys("Tab", "Tab", "Tab", "Return") // Italiano, English, Français: Deutsch
	k.WaitScreen("services")
	k.Keys("Return")
	k.WaitScreen("service")
	k.Keys("Return")
	k.WaitScreen("question:cognome")
	k.Type("Rossi")
	k.Keys("Return")
	k.toDateOfBirth()
	k.Type("07/03/1985")
	k.Keys("Return")
	k.WaitScreen("question:luogo")
}

// toDateOfBirth answers, from the name, Maria and a woman, and waits for
// the date of birth.
func (k *xkKiosk) toDateOfBirth() {
	k.t.Helper()
	k.WaitScreen("question:nome")
	k.Type("Maria")
	k.Keys("Return")
	k.WaitScreen("question:sesso")
	k.Keys("Tab", "Return")
	k.WaitScreen("question:nascita")
}

// xkBarlettaRossi is xkMariaRossi born in Barletta, the one place of the
// name.
func xkBarlettaRossi(t *testing.T) pinsede.Request {
	t.Helper()
	places := pinsede.SearchPlaces("Barletta", 6)
	if len(places) != 1 {
		t.Fatalf("the places of Barletta are %v, want one", places)
	}
	return xkMariaRossi(t, places[0])
}

// finish answers the address, the phones and the e-mail of want (a
// foreign address: street and city), confirms the review, and checks
// that the spool holds want alone.
func (k *xkKiosk) finish(want pinsede.Request) {
	t := k.t
	t.Helper()
	k.toReview(want)
	k.Shot("review")
	k.Keys("Return")
	k.WaitScreen("done")
	subs := k.spooled()
	if len(subs) != 1 {
		t.Fatalf("the spool folder holds %d requests, want 1", len(subs))
	}
	k.App.Stop(t)
	k.checkLog()
	if got := subs[0].Request; !reflect.DeepEqual(got, want) {
		t.Errorf("the request in the spool:\n%+v\nwant the suggestions chosen:\n%+v", got, want)
	}
}

// toReview answers the address, the phones and the e-mail of want (a
// foreign address: street and city) and reaches the review.
func (k *xkKiosk) toReview(want pinsede.Request) {
	k.t.Helper()
	k.WaitScreen("question:indirizzo")
	k.Type(want.Residenza.Street)
	k.Keys("Tab")
	k.Type(want.Residenza.City)
	k.Keys("Return")
	k.WaitScreen("question:telefono")
	k.Type(want.Recapiti.Mobile)
	k.Keys("Return")
	k.WaitScreen("question:email")
	k.Type(want.Recapiti.Email)
	k.Keys("Return")
	k.WaitScreen("review")
}

// TestXInputKioskMoreSuggestions reaches, by real keys alone, in German
// on a small screen (xkSmallScreen), a place of birth the suggestions'
// rows do not show at first: of the six places of "San", four show with
// the more button (Weitere) at the rows' end; Tab five times reaches it,
// Enter shows the last two, Shift+Tab and Space take the last, San
// Basilio (SU). The spool then holds it.
func TestXInputKioskMoreSuggestions(t *testing.T) {
	t.Parallel()
	places := pinsede.SearchPlaces("San", 6)
	if len(places) != 6 || places[5].String() != "San Basilio (SU)" {
		t.Fatalf("the places of San are %v, want San Basilio (SU) sixth", places)
	}
	want := xkMariaRossi(t, places[5])

	k := xkStart(t, xkSmallScreen, "-ticket-dir", t.TempDir())
	xtest.ClearOfMidnight(t, xkDayMargin)
	k.toPlaceOfBirth()
	// Each place is a white card of about 36,000 pixels over the
	// keyboard: four show, with the more button, then two.
	k.Type("San")
	four := xkWhite(k.WaitFrame("four places of San and the more button over the keyboard", xkMoreShown), xkSmallSuggestionsRect)
	k.Shot("luogo-more-first")
	k.Keys("Tab", "Tab", "Tab", "Tab", "Tab", "Return") // four places, then Weitere
	k.WaitFrame("the last two places of San", func(img image.Image) bool {
		return xkWhite(img, xkSmallSuggestionsRect) < four-50000
	})
	k.Shot("luogo-more-next")
	k.Keys("shift+Tab", "space") // San Basilio (SU): taken, back to the field
	k.codeAndBelize()
	k.finish(want)
}

// TestXInputKioskTypingOnKeys types on the physical keyboard of the real
// kiosk, in Italian, while keys of the on-screen keyboard have the focus,
// where Tab from the field leads: on the surname "Xx", Tab (the key 1),
// Ctrl+A and "Rsi", which replaces it; Tab again, Left twice and "os";
// then Enter, which goes on (the field has the focus again); on the date
// "07/0", Tab three times (the key 3), Enter held 1 s, and "/1985". The
// spool then holds Rossi born on 07/03/1985. The kiosk lost the "ssi"
// typed on the key 1 (Enter then typed a 1 there), typed a 3 at every
// repeat of Enter, and dropped Ctrl+A and the arrows pressed on a key
// (the surname "XxRsios").
func TestXInputKioskTypingOnKeys(t *testing.T) {
	t.Parallel()
	want := xkBarlettaRossi(t)
	k := xkStart(t, xkScreen, "-ticket-dir", t.TempDir())
	xtest.ClearOfMidnight(t, xkDayMargin)
	k.Keys("Return") // Italiano
	k.WaitScreen("services")
	k.Keys("Return")
	k.WaitScreen("service")
	k.Keys("Return")
	k.WaitScreen("question:cognome")
	k.Type("Xx")
	k.Keys("Tab", "ctrl+a") // on the key 1
	k.Type("Rsi")
	k.Keys("Tab", "Left", "Left") // the first on the key 1
	k.Type("os")
	k.Painted()
	k.Shot("cognome-typed-on-key")
	k.Keys("Return")
	k.toDateOfBirth()
	k.Type("07/0")
	k.Keys("Tab", "Tab", "Tab") // the key 3
	// Held down 1 s, the X server repeats it (the pause is the hold,
	// not a wait for the kiosk).
	k.Xdotool("keydown", "Return", "sleep", "1", "keyup", "Return")
	k.Painted()
	k.Shot("nascita-held-on-key")
	k.Type("/1985")
	k.Keys("Return")
	k.WaitScreen("question:luogo")
	k.Type("Barletta")
	k.codeAndBelize()
	k.finish(want)
}

// codeAndBelize confirms the place of birth chosen, takes the code
// computed from the answers (Tab and Space on Diesen Code verwenden) and
// answers Belize as the state of residence.
func (k *xkKiosk) codeAndBelize() {
	k.t.Helper()
	k.Keys("Return")
	k.WaitScreen("question:cf")
	k.Keys("Tab", "space") // Diesen Code verwenden: back to the field
	k.Keys("Return")
	k.WaitScreen("question:stato")
	k.Type("Belize")
	k.Keys("Return")
}

// xkSmallSuggestionsRect is, on xkSmallScreen, the question's field and
// its suggestions, above the keyboard.
var xkSmallSuggestionsRect = image.Rect(0, 100, 1280, 510)

// xkWhite returns how many pixels of r in img are white, as the entries
// and the suggestions' cards are.
func xkWhite(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if cr, cg, cb, _ := img.At(x, y).RGBA(); cr>>8 == 0xFF && cg>>8 == 0xFF && cb>>8 == 0xFF {
				n++
			}
		}
	}
	return n
}

// xkMoreShown reports whether img shows, on xkSmallScreen, a row of
// suggestions with the more button at its right end: along a line of
// xkSmallSuggestionsRect, a white card at least 450 px wide (a place
// of San, two a row) and one of 100 to 250 px that ends at the screen's
// right edge (Weitere). The places of "Sa", three a row, show none.
func xkMoreShown(img image.Image) bool {
	r := xkSmallSuggestionsRect
	for y := r.Min.Y; y < r.Max.Y; y += 4 {
		var runs []int // lengths of the white runs, left to right
		run, last := 0, 0
		for x := r.Min.X; x < r.Max.X; x++ {
			if cr, cg, cb, _ := img.At(x, y).RGBA(); cr>>8 == 0xFF && cg>>8 == 0xFF && cb>>8 == 0xFF {
				run++
				last = x
				continue
			}
			if run > 0 {
				runs = append(runs, run)
			}
			run = 0
		}
		if run > 0 {
			runs = append(runs, run)
		}
		if len(runs) < 2 || r.Max.X-1-last > 12 {
			continue
		}
		more := runs[len(runs)-1]
		if more >= 100 && more <= 250 && slices.ContainsFunc(runs, func(n int) bool { return n >= 450 }) {
			return true
		}
	}
	return false
}

// xkTitleRect holds the top bar's blue INPS, on every screen size.
var xkTitleRect = image.Rect(0, 0, 300, 90)

// xkAssertTypeface checks that the real kiosk draws its theme's typeface,
// Titillium Web, as the headless tests measure it: the blue INPS of the
// top bar in img is as wide as Titillium's semibold makes it at 40 px.
// The kiosk built its widgets with Fyne's theme first, and the driver
// kept drawing their faces, Noto Sans: 10% wider, so the window the
// kiosk needs was wider than the tests measured.
func xkAssertTypeface(t *testing.T, img image.Image) {
	t.Helper()
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(uitheme.New())
	want := fyne.MeasureText("INPS", 40, fyne.TextStyle{Bold: true}).Width
	// The ink is a little narrower than the text's advance.
	if ink := float32(xkInk(img, xkTitleRect)); ink > want+2 || ink < want-10 {
		t.Errorf("the blue INPS of the top bar is %v px wide; Titillium Web draws it %v px wide: the kiosk draws another typeface", ink, want)
	}
}

// xkInk returns how wide the primary blue (#0066CC) of r spreads in img,
// from its leftmost pixel to its rightmost; 0 if none.
func xkInk(img image.Image, r image.Rectangle) int {
	left, right := r.Max.X, r.Min.X
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr>>8 < 60 && cg>>8 > 70 && cg>>8 < 140 && cb>>8 > 170 {
				left, right = min(left, x), max(right, x+1)
			}
		}
	}
	return max(right-left, 0)
}

// xkWaitPrinted waits until cups-pdf has written the whole PDF of the job
// titled title (it ends with %%EOF; a loaded machine takes more than
// cupstest.Printed's few seconds), and returns cupstest.Printed's path.
func xkWaitPrinted(t *testing.T, title string) string {
	t.Helper()
	deadline := time.Now().Add(xkTimeout)
	for {
		files, _ := filepath.Glob(filepath.Join(cupstest.Output, "*", title+"*.pdf"))
		if len(files) == 1 {
			if b, err := os.ReadFile(files[0]); err == nil && strings.Contains(string(b[max(0, len(b)-32):]), "%%EOF") {
				return cupstest.Printed(t, title)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no complete PDF of %s from cups-pdf after %v: %v", title, xkTimeout, files)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// xkRandomKeys are the keys of the random test: letters, digits, the
// navigation and editing keys, function keys, and Ctrl and Alt
// combinations (the kiosk runs without a window manager: every one reaches
// it). xkTyped's letters and the dead keys come from xkKeyboard's keys.
var xkRandomKeys = func() []string {
	keys := []string{"Tab", "shift+Tab", "Return", "KP_Enter", "space", "Escape", "Left", "Right", "Up", "Down",
		"Home", "End", "Prior", "Next", "BackSpace", "Delete", "Insert"}
	keys = append(keys, keys...) // twice as likely as a letter
	for c := 'a'; c <= 'z'; c++ {
		keys = append(keys, string(c))
	}
	for c := '0'; c <= '9'; c++ {
		keys = append(keys, string(c))
	}
	for i := 1; i <= 12; i++ {
		keys = append(keys, "F"+strconv.Itoa(i))
	}
	return append(keys, "shift+a", "at", "period", "minus", "plus", "slash", "apostrophe",
		"dead_acute", "dead_grave", "dead_circumflex", "dead_diaeresis",
		"ctrl+a", "ctrl+c", "ctrl+v", "ctrl+x", "ctrl+z", "ctrl+y", "ctrl+w", "ctrl+q", "ctrl+n", "ctrl+t",
		"ctrl+Tab", "ctrl+Return", "ctrl+BackSpace", "ctrl+Left", "ctrl+Right", "ctrl+plus", "ctrl+minus",
		"alt+F4", "alt+Tab", "alt+Return", "alt+space", "alt+Left", "ctrl+alt+Delete", "shift+Return", "Menu", "Super_L")
}()

const (
	// xkRandomEvents is how many keys, typed letters and taps the random
	// test sends.
	xkRandomEvents = 600
	// xkRandomBatch is how many events one xdotool invocation sends.
	xkRandomBatch = 50
)

// TestXInputKioskRandom sends seeded random keys, letters typed and taps
// to the real kiosk (the seed: PINSEDE_SEED, 1 by default; a failure names
// it). The kiosk must not exit nor report a panic, must have written to
// the spool folder only complete requests that a desk takes and that are
// valid, and must go back to the languages after its idle timeout (-idle,
// short here).
func TestXInputKioskRandom(t *testing.T) {
	seed := uint64(1)
	if s := os.Getenv("PINSEDE_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("PINSEDE_SEED=%q: not a number", s)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d: replay with PINSEDE_SEED=%d go test -run TestXInputKioskRandom ./cmd/chiosco", seed, seed)
		}
	})
	k := xkStart(t, xkScreen, "-idle", xkIdle.String(), "-ticket-dir", t.TempDir())
	xtest.ClearOfMidnight(t, xkDayMargin)
	began := time.Now()
	r := rand.New(rand.NewPCG(seed, 15))
	typed := []rune(xkTyped)
	visited := map[string]int{}
	for sent := 0; sent < xkRandomEvents; {
		var args []string
	batch:
		for i := 0; i < xkRandomBatch && sent < xkRandomEvents; i, sent = i+1, sent+1 {
			switch n := r.IntN(20); {
			case n < 2: // a tap anywhere on the screen
				args = append(args, "mousemove", strconv.Itoa(r.IntN(1920)), strconv.Itoa(r.IntN(1080)), "click", "1")
			case n < 4: // a letter of another language, typed: xdotool's
				// type takes every word after it, so it ends the batch
				args = append(args, "type", "--delay", "1", string(typed[r.IntN(len(typed))]))
				sent++
				break batch
			default:
				args = append(args, "key", "--delay", "1", xkRandomKeys[r.IntN(len(xkRandomKeys))])
			}
		}
		k.Xdotool(args...)
		if err := k.App.Alive(); err != nil {
			k.Shot("died")
			t.Fatalf("seed %d: after %d random events: %v", seed, sent, err)
		}
		visited[k.Screen()]++
	}
	t.Logf("seed %d: screens after each batch: %v", seed, visited)
	// Leave the screen where the keys left it, then check the idle timer:
	// from a session, the languages come back by themselves. On the
	// languages already, a tap on English starts a session first (once
	// the idle timer has put back the text size the keys may have
	// changed, which moves the button).
	last := k.Screen()
	k.Shot(fmt.Sprintf("random-%d-%s", seed, strings.ReplaceAll(last, ":", "-")))
	for try := 0; last == "languages"; try++ {
		if try == 3 {
			t.Fatalf("seed %d: three taps on English did not start a session", seed)
		}
		k.Xdotool("mousemove", "755", "770", "click", "1") // English
		if _, err := k.App.WaitTitle(xkIdle+xtest.PaintTimeout, windowTitle+" · services"); err == nil {
			last = "services"
		}
	}
	idleFrom := time.Now()
	if _, err := k.App.WaitTitle(xkIdle+xtest.PaintTimeout, windowTitle+" · languages"); err != nil {
		t.Fatalf("seed %d: not back to the languages %v after the last event: %v", seed, xkIdle, err)
	}
	t.Logf("seed %d: %d events in %v, left on %s; back to the languages %v after the last event (idle %v)",
		seed, xkRandomEvents, time.Since(began).Round(time.Second), last, time.Since(idleFrom).Round(100*time.Millisecond), xkIdle)
	if err := k.App.Alive(); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	k.App.Stop(t)
	k.checkLog()
	for _, s := range k.spooled() {
		if es := s.Request.Validate(pinsede.DateOf(time.Now())); len(es) > 0 {
			t.Errorf("seed %d: the spool holds an invalid request (ticket %s): %v", seed, s.Ticket.Number, es)
		}
	}
}
