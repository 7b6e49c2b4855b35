package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// Converted returns the conversion event of the credential of an issue
// event: it becomes dispositivo.
func Converted(issued pinsede.Event, id string) pinsede.Event {
	ev := Follow(issued, id, pinsede.EventConverted)
	ev.Credential.Type, ev.Credential.ConvertedAt, ev.Credential.ConvertedBy = pinsede.Dispositivo, ev.Time, "op"
	return ev
}

// FormArchived returns the event that archives pdf as the MV35 of the
// credential of an issue event, carrying the credential's id, codice
// fiscale and sede only, and the form named by its SHA-256 and size, with
// its bytes attached, as centrale's server hands it to the store.
func FormArchived(issued pinsede.Event, id string, pdf []byte) pinsede.Event {
	c := issued.Credential
	return pinsede.Event{
		ID: id, Kind: pinsede.EventFormArchived, Time: T0, Sede: issued.Sede,
		Credential: pinsede.Credential{ID: c.ID, CodiceFiscale: c.CodiceFiscale, Sede: c.Sede},
		Form:       pinsede.NewArchivedForm(pinsede.DocumentMV35, pdf),
	}
}

// PDF returns a stand-in PDF of n bytes.
func PDF(n int) []byte {
	return append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{'x'}, max(n-9, 0))...)
}

// Delegated returns the event that registers, at sede, delegation id of
// form from delegante to delegato, from T0's day and open-ended.
func Delegated(sede, id string, form pinsede.DelegationForm, delegante, delegato pinsede.CodiceFiscale) pinsede.Event {
	d := &pinsede.Delegation{
		ID: id, Sede: sede, Form: form,
		Delegante:    pinsede.Party{CodiceFiscale: delegante, Cognome: "ROSSI", Nome: "ANNA"},
		Delegato:     pinsede.Party{CodiceFiscale: delegato, Cognome: "BIANCHI", Nome: "LUCA"},
		From:         pinsede.DateOf(T0),
		RegisteredAt: T0, RegisteredBy: "op",
	}
	if form == pinsede.FormAA09 {
		d.MedicalCertificate = "dott. Verdi, 20/11/2026"
	}
	return pinsede.Event{ID: "ev-" + id, Kind: pinsede.EventDelegationRegistered, Time: T0, Sede: sede, Delegation: d}
}

// DelegationRevoked returns the event that revokes, at sede, the
// delegation of a registration event.
func DelegationRevoked(registered pinsede.Event, sede, id string) pinsede.Event {
	d := *registered.Delegation
	d.RevokedAt, d.RevokedBy, d.RevokeReason = T0.Add(time.Minute), "op", "revocata dal delegante"
	return pinsede.Event{ID: id, Kind: pinsede.EventDelegationRevoked, Time: d.RevokedAt, Sede: sede, Delegation: &d}
}

// reasons pushes events and returns each one's reason.
func reasons(t *testing.T, s central.Store, sede string, evs ...pinsede.Event) []string {
	t.Helper()
	res, err := s.Apply(ctx, sede, evs, T0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(res))
	for i, r := range res {
		out[i] = r.Reason
	}
	return out
}

// Ensure that a PIN ordinario of the sede converts to dispositivo, and
// verifies so at once; that a conversion of anything else is rejected with
// a reason that says why.
func testConvert(t *testing.T, s central.Store) {
	const pin = "ACEFHJKMNPRTUVWX"
	ord := Issued("ROMA01", CF(1), "a1", "ca", Hash(t, pin))
	ord.Credential.Type = pinsede.Ordinario
	disp := Issued("ROMA01", CF(2), "b1", "cb", Hash(t, pin))
	mila := Issued("MILA01", CF(3), "m1", "cm", Hash(t, pin))
	mila.Credential.Type = pinsede.Ordinario
	revoked := Issued("ROMA01", CF(4), "r1", "cr", Hash(t, pin))
	revoked.Credential.Type = pinsede.Ordinario
	wantVerdicts(t, apply(t, s, "ROMA01", ord, disp, revoked, Follow(revoked, "r2", pinsede.EventRevoked)),
		wire.Accepted, wire.Accepted, wire.Accepted, wire.Accepted)
	wantVerdicts(t, apply(t, s, "MILA01", mila), wire.Accepted)

	v := central.NewVerifier(s, 3, func() time.Time { return T0 })
	v.Params, v.ChosenParams = CheapArgon2, CheapArgon2
	typ := func(cf pinsede.CodiceFiscale) pinsede.CredentialType {
		t.Helper()
		got, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(cf), PIN: pin}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return got.Type
	}
	if got := typ(CF(1)); got != pinsede.Ordinario {
		t.Fatalf("before the conversion: type %q, want ordinario", got)
	}
	wantVerdicts(t, apply(t, s, "ROMA01", Converted(ord, "a2")), wire.Accepted)
	if got := typ(CF(1)); got != pinsede.Dispositivo {
		t.Errorf("after the conversion: type %q, want dispositivo", got)
	}
	r := current(t, s, CF(1))
	if r.Credential.Type != pinsede.Dispositivo || r.Credential.ConvertedAt.IsZero() || r.Credential.ConvertedBy != "op" || r.Status != central.StatusActive {
		t.Errorf("record after the conversion = %+v", r)
	}

	other := Converted(mila, "a3")
	other.Sede, other.Credential.Sede = "ROMA01", "ROMA01"
	noType := Converted(ord, "a4")
	noType.Credential.Type = pinsede.Ordinario
	for _, tc := range []struct {
		name string
		ev   pinsede.Event
		want string
	}{
		{"again", Converted(ord, "a5"), central.ReasonNotConvertible},
		{"dispositivo", Converted(disp, "b2"), central.ReasonNotConvertible},
		{"revoked", Converted(revoked, "r3"), central.ReasonNotConvertible},
		{"unknown", Converted(Issued("ROMA01", CF(5), "x1", "cx", ""), "x2"), central.ReasonUnknownCred},
		{"another sede's", other, central.ReasonCredOtherSede},
		{"not to dispositivo", noType, central.ReasonBadEvent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := reasons(t, s, "ROMA01", tc.ev)
			if !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("reason %q, want %q", got[0], tc.want)
			}
		})
	}
	if r := current(t, s, CF(3)); r.Credential.Type != pinsede.Ordinario {
		t.Errorf("another sede's credential converted: %+v", r.Credential)
	}
}

// Ensure that an archived form is kept with its credential, once, within
// the size limit, and only for a credential of the sede.
func testForms(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	a := Issued("ROMA01", CF(1), "a1", "ca", h)
	m := Issued("MILA01", CF(2), "m1", "cm", h)
	pdf := PDF(50 << 10)
	form := FormArchived(a, "a2", pdf)
	wantVerdicts(t, apply(t, s, "ROMA01", a, form, form), wire.Accepted, wire.Accepted, wire.Duplicate)
	wantVerdicts(t, apply(t, s, "MILA01", m), wire.Accepted)
	got, err := s.Form(ctx, "ca", pinsede.DocumentMV35)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != pinsede.DocumentMV35 || !bytes.Equal(got.PDF, pdf) {
		t.Errorf("form = %s of %d bytes, want mv35 of %d", got.Kind, len(got.PDF), len(pdf))
	}
	if _, err := s.Form(ctx, "cm", pinsede.DocumentMV35); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Form(none) = %v, want ErrNotFound", err)
	}
	if r := current(t, s, CF(1)); r.Credential.PINHash != h || r.Credential.IssuedBy != "op" {
		t.Errorf("the form event changed the credential: %+v", r.Credential)
	}

	steal := FormArchived(m, "a3", pdf)
	steal.Sede, steal.Credential.Sede = "ROMA01", "ROMA01"
	notPDF := FormArchived(a, "a6", []byte("<html>"))
	noForm := FormArchived(a, "a7", pdf)
	noForm.Form = nil
	noBytes := FormArchived(a, "a9", pdf)
	noBytes.Form.PDF = nil
	otherBytes := FormArchived(a, "a10", pdf)
	otherBytes.Form.PDF = PDF(50<<10 + 1)
	otherHash := FormArchived(a, "a11", pdf)
	otherHash.Form.SHA256 = pinsede.FormDigest([]byte("another"))
	sizeNoHash := FormArchived(a, "a12", pdf)
	sizeNoHash.Form.SHA256 = ""
	huge := FormArchived(a, "a13", pdf)
	huge.Form.Size = pinsede.MaxFormBytes + 1
	for _, tc := range []struct {
		name string
		ev   pinsede.Event
		want string
	}{
		{"too large", FormArchived(a, "a4", PDF(pinsede.MaxFormBytes+1)), central.ReasonFormTooLarge},
		{"unknown credential", FormArchived(Issued("ROMA01", CF(3), "x1", "cx", h), "a5", pdf), central.ReasonUnknownCred},
		{"another sede's credential", steal, central.ReasonCredOtherSede},
		{"not a PDF", notPDF, central.ReasonBadEvent},
		{"no form", noForm, central.ReasonBadEvent},
		{"no bytes", noBytes, central.ReasonFormMissing},
		{"bytes of another size", otherBytes, central.ReasonFormMismatch},
		{"bytes of another hash", otherHash, central.ReasonFormMismatch},
		{"a size without a hash", sizeNoHash, central.ReasonBadEvent},
		{"a size too large", huge, central.ReasonFormTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := reasons(t, s, "ROMA01", tc.ev)
			if !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("reason %q, want %q", got[0], tc.want)
			}
		})
	}
	if got, _ := s.Form(ctx, "cm", pinsede.DocumentMV35); got.PDF != nil {
		t.Errorf("another sede archived a form of MILA01's credential")
	}
	if got, _ := s.Form(ctx, "ca", pinsede.DocumentMV35); !bytes.Equal(got.PDF, pdf) {
		t.Errorf("a form refused replaced the one kept")
	}
	// A desk from before forms left the JSON sends the PDF alone.
	legacy := FormArchived(a, "a14", PDF(2000))
	legacy.Form.SHA256, legacy.Form.Size = "", 0
	wantVerdicts(t, apply(t, s, "ROMA01", legacy), wire.Accepted)
	if got, _ := s.Form(ctx, "ca", pinsede.DocumentMV35); len(got.PDF) != 2000 {
		t.Errorf("form of %d bytes kept, want the legacy one, of 2000", len(got.PDF))
	}
	// The largest form passes.
	wantVerdicts(t, apply(t, s, "ROMA01", FormArchived(a, "a8", PDF(pinsede.MaxFormBytes))), wire.Accepted)
	if got, _ := s.Form(ctx, "ca", pinsede.DocumentMV35); len(got.PDF) != pinsede.MaxFormBytes {
		t.Errorf("form of %d bytes kept, want the newest, of %d", len(got.PDF), pinsede.MaxFormBytes)
	}
}

// Ensure that the rules of delegations hold across every sede: one
// active delegation per delegante, at most 3 per delegato with AA10 aside,
// the form's own checks; and that only the registering sede revokes.
func testDelegations(t *testing.T, s central.Store) {
	reason := func(sede string, ev pinsede.Event) string {
		t.Helper()
		r, err := s.Apply(ctx, sede, []pinsede.Event{ev}, T0)
		if err != nil {
			t.Fatal(err)
		}
		if r[0].Verdict != wire.Accepted && r[0].Reason == "" {
			t.Errorf("%s: %s without a reason", ev.ID, r[0].Verdict)
		}
		return r[0].Reason
	}
	accept := func(sede string, ev pinsede.Event) {
		t.Helper()
		if r := reason(sede, ev); r != "" {
			t.Fatalf("%s rejected: %s", ev.ID, r)
		}
	}
	reject := func(sede string, ev pinsede.Event, want string) {
		t.Helper()
		if r := reason(sede, ev); !strings.HasPrefix(r, want) {
			t.Errorf("%s: reason %q, want %q", ev.ID, r, want)
		}
	}
	delegato := CF(100)
	// Three delegations to one delegato, from three sedi.
	d1 := Delegated("ROMA01", "d1", pinsede.FormAA08, CF(1), delegato)
	accept("ROMA01", d1)
	accept("MILA01", Delegated("MILA01", "d2", pinsede.FormAA09, CF(2), delegato))
	accept("NAPO01", Delegated("NAPO01", "d3", pinsede.FormAA08, CF(3), delegato))
	// A fourth is refused, wherever it comes from; a tutor's is not.
	reject("ROMA01", Delegated("ROMA01", "d4", pinsede.FormAA08, CF(4), delegato), central.ReasonDelegatoFull)
	accept("ROMA01", Delegated("ROMA01", "d5", pinsede.FormAA10, CF(5), delegato))
	accept("ROMA01", Delegated("ROMA01", "d6", pinsede.FormAA10, CF(6), delegato))
	// A delegante has one delegation, whichever the other sede and form.
	reject("MILA01", Delegated("MILA01", "d7", pinsede.FormAA08, CF(1), CF(101)), central.ReasonDeleganteHasOne)
	reject("MILA01", Delegated("MILA01", "d8", pinsede.FormAA10, CF(5), CF(101)), central.ReasonDeleganteHasOne)
	again := Delegated("ROMA01", "d1", pinsede.FormAA08, CF(9), CF(101))
	again.ID = "ev-again"
	reject("ROMA01", again, central.ReasonDelegationExists)

	// Only ROMA01 revokes its delegation; then the delegato has room again
	// and the delegante may delegate anew.
	reject("MILA01", DelegationRevoked(d1, "MILA01", "x1"), central.ReasonOtherSede)
	forged := DelegationRevoked(d1, "MILA01", "x0")
	forged.Delegation.Sede = "MILA01"
	reject("MILA01", forged, central.ReasonDelegationOtherSede)
	reject("ROMA01", DelegationRevoked(Delegated("ROMA01", "d9", pinsede.FormAA08, CF(9), delegato), "ROMA01", "x2"), central.ReasonUnknownDelegation)
	accept("ROMA01", DelegationRevoked(d1, "ROMA01", "x3"))
	r, err := s.Delegation(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != central.DelegationRevoked || r.Delegation.RevokedBy != "op" || r.Delegation.RevokeReason == "" {
		t.Errorf("d1 after revocation = %+v", r)
	}
	accept("ROMA01", Delegated("ROMA01", "d10", pinsede.FormAA08, CF(4), delegato))
	accept("MILA01", Delegated("MILA01", "d11", pinsede.FormAA08, CF(1), CF(101)))
	if r, err := s.Delegation(ctx, "d11"); err != nil || r.Status != central.DelegationActive || r.Delegation.Delegato.CodiceFiscale != CF(101) {
		t.Errorf("d11 = %+v, %v", r, err)
	}
	if _, err := s.Delegation(ctx, "d4"); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Delegation(rejected) = %v, want ErrNotFound", err)
	}

	// A delegation past its last day counts no more.
	ended := Delegated("ROMA01", "d12", pinsede.FormAA08, CF(20), CF(102))
	ended.Delegation.From, ended.Delegation.Until = pinsede.DateOf(T0.AddDate(0, -2, 0)), pinsede.DateOf(T0.AddDate(0, 0, -1))
	ended.Time = T0.AddDate(0, -1, 0) // registered and accepted a month ago
	ended.Delegation.RegisteredAt = ended.Time
	if res, err := s.Apply(ctx, "ROMA01", []pinsede.Event{ended}, ended.Time); err != nil || res[0].Verdict != wire.Accepted {
		t.Fatalf("d12: %+v, %v", res, err)
	}
	accept("MILA01", Delegated("MILA01", "d13", pinsede.FormAA08, CF(20), CF(103)))
	if r, err := s.Delegation(ctx, "d12"); err != nil || r.Status != central.DelegationExpired {
		t.Errorf("d12 past its last day = %+v, %v; want expired", r.Status, err)
	}

	// The checks of the form itself.
	mod := func(id string, f func(d *pinsede.Delegation)) pinsede.Event {
		ev := Delegated("ROMA01", id, pinsede.FormAA08, CF(30), CF(31))
		f(ev.Delegation)
		return ev
	}
	for _, tc := range []struct {
		ev   pinsede.Event
		want string
	}{
		{mod("e1", func(d *pinsede.Delegation) { d.Delegato = d.Delegante }), central.ReasonSameParty},
		{mod("e2", func(d *pinsede.Delegation) { d.Form = pinsede.FormAA09 }), central.ReasonNoCertificate},
		{mod("e3", func(d *pinsede.Delegation) { d.Until = pinsede.DateOf(T0.AddDate(0, 0, -1)) }), central.ReasonUntilBeforeFrom},
		{mod("e4", func(d *pinsede.Delegation) { d.Delegato.CodiceFiscale = "RSSMRA80A01H501A" }), central.ReasonBadEvent},
		{mod("e5", func(d *pinsede.Delegation) { d.Form = "AA11" }), central.ReasonBadEvent},
		{mod("e6", func(d *pinsede.Delegation) { d.Sede = "MILA01" }), central.ReasonOtherSede},
		{mod("e7", func(d *pinsede.Delegation) { d.From = pinsede.Date{} }), central.ReasonBadEvent},
	} {
		reject("ROMA01", tc.ev, tc.want)
	}
	noDelegation := Delegated("ROMA01", "e8", pinsede.FormAA08, CF(30), CF(31))
	noDelegation.Delegation = nil
	reject("ROMA01", noDelegation, central.ReasonOtherSede)
	withCred := Delegated("ROMA01", "e9", pinsede.FormAA08, CF(30), CF(31))
	withCred.Credential = pinsede.Credential{ID: "c1", Sede: "ROMA01"}
	reject("ROMA01", withCred, central.ReasonBadEvent)
}

// Ensure that delegations registered at once for one delegato from many
// sedi never leave more than 3 active.
func testConcurrentDelegations(t *testing.T, s central.Store) {
	const n = 8
	errs := make(chan error, n)
	accepted := make(chan bool, n)
	for i := range n {
		go func() {
			sede := fmt.Sprintf("SEDE%02d", i)
			res, err := s.Apply(ctx, sede, []pinsede.Event{Delegated(sede, "d"+sede, pinsede.FormAA08, CF(i), CF(100))}, T0)
			if err == nil && res[0].Verdict != wire.Accepted && !strings.HasPrefix(res[0].Reason, central.ReasonDelegatoFull) {
				err = fmt.Errorf("%s: %+v", sede, res[0])
			}
			errs <- err
			accepted <- err == nil && res[0].Verdict == wire.Accepted
		}()
	}
	got := 0
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		if <-accepted {
			got++
		}
	}
	if got != central.MaxDelegationsPerDelegato {
		t.Errorf("%d delegations accepted for one delegato, want %d", got, central.MaxDelegationsPerDelegato)
	}
}

// Ensure that an operator of centrale revokes an active credential, that
// its sede is told with the reason, that the PIN then verifies revoked,
// and that a credential not active or unknown is refused.
func testCentralRevoke(t *testing.T, s central.Store) {
	const pin = "ACEFHJKMNPRTUVWX"
	a := Issued("ROMA01", CF(1), "a1", "ca", Hash(t, pin))
	wantVerdicts(t, apply(t, s, "ROMA01", a), wire.Accepted)
	at := T0.Add(time.Hour)
	r, err := s.Revoke(ctx, "ca", "centrale:rossi", "furto d'identità denunciato", at)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != central.StatusRevoked || r.Credential.State != pinsede.StateRevocato || r.Credential.RevokeReason != "furto d'identità denunciato" {
		t.Errorf("Revoke returned %+v", r)
	}
	if r := current(t, s, CF(1)); r.Status != central.StatusRevoked || r.Credential.RevokedBy != "centrale:rossi" || !r.Credential.RevokedAt.Equal(at) {
		t.Errorf("record after revocation = %+v", r)
	}
	ch, err := CentralChanges(s, "ROMA01")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 1 || ch[0].Kind != wire.ChangeRevoked || ch[0].CredentialID != "ca" || ch[0].CodiceFiscale != CF(1) ||
		ch[0].Reason != "furto d'identità denunciato" || !ch[0].Time.Equal(at) {
		t.Errorf("changes = %+v, want ca revoked with the reason", ch)
	}
	v := central.NewVerifier(s, 3, func() time.Time { return T0 })
	v.Params, v.ChosenParams = CheapArgon2, CheapArgon2
	if got, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(CF(1)), PIN: pin}, nil); err != nil || got.Outcome != wire.Revoked {
		t.Errorf("verify after revocation = %+v, %v; want revoked", got, err)
	}
	if _, err := s.Revoke(ctx, "ca", "centrale:rossi", "ancora", at); !errors.Is(err, central.ErrNotActive) {
		t.Errorf("revoke again: %v, want ErrNotActive", err)
	}
	if _, err := s.Revoke(ctx, "nope", "centrale:rossi", "ignoto", at); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("revoke unknown: %v, want ErrNotFound", err)
	}
	if ch, _ := CentralChanges(s, "ROMA01"); len(ch) != 1 {
		t.Errorf("%d changes after refused revocations, want 1", len(ch))
	}
	// The sede's own later events about it are still taken.
	wantVerdicts(t, apply(t, s, "ROMA01", Follow(a, "a2", pinsede.EventHandedOver)), wire.Accepted)
}
