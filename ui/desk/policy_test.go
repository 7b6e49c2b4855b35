package desk

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
)

// Ensure that a resident of Italy is refused a PIN as soon as the MV35 says
// where they live, with the reason and the alternatives on the MV35 (issue
// 14, finding 6), that submitting the MV35 records the refusal and goes no
// further, that the information sheet prints, and that the way to another
// supervisor's override leads through the identity check, where an
// override with a written reason issues the PIN and is audited.
func TestPolicyRefusalAndOverride(t *testing.T) {
	back := &kept{}
	h := ready(t, func(d *pinsede.Desk, _ *Config) {
		d.Forms, d.Documents = MV35Renderer{}, DocumentPrinter{Backend: back}
	})
	h.addOperator("l.bianchi", "Lucia Bianchi", pinsede.RoleSupervisore, "password-bianchi")
	resident := mario
	resident.Residenza = pinsede.Address{Street: "Via Appia Nuova 100", CAP: "00183", City: "Roma", Province: "RM", Country: "IT"}
	resident.Recapiti = pinsede.Contacts{Mobile: "+39 333 123 4567", Email: "mario.rossi@example.it"}
	italian := pinsede.Document{
		Type: pinsede.DocPassaporto, Number: "YA1234567", Authority: "Questura di Roma",
		IssuedOn: pinsede.Date{Year: 2022, Month: time.May, Day: 4}, ExpiresOn: pinsede.Date{Year: 2032, Month: time.May, Day: 3},
	}

	// Given a new MV35, the residence has no default: the policy serves
	// only residents abroad.
	r := h.newRequest()
	if r.stato.code() != "" {
		t.Errorf("residence defaults to %q while the policy limits by residence", r.stato.code())
	}
	// When the clerk writes a residence in Italy, the refusal shows on the
	// MV35 at once, before any document.
	h.fillRequest(resident)
	p := r.policy
	if !p.box.Visible() {
		t.Fatalf("no refusal on the MV35 for a resident of Italy:\n%s", h.screenText())
	}
	// Avanti stays on the MV35, records the refusal once, and offers the
	// way to the override.
	h.tap(r.next)
	h.tap(r.next)
	if h.app.current.View != r.screen.View {
		t.Fatal("a resident of Italy went on to the identity check by Avanti")
	}
	var audit []pinsede.AuditEntry
	if err := h.store.View(func(tx pinsede.Tx) (err error) { audit, err = tx.AuditFor(resident.CodiceFiscale); return err }); err != nil {
		t.Fatal(err)
	}
	if n := countAction(audit, pinsede.ActionRefused); n != 1 {
		t.Errorf("%d refusals recorded after Avanti twice, want 1", n)
	}
	why := p.why.text()
	for _, want := range []string{"non può essere rilasciato", "residenti all'estero", "risiede in Italia", "SPID, CIE, CNS"} {
		if !strings.Contains(why, want) {
			t.Errorf("refusal %q lacks %q", why, want)
		}
	}
	text := h.screenText()
	for _, want := range []string{"PIN non rilasciabile", "Stampa informativa SPID/CIE/CNS", "Prosegui verso la deroga"} {
		if !strings.Contains(text, want) {
			t.Errorf("screen lacks %q", want)
		}
	}

	// The information sheet prints from the MV35, through the document
	// printer.
	h.tap(p.printSheet)
	if got := p.sheetMsg.text(); !strings.Contains(got, "Informativa stampata") {
		t.Fatalf("sheet message %q", got)
	}
	if len(back.jobs) != 1 || back.jobs[0].Title != "informativa-ROMA01" || !bytes.HasPrefix(back.jobs[0].PDF, []byte("%PDF-")) {
		t.Fatalf("printed %d jobs", len(back.jobs))
	}

	// The way to the override leads to the identity check, the refusal
	// shown there too; the Italian passport refuses again at its type.
	h.tap(p.override)
	v := h.app.verify
	if v == nil || h.app.current.View != v.screen.View || !v.policy.box.Visible() {
		t.Fatal("the way to the override does not lead to the identity check with the refusal")
	}
	h.fillVerification(italian)
	h.tap(v.issue)
	if h.app.current.View != v.screen.View || len(h.printer.printed()) != 0 {
		t.Fatal("a refused citizen left the verification screen or got a slip")
	}
	p = v.policy
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
	const turned = "pensione \u202Eurgente, cittadino"
	h.typeIn(d.reason, turned)
	h.typeIn(d.supPW, "password-bianchi")
	h.tap(d.confirm)
	if got := d.msg.text(); !strings.Contains(got, "invisibile in posizione 10") || d.reason.Text != turned {
		t.Fatalf("reason with U+202E: %q, reason now %q", got, d.reason.Text)
	}
	// A Return typed in the reason is a space in the audit.
	reason := "pensione urgente, cittadino senza SPID né CIE"
	h.typeIn(d.reason, "pensione urgente,")
	d.reason.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(d.reason, "cittadino senza SPID né CIE")
	h.typeIn(d.supPW, "password-bianchi")
	h.tap(d.confirm)
	res := h.app.result
	if res == nil || h.app.current.View != res.screen.View {
		t.Fatalf("override: not on the result screen; dialog %q", d.msg.text())
	}
	if len(h.printer.printed()) != 1 {
		t.Fatalf("slips printed: %d, want 1", len(h.printer.printed()))
	}

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

// countAction counts the entries of audit with action a.
func countAction(audit []pinsede.AuditEntry, a pinsede.AuditAction) int {
	n := 0
	for _, e := range audit {
		if e.Action == a {
			n++
		}
	}
	return n
}
