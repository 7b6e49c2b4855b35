package desk

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/cups"
)

// Ensure that a lost slip is replaced from the citizen's page with another
// supervisor's id and password, that the operator's own approval is
// refused, and that the result screen shows the new slip.
func TestReplaceSlip(t *testing.T) {
	h := ready(t)
	h.addOperator("c.bianchi", "Carla Bianchi", pinsede.RoleSupervisore, "password-bianchi")
	h.toVerification(mario)
	h.fillVerification(passport)
	h.tap(h.app.verify.issue)
	if h.app.result == nil {
		t.Fatalf("issue: %q", h.app.verify.msg.text())
	}
	old := h.app.result.issued.Credential

	h.tap(h.app.result.toCitizen)
	b := h.app.citizen.replaceSlip[old.ID]
	if b == nil {
		t.Fatal("no replace button for the active credential")
	}
	h.tap(b)
	d := h.app.citizen.replace
	if d == nil || !strings.Contains(h.screenText(), old.SlipSerial) {
		t.Fatal("the replacement dialog does not show the slip")
	}

	// Given no reason, when confirmed, then it asks for one, under the
	// reasons.
	d.checkOriginal.SetChecked(true) // the identity checked again
	d.checkPhoto.SetChecked(true)
	d.checkSigned.SetChecked(true)
	h.tap(d.confirm)
	if got := d.fields[pinsede.FieldRevokeReason].errText; !strings.Contains(got, "motivo") {
		t.Errorf("no reason: problem %q", got)
	}
	// Given the operator's own approval, then it is refused.
	d.reason.SetSelected(reason(pinsede.ReasonSlipLost))
	h.typeIn(d.supID, "m.rossi")
	h.typeIn(d.supPW, "password-di-prova")
	h.tap(d.confirm)
	if got := d.msg.text(); !strings.Contains(got, "diverso da te") {
		t.Errorf("own approval: message %q", got)
	}
	// Given a wrong password, then it is refused.
	h.typeIn(d.supID, "c.bianchi")
	h.typeIn(d.supPW, "sbagliata-sbagliata")
	h.tap(d.confirm)
	if got := d.msg.text(); !strings.Contains(got, "non valide") {
		t.Errorf("wrong password: message %q", got)
	}
	if n := len(h.printer.printed()); n != 1 {
		t.Fatalf("a refused replacement printed: %d slips", n)
	}

	// Given another supervisor's password, then a new slip is printed.
	h.typeIn(d.supPW, "password-bianchi")
	h.tap(d.confirm)
	if h.app.result == nil || h.app.current.View != h.app.result.screen.View {
		t.Fatalf("want the result screen, message %q", d.msg.text())
	}
	slips := h.printer.printed()
	if len(slips) != 2 {
		t.Fatalf("%d slips printed, want 2", len(slips))
	}
	r := h.app.result
	if c := r.issued.Credential; c.ID == old.ID || c.SlipSerial != slips[1].serial || r.serial.Text() != c.SlipSerial {
		t.Fatalf("result shows %q, printed %q", r.serial.Text(), slips[1].serial)
	}
	assertNoPIN(t, h, slips[1])

	h.tap(r.toCitizen)
	if _, ok := h.app.citizen.replaceSlip[old.ID]; ok {
		t.Error("the revoked credential still offers a replacement")
	}
	if text := h.screenText(); !strings.Contains(text, "busta smarrita") || !strings.Contains(text, "Busta sostituita") {
		t.Errorf("citizen page lacks the revocation reason or the audit entry:\n%s", text)
	}
}

// kept is a printer back end that keeps the documents it prints.
type kept struct {
	mu   sync.Mutex
	jobs []cups.Job
}

func (j *kept) Print(_ context.Context, job cups.Job) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.jobs = append(j.jobs, cups.Job{Title: job.Title, PDF: bytes.Clone(job.PDF)})
	return nil
}

// Ensure that "Stampa MV35" on the verification screen prints the filled
// form, with the citizen's name and no PIN, through the printer back end.
func TestPrintMV35(t *testing.T) {
	back := &kept{}
	h := ready(t, func(d *pinsede.Desk, _ *Config) {
		d.Forms, d.Documents = MV35Renderer{}, DocumentPrinter{Backend: back}
	})
	h.toVerification(mario)
	h.fillVerification(passport)
	v := h.app.verify
	h.tap(v.printMV35)
	if got := v.mv35Msg.text(); !strings.Contains(got, "firmare") {
		t.Fatalf("message %q", got)
	}
	if len(back.jobs) != 1 || back.jobs[0].Title != "mv35-ROMA01" || !bytes.HasPrefix(back.jobs[0].PDF, []byte("%PDF-")) {
		t.Fatalf("printed %d jobs", len(back.jobs))
	}
	if len(h.printer.printed()) != 0 {
		t.Error("printing the MV35 printed a slip")
	}
	// Then the issue archives the same form with the credential.
	h.tap(v.issue)
	if h.app.result == nil {
		t.Fatalf("issue: %q", v.msg.text())
	}
	err := h.store.View(func(tx pinsede.Tx) error {
		_, err := tx.Document(h.app.result.issued.Credential.ID, pinsede.DocumentMV35)
		return err
	})
	if err != nil {
		t.Errorf("archived MV35: %v", err)
	}
}
