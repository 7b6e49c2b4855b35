package desk

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
)

// deskClient returns a sync client of desk id of sede, with the desk's own
// certificate, driving d on ls.
func (c *centrale) deskClient(t *testing.T, sede, id string, ls *local.Store, d *pinsede.Desk) *client.Client {
	t.Helper()
	certPEM, keyPEM, err := c.ca.IssueDesk(sede, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c.clientWith(t, certPEM, keyPEM, sede, ls, d)
}

// windowlessDesk returns desk id of ROMA01, with no window, on a store of
// its own: set up with its first supervisor, l.bianchi, logged in.
func windowlessDesk(t *testing.T, id string) (*pinsede.Desk, *local.Store, *pinsede.Session) {
	t.Helper()
	dir := t.TempDir()
	ls, err := local.Create(filepath.Join(dir, "store.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ls.Close() })
	ls.SetDesk(id)
	d := pinsede.NewDesk(ls, &capturePrinter{}, deskClock)
	d.DeskID, d.PINParams, d.PasswordParams = id, cheap, cheap
	if err := d.Setup(pinsede.Sede{Code: "ROMA01", Name: "Roma Eur", Address: "Viale Aldo Ballarin 42, 00142 Roma"},
		pinsede.NewOperator{ID: "l.bianchi", Name: "Luca Bianchi", Password: "password-di-prova"}); err != nil {
		t.Fatal(err)
	}
	sess, err := d.Login("l.bianchi", "password-di-prova")
	if err != nil {
		t.Fatal(err)
	}
	return d, ls, sess
}

// Ensure that a PIN issued at desk 01 of the sede is handed over from the
// citizen's page at desk 02, after desk 02's pull: the search by codice
// fiscale finds the citizen with the MV35 data typed at desk 01, the page
// offers "Registra consegna" for desk 01's envelope, and the handover
// recorded here reaches centrale and desk 01. Of two handovers of one
// envelope at both desks at once, the second is not accepted, and desk
// 02's sync details say why in the operator's words.
func TestHandoverAtSiblingDesk(t *testing.T) {
	testclock.RealDayOnly(t, "a handover at a sibling desk")
	cen := startCentrale(t)
	ctx := context.Background()

	// Desk 01, with no window: set up, and issues a PIN to Mario.
	one, ls, sess := windowlessDesk(t, "01")
	issued, err := one.Issue(ctx, sess, mario, foreignPassport)
	if err != nil {
		t.Fatal(err)
	}
	c1 := cen.deskClient(t, "ROMA01", "01", ls, one)
	if err := c1.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	// Desk 02, the app under test, pulls.
	h := ready(t)
	h.desk.DeskID = "02"
	h.store.SetDesk("02")
	c2 := cen.deskClient(t, "ROMA01", "02", h.store, h.desk)
	if err := c2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	home := h.searchCF(mario.CodiceFiscale)
	if n := len(home.resultButtons); n != 1 {
		t.Fatalf("search at desk 02: %d results, want desk 01's citizen:\n%s", n, h.screenText())
	}
	h.tap(home.resultButtons[0])
	c := h.app.citizen
	if c == nil || h.app.current.View != c.screen.View {
		t.Fatal("the result does not open the citizen's page")
	}
	shown := h.screenText()
	for _, want := range []string{issued.Credential.SlipSerial, mario.Residenza.Street, foreignPassport.Document.Number} {
		if !strings.Contains(shown, want) {
			t.Errorf("the citizen's page at desk 02 lacks %q:\n%s", want, shown)
		}
	}
	ho := c.handover[issued.Credential.ID]
	if ho == nil {
		t.Fatalf("no Registra consegna for desk 01's envelope:\n%s", shown)
	}
	h.tap(ho)
	h.tapDialogConfirm()
	h.wait()
	if !strings.Contains(h.screenText(), "Consegna registrata") {
		t.Errorf("the page does not show the handover done:\n%s", h.screenText())
	}
	if err := c2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c1.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	err = ls.View(func(tx pinsede.Tx) error {
		got, err := tx.Credential(issued.Credential.ID)
		if err == nil && (got.HandedOverAt.IsZero() || got.HandedOverBy != "m.rossi") {
			t.Errorf("at desk 01: %+v, want handed over by desk 02's m.rossi", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := h.desk.NotAcceptedEvents(); len(n) != 0 {
		t.Errorf("desk 02's events not accepted: %+v", n)
	}

	// A new envelope, handed over at both desks at once: desk 01's push
	// comes first, and desk 02's sync details say why its handover was
	// not accepted, in the operator's words.
	second, err := one.Issue(ctx, sess, mario, foreignPassport)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client.Client{c1, c2} {
		if err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := one.RecordHandover(sess, second.Credential.ID); err != nil {
		t.Fatal(err)
	}
	if err := c1.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.app.UseSync(c2, "ROMA01")
	t.Cleanup(h.app.sync.unsubscribe)
	h.app.showCitizen(mario.CodiceFiscale)
	ho = h.app.citizen.handover[second.Credential.ID]
	if ho == nil {
		t.Fatalf("no Registra consegna for the new envelope:\n%s", h.screenText())
	}
	h.tap(ho)
	h.tapDialogConfirm()
	if err := c2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(func() string { return lang.L("sync.notaccepted.count", map[string]any{"N": 1}) }) // the gravest: online goes to the details
	test.Tap(h.app.sync.button)
	text := strings.Join(h.texts(), "\n")
	for _, want := range []string{lang.L("sync.reason.alreadyhandedover"), second.Credential.SlipSerial, lang.L("sync.event.handedover")} {
		if !strings.Contains(text, want) {
			t.Errorf("desk 02's sync details lack %q:\n%s", want, text)
		}
	}
}
