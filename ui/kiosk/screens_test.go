package kiosk

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/internal/uitest"
	"github.com/pinsede/pinsede/ui/ticket"
)

// startWizard opens the wizard of the PIN request in language code.
func (h *harness) startWizard(code string) *wizard {
	h.t.Helper()
	h.app.ChooseLanguage(code)
	h.tapText(tr("service.request.title"))
	h.tapText(tr("service.continue"))
	return h.app.session.wizard
}

// shownErrors returns the problems shown under the fields.
func shownErrors(w *wizard) map[string]string {
	m := map[string]string{}
	for f, l := range w.errs {
		if l.Visible() && l.Text != "" {
			m[f] = l.Text
		}
	}
	return m
}

// Ensure that each question shows the domain's problems of its own fields
// only, in the citizen's language, and does not move on.
func TestValidationMessages(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("it")
	w.next()
	if got := shownErrors(w); got[pinsede.FieldCognome] != "Questa risposta serve." || len(got) != 1 {
		t.Errorf("empty surname: %v", got)
	}
	if h.app.Screen() != "question:cognome" {
		t.Fatalf("moved on with an empty surname")
	}
	h.shot("05-error-cognome-it")
	h.typeInto(w.cognome, "Иванов")
	w.next()
	if got := shownErrors(w)[pinsede.FieldCognome]; !strings.Contains(got, "lettere latine") || h.app.Screen() != "question:cognome" || w.cognome.Text != "Иванов" {
		t.Errorf("a surname in Cyrillic: %q on %s, the answer %q", got, h.app.Screen(), w.cognome.Text)
	}
	h.shot("05-error-cognome-latin-it")
	h.typeInto(w.cognome, "Rossi")
	w.next()
	h.typeInto(w.nome, "Maria")
	w.next()
	test.Tap(w.female)
	h.typeInto(w.nascita, "7 marzo 1985")
	w.next()
	if got := shownErrors(w)[pinsede.FieldDataNascita]; !strings.Contains(got, "giorno/mese/anno") {
		t.Errorf("bad date: %q", got)
	}
	h.typeInto(w.nascita, "07/03/2030")
	w.next()
	if got := shownErrors(w)[pinsede.FieldDataNascita]; got != "La data non può essere nel futuro." {
		t.Errorf("future date: %q", got)
	}
	h.typeInto(w.nascita, "07/03/1985")
	w.next()
	h.typeInto(w.luogo, "Roma")
	h.shot("05-luogo-suggestions-it")
	h.tapText("Roma (RM)")
	w.next()
	if !strings.Contains(h.texts(), "RSSMRA85C47H501Y") {
		t.Errorf("the computed codice fiscale is not proposed")
	}
	h.shot("05-cf-proposed-it")
	h.typeInto(w.cf, "RSSMRA85C47H501X")
	w.next()
	if got := shownErrors(w)[pinsede.FieldCodiceFiscale]; got != "Il codice non è giusto: controlla ogni carattere." {
		t.Errorf("wrong check character: %q", got)
	}
	male, err := pinsede.EncodeCodiceFiscale("Rossi", "Maria", pinsede.SexMale, pinsede.Date{Year: 1985, Month: 3, Day: 7}, "H501")
	if err != nil {
		t.Fatal(err)
	}
	h.typeInto(w.cf, string(male)) // a man's code
	w.next()
	if got := shownErrors(w)[pinsede.FieldCodiceFiscale]; !strings.Contains(got, "sesso M") {
		t.Errorf("a code of the other sex: %q", got)
	}
	h.tapText(tr("cf.use"))
	if w.cf.Text != "RSSMRA85C47H501Y" {
		t.Errorf("Use this code typed %q", w.cf.Text)
	}
	w.next()
	if h.app.Screen() != "question:stato" {
		t.Fatalf("screen %s with the computed code", h.app.Screen())
	}
	h.typeInto(w.stato, "Italia")
	h.tapText("Italia")
	w.next()
	h.typeInto(w.street, "Via Roma 1")
	h.typeInto(w.cap, "001")
	h.typeInto(w.city, "Roma")
	w.next()
	got := shownErrors(w)
	if got[pinsede.FieldCAP] == "" || got[pinsede.FieldProvincia] == "" {
		t.Errorf("Italian address without CAP and province: %v", got)
	}
	h.shot("05-error-indirizzo-it")
	h.typeInto(w.cap, "00184")
	h.typeInto(w.prov, "RM")
	w.next()
	w.next()
	if got := shownErrors(w)[pinsede.FieldCellulare]; got != "Scrivi almeno un numero di telefono." {
		t.Errorf("no phone: %q", got)
	}
	h.typeInto(w.mobile, "12")
	w.next()
	if got := shownErrors(w)[pinsede.FieldCellulare]; !strings.Contains(got, "Numero non valido") {
		t.Errorf("short phone: %q", got)
	}
}

// Ensure that the on-screen keyboard types letters, accented letters,
// digits and the signs of an e-mail address into the entry it serves.
func TestKeyboard(t *testing.T) {
	h := newHarness(t)
	w := h.startWizard("fr")
	h.now = h.now.Add(DoubleTap) // the question read: a key is not Continua's second tap
	k := h.app.keyboard
	if k.target != w.cognome {
		t.Fatalf("the keyboard does not serve the first question")
	}
	press := func(label string) {
		t.Helper()
		for _, b := range append(k.keys, k.shift, k.accent) {
			if b.Text == label {
				test.Tap(b)
				return
			}
		}
		t.Fatalf("no key %q", label)
	}
	for _, l := range []string{"L", "E"} {
		press(l)
	}
	press(k.accent.Text)
	press("Ç")
	press(k.accent.Text)
	press("⇧ Aa")
	press("e")
	if w.cognome.Text != "LEÇe" {
		t.Errorf("typed %q, want LEÇe", w.cognome.Text)
	}
	h.tapText("⌫")
	if w.cognome.Text != "LEÇ" {
		t.Errorf("after backspace %q", w.cognome.Text)
	}
	h.shot("04-question-cognome-fr")
	// An e-mail address: the entry starts the keyboard in lower case.
	w.current = len(questions) - 1
	h.app.showQuestion(w.current)
	for _, l := range []string{"a", "@", "b", ".", "i", "t"} {
		press(l)
	}
	h.tapText("_")
	if w.email.Text != "a@b.it_" {
		t.Errorf("e-mail typed %q", w.email.Text)
	}
}

// Ensure that the kiosk works with Tab and Enter alone, from the language
// to the second question.
func TestTabAndEnter(t *testing.T) {
	h := newHarness(t)
	c := h.win.Canvas()
	enter := func() {
		t.Helper()
		f := c.Focused()
		if f == nil {
			t.Fatalf("screen %s: nothing has the focus", h.app.Screen())
		}
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	c.FocusNext() // from Italiano to English
	if b, ok := c.Focused().(*button); !ok || b.Text != "English" {
		t.Fatalf("Tab from the first language focused %#v", c.Focused())
	}
	enter()
	if h.app.Screen() != "services" || tr("nav.next") != "Next" {
		t.Fatalf("Enter on English: screen %s", h.app.Screen())
	}
	enter() // the first service has the focus
	enter() // "Prepare the request" has the focus
	if h.app.Screen() != "question:cognome" {
		t.Fatalf("screen %s, want the first question", h.app.Screen())
	}
	test.Type(c.Focused(), "Rossi")
	enter()
	if h.app.Screen() != "question:nome" {
		t.Fatalf("Enter in the surname: screen %s", h.app.Screen())
	}
}

// Ensure that every button and entry of every screen is a touch target of
// at least MinTarget pixels at 1920x1080, at the smallest text size.
func TestTouchTargets(t *testing.T) {
	h := newHarness(t)
	h.app.scale = 0
	h.app.applyTheme()
	check := func() {
		t.Helper()
		walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) {
			switch o.(type) {
			case *button, *entry:
				if s := o.Size(); o.Visible() && (s.Width < MinTarget || s.Height < MinTarget) {
					t.Errorf("screen %s: %T %q is %vx%v", h.app.Screen(), o, textOf(o), s.Width, s.Height)
				}
			}
		})
	}
	h.app.showLanguages()
	check()
	w := h.startWizard("de")
	check()
	for i := range questions {
		h.app.showQuestion(i)
		check()
	}
	_ = w
	h.app.showReview()
	check()
}

func textOf(o fyne.CanvasObject) string {
	switch x := o.(type) {
	case *button:
		return x.Text
	case *entry:
		return x.Text
	case *widget.Label:
		return x.Text
	}
	return ""
}

// Ensure that the high-contrast theme and the text sizes apply at once and
// go back to their defaults with the next citizen.
func TestContrastAndTextSize(t *testing.T) {
	h := newHarness(t)
	h.app.ChooseLanguage("es")
	size := fyne.CurrentApp().Settings().Theme().Size(fynetheme.SizeNameText)
	test.Tap(h.app.largerButton)
	if got := fyne.CurrentApp().Settings().Theme().Size(fynetheme.SizeNameText); got <= size {
		t.Errorf("A+: text %v, was %v", got, size)
	}
	test.Tap(h.app.contrastButton)
	bg := fyne.CurrentApp().Settings().Theme().Color(fynetheme.ColorNameBackground, 0)
	if r, g, b, _ := bg.RGBA(); r|g|b != 0 {
		t.Errorf("high contrast background %v, want black", bg)
	}
	if h.app.Screen() != "services" {
		t.Errorf("the toggles changed the screen to %s", h.app.Screen())
	}
	h.shot("02-services-es-contrast")
	h.startWizardContrast()
	h.app.Wipe()
	if got := fyne.CurrentApp().Settings().Theme().Size(fynetheme.SizeNameText); got != size {
		t.Errorf("after the wipe: text %v, want %v", got, size)
	}
}

func (h *harness) startWizardContrast() {
	h.tapText(tr("service.request.title"))
	h.tapText(tr("service.continue"))
	h.shot("04-question-cognome-es-contrast")
}

// Ensure that the audio guidance reads each screen's question in the
// citizen's language, and that the button is hidden without espeak-ng.
func TestAudioGuidance(t *testing.T) {
	h := newHarness(t)
	h.app.ChooseLanguage("de")
	test.Tap(h.app.audioButton)
	h.tapText(tr("service.request.title"))
	h.tapText(tr("service.continue"))
	said := strings.Join(h.speaker.said, "\n")
	if !strings.Contains(said, "de: Wie ist Ihr Nachname?") {
		t.Errorf("read aloud: %s", said)
	}

	h2 := newHarness(t)
	h2.app.cfg.Speaker = nil
	h2.app.showLanguages()
	if h2.app.audioButton != nil || h2.findButton("Leggi ad alta voce") != nil {
		t.Errorf("the audio button shows without a speaker")
	}
}

// Ensure that a request the sink refuses waits at the kiosk, that its
// ticket says so, and that it is delivered when the sink is back.
func TestSinkFailure(t *testing.T) {
	h := newHarness(t)
	h.sink.fail = errSinkDown
	h.startWizard("en")
	h.fill(rossi)
	h.confirm()
	if !strings.Contains(h.texts(), tr("done.pending")) {
		t.Errorf("the done screen does not say the request waits")
	}
	h.shot("07-done-pending-en")
	if h.app.Waiting() != 1 {
		t.Fatalf("%d requests waiting, want 1", h.app.Waiting())
	}
	if txt := pdfText(t, h.printed()[0]); !strings.Contains(txt, "Request waiting at the kiosk") {
		t.Errorf("the ticket does not say the request waits:\n%s", txt)
	}
	h.app.RetryWaiting(context.Background())
	if h.app.Waiting() != 1 {
		t.Fatalf("a refused retry lost the request")
	}
	h.sink.fail = nil
	h.app.RetryWaiting(context.Background())
	if h.app.Waiting() != 0 || len(h.sink.received()) != 1 || !h.sink.received()[0].Ticket.Pending {
		t.Errorf("after the sink came back: waiting %d, received %v", h.app.Waiting(), h.sink.received())
	}
	// A ticket of yesterday is not offered again.
	h.sink.fail = errSinkDown
	h.app.Wipe()
	h.startWizard("en")
	h.fill(rossi)
	h.confirm()
	h.sink.fail = nil
	h.now = h.now.Add(24 * time.Hour)
	h.app.RetryWaiting(context.Background())
	if h.app.Waiting() != 0 || len(h.sink.received()) != 1 {
		t.Errorf("a ticket of yesterday was delivered or kept")
	}
}

// Ensure that the printed ticket has the queue number, the service, the
// time and the code, and no personal data.
func TestTicketContent(t *testing.T) {
	h := newHarness(t)
	h.startWizard("it")
	h.fill(rossi)
	h.confirm()
	sub := h.sink.received()[0]
	txt := pdfText(t, h.printed()[0])
	for _, want := range []string{"K001", "Richiedi il PIN dispositivo", "10/03/2026 09:30", sub.Ticket.Code, "Roma Eur"} {
		if !strings.Contains(txt, want) {
			t.Errorf("ticket lacks %q:\n%s", want, txt)
		}
	}
	for _, personal := range []string{"Rossi", "ROSSI", "Maria", "RSSMRA", "Hauptstra", "2345678", "example.com", "1985"} {
		if strings.Contains(txt, personal) {
			t.Errorf("ticket shows personal data %q", personal)
		}
	}
	if os.Getenv("KIOSK_SCREENSHOTS") != "" {
		os.WriteFile(filepath.Join(os.Getenv("KIOSK_SCREENSHOTS"), "ticket.pdf"), h.printed()[0], 0o644)
	}
}

// pdfText returns the text of a PDF through pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// Ensure that the spool sink writes one sealed file per ticket, readable
// by its owner only, with nothing half-written left behind.
func TestSpoolSink(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	sink := SpoolSink{Dir: dir}
	sub := Submission{Language: "de", Request: pinsede.Request{Cognome: "Rossi"}}
	sub.Ticket.Code = "K7M3QX9A"
	sub.Ticket.Number = "K001"
	if err := sink.Submit(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 || files[0].Name() != SpoolFile("K7M3QX9A") {
		t.Fatalf("spool holds %v", files)
	}
	info, _ := files[0].Info()
	if info.Mode().Perm() != 0o600 {
		t.Errorf("spool file mode %v, want 0600", info.Mode().Perm())
	}
	if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
		t.Errorf("spool folder mode %v, want 0700", d.Mode().Perm())
	}
	data, _ := os.ReadFile(filepath.Join(dir, files[0].Name()))
	if json.Valid(data) || bytes.Contains(data, []byte("Rossi")) {
		t.Errorf("spool file in clear: %s", data)
	}
	if err := (SpoolSink{Dir: "/proc/no/such"}).Submit(context.Background(), sub); err == nil {
		t.Errorf("a spool in an impossible folder accepted the ticket")
	}

	// A desk takes the request by its code, once.
	taken, err := sink.Take("k7m3qx9a")
	if err != nil || taken.Request.Cognome != "Rossi" {
		t.Fatalf("Take: %+v, %v", taken, err)
	}
	if _, err := sink.Take("K7M3QX9A"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a second Take: %v, want ErrNotExist", err)
	}
	if _, err := sink.Take("../../etc/passwd"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Take of a path: %v", err)
	}

	// Requests of past days expire; today's stay.
	old, fresh := sub, sub
	old.Ticket.Code, fresh.Ticket.Code = "OLD", "NEW"
	old.Ticket.Issued, fresh.Ticket.Issued = testNow.Add(-24*time.Hour), testNow
	sink.Submit(context.Background(), old)
	sink.Submit(context.Background(), fresh)
	if n, err := sink.Expire(testNow); n != 1 || err != nil {
		t.Errorf("Expire removed %d, %v; want 1", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, SpoolFile("NEW"))); err != nil {
		t.Errorf("today's request expired: %v", err)
	}
}

// Ensure that three taps in the hidden corner open the supervisor's
// prompt, which wipes the session, refuses a wrong code and accepts the
// right one.
func TestSupervisorExit(t *testing.T) {
	h := newHarness(t)
	hash, err := pinsede.HashSecret([]byte("7391"), pinsede.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	exited := false
	h.app.cfg.ExitHash = hash
	h.app.cfg.OnExit = func() { exited = true }
	w := h.startWizard("it")
	h.typeInto(w.cognome, "Verdi")
	test.Tap(h.app.corner)
	test.Tap(h.app.corner)
	if h.app.Screen() == "exit" {
		t.Fatalf("two taps opened the prompt")
	}
	test.Tap(h.app.corner)
	if h.app.Screen() != "exit" || strings.Contains(h.texts(), "Verdi") {
		t.Fatalf("screen %s after three taps", h.app.Screen())
	}
	code := h.app.keyboard.target
	ok := h.findButton("Esci")
	settle := func() { uitest.Settle(h.win) }
	before := uitest.Positions(settle, code, h.app.keyboard.object, ok)
	test.Type(code, "0000")
	h.tapText("Esci")
	if exited || !strings.Contains(h.texts(), "Codice non valido.") {
		t.Errorf("a wrong code: exited %v", exited)
	}
	if got := uitest.Positions(settle, code, h.app.keyboard.object, ok); !slices.Equal(got, before) {
		t.Errorf("a wrong code: the code, the keyboard and Esci moved from %v to %v", before, got)
	}
	h.shot("09-exit")
	test.Type(code, "7391")
	h.tapText("Esci")
	if !exited {
		t.Errorf("the right code did not exit")
	}

	// Three wrong codes close the prompt and shut the corner for a while.
	exited = false
	for range 3 {
		test.Tap(h.app.corner)
	}
	for range MaxExitAttempts {
		test.Type(h.app.keyboard.target, "1111")
		h.tapText("Esci")
	}
	if h.app.Screen() != "languages" {
		t.Fatalf("screen %s after %d wrong codes", h.app.Screen(), MaxExitAttempts)
	}
	for range 3 {
		test.Tap(h.app.corner)
	}
	if h.app.Screen() == "exit" {
		t.Errorf("the corner opened the prompt during the lock-out")
	}
	h.now = h.now.Add(ExitLockout + time.Second)
	for range 3 {
		test.Tap(h.app.corner)
	}
	if h.app.Screen() != "exit" {
		t.Errorf("the corner stays shut after the lock-out")
	}
}

// Ensure that the queue numbers go on after the kiosk restarts (a new App
// on the same counter file), and start again at 1 on a new day.
func TestQueueNumberAfterRestart(t *testing.T) {
	counter := &ticket.Counter{Path: filepath.Join(t.TempDir(), "state", "queue.json")}
	numbers := func(h *harness, n int) {
		t.Helper()
		h.app.cfg.Counter = counter
		for range n {
			h.startWizard("it")
			h.fill(rossi)
			h.confirm()
			h.app.Wipe()
		}
	}
	h := newHarness(t)
	numbers(h, 2)
	h.app.Stop()
	h = newHarness(t) // the kiosk restarted
	numbers(h, 1)
	var got []string
	for _, s := range h.sink.received() {
		got = append(got, s.Ticket.Number)
	}
	if !slices.Equal(got, []string{"K003"}) {
		t.Errorf("after a restart: %v, want K003", got)
	}
	h.now = h.now.Add(24 * time.Hour)
	numbers(h, 1)
	if r := h.sink.received(); r[len(r)-1].Ticket.Number != "K001" {
		t.Errorf("the next day: %s, want K001", r[len(r)-1].Ticket.Number)
	}
	// A file that holds no count: the kiosk's own count goes on and
	// replaces it, so that the next restart goes on from there.
	if err := os.WriteFile(counter.Path, []byte("\x00garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	numbers(h, 1)
	h.app.Stop()
	h2 := newHarness(t)
	h2.now = h.now
	numbers(h2, 1)
	last := func(h *harness) string { r := h.sink.received(); return r[len(r)-1].Ticket.Number }
	if a, b := last(h), last(h2); a != "K002" || b != "K003" {
		t.Errorf("after a broken counter file: %s, then after a restart %s; want K002, K003", a, b)
	}
}

// Ensure that a FallbackSink hands the request to the spool when centrale
// fails, so that the ticket is not pending, and that the request waits at
// the kiosk, its ticket saying so, only when both fail.
func TestFallbackSink(t *testing.T) {
	h := newHarness(t)
	centrale, spool := &memorySink{fail: errSinkDown}, &memorySink{}
	h.app.cfg.Sink = FallbackSink{First: centrale, Then: spool}
	h.startWizard("it")
	h.fill(rossi)
	h.confirm()
	if got := spool.received(); len(got) != 1 || got[0].Ticket.Pending || h.app.Waiting() != 0 {
		t.Fatalf("centrale down: the spool got %v, %d waiting; want the request, not pending", got, h.app.Waiting())
	}
	if strings.Contains(h.texts(), tr("done.pending")) {
		t.Error("the done screen says the request waits, but the spool took it")
	}
	h.app.Wipe()
	spool.fail = errSinkDown
	h.startWizard("it")
	h.fill(rossi)
	h.confirm()
	if h.app.Waiting() != 1 || !strings.Contains(h.texts(), tr("done.pending")) {
		t.Errorf("both down: %d waiting, want 1 and the done screen saying so", h.app.Waiting())
	}
	centrale.fail = nil
	h.app.RetryWaiting(context.Background())
	if got := centrale.received(); h.app.Waiting() != 0 || len(got) != 1 || got[0].Ticket.Number != "K002" {
		t.Errorf("centrale back: %d waiting, centrale got %v", h.app.Waiting(), got)
	}
}

// Ensure that a question answered wrong keeps its fields, the keyboard and
// the navigation where they are, to the pixel, in every language of the
// kiosk: a citizen's finger goes where a field was a moment ago. Each
// question is left empty and Avanti tapped; its problem shows whole over
// the keyboard. On the address, the problems under the first row push the
// second down (a problem takes the room of its text, under its field).
func TestProblemsKeepFields(t *testing.T) {
	for _, l := range Languages {
		t.Run(l.Code, func(t *testing.T) {
			h := newHarness(t)
			w := h.startWizard(l.Code)
			for i, q := range questions {
				if q.name == "cf" {
					continue // empty, it is computed from the answers
				}
				h.app.showQuestion(i)
				var keep []fyne.CanvasObject
				switch q.name {
				case "sesso":
					keep = []fyne.CanvasObject{w.male, w.female}
				case "indirizzo":
					keep = []fyne.CanvasObject{w.street, w.city, h.app.keyboard.object}
				case "telefono":
					keep = []fyne.CanvasObject{w.mobile, w.landline, h.app.keyboard.object}
				case "email":
					keep = []fyne.CanvasObject{w.email, w.pec, h.app.keyboard.object}
				default:
					keep = []fyne.CanvasObject{q.focus(w).(fyne.CanvasObject), h.app.keyboard.object}
				}
				next := h.findButton(tr("nav.next"))
				keep = append(keep, next, h.findButton(tr("nav.back")), h.findButton(tr("nav.cancel")))
				var shown fyne.CanvasObject
				uitest.AssertStays(t, q.name, uitest.Stays{
					Keep: keep,
					Cases: []uitest.Case{{Name: "empty", Show: func() {
						h.now = h.now.Add(DoubleTap) // the question read: not a double tap's second
						test.Tap(next)
						for _, f := range q.fields {
							if l := w.errs[f]; l.Visible() {
								shown = l
							}
						}
						if shown == nil {
							t.Fatalf("%s: empty, no problem shown", q.name)
						}
					}}},
					Hide:    func() { w.hideProblems(q.fields...) },
					Message: func() fyne.CanvasObject { return shown },
					Visible: func() (float32, float32) {
						// Its text whole: the label's inner padding below
						// it may go under the keyboard.
						top := fyne.CurrentApp().Driver().AbsolutePositionForObject(w.scroll).Y
						return top, top + w.scroll.Size().Height + fynetheme.InnerPadding()
					},
					Settle: func() { uitest.Settle(h.win) },
				})
			}
		})
	}
}
