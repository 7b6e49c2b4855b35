package pinsede_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that the default policy gives a PIN to anyone up to 30 September
// 2021, and from 1 October 2021 only to a citizen resident abroad with a
// foreign document, saying why not and what to use instead.
func TestDefaultPolicyCheck(t *testing.T) {
	abroad := request()
	italy := request()
	italy.Residenza = pinsede.Address{Street: "Via Roma 1", CAP: "00184", City: "Roma", Province: "RM", Country: "IT"}
	foreign := verification().Document
	italian := pinsede.Document{Type: pinsede.DocPassaporto, Number: "YA1234567", Country: "IT"}
	cie := pinsede.Document{Type: pinsede.DocCIE, Number: "CA00000AA", Country: "IT"}
	before := pinsede.Date{Year: 2021, Month: 9, Day: 30}
	from := pinsede.Date{Year: 2021, Month: 10, Day: 1}
	for _, c := range []struct {
		name string
		on   pinsede.Date
		r    pinsede.Request
		d    pinsede.Document
		key  string // "" for eligible
	}{
		{"long before, resident of Italy", pinsede.Date{Year: 2015, Month: 3, Day: 1}, italy, italian, ""},
		{"last day, resident of Italy, Italian passport", before, italy, italian, ""},
		{"last day, abroad, foreign passport", before, abroad, foreign, ""},
		{"first day, resident of Italy, Italian passport", from, italy, italian, pinsede.KeyRefusedResidentItaly},
		{"first day, resident of Italy, foreign passport", from, italy, foreign, pinsede.KeyRefusedResidentItaly},
		{"first day, abroad, Italian passport", from, abroad, italian, pinsede.KeyRefusedItalianDocument},
		{"first day, abroad, CIE", from, abroad, cie, pinsede.KeyRefusedItalianDocument},
		{"first day, abroad, foreign passport", from, abroad, foreign, ""},
		{"today, abroad, foreign identity card", pinsede.Date{Year: 2026, Month: 11, Day: 23}, abroad,
			pinsede.Document{Type: pinsede.DocIdentitaEstera, Number: "12345678Z", Country: "ES"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dec, err := pinsede.DefaultPolicy().Check(c.on, c.r, c.d)
			if err != nil {
				t.Fatal(err)
			}
			if dec.Eligible != (c.key == "") || dec.Key != c.key {
				t.Fatalf("decision %+v, want key %q", dec, c.key)
			}
			if !dec.Eligible && strings.Join(dec.Alternatives, ",") != "SPID,CIE,CNS" {
				t.Fatalf("alternatives %v", dec.Alternatives)
			}
		})
	}
}

// Ensure that the residence alone decides as soon as the MV35 says it:
// a resident of Italy is refused from 1 October 2021 whatever document
// comes, a resident abroad is not refused yet (the document decides), and
// the residence has a default only while the policy does not limit by it.
// The desk's PolicyRefusal gives the same refusal Issue would, and
// writes nothing.
func TestCheckResidence(t *testing.T) {
	abroad := request()
	italy := request()
	italy.Residenza = pinsede.Address{Street: "Via Roma 1", CAP: "00184", City: "Roma", Province: "RM", Country: "IT"}
	before := pinsede.Date{Year: 2021, Month: 9, Day: 30}
	from := pinsede.Date{Year: 2021, Month: 10, Day: 1}
	for _, c := range []struct {
		on     pinsede.Date
		r      pinsede.Request
		key    string
		limits bool
	}{
		{before, italy, "", false},
		{from, italy, pinsede.KeyRefusedResidentItaly, true},
		{from, abroad, "", true},
	} {
		dec, err := pinsede.DefaultPolicy().CheckResidence(c.on, c.r)
		if err != nil {
			t.Fatal(err)
		}
		if dec.Key != c.key || dec.Eligible != (c.key == "") {
			t.Errorf("%s, %s: %+v, want key %q", c.on, c.r.Residenza.Country, dec, c.key)
		}
		if got := pinsede.DefaultPolicy().LimitsResidence(c.on); got != c.limits {
			t.Errorf("LimitsResidence(%s) = %v", c.on, got)
		}
	}
	f := newFixture(t)
	f.desk.Now = func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.Local) }
	err := f.desk.PolicyRefusal(f.sup, italy, nil, false)
	var p *pinsede.Problem
	if !errors.Is(err, pinsede.ErrNotEligible) || !errors.As(err, &p) || p.Key != pinsede.KeyRefusedResidentItaly {
		t.Fatalf("PolicyRefusal(resident of Italy) = %v", err)
	}
	if err := f.desk.PolicyRefusal(f.sup, abroad, nil, true); err != nil {
		t.Errorf("PolicyRefusal(resident abroad) = %v", err)
	}
	if n, err := f.store.OutboxLen(); err != nil || n != 0 {
		t.Errorf("the check as typed wrote %d events (%v)", n, err)
	}
	// Submitted, the refusal is recorded as Issue records one.
	if err := f.desk.PolicyRefusal(f.sup, italy, nil, true); !errors.Is(err, pinsede.ErrNotEligible) {
		t.Fatalf("submitted: %v", err)
	}
	if n, err := f.store.OutboxLen(); err != nil || n != 1 {
		t.Errorf("the refusal submitted wrote %d events (%v), want its request.refused", n, err)
	}
}

// Ensure that a policy with rules out of order, overlapping, open in the
// middle or of an unknown eligibility is refused, and that a day no rule
// covers issues no PIN.
func TestPolicyValidate(t *testing.T) {
	d := func(y, m, day int) pinsede.Date { return pinsede.Date{Year: y, Month: time.Month(m), Day: day} }
	all, abroad := pinsede.EligibleAll, pinsede.EligibleAbroadNoItalianDocument
	for _, c := range []struct {
		name string
		p    pinsede.Policy
		ok   bool
	}{
		{"default", pinsede.DefaultPolicy(), true},
		{"one open rule", pinsede.Policy{Version: 1, Rules: []pinsede.Rule{{Eligible: all}}}, true},
		{"gap between rules", pinsede.Policy{Version: 3, Rules: []pinsede.Rule{{To: d(2020, 9, 30), Eligible: all}, {From: d(2021, 10, 1), Eligible: abroad}}}, true},
		{"no version", pinsede.Policy{Rules: []pinsede.Rule{{Eligible: all}}}, false},
		{"no rules", pinsede.Policy{Version: 1}, false},
		{"unknown eligibility", pinsede.Policy{Version: 1, Rules: []pinsede.Rule{{Eligible: "tutti"}}}, false},
		{"ends before it starts", pinsede.Policy{Version: 1, Rules: []pinsede.Rule{{From: d(2021, 10, 1), To: d(2021, 9, 30), Eligible: all}}}, false},
		{"overlap of one day", pinsede.Policy{Version: 1, Rules: []pinsede.Rule{{To: d(2021, 10, 1), Eligible: all}, {From: d(2021, 10, 1), Eligible: abroad}}}, false},
		{"out of order", pinsede.Policy{Version: 1, Rules: []pinsede.Rule{{From: d(2021, 10, 1), Eligible: abroad}, {To: d(2021, 9, 30), Eligible: all}}}, false},
		{"open in the middle", pinsede.Policy{Version: 1, Rules: []pinsede.Rule{{From: d(2020, 1, 1), Eligible: all}, {From: d(2021, 10, 1), Eligible: abroad}}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.p.Validate(); (err == nil) != c.ok {
				t.Fatalf("valid: %v, want %v", err, c.ok)
			}
		})
	}
	gap := pinsede.Policy{Version: 3, Rules: []pinsede.Rule{{To: d(2020, 9, 30), Eligible: all}, {From: d(2021, 10, 1), Eligible: abroad}}}
	dec, err := gap.Check(d(2021, 1, 15), request(), verification().Document)
	if err != nil || dec.Eligible || dec.Key != pinsede.KeyRefusedClosed {
		t.Fatalf("a day no rule covers: %+v, %v", dec, err)
	}
	if _, err := (pinsede.Policy{}).Check(d(2021, 1, 15), request(), verification().Document); err == nil {
		t.Fatal("an invalid policy decided")
	}
}

// Ensure that a policy file is read, versioned and checked, and that a
// misspelt field is refused; that a file missing, empty, a directory or
// over MaxPolicyBytes is refused with an error that names it and says
// what to fix.
func TestLoadPolicy(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p, err := pinsede.LoadPolicy(write("ok.json", `{"version": 2, "rules": [
		{"to": "2021-09-30", "eligible": "all"},
		{"from": "2021-10-01", "eligible": "abroad_no_italian_document"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != 2 || len(p.Rules) != 2 || p.Rules[1].From != pinsede.PolicyPINClosed() || !p.Rules[1].To.IsZero() {
		t.Fatalf("policy %+v", p)
	}
	for name, text := range map[string]string{
		"misspelt.json": `{"version": 1, "rules": [{"form": "2021-10-01", "eligible": "all"}]}`,
		"overlap.json":  `{"version": 1, "rules": [{"to": "2021-10-01", "eligible": "all"}, {"from": "2021-10-01", "eligible": "none"}]}`,
		"baddate.json":  `{"version": 1, "rules": [{"from": "01/10/2021", "eligible": "all"}]}`,
	} {
		if _, err := pinsede.LoadPolicy(write(name, text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, tc := range []struct{ name, path, says string }{
		{"missing", filepath.Join(dir, "missing.json"), "does not exist: check the path"},
		{"empty", write("empty.json", " \n"), "is empty: write the policy in it"},
		{"a directory", dir, "is a directory: name the file in it"},
		{"over MaxPolicyBytes", write("large.json", `{"version": 1, "rules": [`+strings.Repeat(" ", pinsede.MaxPolicyBytes)+`{"eligible": "all"}]}`),
			fmt.Sprintf("has more than %d bytes, more than a policy holds", pinsede.MaxPolicyBytes)},
	} {
		_, err := pinsede.LoadPolicy(tc.path)
		if err == nil || !strings.Contains(err.Error(), "policy file "+tc.path) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: err = %v, want policy file %s ... %s", tc.name, err, tc.path, tc.says)
		}
	}
}

// Ensure that Issue refuses a resident of Italy with an Italian passport:
// no PIN, no credential, no slip, only the refusal audited, with an
// outbox event (the codice fiscale, the key and the policy's version)
// pushed at once; an invalid request is not checked against the policy
// and enqueues nothing.
func TestIssueRefusedByPolicy(t *testing.T) {
	f := newFixture(t)
	link := &fakeLink{online: true, desk: f.desk}
	f.desk.Link = link
	r := request()
	r.Residenza = pinsede.Address{Street: "Via Roma 1", CAP: "00184", City: "Roma", Province: "RM", Country: "IT"}
	v := verification()
	v.Document = pinsede.Document{Type: pinsede.DocPassaporto, Number: "YA1234567", Authority: "Questura di Roma",
		IssuedOn: pinsede.Date{Year: 2020, Month: 5, Day: 4}, ExpiresOn: pinsede.Date{Year: 2030, Month: 5, Day: 3}}
	bad := r
	bad.Nome = ""
	var es pinsede.FieldErrors
	if _, err := f.desk.Issue(context.Background(), f.sup, bad, v); !errors.As(err, &es) {
		t.Fatalf("invalid request: %v", err)
	}
	if items, err := f.store.Outbox(0); err != nil || len(items) != 0 || len(link.pending) != 0 {
		t.Fatalf("an invalid request enqueued %+v (%v), notified %v", items, err, link.pending)
	}
	_, err := f.desk.Issue(context.Background(), f.sup, r, v)
	var p *pinsede.Problem
	if !errors.As(err, &p) || p.Key != pinsede.KeyRefusedResidentItaly || !errors.Is(err, pinsede.ErrNotEligible) {
		t.Fatalf("want a refusal, got %v", err)
	}
	if len(f.printer.pins) != 0 {
		t.Fatal("a slip was printed")
	}
	sum, err := f.desk.Summary()
	if err != nil || sum.IssuedToday != 0 || sum.PendingSync != 1 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	var audit []pinsede.AuditEntry
	if err := f.store.View(func(tx pinsede.Tx) (err error) { audit, err = tx.AuditFor(r.CodiceFiscale); return err }); err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Action != pinsede.ActionRefused || audit[0].Detail != pinsede.KeyRefusedResidentItaly {
		t.Fatalf("audit %+v", audit)
	}
	items, err := f.store.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	want := pinsede.Outcome{CodiceFiscale: r.CodiceFiscale, Reason: pinsede.KeyRefusedResidentItaly, PolicyVersion: pinsede.DefaultPolicy().Version}
	if len(items) != 1 || items[0].Event.Kind != pinsede.EventRefused || items[0].Event.Sede != "ROMA01" ||
		items[0].Event.Outcome == nil || *items[0].Event.Outcome != want || items[0].Event.Credential != (pinsede.Credential{}) {
		t.Fatalf("outbox %+v", items)
	}
	if len(link.pending) != 1 || link.pending[0] != 1 {
		t.Fatalf("link notified %v, want once with the event pending", link.pending)
	}

	// A policy of the deployment that lets anyone in issues the PIN.
	f.desk.Policy = &pinsede.Policy{Version: 7, Rules: []pinsede.Rule{{Eligible: pinsede.EligibleAll}}}
	if _, err := f.desk.Issue(context.Background(), f.sup, r, v); err != nil {
		t.Fatalf("with an open policy: %v", err)
	}
}

// clerkAndApprover adds to f an operatore, op1 (password-op1), and a
// supervisore, sup2 (password-sup2), and returns op1's session: a clerk,
// and a supervisor other than the clerk to approve.
func clerkAndApprover(t *testing.T, f *fixture) *pinsede.Session {
	t.Helper()
	for _, n := range []pinsede.NewOperator{
		{ID: "op1", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: "password-op1"},
		{ID: "sup2", Name: "Carla Neri", Role: pinsede.RoleSupervisore, Password: "password-sup2"},
	} {
		f.addOperator(t, n)
	}
	op, err := f.desk.Login("op1", "password-op1")
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// italianPassport is verification with an Italian passport, whose holder
// the default policy refuses a PIN.
func italianPassport() pinsede.Verification {
	v := verification()
	v.Document = pinsede.Document{Type: pinsede.DocPassaporto, Number: "YA1234567", Authority: "Consolato di Madrid",
		IssuedOn: pinsede.Date{Year: 2020, Month: 5, Day: 4}, ExpiresOn: pinsede.Date{Year: 2030, Month: 5, Day: 3}}
	return v
}

// Ensure that a supervisor other than the clerk may override a refusal with
// a written reason, which is audited with the issue, and that the override
// is refused without one, by the clerk themself or by an operatore.
func TestIssueWithOverride(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	op := clerkAndApprover(t, f)
	v := italianPassport()
	reason := "cittadino senza SPID, pratica urgente di pensione"
	for _, c := range []struct {
		name string
		o    pinsede.Override
		want error
	}{
		{"self", pinsede.Override{SupervisorID: "op1", Password: "password-op1", Reason: reason}, pinsede.ErrSameApprover},
		{"wrong password", pinsede.Override{SupervisorID: "sup2", Password: "sbagliata-sbagliata", Reason: reason}, pinsede.ErrBadCredentials},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := f.desk.IssueWithOverride(ctx, op, request(), v, c.o); !errors.Is(err, c.want) {
				t.Fatalf("want %v, got %v", c.want, err)
			}
		})
	}
	if _, err := f.desk.IssueWithOverride(ctx, f.sup, request(), v, pinsede.Override{SupervisorID: "op1", Password: "password-op1", Reason: reason}); !errors.Is(err, pinsede.ErrForbidden) {
		t.Fatalf("an operatore approves: %v", err)
	}
	for _, tc := range []struct{ reason, key string }{{" urgente  ", pinsede.KeyOverrideReasonShort}, {strings.Repeat("u", 121), pinsede.KeyTooLong}} {
		var es pinsede.FieldErrors
		if _, err := f.desk.IssueWithOverride(ctx, op, request(), v, pinsede.Override{SupervisorID: "sup2", Password: "password-sup2", Reason: tc.reason}); !errors.As(err, &es) {
			t.Fatalf("a reason of %d characters: %v", len(tc.reason), err)
		} else if fe, ok := es.For(pinsede.FieldOverrideReason); !ok || fe.Key != tc.key {
			t.Fatalf("a reason of %d characters: %v, want %s", len(tc.reason), es, tc.key)
		}
	}
	if len(f.printer.pins) != 0 {
		t.Fatal("a refused override printed")
	}

	out, err := f.desk.IssueWithOverride(ctx, op, request(), v, pinsede.Override{SupervisorID: "sup2", Password: "password-sup2", Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.printer.pins) != 1 || !out.Credential.Active(f.now) {
		t.Fatalf("override: %d slips, credential %+v", len(f.printer.pins), out.Credential)
	}
	var audit []pinsede.AuditEntry
	if err := f.store.View(func(tx pinsede.Tx) (err error) { audit, err = tx.AuditFor("RSSMRA80A01H501U"); return err }); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range audit {
		if e.Action == pinsede.ActionPolicyOverride {
			found = true
			if e.Actor != "op1" || e.Credential != out.Credential.ID || !strings.Contains(e.Detail, "sup2") ||
				!strings.Contains(e.Detail, reason) || !strings.Contains(e.Detail, pinsede.KeyRefusedItalianDocument) {
				t.Errorf("override entry %+v", e)
			}
		}
	}
	if !found {
		t.Fatalf("no override audited: %+v", audit)
	}
}

// Ensure that the slip of a PIN the policy refuses (issued on an override)
// is replaced only on the override of the supervisor who approves the
// replacement, with a written reason: ReplaceSlip is refused
// (ErrNotEligible), ReplaceSlipWithOverride without a reason long enough
// too (FieldErrors); with one, the old credential is revoked, the new one
// printed, and the override audited with the new credential, the
// refusal's key, the approver and the reason. A replacement the policy
// does not refuse records no override.
func TestReplaceSlipWithOverride(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	op := clerkAndApprover(t, f)
	v := italianPassport()
	reason := "cittadino senza SPID, pratica urgente di pensione"
	sup2 := pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"}
	first, err := f.desk.IssueWithOverride(ctx, op, request(), v, pinsede.Override{SupervisorID: "sup2", Password: "password-sup2", Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	id := first.Credential.ID
	if _, err := f.desk.ReplaceSlip(ctx, op, id, pinsede.ReasonSlipLost, v, sup2); !errors.Is(err, pinsede.ErrNotEligible) {
		t.Fatalf("a replacement the policy refuses, without an override: %v", err)
	}
	var es pinsede.FieldErrors
	if _, err := f.desk.ReplaceSlipWithOverride(ctx, op, id, pinsede.ReasonSlipLost, v, pinsede.Override{SupervisorID: "sup2", Password: "password-sup2", Reason: " urgente "}); !errors.As(err, &es) {
		t.Fatalf("an override of a replacement with a reason too short: %v", err)
	} else if fe, ok := es.For(pinsede.FieldOverrideReason); !ok || fe.Key != pinsede.KeyOverrideReasonShort {
		t.Fatalf("an override of a replacement with a reason too short: %v", es)
	}
	if len(f.printer.pins) != 1 {
		t.Fatalf("a refused replacement printed: %d slips", len(f.printer.pins))
	}

	again := "busta smarrita, cittadino ancora senza SPID"
	out, err := f.desk.ReplaceSlipWithOverride(ctx, op, id, pinsede.ReasonSlipLost, v, pinsede.Override{SupervisorID: "sup2", Password: "password-sup2", Reason: again})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.printer.pins) != 2 || !out.Credential.Active(f.now) || len(out.Replaced) != 1 || out.Replaced[0].ID != id || out.Replaced[0].State != pinsede.StateRevocato {
		t.Fatalf("replacement on an override: %d slips, credential %+v, replaced %+v", len(f.printer.pins), out.Credential, out.Replaced)
	}
	overrides := func() []pinsede.AuditEntry {
		var audit []pinsede.AuditEntry
		if err := f.store.View(func(tx pinsede.Tx) (err error) { audit, err = tx.AuditFor("RSSMRA80A01H501U"); return err }); err != nil {
			t.Fatal(err)
		}
		var out []pinsede.AuditEntry
		for _, e := range audit {
			if e.Action == pinsede.ActionPolicyOverride {
				out = append(out, e)
			}
		}
		return out
	}
	got := overrides()
	if len(got) != 2 {
		t.Fatalf("%d overrides audited, want 2 (the issue's, the replacement's): %+v", len(got), got)
	}
	if e := got[1]; e.Actor != "op1" || e.Credential != out.Credential.ID || !strings.Contains(e.Detail, "sup2") ||
		!strings.Contains(e.Detail, again) || !strings.Contains(e.Detail, pinsede.KeyRefusedItalianDocument) {
		t.Errorf("the replacement's override entry %+v", e)
	}

	// A policy that lets anyone in: the replacement needs no override, and
	// none is recorded.
	f.desk.Policy = &pinsede.Policy{Version: 7, Rules: []pinsede.Rule{{Eligible: pinsede.EligibleAll}}}
	if _, err := f.desk.ReplaceSlipWithOverride(ctx, op, out.Credential.ID, pinsede.ReasonSlipSpoiled, v, pinsede.Override{SupervisorID: "sup2", Password: "password-sup2", Reason: again}); err != nil {
		t.Fatal(err)
	}
	if n := len(overrides()); n != 2 {
		t.Errorf("%d overrides audited after a replacement the policy accepts, want 2", n)
	}
}

// sheetForms is a form renderer that also renders the information sheet.
type sheetForms struct{ fakeForms }

func (*sheetForms) RenderInfoSheet() ([]byte, error) { return []byte("%PDF-1.7 informativa"), nil }

// Ensure that the information sheet is printed only with a renderer and a
// printer, and that the print is audited.
func TestPrintInfoSheet(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	docs := &documents{}
	f.desk.Forms, f.desk.Documents = nil, docs
	if err := f.desk.PrintInfoSheet(ctx, f.sup, "RSSMRA80A01H501U"); !errors.Is(err, pinsede.ErrNoPrinter) {
		t.Fatalf("without a renderer: %v", err)
	}
	f.desk.Forms = &sheetForms{}
	if err := f.desk.PrintInfoSheet(ctx, f.sup, "RSSMRA80A01H501U"); err != nil {
		t.Fatal(err)
	}
	if len(docs.titles) != 1 || docs.titles[0] != "informativa-ROMA01" {
		t.Fatalf("printed %v", docs.titles)
	}
	printed := false
	err := f.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		printed = printed || (e.Action == pinsede.ActionInfoSheetPrinted && e.Subject == "RSSMRA80A01H501U")
		return nil
	})
	if err != nil || !printed {
		t.Fatalf("sheet print not audited: %v", err)
	}
}

// FuzzParsePolicy checks that a policy file of any content is refused
// with an error or gives a policy that validates, decides for any day
// without panicking, and reads back the same from its JSON.
func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(`{"version": 2, "rules": [{"to": "2021-09-30", "eligible": "all"}, {"from": "2021-10-01", "eligible": "abroad_no_italian_document"}]}`))
	f.Add([]byte(`{"version": 1, "rules": [{"from": "2030-01-01", "to": "2020-01-01", "eligible": "none"}]}`))
	f.Add([]byte(`{"version": 0}`))
	f.Add([]byte(`{"version": 1, "rules": [], "extra": 1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := pinsede.ParsePolicy(b)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("parsed a policy that does not validate: %v", err)
		}
		for _, day := range []pinsede.Date{{Year: 2021, Month: 9, Day: 30}, {Year: 2021, Month: 10, Day: 1}, {Year: 2099, Month: 12, Day: 31}} {
			_, _ = p.Check(day, pinsede.Request{}, pinsede.Document{})
		}
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := pinsede.ParsePolicy(again)
		if err != nil {
			t.Fatalf("re-encoded policy refused: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("round trip: %+v, then %+v", p, p2)
		}
	})
}

// Ensure that what is wrong inside a policy is a *pinsede.PolicyError
// whose Key names it for the translations, with its arguments: the
// desk's start-up window says it in the clerk's language, where it was
// the decoder's or Validate's English.
func TestPolicyErrorKeys(t *testing.T) {
	for _, tc := range []struct{ text, key, arg string }{
		{`{"version": 1, "rules": [`, "policy.bad.json", "Line"},
		{`{"version": 1,` + "\n" + `"rules": [}`, "policy.bad.json", "Line"},
		{`{"version": 1, "rules": [{"form": "2021-10-01", "eligible": "all"}]}`, "policy.bad.field", "Field"},
		{`{"version": "uno", "rules": []}`, "policy.bad.type", "Field"},
		{`{"version": 1, "rules": [{"from": "01/10/2021", "eligible": "all"}]}`, "policy.bad.date", "Value"},
		{`{"version": 0, "rules": [{"eligible": "all"}]}`, "policy.bad.version", "Version"},
		{`{"version": 1, "rules": []}`, "policy.bad.norules", ""},
		{`{"version": 1, "rules": [{"eligible": "tutti"}]}`, "policy.bad.eligible", "Eligible"},
		{`{"version": 1, "rules": [{"from": "2021-10-02", "to": "2021-10-01", "eligible": "all"}]}`, "policy.bad.order", "From"},
		{`{"version": 1, "rules": [{"to": "2021-09-30", "eligible": "all"}, {"eligible": "none"}]}`, "policy.bad.nostart", "Rule"},
		{`{"version": 1, "rules": [{"eligible": "all"}, {"from": "2021-10-01", "eligible": "none"}]}`, "policy.bad.noend", "Rule"},
		{`{"version": 1, "rules": [{"to": "2021-10-01", "eligible": "all"}, {"from": "2021-10-01", "eligible": "none"}]}`, "policy.bad.overlap", "PrevTo"},
	} {
		_, err := pinsede.ParsePolicy([]byte(tc.text))
		var pe *pinsede.PolicyError
		if !errors.As(err, &pe) || pe.Key != tc.key || tc.arg != "" && pe.Args[tc.arg] == nil {
			t.Errorf("%s: %v, want a PolicyError %s with %s", tc.text, err, tc.key, tc.arg)
		}
	}
}
