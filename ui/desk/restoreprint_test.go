package desk

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// Ensure that after a restore of a copy made while a slip printed (a
// real copy of the store, the printer holding the slip, put in place by
// local.Restore), the desk's next start leaves the PIN active and the
// clerk's login tells that the slip was printing when the copy was made:
// the PIN valid if the citizen has the envelope, to be revoked from the
// citizen's page if not; not that it was revoked.
func TestRestoredMidPrintToldAtLogin(t *testing.T) {
	h := ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	p := newHoldPrinter(t)
	h.desk.Printer = p
	test.Tap(h.app.verify.issue)
	h.until(p.entered, "the slip's print")
	copyPath := filepath.Join(t.TempDir(), "copia.db")
	if _, err := h.store.BackupFile(copyPath); err != nil { // the desk's copy, mid-print
		t.Fatal(err)
	}
	p.Free()
	h.wait()
	cred := h.credentialsOf(mario.CodiceFiscale)[0]
	if cred.PrintedAt.IsZero() {
		t.Fatalf("the issue did not print: %+v", cred)
	}

	// The desk closes; the operator restores the copy (pinctl restore);
	// the desk opens again.
	h.app.Close()
	path := h.store.Path()
	if err := h.store.Close(); err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(time.Hour)
	keyPath := filepath.Join(filepath.Dir(path), "store.key")
	if _, err := local.Restore(copyPath, path, keyPath, h.now); err != nil {
		t.Fatal(err)
	}
	st, err := local.Open(path, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.store, h.desk.Store, h.desk.Printer = st, st, h.printer
	h.start()
	h.logIn("m.rossi", "password-di-prova")
	got := h.screenText()
	for _, want := range []string{"Busta in stampa al momento della copia", "Rossi Mario (RSSMRA80A01H501U)", cred.SlipSerial,
		"non è stato revocato", "il PIN vale", "revoca il PIN"} {
		if !strings.Contains(got, want) {
			t.Errorf("the login after the restore does not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Stampa non registrata") || strings.Contains(got, "è stato revocato e") {
		t.Errorf("the login after the restore tells a print cut short:\n%s", got)
	}
	if c := h.credentialsOf(mario.CodiceFiscale); len(c) != 1 || c[0].State != pinsede.StateAttivo {
		t.Errorf("after the restore and the start the credentials are %+v, want the PIN active", c)
	}
	shot(t, h, "busta-in-stampa-alla-copia")
	h.tapText("OK")
	h.wait()
}
