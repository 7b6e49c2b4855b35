package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/slip"
)

// xinCF is the codice fiscale of the citizen of the sibling test.
const xinCF pinsede.CodiceFiscale = "RSSMRA80A01H501U"

// TestXInputSibling hands over at desk 02 an envelope printed at desk 01
// of the same sede, by keyboard: desk 01 (a pinsede.Desk in the test, on
// its own store, with its sync client) sets up ROMA01, adds the
// supervisor m.rossi and issues a PIN to Mario, and pushes; the real
// sportello, with desk 02's certificate and an empty store, joins the
// sede from its first-run screen, m.rossi logs in, searches Mario
// (Ctrl+F), opens his page and records the handover with its
// confirmation. Then centrale holds it (desk 01's pull sees the envelope
// handed over by m.rossi), and desk 02's store has it with its audit
// entry and nothing else in its outbox.
func TestXInputSibling(t *testing.T) {
	t.Parallel()
	xinTools(t)
	// sportello reads the real clock (main.go): so do centrale and desk
	// 01, one world on one day, whatever PINSEDE_TEST_NOW says.
	now := time.Now
	ctx := context.Background()
	dir := t.TempDir()
	// centrale answers desk 02 once open is closed: desk 02 starts on its
	// empty store and shows its first-run screen, whatever its speed.
	// served receives once a request of desk 02 has been answered: the
	// test looks for the handover at centrale then, not on a clock.
	open, served := make(chan struct{}), make(chan struct{}, 1)
	ca, _, srv := e2eCentrale(t, dir, now, func(api http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			desk, _ := pki.DeskOf(r.TLS.PeerCertificates[0])
			if desk == "02" {
				select {
				case <-open:
				case <-r.Context().Done():
					return
				}
			}
			api.ServeHTTP(w, r)
			if desk == "02" {
				select {
				case served <- struct{}{}:
				default: // a look is due already
				}
			}
		})
	})

	// Desk 01, with no window.
	one, ls1, c1 := xinSiblingDesk(t, ca, srv.URL, "01", now)
	if err := one.Setup(pinsede.Sede{Code: "ROMA01", Name: "Roma Eur", Address: "Viale Aldo Ballarin 42, 00142 Roma"},
		pinsede.NewOperator{ID: "l.bianchi", Name: "Luca Bianchi", Password: "password-di-luca"}); err != nil {
		t.Fatal(err)
	}
	sess, err := one.Login("l.bianchi", "password-di-luca")
	if err != nil {
		t.Fatal(err)
	}
	// A new account's password is a temporary one: m.rossi changes it at
	// the first login, at desk 02.
	if err := one.AddOperator(sess, pinsede.NewOperator{ID: "m.rossi", Name: "Maria Rossi",
		Role: pinsede.RoleSupervisore, Password: "temporanea-di-maria"}); err != nil {
		t.Fatal(err)
	}
	req, ver := xinMario(now())
	issued, err := one.Issue(ctx, sess, req, ver)
	if err != nil {
		t.Fatal(err)
	}
	cred := issued.Credential.ID
	if err := c1.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	// Desk 02, the real sportello, on an empty store with its certificate.
	two, cert, key := xinDeskFiles(t, ca, "02", now)
	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	began := time.Now()
	d := xinStart(t, bin, display, two, "-centrale", srv.URL, "-cert", cert, "-certkey", key,
		"-ca", filepath.Join(dir, "ca", pki.CertFile))
	// The sede's code is the certificate's, and disabled: Tab takes the
	// focus to Entra nella sede, above it, and the catch-up ends at the
	// login.
	d.waitScreen("Prima configurazione")
	d.shot("sibling-first-run")
	close(open)
	d.keys("Tab", "space")
	d.waitScreen("Accesso operatore")
	d.typeText("m.rossi") // the focus starts on the id
	d.keys("Return")      // Enter in the id goes to the password
	d.typeText("temporanea-di-maria")
	d.keys("Return")
	d.waitScreen("Scegli una nuova password") // the first login: the change of the temporary password
	d.typeText("password-di-prova")
	d.keys("Return") // Enter in the new password goes to its confirmation
	d.typeText("password-di-prova")
	d.keys("Return")
	d.waitScreen("Home")
	d.keys("ctrl+f")
	d.typeText(string(xinCF))
	home := d.header()
	d.keys("Return", "space") // search; the first citizen found has the focus
	d.waitScreen("Pagina del cittadino")
	d.waitHeaderChange(home)
	d.shot("sibling-citizen")
	// The page opens on Registra consegna of desk 01's envelope; the
	// confirmation's buttons: Annulla, then Sì.
	d.keys("space", "Tab", "Tab", "space")

	// centrale holds the handover once desk 02 pushed it: desk 01 pulls
	// it. The test looks after each request of desk 02 that centrale
	// answered; go test's -timeout is the net.
	var got pinsede.Credential
	for looked := false; got.HandedOverAt.IsZero(); looked = true {
		if looked {
			select {
			case <-served:
			case <-d.app.Done():
				t.Fatalf("waiting for desk 01 to see the envelope handed over: %v", d.app.Alive())
			}
		}
		if err := c1.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if err := ls1.View(func(tx pinsede.Tx) (err error) {
			got, err = tx.Credential(cred)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if got.HandedOverBy != "m.rossi" {
		t.Errorf("at desk 01: handed over by %q, want desk 02's m.rossi", got.HandedOverBy)
	}
	if n := xinHandoverAudit(t, ls1, cred); n != 1 {
		t.Errorf("desk 01's audit: %d entries of the handover by m.rossi at desk 02, want 1", n)
	}
	t.Logf("join, login, search and handover: %d navigation keys: %s", d.nav, strings.Join(d.navLog, " "))
	shot, _ := d.shot("sibling-handedover")
	t.Logf("screenshot %s", shot)
	d.app.Stop(t)
	t.Logf("sibling test: %v from exec to exit", time.Since(began).Round(time.Second))
	xinCheckLog(t, two, d.app)
	xinCheckHandover(t, two, cred)
}

// xinDeskFiles returns a folder for desk id of ROMA01, the real
// sportello, with the desk's certificate and key in it, issued at now.
func xinDeskFiles(t *testing.T, ca *pki.CA, id string, now func() time.Time) (dir, cert, key string) {
	t.Helper()
	certPEM, keyPEM, err := ca.IssueDesk("ROMA01", id, now())
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	cert, key = filepath.Join(dir, "roma01-"+id+".crt"), filepath.Join(dir, "roma01-"+id+".key")
	for f, b := range map[string][]byte{cert: certPEM, key: keyPEM} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, cert, key
}

// xinSiblingDesk returns desk id of ROMA01, with no window, on a store of
// its own that prints into a folder, and its sync client with the desk's
// certificate.
func xinSiblingDesk(t *testing.T, ca *pki.CA, url, id string, now func() time.Time) (*pinsede.Desk, *local.Store, *client.Client) {
	t.Helper()
	dir := t.TempDir()
	ls, err := local.Create(filepath.Join(dir, "store.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ls.Close() })
	ls.SetDesk(id)
	d := pinsede.NewDesk(ls, slip.Printer{Backend: cups.DevFolder{Dir: filepath.Join(dir, "slips")}}, now)
	d.DeskID = id
	certPEM, keyPEM, err := ca.IssueDesk("ROMA01", id, now())
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := pki.ClientTLS(ca.CertPEM(), certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(client.Config{
		URL: url, HTTP: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}},
		Sede: "ROMA01", Local: ls, Desk: d, Now: now,
	})
	d.Link = c
	return d, ls, c
}

// xinCheckHandover opens the store of desk 02, closed, and checks the
// handover of cred by m.rossi: the credential, one audit entry, and
// nothing else in the outbox.
func xinCheckHandover(t *testing.T, dir, cred string) {
	t.Helper()
	store, err := local.Open(filepath.Join(dir, "store.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	defer store.Close()
	var c pinsede.Credential
	if err := store.View(func(tx pinsede.Tx) (err error) {
		c, err = tx.Credential(cred)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c.HandedOverAt.IsZero() || c.HandedOverBy != "m.rossi" {
		t.Errorf("at desk 02: handed over %v by %q, want by m.rossi", c.HandedOverAt, c.HandedOverBy)
	}
	if n := xinHandoverAudit(t, store, cred); n != 1 {
		t.Errorf("desk 02's audit: %d entries of the handover by m.rossi at desk 02, want 1", n)
	}
	// Pushed: centrale holds it (desk 01 pulled it). The desk may have
	// been stopped before it wrote centrale's acknowledgement: then the
	// event is still there, and goes again, harmless, at the next start.
	outbox, err := store.Outbox(1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range outbox {
		if it.Event.Kind != pinsede.EventHandedOver || it.Event.Credential.ID != cred {
			t.Errorf("desk 02's outbox holds %s of %s, want nothing but the handover", it.Event.Kind, it.Event.Credential.ID)
		}
	}
	t.Logf("desk 02's outbox after the sync: %d events", len(outbox))
}

// xinHandoverAudit returns how many entries of the audit of store record
// the handover of cred by m.rossi at desk 02.
func xinHandoverAudit(t *testing.T, store *local.Store, cred string) int {
	t.Helper()
	n := 0
	if err := store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Credential == cred && e.Action == pinsede.ActionHandedOver && e.Actor == "m.rossi" && e.Desk == "02" {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
