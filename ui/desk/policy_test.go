package desk

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that a resident of Italy with an Italian passport is refused a PIN
// with the reason and the alternatives on screen, that the information
// sheet prints, and that another supervisor's override with a written
// reason issues the PIN and is audited.
func TestPolicyRefusalAndOverride(t *testing.T) {
	back := &jobs{}
	h := ready(t, func(d *pinsede.Desk, _ *Config) {
		d.Forms, d.Documents = MV35Renderer{}, DocumentPrinter{Backend: back}
	})
	if err := h.desk.AddOperator(h.app.session, pinsede.NewOperator{
		ID: "l.bianchi", Name: "Lucia Bianchi", Role: pinsede.RoleSupervisore, Password: "password-bianchi",
	}); err != nil {
		t.Fatal(err)
	}
	resident := mario
	resident.Residenza = pinsede.Address{Street: "Via Appia Nuova 100", CAP: "00183", City: "Roma", Province: "RM", Country: "IT"}
	resident.Recapiti = pinsede.Contacts{Mobile: "+39 333 123 4567", Email: "mario.rossi@example.it"}
	italian := pinsede.Document{
		Type: pinsede.DocPassaporto, Number: "YA1234567", Authority: "Questura di Roma",
		IssuedOn: pinsede.Date{Year: 2022, Month: time.May, Day: 4}, ExpiresOn: pinsede.Date{Year: 2032, Month: time.May, Day: 3},
	}

	// Given a resident of Italy with an Italian passport, when the clerk
	// issues, then the PIN is refused with the reason and what to use.
	h.toVerification(resident)
	h.fillVerification(italian)
	v := h.app.verify
	h.tap(v.issue)
	if h.app.current.View != v.screen.View || len(h.printer.printed()) != 0 {
		t.Fatal("a refused citizen left the verification screen or got a slip")
	}
	p := v.policy
	if !p.box.Visible() {
		t.Fatalf("no refusal shown; message %q", v.msg.text())
	}
	why := p.why.text()
	for _, want := range []string{"non può essere rilasciato", "residenti all'estero", "risiede in Italia", "SPID, CIE, CNS"} {
		if !strings.Contains(why, want) {
			t.Errorf("refusal %q lacks %q", why, want)
		}
	}
	text := h.screenText()
	for _, want := range []string{"PIN non rilasciabile", "Stampa informativa SPID/CIE/CNS", "Autorizza in deroga"} {
		if !strings.Contains(text, want) {
			t.Errorf("screen lacks %q", want)
		}
	}

	// The information sheet prints through the document printer.
	h.tap(p.printSheet)
	if got := p.sheetMsg.text(); !strings.Contains(got, "Informativa stampata") {
		t.Fatalf("sheet message %q", got)
	}
	if len(back.jobs) != 1 || back.jobs[0].Title != "informativa-ROMA01" || !bytes.HasPrefix(back.jobs[0].PDF, []byte("%PDF-")) {
		t.Fatalf("printed %d jobs", len(back.jobs))
	}

	// The override: refused with a short reason, then issued.
	h.tap(p.override)
	d := p.dialog
	if d == nil {
		t.Fatal("no override dialog")
	}
	h.typeIn(d.reason, "urgente")
	h.typeIn(d.supID, "l.bianchi")
	h.typeIn(d.supPW, "password-bianchi")
	h.tap(d.confirm)
	if got := d.msg.text(); !strings.Contains(got, "almeno 10 caratteri") {
		t.Fatalf("short reason: %q", got)
	}
	reason := "pensione urgente, cittadino senza SPID né CIE"
	h.typeIn(d.reason, reason)
	h.typeIn(d.supPW, "password-bianchi")
	h.tap(d.confirm)
	res := h.app.result
	if res == nil || h.app.current.View != res.screen.View {
		t.Fatalf("override: not on the result screen; dialog %q", d.msg.text())
	}
	if len(h.printer.printed()) != 1 {
		t.Fatalf("slips printed: %d, want 1", len(h.printer.printed()))
	}

	var audit []pinsede.AuditEntry
	if err := h.store.View(func(tx pinsede.Tx) (err error) { audit, err = tx.AuditFor(resident.CodiceFiscale); return err }); err != nil {
		t.Fatal(err)
	}
	var refused, overridden, issued bool
	for _, e := range audit {
		switch e.Action {
		case pinsede.ActionRefused:
			refused = e.Detail == pinsede.KeyRefusedResidentItaly
		case pinsede.ActionPolicyOverride:
			overridden = strings.Contains(e.Detail, "l.bianchi") && strings.Contains(e.Detail, reason) && e.Actor == "m.rossi"
		case pinsede.ActionIssued:
			issued = true
		}
	}
	if !refused || !overridden || !issued {
		t.Fatalf("audit: refused %v, override %v, issued %v: %+v", refused, overridden, issued, audit)
	}
}
