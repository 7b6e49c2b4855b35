package kiosk

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/cryptotest"
	"time"

	"fyne.io/fyne/v2"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/cups/cupstest"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// Ensure that the last screen says the ticket is printing until the
// printer has printed it, is not wiped meanwhile, and then stays its full
// time. The window's title says "done:printing" meanwhile: the X tests
// of cmd/chiosco wait for "done" before they press Fine, which takes no
// input while the ticket prints (TestXInputKioskWalkIn's Enter went
// unheard, and the idle wipe, 20 s later, took the kiosk back).
func TestTicketPrinting(t *testing.T) {
	h := newHarness(t)
	h.paper.hold = make(chan struct{})
	h.startWizard("it")
	h.fill(rossi)
	h.send()
	if h.app.Screen() != "done" || !strings.Contains(h.texts(), tr("done.printing")) {
		t.Fatalf("screen %s does not say the ticket is printing:\n%s", h.app.Screen(), h.texts())
	}
	if got := h.win.Title(); got != "done:printing" { // the harness's window has no title of its own
		t.Errorf("title while the ticket prints %q, want %q", got, "done:printing")
	}
	h.shot("07-done-printing-it")
	h.now = h.now.Add(2 * DefaultWarn)
	h.app.CheckIdle()
	if h.app.Screen() != "done" {
		t.Fatalf("screen %s while the ticket prints, want done", h.app.Screen())
	}
	close(h.paper.hold)
	h.wait()
	if txt := h.texts(); strings.Contains(txt, tr("done.printing")) || strings.Contains(txt, "non è stato stampato") {
		t.Errorf("the printed ticket's screen says:\n%s", txt)
	}
	if got := h.win.Title(); got != "done" {
		t.Errorf("title once the ticket printed %q, want %q", got, "done")
	}
	b := h.findButton(tr("nav.done"))
	if b == nil || b.Disabled() {
		t.Fatalf("Fine takes no input once the ticket is printed")
	}
	// Fine had the focus when the screen showed, disabled: the canvas
	// gives none to a disabled widget, and Enter then did nothing.
	if f := h.win.Canvas().Focused(); f != b {
		t.Errorf("focus once the ticket printed on %q, want Fine: Enter ends nothing", focusedText(f))
	}
	if len(h.printed()) != 1 {
		t.Fatalf("printed %d tickets, want 1", len(h.printed()))
	}
	h.doneReturns()
}

// Ensure that a printer that fails is told to the citizen in their own
// language with the number and code to remember, and loses nothing: the
// request has reached the desks. A citizen who has gone sees nothing, nor
// does the next one.
func TestTicketPrintFails(t *testing.T) {
	t.Run("at the last screen", func(t *testing.T) {
		// The ticket's code from a fixed seed: the screenshot says the
		// same code at every run, and changes only when the screen does.
		cryptotest.SetGlobalRandom(t, 1)
		h := newHarness(t)
		// A real CUPS client, with no cupsd where it looks.
		h.app.cfg.Printer = cups.Queue{Name: "chiosco", Server: filepath.Join(t.TempDir(), "cups.sock")}
		h.startWizard("de")
		h.fill(rossi)
		h.confirm()
		subs := h.sink.received()
		if len(subs) != 1 {
			t.Fatalf("sink received %d requests, want 1", len(subs))
		}
		tk := subs[0].Ticket
		want := tr("done.printfail", map[string]any{"Number": tk.Number, "Code": tk.Code})
		if !strings.HasPrefix(want, "Das Ticket wurde nicht gedruckt") || !strings.Contains(want, tk.Code) {
			t.Fatalf("message %q, want the German one with the code", want)
		}
		if txt := h.texts(); !strings.Contains(txt, want) || !strings.Contains(txt, tk.Number) {
			t.Errorf("the screen does not say the ticket was not printed:\n%s", txt)
		}
		h.shot("07-done-printfail-de")
	})
	t.Run("after the citizen left", func(t *testing.T) {
		h := newHarness(t)
		h.paper.hold = make(chan struct{})
		h.paper.fail = cups.ErrOutOfPaper
		h.startWizard("en")
		h.fill(rossi)
		h.send()
		h.now = h.now.Add(DefaultIdle + PrintWait) // a print job past its bound
		h.app.CheckIdle()
		close(h.paper.hold)
		h.wait()
		if h.app.Screen() != "languages" || strings.Contains(h.texts(), "K001") {
			t.Errorf("screen %s shows the last citizen's ticket:\n%s", h.app.Screen(), h.texts())
		}
		if len(h.sink.received()) != 1 {
			t.Errorf("sink received %d requests, want 1", len(h.sink.received()))
		}
	})
}

// Ensure that a ticket printed through a real CUPS queue is followed until
// it is printed, and comes out with its number and code.
func TestTicketPrintsForReal(t *testing.T) {
	cupstest.Need(t)
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	h := newHarness(t)
	h.app.cfg.Printer = cups.Queue{Name: cupstest.Queue}
	// A prefix of its own, so that no other run's file has the same name.
	h.app.cfg.QueuePrefix = "T" + strconv.FormatInt(time.Now().UnixNano(), 36)
	h.startWizard("it")
	h.fill(rossi)
	h.confirm()
	if txt := h.texts(); strings.Contains(txt, tr("done.printing")) || strings.Contains(txt, "non è stato stampato") {
		t.Errorf("the screen after printing says:\n%s", txt)
	}
	tk := h.sink.received()[0].Ticket
	out, err := exec.Command("pdftotext", "-layout", cupstest.Printed(t, ticketTitle(tk)), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{tk.Number, tk.Code, "Roma Eur"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the printed ticket lacks %q:\n%s", want, out)
		}
	}
}

// Ensure that the print job's end, which comes after the last screen
// showed, shows the ticket's state in view, above the navigation bar:
// printing while the printer holds the ticket, then, when it fails, that
// the ticket was not printed with the number and the code to remember;
// on the low screens the kiosk is laid out for, in every language at
// every text size. At A+ on 1024x768 both came under the navigation bar,
// below the screen's bottom edge.
func TestPrintStateInView(t *testing.T) {
	layoutOnce(t)
	inEveryLanguageAndSize(t, func(t *testing.T, h *harness, _ Language, _ int) {
		hold := make(chan struct{})
		h.paper.mu.Lock()
		h.paper.hold, h.paper.fail = hold, errors.New("out of paper")
		h.paper.mu.Unlock()
		inView := func(what string, sizes ...fyne.Size) {
			t.Helper()
			for _, size := range sizes {
				h.win.Resize(size)
				uitest.Settle(h.win)
				h.assertInView(fmt.Sprintf("%s at %v", what, size), map[string]fyne.CanvasObject{"the state": h.app.printState})
			}
		}
		h.fill(rossi)
		h.send()
		inView("printing", kioskScreens[0], kioskScreens[1])
		close(hold) // the job ends with the window at 1024x768
		h.wait()
		tk := h.app.session.ticket
		if want := tr("done.printfail", map[string]any{"Number": tk.Number, "Code": tk.Code}); h.app.printState.Text != want {
			t.Fatalf("the state says %q, want %q", h.app.printState.Text, want)
		}
		inView("not printed", kioskScreens[1], kioskScreens[0])
	})
}

// Ensure that the session does not end while its ticket prints: Fine
// takes no input (tapped, it ended the session, and the ticket, with its
// code, came out for the next citizen), nor does the idle time end it;
// once the ticket is out, Fine ends it.
func TestFineWaitsForPrint(t *testing.T) {
	h := newHarness(t)
	h.paper.hold = make(chan struct{})
	h.startWizard("fr")
	h.fill(rossi)
	h.send()
	end := h.findButton(tr("nav.done"))
	if end == nil || !end.Disabled() {
		t.Errorf("Fine takes input while the ticket prints")
	}
	h.shot("07-done-printing-fine-disabled-fr")
	h.tapText(tr("nav.done"))
	h.now = h.now.Add(DefaultIdle)
	h.app.CheckIdle()
	if h.app.Screen() != "done" {
		t.Fatalf("screen %s while the ticket prints, want done", h.app.Screen())
	}
	close(h.paper.hold)
	h.wait()
	if len(h.printed()) != 1 {
		t.Fatalf("printed %d tickets, want 1", len(h.printed()))
	}
	h.tapText(tr("nav.done"))
	if h.app.Screen() != "languages" {
		t.Errorf("screen %s after Fine with the ticket printed, want languages", h.app.Screen())
	}
}

// Ensure that a print failure, read aloud, says what to do and not the
// ticket's code: read over the waiting room, the code opened the
// citizen's request at the desk for whoever heard it.
func TestPrintFailureSpeaksNoCode(t *testing.T) {
	h := newHarness(t)
	h.paper.fail = cups.ErrOutOfPaper
	h.startWizard("it")
	h.app.audio = true
	h.fill(rossi)
	h.confirm()
	tk := h.sink.received()[0].Ticket
	if !strings.Contains(h.texts(), tk.Code) {
		t.Fatalf("the screen does not show the code of the ticket not printed:\n%s", h.texts())
	}
	said := h.speaker.said
	for _, s := range said {
		if strings.Contains(s, tk.Code) {
			t.Errorf("read aloud: %q", s)
		}
	}
	if want := "it: " + tr("done.printfail.say"); len(said) == 0 || said[len(said)-1] != want {
		t.Errorf("read aloud last %q, want %q", said, want)
	}
}

// Ensure that a citizen whose ticket did not print is told, in their
// language, to write the number and the code down and show them to the
// staff, and has the idle time to, with its warning (the screen went
// after 20 s, with no warning and no advice); and that the staff see,
// between citizens, a line saying the printer failed, until a ticket
// prints.
func TestPrintFailureAdvice(t *testing.T) {
	h := newHarness(t)
	h.paper.fail = cups.ErrOutOfPaper
	h.startWizard("pt")
	h.fill(rossi)
	h.confirm()
	tk := h.sink.received()[0].Ticket
	want := tr("done.printfail", map[string]any{"Number": tk.Number, "Code": tk.Code})
	if !strings.Contains(want, "mostre-os ao pessoal") || !strings.Contains(h.texts(), want) {
		t.Errorf("the screen does not tell in Portuguese what to do (%q):\n%s", want, h.texts())
	}
	h.shot("07-done-printfail-pt")
	h.now = h.now.Add(2 * DefaultWarn)
	h.app.CheckIdle()
	if h.app.Screen() != "done" || h.app.warned {
		t.Fatalf("screen %s (warned %v) %v after the failure, want the last screen", h.app.Screen(), h.app.warned, 2*DefaultWarn)
	}
	h.now = h.now.Add(DefaultIdle - DefaultWarn - 2*DefaultWarn)
	h.app.CheckIdle()
	if !h.app.warned {
		t.Errorf("no idle warning %v after the failure", DefaultIdle-DefaultWarn)
	}
	h.now = h.now.Add(DefaultWarn)
	h.app.CheckIdle()
	staff := "la stampante del chiosco non ha stampato il biglietto " + tk.Number + " delle 09:30"
	if h.app.Screen() != "languages" || !strings.Contains(h.texts(), staff) {
		t.Fatalf("screen %s after the idle time, want the languages telling the staff %q:\n%s", h.app.Screen(), staff, h.texts())
	}
	h.shot("01-languages-printer-failed")
	h.paper.fail = nil
	h.startWizard("it")
	h.fill(rossi)
	h.confirm()
	h.tapText(tr("nav.done"))
	if strings.Contains(h.texts(), "stampante") {
		t.Errorf("the staff's line stays after a ticket printed:\n%s", h.texts())
	}
}

// focusedText returns the text of the button f, or its type.
func focusedText(f fyne.Focusable) string {
	if b, ok := f.(*button); ok {
		return b.Text
	}
	return fmt.Sprintf("%T", f)
}
