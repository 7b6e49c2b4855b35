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

// Ensure that the slip of a PIN issued on an override is replaced on the
// override of the supervisor who approves the replacement: the first
// confirmation is refused by the policy, which the dialog says, asking for
// the override's reason (the supervisor's password asked again, the rest
// kept); a reason too short is refused at its field; with one, the new
// slip is printed and the override audited with the new credential.
// Before, the replacement was refused with nothing to do about it but to
// revoke the PIN and issue another on a new override.
func TestReplaceSlipOnOverride(t *testing.T) {
	h := ready(t)
	h.addOperator("l.bianchi", "Lucia Bianchi", pinsede.RoleSupervisore, "password-bianchi")
	// An Italian passport: the rule in force refuses its holder a PIN.
	italian := pinsede.Document{Type: pinsede.DocPassaporto, Number: "YA1234567", Authority: "Consolato di Madrid",
		IssuedOn: passport.IssuedOn, ExpiresOn: passport.ExpiresOn}
	h.toVerification(mario)
	h.fillVerification(italian)
	v := h.app.verify
	h.tap(v.issue)
	if !v.policy.box.Visible() {
		t.Fatalf("an Italian passport not refused:\n%s", h.screenText())
	}
	h.tap(v.policy.override)
	od := v.policy.dialog
	h.typeIn(od.reason, "pensione urgente, cittadino senza SPID né CIE")
	h.typeIn(od.supID, "l.bianchi")
	h.typeIn(od.supPW, "password-bianchi")
	h.tap(od.confirm)
	if h.app.result == nil {
		t.Fatalf("issue on an override: %q", od.msg.text())
	}
	old := h.app.result.issued.Credential

	h.tap(h.app.result.toCitizen)
	h.tap(h.app.citizen.replaceSlip[old.ID])
	d := h.app.citizen.replace
	d.reason.SetSelected(reason(pinsede.ReasonSlipLost))
	d.checkOriginal.SetChecked(true)
	d.checkPhoto.SetChecked(true)
	d.checkSigned.SetChecked(true)
	if d.overrideBox.Visible() {
		t.Fatal("the override's reason asked for before any refusal")
	}
	h.typeIn(d.supID, "l.bianchi")
	h.typeIn(d.supPW, "password-bianchi")
	h.tap(d.confirm)
	if got := d.msg.text(); !strings.Contains(got, "non può essere rilasciato") || !d.overrideBox.Visible() ||
		h.win.Canvas().Focused() != d.override {
		t.Fatalf("the replacement refused by the policy: message %q, override shown %v, focus on %T",
			got, d.overrideBox.Visible(), h.win.Canvas().Focused())
	}
	if n := len(h.printer.printed()); n != 1 {
		t.Fatalf("a refused replacement printed: %d slips", n)
	}
	h.typeIn(d.override, "urgente")
	h.typeIn(d.supPW, "password-bianchi")
	h.tap(d.confirm)
	if got := d.fields[pinsede.FieldOverrideReason].errText; !strings.Contains(got, "almeno 10 caratteri") {
		t.Fatalf("a reason too short: problem %q, message %q", got, d.msg.text())
	}
	why := "busta smarrita, cittadino ancora senza SPID"
	h.typeIn(d.override, why)
	h.typeIn(d.supPW, "password-bianchi")
	h.tap(d.confirm)
	if h.app.result == nil || h.app.current.View != h.app.result.screen.View {
		t.Fatalf("want the result screen, message %q", d.msg.text())
	}
	if n := len(h.printer.printed()); n != 2 {
		t.Fatalf("%d slips printed, want 2", n)
	}
	var audit []pinsede.AuditEntry
	if err := h.store.View(func(tx pinsede.Tx) (err error) { audit, err = tx.AuditFor(mario.CodiceFiscale); return err }); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range audit {
		if e.Action == pinsede.ActionPolicyOverride && e.Credential == h.app.result.issued.Credential.ID {
			found = strings.Contains(e.Detail, "l.bianchi") && strings.Contains(e.Detail, why) && e.Actor == "m.rossi"
		}
	}
	if !found {
		t.Fatalf("the replacement's override not audited: %+v", audit)
	}
}
