package desk

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
)

// panicPrinter is a printer whose PrintSlip panics, as a bug in the
// slip's rendering or in the decoding of the printer's answer would.
type panicPrinter struct{}

func (panicPrinter) PrintSlip(context.Context, pinsede.Slip) error { panic("ipp: short attribute") }

// holdPrinter is a printer whose PrintSlip says it started (entered),
// then holds the slip until the test frees it, as a slow queue does.
type holdPrinter struct {
	entered, release chan struct{}
	enter, free      sync.Once
}

// newHoldPrinter returns a holdPrinter that t frees when it ends, should
// it have failed before: the print held, its job never ended, and the
// harness's wait for the jobs at the test's end never did.
func newHoldPrinter(t *testing.T) *holdPrinter {
	p := &holdPrinter{entered: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(p.Free)
	return p
}

func (p *holdPrinter) PrintSlip(context.Context, pinsede.Slip) error {
	p.enter.Do(func() { close(p.entered) })
	<-p.release
	return nil
}

// Free ends the print held, and those to come.
func (p *holdPrinter) Free() { p.free.Do(func() { close(p.release) }) }

// Ensure that a printer that panics after the issue's commit is a print
// that failed: the message says the slip was not printed and its PIN
// revoked, the request is kept, and no dialog says the operation was
// not done and to retry (the issue was committed, its PIN left active
// with no slip).
func TestPrinterPanicIsAPrintFailure(t *testing.T) {
	h := ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	h.desk.Printer = panicPrinter{}
	h.tap(h.app.verify.issue)
	if got := h.app.verify.msg.text(); !strings.Contains(got, "La busta non è stata stampata") {
		t.Errorf("after the printer's panic the identity check says %q, want the print's failure", got)
	}
	if n := len(h.win.Canvas().Overlays().List()); n != 0 {
		t.Errorf("after the printer's panic %d dialogs show:\n%s", n, h.screenText())
	}
	creds := h.credentialsOf(mario.CodiceFiscale)
	if len(creds) != 1 || creds[0].State != pinsede.StateRevocato || creds[0].RevokeReason != pinsede.ReasonPrintFailed {
		t.Errorf("after the printer's panic the credentials are %+v, want the new PIN revoked as not printed", creds)
	}
	if _, ok, err := h.desk.Draft(h.app.session); !ok || err != nil {
		t.Errorf("after the printer's panic no request is kept: %v", err)
	}
}

// failNextCommit is the desk's store whose next Update, once armed (by
// armingPrinter, as the slip prints), fails as a commit that hit a disk
// error does: the transaction runs on the real store and is rolled back.
type failNextCommit struct {
	pinsede.Store
	armed atomic.Bool
}

func (s *failNextCommit) Update(fn func(pinsede.Tx) error) error {
	if !s.armed.CompareAndSwap(true, false) {
		return s.Store.Update(fn)
	}
	return s.Store.Update(func(tx pinsede.Tx) error {
		return errors.Join(fn(tx), errors.New("write sportello.db: input/output error"))
	})
}

// armingPrinter prints, and arms its store to fail the next commit: the
// print's record.
type armingPrinter struct{ store *failNextCommit }

func (p armingPrinter) PrintSlip(context.Context, pinsede.Slip) error {
	p.store.armed.Store(true)
	return nil
}

// Ensure that a slip printed whose print the store could not record is
// told at once as printed and void: not to be handed over, to be
// destroyed, its PIN revoked, the request kept for a new issue. Before,
// the identity check said only that the operation failed, with the
// envelope in the clerk's hand and its PIN active until the next start.
func TestPrintNotRecordedTold(t *testing.T) {
	h := ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	st := &failNextCommit{Store: h.store}
	h.desk.Store, h.desk.Printer = st, armingPrinter{store: st}
	h.tap(h.app.verify.issue)
	creds := h.credentialsOf(mario.CodiceFiscale)
	if len(creds) != 1 || creds[0].State != pinsede.StateRevocato || creds[0].RevokeReason != pinsede.ReasonPrintFailed {
		t.Fatalf("after the print not recorded the credentials are %+v, want the new PIN revoked", creds)
	}
	got := h.app.verify.msg.text()
	for _, want := range []string{"La busta " + creds[0].SlipSerial + " è stata stampata", "non è riuscito a registrare", "revocato", "Non consegnarla", "distruggila"} {
		if !strings.Contains(got, want) {
			t.Errorf("after the print not recorded the identity check says %q, want %q", got, want)
		}
	}
	if _, ok, err := h.desk.Draft(h.app.session); !ok || err != nil {
		t.Errorf("after the print not recorded no request is kept: %v", err)
	}
	shot(t, h, "stampa-non-registrata")
}

// Ensure that a slip printed whose print, and whose PIN's revocation,
// the store could not record is told as void, its PIN revoked at the
// desk's next start.
func TestPrintNotRecordedPendingText(t *testing.T) {
	cred := pinsede.Credential{SlipSerial: "ROMA01-20261123-3F9A2C", State: pinsede.StateAttivo}
	err := &pinsede.Problem{Key: pinsede.KeyPrintNotRecorded, Err: errors.Join(pinsede.ErrPrint, pinsede.ErrPrintNotRecorded)}
	got := printFailedText("issue.printfailed.detail", cred, err)
	for _, want := range []string{cred.SlipSerial, "è stata stampata", "non vale", "prossima apertura", "Non consegnarla"} {
		if !strings.Contains(got, want) {
			t.Errorf("the print not recorded nor revoked is told %q, want %q", got, want)
		}
	}
}

// Ensure that a slip whose print is cut short by the window's close (or
// a crash) is, at the desk's next start, a print that failed: its PIN
// revoked, the home lists no envelope to hand over, and the clerk's next
// login tells which citizen's slip was not printed and that the PIN was
// revoked, then offers the request again, which issues. Closing does not
// wait for the print: the next start takes it.
func TestPrintCutShortToldAtLogin(t *testing.T) {
	h, cut, old, p := cutPrintShort(t)
	h.logIn("m.rossi", "password-di-prova")
	got := h.screenText()
	assertToldUnprinted(t, got, cut)
	if !strings.Contains(got, "Stampa non registrata") {
		t.Errorf("the notice is not titled Stampa non registrata:\n%s", got)
	}
	if strings.Contains(got, "non ancora consegnate") {
		t.Errorf("the home lists the slip never printed to hand over:\n%s", got)
	}
	shot(t, h, "stampa-non-registrata-all-accesso")
	h.tapText("OK")
	if got := h.screenText(); !strings.Contains(got, "Rossi Mario") || !strings.Contains(got, "Riprendi") {
		t.Fatalf("after the notice the request is not offered:\n%s", got)
	}
	h.tapDialogConfirm()
	h.tap(h.app.verify.issue)
	if h.app.result == nil {
		t.Fatalf("the request resumed does not issue: %q", h.app.verify.msg.text())
	}

	p.Free() // the old window's print ends, long after
	h.steps.Wait(&old.busy)
	creds := h.credentialsOf(mario.CodiceFiscale)
	if len(creds) != 2 || creds[1].ID != cut.ID || creds[1].State != pinsede.StateRevocato || creds[1].RevokeReason != pinsede.ReasonPrintFailed || !creds[1].PrintedAt.IsZero() {
		t.Errorf("the PIN whose print was cut short is %+v, want it revoked as not printed", creds[1])
	}
	if creds[0].State != pinsede.StateAttivo || creds[0].PrintedAt.IsZero() {
		t.Errorf("the new PIN is %+v, want it active and printed", creds[0])
	}
}

// Ensure that the notice of a slip cut short, closed by a colleague's
// Esci on the lock screen, is told again at the clerk's next login, and
// after the desk closed and opened again, until the clerk closes it with
// OK. Before, the notice closed by Esci was kept in the window's memory
// only: the desk closed, the clerk never learnt that a citizen's envelope
// was void (the store had forgotten it as it was first shown).
func TestPrintCutShortToldAfterEsci(t *testing.T) {
	h, cut, old, p := cutPrintShort(t)
	defer func() {
		p.Free()
		h.steps.Wait(&old.busy)
	}()
	for range 2 {
		h.logIn("m.rossi", "password-di-prova")
		assertToldUnprinted(t, h.screenText(), cut)
		h.app.lockSession()
		h.tap(h.app.lock.logout) // a colleague's Esci
		h.wait()
	}
	second := h.app
	second.Close() // the desk closes
	h.start()      // and opens again
	h.logIn("m.rossi", "password-di-prova")
	assertToldUnprinted(t, h.screenText(), cut)
	h.tapText("OK")
	h.wait()
	h.app.logout()
	h.logIn("m.rossi", "password-di-prova")
	if got := h.screenText(); strings.Contains(got, "Stampa non registrata") {
		t.Errorf("the notice closed with OK is told again:\n%s", got)
	}
	h.steps.Wait(&second.busy)
}

// cutPrintShort logs in, issues Mario Rossi's PIN with a printer that
// holds the slip, closes the app as it prints, and opens a new one on
// the same store, a minute later, with a printer that prints. It returns
// the harness, the credential whose print was cut short, the app closed
// and the printer that holds its slip.
func cutPrintShort(t *testing.T) (*harness, pinsede.Credential, *App, *holdPrinter) {
	t.Helper()
	h := ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	h.app.checkDraft() // a tick: the request kept as typed
	h.wait()
	p := newHoldPrinter(t)
	h.desk.Printer = p
	test.Tap(h.app.verify.issue) // the issue commits and prints...
	h.until(p.entered, "the slip's print")
	old := h.app
	old.Close() // ...and the window closes
	cut := h.credentialsOf(mario.CodiceFiscale)[0]
	h.desk.Printer = h.printer
	h.now = h.now.Add(time.Minute)
	h.start() // the desk opens again on the same store
	return h, cut, old, p
}

// assertToldUnprinted checks that got, the window's text, tells that the
// print of the slip of cut was not recorded, its PIN revoked, and the
// envelope, which may have printed, void. (It said the slip was not
// printed: the printer's queue may well have printed it.)
func assertToldUnprinted(t *testing.T, got string, cut pinsede.Credential) {
	t.Helper()
	for _, want := range []string{"Rossi Mario (RSSMRA80A01H501U)", cut.SlipSerial, "non è stata registrata", "revocato", "non vale", "non consegnarla"} {
		if !strings.Contains(got, want) {
			t.Errorf("the login after the print cut short does not say %q:\n%s", want, got)
		}
	}
}

// credentialsOf returns the credentials of cf, newest first.
func (h *harness) credentialsOf(cf pinsede.CodiceFiscale) []pinsede.Credential {
	h.t.Helper()
	var out []pinsede.Credential
	if err := h.store.View(func(tx pinsede.Tx) error {
		var err error
		out, err = tx.Credentials(cf)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// tapText taps the button shown whose text is text, the dialogs' last.
func (h *harness) tapText(text string) {
	h.t.Helper()
	var found *button
	h.walkShown(func(o fyne.CanvasObject) {
		if b := buttonOf(o); b != nil && b.Text == text {
			found = b
		}
	})
	if found == nil {
		h.t.Fatalf("no button %q:\n%s", text, h.screenText())
	}
	h.tap(found)
}

// revokingPrinter prints, while centrale's revocation of the slip's PIN
// is pulled (a theft reported as it prints).
type revokingPrinter struct {
	t    *testing.T
	desk *pinsede.Desk
}

func (p revokingPrinter) PrintSlip(_ context.Context, s pinsede.Slip) error {
	var id string
	err := p.desk.Store.View(func(tx pinsede.Tx) error {
		ps, err := tx.Printing()
		if len(ps) == 1 {
			id = ps[0].Credential
		}
		return err
	})
	if err != nil || id == "" {
		p.t.Errorf("the slip printing: %q, %v", id, err)
		return err
	}
	ch := pinsede.Change{Seq: 1, Kind: pinsede.ChangeRevoked, Time: p.desk.Now(), Sede: s.Sede.Code,
		CredentialID: id, CodiceFiscale: s.Citizen.CodiceFiscale, Reason: "furto"}
	if _, err := p.desk.ApplyPulled(1, []pinsede.Change{ch}, p.desk.Now()); err != nil {
		p.t.Error(err)
	}
	return nil
}

// Ensure that a slip that printed while centrale's revocation of its PIN
// was pulled is told void, not to be handed over: the result said
// "Consegna la busta chiusa al cittadino" of a PIN revoked for a theft.
func TestRevokedWhilePrintingTold(t *testing.T) {
	h := ready(t)
	h.desk.Printer = revokingPrinter{t: t, desk: h.desk}
	h.toVerification(mario)
	h.fillVerification(passport)
	h.tap(h.app.verify.issue)
	if h.app.result != nil && h.app.current.View == h.app.result.screen.View {
		t.Fatalf("the result is shown, to hand the envelope over:\n%s", h.screenText())
	}
	got := h.app.verify.msg.text()
	for _, want := range []string{"ha revocato il suo PIN", "furto", "Non consegnarla"} {
		if !strings.Contains(got, want) {
			t.Errorf("the identity check says %q, without %q", got, want)
		}
	}
}
