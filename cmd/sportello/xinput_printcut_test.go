package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// xinHeldPrinter says when its print started (entered), then holds the
// slip until release.
type xinHeldPrinter struct{ entered, release chan struct{} }

func (p xinHeldPrinter) PrintSlip(context.Context, pinsede.Slip) error {
	close(p.entered)
	<-p.release
	return nil
}

// TestXInputPrintCutShort starts the real sportello on a store whose
// last run was cut mid-print: a PIN issued, committed, its slip printing
// when the store closed, as a desk killed as it printed leaves it
// (pinsede's TestPrintKilled kills one). The desk revokes it before its
// login shows, as a print that failed, and says so in its log. Before,
// the PIN stayed active with no slip, listed as an envelope to hand
// over.
func TestXInputPrintCutShort(t *testing.T) {
	t.Parallel()
	bin, display, dir := xinPrepare(t)
	// The real clock, as the binary's: nothing here is of a fixed day.
	cred := xinCutShortStore(t, dir, time.Now)

	d := xinStart(t, bin, display, dir)
	d.waitScreen("Accesso operatore") // Start has run
	d.app.Stop(t)
	xinCheckLog(t, dir, d.app)
	if b, err := os.ReadFile(filepath.Join(dir, "sportello.log")); err != nil || !strings.Contains(string(b), "slips whose print was cut short") {
		t.Errorf("sportello.log does not tell the print cut short (%v):\n%s", err, b)
	}
	creds := xinCredentials(t, xinOpenStore(t, dir))
	if len(creds) != 1 || creds[0].ID != cred.ID || creds[0].State != pinsede.StateRevocato || creds[0].RevokeReason != pinsede.ReasonPrintFailed {
		t.Errorf("after the desk's start the credentials are %+v, want %s revoked as not printed", creds, cred.SlipSerial)
	}
}

// xinCutShortStore makes, in dir, the store of a desk set up as
// setUpAndLogIn sets it up, on the clock now, whose last run issued a
// PIN to Mario Rossi and stopped as its slip printed; it returns the
// credential.
func xinCutShortStore(t *testing.T, dir string, now func() time.Time) pinsede.Credential {
	t.Helper()
	store, err := local.Create(filepath.Join(dir, "store.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	p := xinHeldPrinter{entered: make(chan struct{}), release: make(chan struct{})}
	desk := pinsede.NewDesk(store, p, now)
	cheap := pinsede.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}
	desk.PINParams, desk.PasswordParams = cheap, cheap
	if err := desk.Setup(pinsede.Sede{Code: "ROMA01", Name: "Roma Eur", Address: "Viale Aldo Ballarin 42, 00142 Roma"},
		pinsede.NewOperator{ID: "m.rossi", Name: "Maria Rossi", Password: "password-di-prova"}); err != nil {
		t.Fatal(err)
	}
	s, err := desk.Login("m.rossi", "password-di-prova")
	if err != nil {
		t.Fatal(err)
	}
	req, ver := xinMario(now())
	done := make(chan error, 1)
	go func() {
		_, err := desk.Issue(context.Background(), s, req, ver)
		done <- err
	}()
	<-p.entered // committed, printing
	var cred pinsede.Credential
	if err := store.View(func(tx pinsede.Tx) error {
		creds, err := tx.Credentials(req.CodiceFiscale)
		if len(creds) > 0 {
			cred = creds[0]
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil { // the run ends mid-print
		t.Fatal(err)
	}
	close(p.release)
	if err := <-done; err == nil {
		t.Fatal("the issue cut short recorded its print on a closed store")
	}
	return cred
}

// xinMario returns the MV35 of the walk-ins' citizen, Mario Rossi,
// resident in Buenos Aires, and the identity check of his Argentine
// passport, valid on the day of now.
func xinMario(now time.Time) (pinsede.Request, pinsede.Verification) {
	return pinsede.Request{
			Cognome: "Rossi", Nome: "Mario", Sesso: pinsede.SexMale,
			DataNascita:   pinsede.Date{Year: 1980, Month: time.January, Day: 1},
			LuogoNascita:  pinsede.Place{Name: "Roma", Code: "H501"},
			CodiceFiscale: xinCF,
			Residenza:     pinsede.Address{Street: "Avenida de Mayo 1370", CAP: "C1085", City: "Buenos Aires", Country: "AR"},
			Recapiti:      pinsede.Contacts{Mobile: "+54 11 5555 1234", Email: "mario.rossi@example.com"},
		}, pinsede.Verification{
			Document: pinsede.Document{
				Type: pinsede.DocPassaportoEstero, Number: "AAA123456", Authority: "RENAPER", Country: "AR",
				IssuedOn: pinsede.DateOf(now.AddDate(-4, 0, 0)), ExpiresOn: pinsede.DateOf(now.AddDate(6, 0, 0)),
			},
			Checklist: pinsede.Checklist{OriginalSeen: true, PhotoMatches: true, MV35Signed: true},
		}
}
