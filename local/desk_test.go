package local_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/ui/slip"
)

const password = "una-password-lunga"

// setUp creates the sede and its first supervisor on d, and logs in.
func setUp(t *testing.T, d *pinsede.Desk) *pinsede.Session {
	t.Helper()
	if err := d.Setup(testSede, pinsede.NewOperator{ID: "mbianchi", Name: "Maria Bianchi", Password: password}); err != nil {
		t.Fatal(err)
	}
	s, err := d.Login("mbianchi", password)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Ensure that the desk's use cases run on the store: set-up, login,
// issue, replacement, handover, the citizen's page, search and summary.
func TestDeskOnStore(t *testing.T) {
	s := newStore(t)
	p := &capturePrinter{}
	d := newDesk(s, p)
	if need, err := d.NeedsSetup(); err != nil || !need {
		t.Fatalf("NeedsSetup() = %v, %v on a new store", need, err)
	}
	sess := setUp(t, d)
	ctx := context.Background()
	req := person(3, "Dell'Acqua", "Nicolò")
	first, err := d.Issue(ctx, sess, req, verification(pngScan(4000)))
	if err != nil {
		t.Fatal(err)
	}
	second, err := d.Issue(ctx, sess, req, verification(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Replaced) != 1 || second.Replaced[0].ID != first.Credential.ID {
		t.Errorf("second issue replaced %+v, want the first credential", second.Replaced)
	}
	if _, err := d.RecordHandover(sess, second.Credential.ID); err != nil {
		t.Fatal(err)
	}
	page, err := d.Citizen(sess, req.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Credentials) != 2 || page.Credentials[0].ID != second.Credential.ID || page.Credentials[1].State != pinsede.StateRevocato {
		t.Errorf("citizen page credentials %+v", page.Credentials)
	}
	if len(page.History) == 0 || page.History[len(page.History)-1].Action != pinsede.ActionCitizenViewed {
		t.Errorf("citizen page history does not end with this view: %+v", page.History)
	}
	found, err := d.Search(sess, pinsede.SearchQuery{Cognome: "DELL ACQUA", Nome: "nicolo"})
	if err != nil || len(found) != 1 || found[0].CF() != req.CodiceFiscale {
		t.Errorf("Search = %+v, %v", found, err)
	}
	sum, err := d.Summary()
	if err != nil {
		t.Fatal(err)
	}
	if sum.IssuedToday != 2 || sum.PendingSync != 6 { // the set-up (the sede, its supervisor), issued, revoked, issued, handed over
		t.Errorf("Summary() = %+v, want 2 issued and 6 pending", sum)
	}
	if p.printed() != 2 {
		t.Errorf("%d slips printed, want 2", p.printed())
	}
	count(t, s, []pinsede.CodiceFiscale{req.CodiceFiscale}).check(t)
	verifyChain(t, s)
}

// Ensure that the store file holds none of a citizen's data, an
// operator's id or a PIN in clear, in any case: nor the parties of a
// delegation.
func TestNothingInClear(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sportello.db")
	s, err := local.Create(path, filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	p := &capturePrinter{}
	d := newDesk(s, p)
	sess := setUp(t, d)
	req := person(42, "Dell'Acqua", "Nicolò")
	req.Recapiti.PEC = "nicolo.dellacqua@pec.esempio.it"
	for range 2 {
		if _, err := d.Issue(context.Background(), sess, req, verification(pngScan(3000))); err != nil {
			t.Fatal(err)
		}
	}
	// A delegation to another person, revoked: both parties, their
	// documents and the medical certificate are sealed too.
	delegato := person(43, "Esposito", "Gennaro")
	docDelegato := verification(nil).Document
	docDelegato.Number = "YB7654321"
	dl, err := d.RegisterDelegation(sess, pinsede.Delegation{
		Form:               pinsede.FormAA09,
		Delegante:          pinsede.Party{CodiceFiscale: req.CodiceFiscale, Cognome: req.Cognome, Nome: req.Nome, Document: verification(nil).Document},
		Delegato:           pinsede.Party{CodiceFiscale: delegato.CodiceFiscale, Cognome: delegato.Cognome, Nome: delegato.Nome, Document: docDelegato},
		MedicalCertificate: "dott. Ferraris, ASL Roma 1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.RevokeDelegation(sess, dl.ID, "richiesta del delegante"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Citizen(sess, req.CodiceFiscale); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	needles := append([]string{
		string(req.CodiceFiscale), string(omocode(req.CodiceFiscale)), req.CodiceFiscale.Redacted()[:6],
		req.Cognome, req.Nome, "DELLACQUA", "NICOLO", req.Recapiti.Email, req.Recapiti.PEC, req.Recapiti.Mobile,
		"CA12345AB", "mbianchi", "Maria Bianchi", testSede.Name,
		string(delegato.CodiceFiscale), delegato.Cognome, delegato.Nome, "YB7654321", "Ferraris", "richiesta del delegante",
	}, p.groups...)
	if len(p.groups) != 4 {
		t.Fatalf("captured %d PIN groups, want 4", len(p.groups))
	}
	for _, n := range needles {
		for _, v := range []string{n, strings.ToUpper(n), strings.ToLower(n)} {
			if i := bytes.Index(raw, []byte(v)); i >= 0 {
				t.Errorf("%q in clear in the store file at offset %d", v, i)
			}
		}
	}
}

// mv35 renders the documents with ui/slip, as the desk app does.
type mv35 struct{}

func (mv35) RenderMV35(f pinsede.MV35Data) ([]byte, error) { return slip.MV35(slip.MV35Form(f)) }

func (mv35) RenderInfoSheet() ([]byte, error) { return slip.InfoSheet() }

func (mv35) RenderReconciliation(r pinsede.Reconciliation) ([]byte, error) {
	return slip.Reconciliation(r)
}

// Ensure that an issue archives the MV35 sealed with the credential: it
// opens to a PDF with the citizen's name, and the store file does not show
// the name.
func TestIssueArchivesMV35(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (poppler-utils)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "sportello.db")
	s, err := local.Create(path, filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(s, &capturePrinter{})
	d.Forms = mv35{}
	sess := setUp(t, d)
	req := person(7, "Dell'Acqua", "Nicolò")
	out, err := d.Issue(context.Background(), sess, req, verification(nil))
	if err != nil {
		t.Fatal(err)
	}
	var pdf []byte
	err = s.View(func(tx pinsede.Tx) (err error) {
		pdf, err = tx.Document(out.Credential.ID, pinsede.DocumentMV35)
		return err
	})
	if err != nil {
		t.Fatalf("archived MV35: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("archived MV35 is not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	text, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"Dell'Acqua", "Nicolò", string(req.CodiceFiscale)} {
		if !strings.Contains(string(text), want) {
			t.Errorf("archived MV35 lacks %q:\n%s", want, text)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{req.Cognome, req.Nome, "DELL'ACQUA", string(req.CodiceFiscale), "%PDF"} {
		if i := bytes.Index(raw, []byte(n)); i >= 0 {
			t.Errorf("%q in clear in the store file at offset %d", n, i)
		}
	}
}
