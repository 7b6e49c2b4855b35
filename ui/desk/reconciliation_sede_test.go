package desk

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that, against a real centrale, the supervisor of desk 02 prints
// from the home panel the reconciliation of the sede by default, which
// lists desk 01's issue (pulled) by its operator (named by id: desk 01's
// first supervisor was set up there, see README), desk 02 as this desk,
// and the envelope of desk 01 not handed over, named with its desk.
func TestReconciliationOfTheSede(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	cen := startCentrale(t)
	ctx := context.Background()

	one, ls, sess := windowlessDesk(t, "01")
	issued, err := one.Issue(ctx, sess, mario, foreignPassport)
	if err != nil {
		t.Fatal(err)
	}
	if err := cen.deskClient(t, "ROMA01", "01", ls, one).Sync(ctx); err != nil {
		t.Fatal(err)
	}

	back := &kept{}
	h := ready(t, func(d *pinsede.Desk, _ *Config) {
		d.Forms, d.Documents = MV35Renderer{}, DocumentPrinter{Backend: back}
	})
	h.desk.DeskID = "02"
	h.store.SetDesk("02")
	if err := cen.deskClient(t, "ROMA01", "02", h.store, h.desk).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.app.showHome()
	h.tap(h.app.home.reconcile.button)
	if len(back.jobs) != 1 || !strings.HasPrefix(back.jobs[0].Title, "riconciliazione-sede-ROMA01-") {
		t.Fatalf("printed %d jobs, want the sede's reconciliation", len(back.jobs))
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(back.jobs[0].PDF)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{
		"tutta la sede", "Sportello 01", "l.bianchi", "Totale sportello 01", "Sportello 02",
		"questo sportello: tutti i suoi atti", "Totale della sede", issued.Credential.SlipSerial, "sportello 01 · l.bianchi",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the reconciliation of the sede lacks %q:\n%s", want, out)
		}
	}
}
