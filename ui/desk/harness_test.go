package desk

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/internal/uitest"
)

// TestMain loads the translations as the desk does: Italian, whatever the
// locale of the machine running the tests.
func TestMain(m *testing.M) {
	os.Setenv("LANG", "en_US.UTF-8")
	if err := i18n.Load(""); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// cheap are argon2 costs that keep the tests fast.
var cheap = pinsede.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

// testNow is the day of the desk's tests and of their goldens, which show
// it: 10 March 2026, 09:30 CET. The tests are a closed world on it: the
// desk, its sync client and the centrale they link to (deskClock) all read
// it, and nothing reads the real clock. (PINSEDE_TEST_NOW moves the
// central, local and sync suites, whose fixtures are relative to it.)
var testNow = time.Date(2026, 3, 10, 9, 30, 0, 0, time.FixedZone("CET", 3600))

// deskClock is the clock of the centrale and sync client of the desk's
// tests: the desk's own day.
func deskClock() time.Time { return testNow }

// capturePrinter is a pinsede.SlipPrinter that keeps what it printed, so
// the tests can check that the PIN never reaches the screen. fail, when
// set, is returned instead of printing.
type capturePrinter struct {
	mu     sync.Mutex
	slips  []printedSlip
	fail   error
	called int
}

type printedSlip struct {
	serial        string
	first, second string // the PIN's two groups
}

func (p *capturePrinter) PrintSlip(_ context.Context, s pinsede.Slip) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.called++
	if p.fail != nil {
		return p.fail
	}
	first, second := s.PIN.Groups()
	p.slips = append(p.slips, printedSlip{serial: s.Serial, first: first, second: second})
	return nil
}

func (p *capturePrinter) printed() []printedSlip {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]printedSlip(nil), p.slips...)
}

// harness is a desk app in a test window on a real store in a temporary
// folder.
type harness struct {
	t       *testing.T
	app     *App
	desk    *pinsede.Desk
	store   *local.Store
	printer *capturePrinter
	cfg     Config
	win     fyne.Window
	now     time.Time // the desk's clock
	idle    time.Time // the idle timer's clock
	// steps are the last steps of the background jobs, for the test
	// goroutine to run in wait.
	steps *uitest.Steps
	// tips is the clock of the buttons' tips (tip_test.go).
	tips tipTimer
	// frames lays the window out as the real driver does (frame).
	frames *uitest.Frames
}

type harnessOption func(*pinsede.Desk, *Config)

// noPrinter runs the desk without a printer.
func noPrinter(d *pinsede.Desk, _ *Config) { d.Printer = nil }

// devPrinter shows the development-printer banner.
func devPrinter(_ *pinsede.Desk, c *Config) { c.DevPrintDir = "/var/tmp/pinsede-buste" }

func newHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	test.NewTempApp(t)
	dir := t.TempDir()
	store, err := local.Create(filepath.Join(dir, "store.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatalf("create store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	h := &harness{t: t, store: store, printer: &capturePrinter{}, now: testNow, idle: testNow}
	h.desk = pinsede.NewDesk(store, h.printer, func() time.Time { return h.now })
	h.desk.Rand = rand.NewChaCha8([32]byte{'p', 'i', 'n', 's', 'e', 'd', 'e'})
	h.desk.PINParams, h.desk.PasswordParams = cheap, cheap
	h.cfg = Config{Idle: DefaultIdle}
	for _, o := range opts {
		o(h.desk, &h.cfg)
	}
	h.steps = uitest.NewFor(t) // a job that never ends fails the test, saying so
	h.start()
	return h
}

// start opens the desk's window on h.desk, with h.cfg.
func (h *harness) start() {
	t := h.t
	h.win = test.NewWindow(widget.NewLabel(""))
	t.Cleanup(h.win.Close)
	h.app = New(h.desk, h.win, h.cfg)
	h.app.tick = 0 // no ticker goroutine: the tests call checkIdle and checkDraft
	h.app.idleNow = func() time.Time { return h.idle }
	h.app.toUI = h.steps.Do
	h.app.tips.after = h.tips.after  // the tests fire the tips' waits
	h.app.closeWait = uitest.WaitNet // the tests' disks answer: a close that reads the store after waits for its logout
	h.win.Resize(fyne.NewSize(1280, 800))
	if err := h.app.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(h.app.Close)
	t.Cleanup(h.wait) // no job left blocked in steps.Do, none using the store once closed
}

// restart drops the desk's window as it is, with whatever it holds, and
// opens a new one on the same store: the desk started again after a crash
// or a power cut.
func (h *harness) restart() {
	h.wait()
	h.app.Close() // its window closes at the test's end
	h.start()
}

// wait runs, on the test goroutine, the last steps of the background jobs
// as they come, until every job is done, those the steps start included.
func (h *harness) wait() { h.steps.Wait(&h.app.busy) }

// until runs the last steps of the background jobs as they come until
// event is ready; the test fails at once, saying it waited for what, when
// the jobs end without it (uitest.Steps.Until).
func (h *harness) until(event <-chan struct{}, what string) {
	h.t.Helper()
	h.steps.Until(&h.app.busy, event, what)
}

// settle lays the whole window out again (uitest.Settle).
func (h *harness) settle() { uitest.Settle(h.win) }

// frame lays the window out as the real driver's next frame would
// (uitest.Frames): only what a change of minimum size reaches.
func (h *harness) frame() {
	if h.frames == nil {
		h.frames = uitest.NewFrames()
	}
	h.frames.Frame(h.win)
}

// typeIn focuses e as a click would (the previous field loses the focus),
// empties it and types text.
func (h *harness) typeIn(e *entry, text string) {
	h.win.Canvas().Focus(e)
	if e.Text != "" {
		e.SetText("")
	}
	test.Type(e, text)
}

// tap taps b and waits for the work it started.
func (h *harness) tap(b *button) {
	h.t.Helper()
	if b.Disabled() {
		h.t.Fatalf("button %q is disabled", b.Text)
	}
	test.Tap(b)
	h.wait()
}

// setUp runs the first-run screen: sede ROMA01 and supervisor m.rossi.
func (h *harness) setUp() {
	h.t.Helper()
	s := h.app.setup
	if s == nil {
		h.t.Fatal("first run: no set-up screen")
	}
	h.fillSetUp("password-di-prova")
	h.tap(s.create)
	if h.app.current.View != h.app.login.screen.View {
		h.t.Fatalf("after set-up: want the login screen, message %q", s.msg.text())
	}
	h.ackSetUp()
}

// fillSetUp types sede ROMA01 and supervisor m.rossi into the first-run
// screen, the password confirmed as confirm.
func (h *harness) fillSetUp(confirm string) {
	s := h.app.setup
	h.typeIn(s.code, "ROMA01")
	h.typeIn(s.name, "Roma Eur")
	h.typeIn(s.address, "Viale Aldo Ballarin 42, 00142 Roma")
	h.typeIn(s.opID, "m.rossi")
	h.typeIn(s.opName, "Maria Rossi")
	h.typeIn(s.pw, "password-di-prova")
	h.typeIn(s.pwConfirm, confirm)
}

// ackSetUp acknowledges the set-up's two events in the outbox (the sede,
// its first supervisor), as centrale would, so that a test sees only the
// events of the acts it makes (join_test.go follows them to another desk).
func (h *harness) ackSetUp() {
	h.t.Helper()
	items, err := h.store.OutboxAfter(0, 10, 1<<20)
	if err != nil || len(items) != 2 || items[0].Event.Kind != pinsede.EventSedeSetUp || items[1].Event.Kind != pinsede.EventOperatorAdded {
		h.t.Fatalf("outbox after the set-up: %+v, %v; want the sede and its first supervisor", items, err)
	}
	if err := h.desk.Acknowledge([]uint64{items[0].Seq, items[1].Seq}, nil); err != nil {
		h.t.Fatal(err)
	}
}

// logIn logs in as id with password.
func (h *harness) logIn(id, password string) {
	h.t.Helper()
	l := h.app.login
	l.id.SetText("")
	h.typeIn(l.id, id)
	h.typeIn(l.password, password)
	h.tap(l.submit)
}

// ready is a harness set up and logged in as the supervisor, on the home
// screen.
func ready(t *testing.T, opts ...harnessOption) *harness {
	h := newHarness(t, opts...)
	h.setUp()
	h.logIn("m.rossi", "password-di-prova")
	if h.app.session == nil {
		t.Fatalf("login: %q", h.app.login.msg.text())
	}
	return h
}

// mario is the MV35 of the tests: a citizen resident abroad.
var mario = pinsede.Request{
	Cognome: "Rossi", Nome: "Mario", Sesso: pinsede.SexMale,
	DataNascita:   pinsede.Date{Year: 1980, Month: time.January, Day: 1},
	LuogoNascita:  pinsede.Place{Name: "Roma", Code: "H501"},
	CodiceFiscale: "RSSMRA80A01H501U",
	Residenza:     pinsede.Address{Street: "Avenida de Mayo 1370", CAP: "C1085", City: "Buenos Aires", Country: "AR"},
	Recapiti:      pinsede.Contacts{Mobile: "+54 11 5555 1234", Email: "mario.rossi@example.com"},
}

// fillRequest types an MV35 into the form, field by field.
func (h *harness) fillRequest(q pinsede.Request) {
	r := h.app.request
	h.typeIn(r.cognome, q.Cognome)
	h.typeIn(r.nome, q.Nome)
	r.sesso.SetSelected(lang.L("sex." + string(q.Sesso)))
	h.typeIn(r.dataNascita, q.DataNascita.Italian())
	h.typeIn(r.luogo.entry, placeText(q.LuogoNascita))
	r.luogo.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // the suggestions close
	h.typeIn(r.catastale, q.LuogoNascita.Code)
	h.typeIn(r.cf, string(q.CodiceFiscale))
	r.stato.set(q.Residenza.Country)
	h.typeIn(r.indirizzo, q.Residenza.Street)
	h.typeIn(r.cap, q.Residenza.CAP)
	h.typeIn(r.comune, q.Residenza.City)
	h.typeIn(r.provincia, q.Residenza.Province)
	h.typeIn(r.cellulare, q.Recapiti.Mobile)
	h.typeIn(r.telefono, q.Recapiti.Landline)
	h.typeIn(r.email, q.Recapiti.Email)
	h.typeIn(r.pec, q.Recapiti.PEC)
	h.win.Canvas().Unfocus()
}

// passport is the document of the tests, valid on testNow: an Argentine
// passport, which a resident abroad with no Italian document may be issued
// a PIN with under the default policy.
var passport = pinsede.Document{
	Type: pinsede.DocPassaportoEstero, Number: "AAA123456", Authority: "RENAPER", Country: "AR",
	IssuedOn: pinsede.Date{Year: 2022, Month: time.May, Day: 4}, ExpiresOn: pinsede.Date{Year: 2032, Month: time.May, Day: 3},
}

// fillVerification types a document and ticks the checklist.
func (h *harness) fillVerification(d pinsede.Document) {
	v := h.app.verify
	v.docType.SetSelectedIndex(indexOf(pinsede.DocumentTypes(), d.Type))
	h.typeIn(v.number, d.Number)
	h.typeIn(v.authority, d.Authority)
	if d.Country != "" {
		v.country.set(d.Country)
	}
	h.typeIn(v.issued, d.IssuedOn.Italian())
	h.typeIn(v.expires, d.ExpiresOn.Italian())
	h.win.Canvas().Unfocus()
	v.checkOriginal.SetChecked(true)
	v.checkPhoto.SetChecked(true)
	v.checkSigned.SetChecked(true)
}

func indexOf[T comparable](s []T, v T) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// toVerification starts a new request for q and goes on to the
// verification screen.
func (h *harness) toVerification(q pinsede.Request) {
	h.t.Helper()
	h.tap(h.app.home.newRequest)
	h.fillRequest(q)
	h.tap(h.app.request.next)
	if h.app.verify == nil || h.app.current.View != h.app.verify.screen.View {
		h.t.Fatalf("Avanti: still on the MV35: %v", h.app.request.problems())
	}
}

// texts returns every text drawn in the window, overlays included: the
// labels, the entries' contents and placeholders, the buttons.
func (h *harness) texts() []string {
	var out []string
	objs := test.LaidOutObjects(h.win.Canvas().Content())
	for _, o := range h.win.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	for _, o := range objs {
		switch x := o.(type) {
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.Entry:
			out = append(out, x.Text)
		case *entry:
			out = append(out, x.Text)
		case *widget.Label:
			out = append(out, x.Text)
		}
	}
	return out
}

// screenText returns the texts of the objects that show, joined by lines.
func (h *harness) screenText() string {
	var out []string
	h.walkShown(func(o fyne.CanvasObject) {
		if x, ok := o.(*canvas.Text); ok {
			out = append(out, x.Text)
		}
	})
	return strings.Join(out, "\n")
}

// walkShown calls fn on every object that shows, the window's content
// first, then its overlays (dialogs), and the parts of every widget.
func (h *harness) walkShown(fn func(fyne.CanvasObject)) {
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		fn(o)
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(h.win.Canvas().Content())
	for _, o := range h.win.Canvas().Overlays().List() {
		walk(o)
	}
}

// errPrinterJam is a printer failure.
var errPrinterJam = errors.New("carta inceppata")
