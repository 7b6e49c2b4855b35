package desk

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/cups"
)

// Ensure that a clerk can go from the first run to the handover and the
// citizen page, and that the PIN never shows on screen.
func TestIssueFromFirstRun(t *testing.T) {
	h := newHarness(t)
	h.setUp()

	h.logIn("m.rossi", "password-di-prova")
	if h.app.session == nil || h.app.current.View != h.app.home.screen.View {
		t.Fatalf("login: not on home; message %q", h.app.login.msg.text())
	}
	if got := h.app.home.issuedToday.Text; got != "0" {
		t.Errorf("issued today before: %q, want 0", got)
	}

	h.toVerification(mario)
	if got := h.app.verify.who.Text; !strings.Contains(got, "Rossi Mario") || !strings.Contains(got, "RSSMRA80A01H501U") {
		t.Errorf("verification header %q: want the citizen's name and codice fiscale", got)
	}
	h.app.verify.docType.SetSelectedIndex(indexOf(pinsede.DocumentTypes(), pinsede.DocPassaporto))
	if got := h.app.verify.country.code(); got != "IT" {
		t.Errorf("issuing country of an Italian passport: %q, want IT by default", got)
	}
	h.fillVerification(passport)
	if got := h.app.verify.country.code(); got != "AR" {
		t.Errorf("issuing country of the Argentine passport: %q, want AR", got)
	}
	h.app.verify.setScan(&pinsede.Scan{Name: "passaporto.pdf", Data: []byte("%PDF-1.4 test")})
	h.tap(h.app.verify.issue)

	res := h.app.result
	if res == nil || h.app.current.View != res.screen.View {
		t.Fatalf("after Emetti PIN: not on the result screen; message %q", h.app.verify.msg.text())
	}
	slips := h.printer.printed()
	if len(slips) != 1 {
		t.Fatalf("slips printed: %d, want 1", len(slips))
	}
	if got, want := res.headline.Text, "Busta stampata. Consegna la busta chiusa al cittadino."; got != want {
		t.Errorf("headline %q, want %q", got, want)
	}
	if res.serial.Text() != slips[0].serial || res.serial.Text() == "" {
		t.Errorf("serial on screen %q, printed %q", res.serial.Text(), slips[0].serial)
	}
	text := h.screenText()
	for _, want := range []string{"PIN dispositivo", "Attivo", "10/09/2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("result screen lacks %q", want)
		}
	}
	assertNoPIN(t, h, slips[0])

	h.tap(res.handover)
	if got := res.msg.text(); !strings.Contains(got, "Consegna registrata il 10/03/2026 09:30") {
		t.Errorf("after the handover: %q", got)
	}
	if res.handover.Visible() || !res.next.Visible() {
		t.Error("after the handover: want the handover button gone and the way on shown")
	}
	assertNoPIN(t, h, slips[0])

	h.tap(res.toCitizen)
	c := h.app.citizen
	if c == nil || h.app.current.View != c.screen.View {
		t.Fatal("citizen page not shown")
	}
	if len(c.page.Credentials) != 1 {
		t.Fatalf("credentials on the page: %d, want 1", len(c.page.Credentials))
	}
	text = h.screenText()
	for _, want := range []string{
		"Rossi Mario", "RSSMRA80A01H501U", "Argentina", "Attivo", "il 10/03/2026 09:30 da m.rossi",
		"PIN emesso", "Busta stampata", "Busta consegnata", "operatore m.rossi, sede ROMA01",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("citizen page lacks %q", want)
		}
	}
	assertNoPIN(t, h, slips[0])

	h.tap(h.app.header.home)
	if got := h.app.home.issuedToday.Text; got != "1" {
		t.Errorf("issued today after: %q, want 1", got)
	}
	// The search finds the citizen by codice fiscale and by name.
	h.typeIn(h.app.home.cf, "rssmra80a01h501u")
	h.tap(h.app.home.search)
	if n := len(h.app.home.resultButtons); n != 1 {
		t.Fatalf("search by codice fiscale: %d results, want 1", n)
	}
	h.app.home.cf.SetText("")
	h.typeIn(h.app.home.cognome, "ROSSI")
	h.typeIn(h.app.home.nome, "mario")
	h.tap(h.app.home.search)
	if n := len(h.app.home.resultButtons); n != 1 {
		t.Fatalf("search by name: %d results, want 1", n)
	}
	h.tap(h.app.home.resultButtons[0])
	if h.app.current.View != h.app.citizen.screen.View {
		t.Error("search result does not open the citizen page")
	}
}

// assertNoPIN fails if either group of the printed PIN shows anywhere in
// the window: in any text drawn, or in the canvas's markup.
func assertNoPIN(t *testing.T, h *harness, s printedSlip) {
	t.Helper()
	for _, txt := range h.texts() {
		if strings.Contains(txt, s.first) || strings.Contains(txt, s.second) {
			t.Fatalf("the PIN shows on screen: %q", txt)
		}
	}
	markup := test.RenderToMarkup(h.win.Canvas())
	if strings.Contains(markup, s.first) || strings.Contains(markup, s.second) {
		t.Fatal("the PIN is in the window's markup")
	}
}

// Ensure that every login failure shows the same message.
func TestLoginFailure(t *testing.T) {
	h := newHarness(t)
	h.setUp()
	const want = "Credenziali non valide o utenza bloccata. Riprova più tardi o rivolgiti al responsabile di sede."
	for _, c := range []struct{ name, id, pw string }{
		{"wrong password", "m.rossi", "password-sbagliata"},
		{"unknown id", "nessuno", "password-di-prova"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.logIn(c.id, c.pw)
			if h.app.session != nil {
				t.Fatal("logged in")
			}
			if got := h.app.login.msg.text(); got != want {
				t.Errorf("message %q, want %q", got, want)
			}
			if h.app.login.password.Text != "" {
				t.Error("the password stays in its entry after a failure")
			}
		})
	}
	// Locked after too many failures: the right password gets the same answer.
	for range pinsede.MaxFailedLogins {
		h.logIn("m.rossi", "password-sbagliata")
	}
	h.logIn("m.rossi", "password-di-prova")
	if h.app.session != nil {
		t.Fatal("logged in on a locked account")
	}
	if got := h.app.login.msg.text(); got != want {
		t.Errorf("locked account: message %q, want %q", got, want)
	}
}

// Ensure that an idle session locks, hides the work, and resumes it exactly
// as it was after the password.
func TestIdleLockResume(t *testing.T) {
	h := ready(t)
	h.tap(h.app.home.newRequest)
	r := h.app.request
	h.typeIn(r.cognome, "Bianchi")
	h.typeIn(r.nome, "Lucia")
	h.typeIn(r.cf, "BNCLCU85M52Z600")
	focused := h.win.Canvas().Focused()

	h.idle = h.idle.Add(DefaultIdle - time.Second)
	h.app.checkIdle()
	if h.app.lock.locked {
		t.Fatal("locked before the idle time")
	}
	h.idle = h.idle.Add(time.Second)
	h.app.checkIdle()
	if !h.app.lock.locked || !h.app.lock.object.Visible() || h.app.work.Visible() {
		t.Fatal("not locked after the idle time, or the work still shows")
	}
	if strings.Contains(h.screenText(), "Bianchi") {
		t.Error("the locked screen shows the work in progress")
	}
	if r.fields[pinsede.FieldCodiceFiscale].problem.Text != "" {
		t.Error("locking marked the field being typed as left")
	}

	h.typeIn(h.app.lock.password, "password-sbagliata")
	h.tap(h.app.lock.unlock)
	if !h.app.lock.locked {
		t.Fatal("unlocked with a wrong password")
	}
	if got := h.app.lock.msg.text(); !strings.HasPrefix(got, "Credenziali non valide") {
		t.Errorf("wrong password on the lock screen: %q", got)
	}

	h.typeIn(h.app.lock.password, "password-di-prova")
	h.tap(h.app.lock.unlock)
	if h.app.lock.locked || !h.app.work.Visible() {
		t.Fatal("still locked after the right password")
	}
	if h.app.request != r || h.app.current.View != r.screen.View {
		t.Fatal("the MV35 was rebuilt or replaced")
	}
	for e, want := range map[*entry]string{r.cognome: "Bianchi", r.nome: "Lucia", r.cf: "BNCLCU85M52Z600"} {
		if e.Text != want {
			t.Errorf("after unlock: %q, want %q", e.Text, want)
		}
	}
	if h.win.Canvas().Focused() != focused {
		t.Error("the keyboard did not go back to the field being typed")
	}
	// Activity restarts the timer.
	h.idle = h.idle.Add(DefaultIdle - time.Second)
	h.typeIn(r.cf, "A")
	h.idle = h.idle.Add(2 * time.Second)
	h.app.checkIdle()
	if h.app.lock.locked {
		t.Error("locked although the clerk just typed")
	}
}

// Ensure that a wrong check character of the codice fiscale shows while
// typing, and that the field keeps what was typed.
func TestLiveCodiceFiscaleError(t *testing.T) {
	h := ready(t)
	h.tap(h.app.home.newRequest)
	r := h.app.request
	cf := r.fields[pinsede.FieldCodiceFiscale]
	h.typeIn(r.cf, "RSSMRA80A01H501")
	if cf.problem.Text != "" {
		t.Errorf("incomplete code: problem %q shown while typing", cf.problem.Text)
	}
	test.Type(r.cf, "X")
	if got, want := cf.problem.Text, "Il carattere di controllo non torna (per questo codice sarebbe U): l'errore può essere in qualunque posizione, ricontrolla tutto il codice."; got != want {
		t.Errorf("problem %q, want %q", got, want)
	}
	if r.cf.Text != "RSSMRA80A01H501X" {
		t.Errorf("the entry holds %q: a field in error keeps what was typed", r.cf.Text)
	}
	// Untouched fields show nothing yet; Avanti shows them all and stays.
	if p := r.fields[pinsede.FieldCognome].problem.Text; p != "" {
		t.Errorf("untouched surname shows %q", p)
	}
	h.tap(r.next)
	if h.app.current.View != r.screen.View {
		t.Fatal("Avanti went on with errors")
	}
	if p := r.fields[pinsede.FieldCognome].problem.Text; p != "Campo obbligatorio." {
		t.Errorf("surname after Avanti: %q", p)
	}
	if r.msg.text() == "" {
		t.Error("no summary message after Avanti")
	}
	// Fixing the character clears the problem at once.
	r.cf.SetText("RSSMRA80A01H501U")
	if cf.problem.Text != "" {
		t.Errorf("fixed code still shows %q", cf.problem.Text)
	}
	// A date in the wrong form says so, and keeps the text.
	h.typeIn(r.dataNascita, "1/13/80")
	h.win.Canvas().Unfocus()
	if got := r.fields[pinsede.FieldDataNascita].problem.Text; !strings.HasPrefix(got, "Data non valida") {
		t.Errorf("bad date: %q", got)
	}
	if r.dataNascita.Text != "1/13/80" {
		t.Errorf("bad date cleared to %q", r.dataNascita.Text)
	}
}

// Ensure that an expired document blocks the issue, with the message under
// the expiry date, and that Indietro keeps the MV35.
func TestExpiredDocumentBlocksIssue(t *testing.T) {
	h := ready(t)
	h.toVerification(mario)
	expired := passport
	expired.IssuedOn = pinsede.Date{Year: 2015, Month: time.March, Day: 1}
	expired.ExpiresOn = pinsede.Date{Year: 2025, Month: time.February, Day: 28}
	h.fillVerification(expired)
	want := "Documento scaduto il 28/02/2025: il PIN non può essere emesso. Chiedi un documento valido."
	if got := h.app.verify.fields[pinsede.FieldDocExpires].problem.Text; got != want {
		t.Errorf("live: %q, want %q", got, want)
	}
	h.tap(h.app.verify.issue)
	if h.printer.called != 0 {
		t.Fatal("a slip was printed for an expired document")
	}
	if h.app.result != nil || h.app.current.View != h.app.verify.screen.View {
		t.Fatal("left the verification screen")
	}
	if got := h.app.verify.fields[pinsede.FieldDocExpires].problem.Text; got != want {
		t.Errorf("after Emetti PIN: %q, want %q", got, want)
	}
	h.tap(h.app.verify.back)
	if got := h.app.request.cf.Text; got != string(mario.CodiceFiscale) {
		t.Errorf("Indietro lost the MV35: codice fiscale %q", got)
	}
}

// Ensure that a failed print explains that the PIN was revoked, keeps the
// data, and that issuing again makes a new PIN.
func TestPrintFailure(t *testing.T) {
	h := ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	h.printer.fail = &pinsede.Problem{
		Key: cups.KeyOutOfPaper, Args: map[string]any{"Printer": "sportello1", "Seconds": 60}, Err: errPrinterJam,
	}
	h.tap(h.app.verify.issue)
	v := h.app.verify
	if h.app.result != nil || h.app.current.View != v.screen.View {
		t.Fatal("left the verification screen after a failed print")
	}
	if got := v.msg.text(); !strings.Contains(got, "è stato revocato") || !strings.Contains(got, "nuovo PIN") {
		t.Errorf("message %q: want the revocation explained", got)
	}
	if got := v.msg.text(); !strings.Contains(got, "Causa: La stampante «sportello1» è senza carta.") {
		t.Errorf("message %q: want the printer's reason", got)
	}
	if v.number.Text != passport.Number || !v.checkSigned.Checked {
		t.Error("the verification lost its data")
	}

	h.printer.fail = nil
	h.tap(v.issue)
	if h.app.result == nil {
		t.Fatalf("second attempt: %q", v.msg.text())
	}
	page, err := h.desk.Citizen(h.app.session, mario.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	states := map[pinsede.CredentialState]int{}
	for _, c := range page.Credentials {
		states[c.State]++
	}
	if states[pinsede.StateRevocato] != 1 || states[pinsede.StateAttivo] != 1 {
		t.Errorf("credentials by state %v: want one revoked, one active", states)
	}
}

// Ensure that without a printer the issue button is disabled, with the
// reason shown.
//
// Without a printer nothing is issued and no PDF is written anywhere: not in
// the user's folders, not in a temporary file.
func TestNoPrinter(t *testing.T) {
	home := t.TempDir()
	for _, v := range []string{"HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "TMPDIR"} {
		t.Setenv(v, home)
	}
	h := ready(t, noPrinter)
	defer func() {
		req, ver := mario, pinsede.Verification{Document: passport, Checklist: pinsede.Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true}}
		if _, err := h.desk.Issue(context.Background(), h.app.session, req, ver); !errors.Is(err, pinsede.ErrNoPrinter) {
			t.Errorf("Issue without a printer: %v, want ErrNoPrinter", err)
		}
		err := filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
			if err == nil && strings.EqualFold(filepath.Ext(path), ".pdf") {
				t.Errorf("a PDF was written without a printer: %s", path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}()
	if got := h.app.home.printerNote.text(); got != lang.L("issue.noprinter") {
		t.Errorf("home: %q", got)
	}
	h.toVerification(mario)
	v := h.app.verify
	if !v.issue.Disabled() {
		t.Error("Emetti PIN enabled without a printer")
	}
	if got := v.printerNote.text(); !strings.HasPrefix(got, "Nessuna stampante configurata") {
		t.Errorf("reason %q", got)
	}
}

// Ensure that field problems found by the issue go back to the MV35 screen
// when they belong there.
func TestIssueErrorsMapBackToMV35(t *testing.T) {
	h := ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	h.app.request.email.SetText("non-un-indirizzo") // changed behind the screen's back
	h.tap(h.app.verify.issue)
	if h.app.current.View != h.app.request.screen.View {
		t.Fatal("a problem of the MV35 did not bring the MV35 back")
	}
	if got := h.app.request.fields[pinsede.FieldEmail].problem.Text; !strings.HasPrefix(got, "Indirizzo non valido") {
		t.Errorf("e-mail problem %q", got)
	}
	if h.printer.called != 0 {
		t.Error("printed")
	}
}

// Ensure that a supervisor adds and disables operators, and that a new
// operator does not see the operators' screen.
func TestOperators(t *testing.T) {
	h := ready(t)
	h.tap(h.app.header.ops)
	o := h.app.operators
	if o == nil || h.app.current.View != o.screen.View {
		t.Fatal("operators screen not shown")
	}
	h.typeIn(o.id, "g.verdi")
	h.typeIn(o.name, "Giuseppe Verdi")
	h.typeIn(o.pw, "una-password-lunga")
	h.typeIn(o.pwConfirm, "una-password-diversa")
	h.tap(o.add)
	if got := o.fields[fieldPasswordConfirm].problem.Text; got != "Le due password non coincidono." {
		t.Errorf("confirmation: %q", got)
	}
	o.pwConfirm.SetText("una-password-lunga")
	h.tap(o.add)
	if got := o.msg.text(); got != "Operatore g.verdi aggiunto." {
		t.Fatalf("add: %q", got)
	}
	if o.id.Text != "" || o.pw.Text != "" {
		t.Error("the form keeps the new operator's data")
	}
	// The same id again: the domain's problem under the field.
	h.typeIn(o.id, "g.verdi")
	h.typeIn(o.name, "Altro")
	h.typeIn(o.pw, "una-password-lunga")
	h.typeIn(o.pwConfirm, "una-password-lunga")
	h.tap(o.add)
	if got := o.fields["operatore_id"].problem.Text; got != "Esiste già un operatore con questo identificativo." {
		t.Errorf("duplicate id: %q", got)
	}
	if _, ok := o.disable["m.rossi"]; ok {
		t.Error("a supervisor can disable their own account")
	}
	h.typeIn(o.id, "l.bianchi")
	h.typeIn(o.name, "Lucia Bianchi")
	h.typeIn(o.pw, "una-password-lunga")
	h.typeIn(o.pwConfirm, "una-password-lunga")
	h.tap(o.add)
	if _, ok := o.disable["l.bianchi"]; !ok {
		t.Fatal("no Disattiva button for the new operator")
	}
	o.doDisable("l.bianchi")
	if got := o.listMsg.text(); got != "Operatore l.bianchi disattivato." {
		t.Errorf("disable: %q", got)
	}
	if _, ok := o.disable["l.bianchi"]; ok {
		t.Error("a disabled operator can be disabled again")
	}

	h.tap(h.app.header.logout)
	h.logIn("l.bianchi", "una-password-lunga")
	if h.app.session != nil {
		t.Fatal("a disabled operator logged in")
	}
	h.logIn("g.verdi", "una-password-lunga")
	// The first login: the password the supervisor typed is a temporary
	// one, which the operator changes.
	c := h.app.changePassword
	if c == nil || h.app.current.View != c.screen.View {
		t.Fatalf("the first login of a new operator asks no new password: %q", h.app.login.msg.text())
	}
	h.typeIn(c.pw, "la-password-di-giuseppe")
	h.typeIn(c.confirm, "la-password-di-giuseppe")
	h.tap(c.submit)
	if h.app.session == nil {
		t.Fatalf("operator login: %q", c.msg.text())
	}
	if h.app.header.ops.Visible() {
		t.Error("an operator sees the operators' button")
	}
	h.app.showOperators()
	if h.app.current.View == o.screen.View {
		t.Error("an operator reached the operators' screen")
	}
}
