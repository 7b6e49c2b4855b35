package kiosk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// testNow is the fixed clock of the tests: 10 March 2026, 09:30 CET.
var testNow = time.Date(2026, 3, 10, 9, 30, 0, 0, time.FixedZone("CET", 3600))

// memorySink is a TicketSink that keeps what it received; fail, when set,
// is returned instead.
type memorySink struct {
	mu   sync.Mutex
	subs []Submission
	fail error
}

func (s *memorySink) Submit(_ context.Context, sub Submission) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.subs = append(s.subs, sub)
	return nil
}

func (s *memorySink) received() []Submission {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Submission(nil), s.subs...)
}

// paper is a cups.Backend that keeps the tickets it prints. When hold is
// set, each Print waits until it is closed (or the job's context ends);
// fail, when set, is returned instead of printing.
type paper struct {
	mu   sync.Mutex
	pdfs [][]byte
	hold chan struct{}
	fail error
}

func (p *paper) Print(ctx context.Context, job cups.Job) error {
	p.mu.Lock()
	hold, fail := p.hold, p.fail
	p.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if fail != nil {
		return fail
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pdfs = append(p.pdfs, bytes.Clone(job.PDF))
	return nil
}

// fakeSpeaker records what the kiosk read aloud.
type fakeSpeaker struct{ said []string }

func (f *fakeSpeaker) Say(voice, text string) { f.said = append(f.said, voice+": "+text) }
func (f *fakeSpeaker) Stop()                  {}

// harness is a kiosk in a 1920x1080 test window with a settable clock.
type harness struct {
	t       testing.TB
	app     *App
	win     fyne.Window
	now     time.Time
	sink    *memorySink
	paper   *paper
	speaker *fakeSpeaker
	steps   *uitest.Steps // the last steps of the background jobs
	logs    []string      // what the kiosk wrote to its log (logf)
}

func newHarness(t testing.TB) *harness { return newHarnessWith(t, nil) }

// newHarnessWith is newHarness with the kiosk's Config changed by set,
// when not nil, before New.
func newHarnessWith(t testing.TB, set func(*Config)) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := &harness{t: t, now: testNow, sink: &memorySink{}, paper: &paper{}, speaker: &fakeSpeaker{}, steps: uitest.NewFor(t)}
	h.win = test.NewTempWindow(t, nil)
	h.win.Resize(fyne.NewSize(1920, 1080))
	cfg := Config{
		Sede:    "Roma Eur",
		Now:     func() time.Time { return h.now },
		Sink:    h.sink,
		Printer: h.paper,
		Speaker: h.speaker,
	}
	if set != nil {
		set(&cfg)
	}
	h.app = New(h.win, cfg)
	h.app.toUI = h.steps.Do
	h.app.logf = func(format string, args ...any) { h.logs = append(h.logs, fmt.Sprintf(format, args...)) }
	h.app.Start()
	t.Cleanup(h.app.Stop)
	t.Cleanup(h.wait) // no job left blocked in steps.Do
	return h
}

// wait runs, on the test goroutine, the last steps of the background jobs
// as they come, until every job is done.
func (h *harness) wait() { h.steps.Wait(&h.app.busy) }

// confirm confirms the request on the review screen and waits until the
// ticket is printed (or not).
func (h *harness) confirm() {
	h.t.Helper()
	h.tapText(tr("nav.confirm"))
	h.wait()
}

// send confirms the request on the review screen and runs the last step
// of its send, alone: the last screen shows, while the ticket's print job
// goes on.
func (h *harness) send() {
	h.t.Helper()
	h.tapText(tr("nav.confirm"))
	h.steps.Next()
}

// printed returns the PDFs of the tickets printed so far.
func (h *harness) printed() [][]byte {
	h.paper.mu.Lock()
	defer h.paper.mu.Unlock()
	return slices.Clone(h.paper.pdfs)
}

// answers are a valid citizen's answers, one per question.
type answers struct {
	cognome, nome, sex, nascita, luogo, luogoPick, cf, stato, statoPick string
	street, cap, city, mobile, email                                    string
}

var rossi = answers{
	cognome: "Rossi", nome: "Maria", sex: "F", nascita: "07/03/1985",
	luogo: "Roma", luogoPick: "Roma (RM)", cf: "RSSMRA85C47H501Y",
	stato: "Germ", statoPick: "DE",
	street: "Hauptstraße 5", cap: "10115", city: "Berlin",
	mobile: "+49 151 2345678", email: "maria.rossi@example.com",
}

// typeInto types s on the on-screen keyboard's target, as the physical
// keyboard would.
func (h *harness) typeInto(e *entry, s string) {
	h.t.Helper()
	e.SetText("")
	test.Type(e, s)
}

// tapText taps the button labelled label, as a citizen does once they
// have read the screen: after DoubleTap, so that it is not taken as the
// second tap of a double tap.
func (h *harness) tapText(label string) {
	h.t.Helper()
	b := h.findButton(label)
	if b == nil {
		h.t.Fatalf("screen %s: no button %q", h.app.Screen(), label)
	}
	h.now = h.now.Add(DoubleTap)
	test.Tap(b)
}

// findButton finds a button of the window by its text.
func (h *harness) findButton(label string) *button {
	var found *button
	walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*button); ok && b.Text == label && b.Visible() && found == nil {
			found = b
		}
	})
	return found
}

// texts returns every text the window shows: labels, entries, buttons,
// options, canvas texts.
func (h *harness) texts() string {
	var sb strings.Builder
	walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Text:
			sb.WriteString(x.Text + "\n")
		case *widget.Label:
			sb.WriteString(x.Text + "\n")
		case *entry:
			sb.WriteString(x.Text + "\n")
		case *button:
			sb.WriteString(x.Text + "\n")
		case *choice:
			sb.WriteString(x.text + "\n")
		}
	})
	return sb.String()
}

// walk calls f on every object of the tree under o, widgets' renderers
// included.
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, f)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(x)
		if r == nil {
			return
		}
		for _, c := range r.Objects() {
			walk(c, f)
		}
	}
}

// fill answers every question with a and reaches the review screen.
func (h *harness) fill(a answers) {
	h.t.Helper()
	w := h.app.session.wizard
	step := func(name string) {
		h.t.Helper()
		if got := h.app.Screen(); got != "question:"+name {
			h.t.Fatalf("screen %s, want question:%s", got, name)
		}
	}
	step("cognome")
	h.typeInto(w.cognome, a.cognome)
	w.next()
	step("nome")
	h.typeInto(w.nome, a.nome)
	w.next()
	step("sesso")
	if a.sex == "F" {
		test.Tap(w.female)
	} else {
		test.Tap(w.male)
	}
	step("nascita")
	h.typeInto(w.nascita, a.nascita)
	w.next()
	step("luogo")
	h.typeInto(w.luogo, a.luogo)
	h.tapText(a.luogoPick)
	w.next()
	step("cf")
	h.typeInto(w.cf, a.cf)
	w.next()
	step("stato")
	h.typeInto(w.stato, a.stato)
	h.tapText(countryName(a.statoPick))
	w.next()
	step("indirizzo")
	h.typeInto(w.street, a.street)
	h.typeInto(w.cap, a.cap)
	h.typeInto(w.city, a.city)
	w.next()
	step("telefono")
	h.typeInto(w.mobile, a.mobile)
	w.next()
	step("email")
	h.typeInto(w.email, a.email)
	w.next()
	if got := h.app.Screen(); got != "review" {
		h.t.Fatalf("screen %s after the last question, want review", got)
	}
}

// shot saves the window as docs/kiosk/<name>.png when KIOSK_SCREENSHOTS
// names the folder.
func (h *harness) shot(name string) {
	h.t.Helper()
	dir := os.Getenv("KIOSK_SCREENSHOTS")
	if dir == "" {
		return
	}
	img := h.win.Canvas().Capture()
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		h.t.Fatal(err)
	}
}

var errSinkDown = errors.New("sink down")
