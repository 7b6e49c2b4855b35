package storetest

import (
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ordinario returns the issue event of a PIN ordinario by sede (such as
// "WEB", the online channel) for cf.
func Ordinario(sede string, cf pinsede.CodiceFiscale, id, credID, hash string) pinsede.Event {
	ev := Issued(sede, cf, id, credID, hash)
	ev.Credential.Type, ev.Credential.SlipSerial = pinsede.Ordinario, ""
	return ev
}

// ConvertedAt returns the conversion, at the desk of sede, of the
// credential of an issue event of any sede: the event is sede's, the
// credential keeps its issuing sede.
func ConvertedAt(issued pinsede.Event, sede, id string) pinsede.Event {
	ev := Converted(issued, id)
	ev.Sede = sede
	return ev
}

// Ensure that the lookup of a codice fiscale answers its credentials in
// every slot and status, newest accepted first, with their hashes as
// stored, and none of another codice fiscale.
func testCredentials(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	lookup := func(cf pinsede.CodiceFiscale) []central.Record {
		t.Helper()
		rs, err := s.Credentials(ctx, cf)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if rs := lookup(CF(1)); len(rs) != 0 {
		t.Fatalf("empty store: %+v", rs)
	}
	at := func(min int, sede string, evs ...pinsede.Event) {
		t.Helper()
		if _, err := s.Apply(ctx, sede, evs, T0.Add(time.Duration(min)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	web := Ordinario("WEB", CF(1), "w1", "cw", h)
	at(0, "WEB", web)
	at(1, "ROMA01", Telephone("ROMA01", CF(1), "t1", "ct", h))
	at(2, "MILA01", Issued("MILA01", CF(1), "m1", "cm", h))
	at(3, "MILA01", Follow(Issued("MILA01", CF(1), "m1", "cm", h), "m2", pinsede.EventRevoked))
	at(4, "ROMA01", Issued("ROMA01", CF(2), "r1", "cr", h))

	rs := lookup(CF(1))
	want := []struct {
		id     string
		status central.Status
		typ    pinsede.CredentialType
	}{
		{"cm", central.StatusRevoked, pinsede.Dispositivo},
		{"ct", central.StatusActive, pinsede.Telefonico},
		{"cw", central.StatusSuperseded, pinsede.Ordinario},
	}
	if len(rs) != len(want) {
		t.Fatalf("credentials of CF(1) = %+v, want %d", rs, len(want))
	}
	for i, w := range want {
		r := rs[i]
		if r.Credential.ID != w.id || r.Status != w.status || r.Credential.Type != w.typ || r.Credential.CodiceFiscale != CF(1) {
			t.Errorf("credential %d = %s %s %s, want %s %s %s", i, r.Credential.ID, r.Status, r.Credential.Type, w.id, w.status, w.typ)
		}
		if r.Credential.PINHash != h {
			t.Errorf("credential %s: the store answered another hash", r.Credential.ID)
		}
	}
	if rs[2].Credential.Sede != "WEB" || !rs[2].AcceptedAt.Equal(T0) {
		t.Errorf("the online PIN = %+v", rs[2])
	}
	if rs := lookup(CF(2)); len(rs) != 1 || rs[0].Credential.ID != "cr" {
		t.Errorf("credentials of CF(2) = %+v", rs)
	}
	if rs := lookup(CF(3)); len(rs) != 0 {
		t.Errorf("credentials of CF(3) = %+v", rs)
	}
}

// Ensure that a sede converts a PIN ordinario that another sede (or the
// online channel) issued: the record becomes dispositivo and keeps its
// issuing sede, the PIN verifies as dispositivo at once, and the issuing
// sede is told by a ChangeConverted; that a conversion which misnames the
// issuing sede is rejected.
func testConvertOtherSede(t *testing.T, s central.Store) {
	const pin = "ACEFHJKMNPRTUVWX"
	web := Ordinario("WEB", CF(1), "w1", "cw", Hash(t, pin))
	mila := Ordinario("MILA01", CF(2), "m1", "cm", Hash(t, pin))
	wantVerdicts(t, apply(t, s, "WEB", web), wire.Accepted)
	wantVerdicts(t, apply(t, s, "MILA01", mila), wire.Accepted)

	wantVerdicts(t, apply(t, s, "ROMA01", ConvertedAt(web, "ROMA01", "r1")), wire.Accepted)
	r := current(t, s, CF(1))
	if r.Credential.Type != pinsede.Dispositivo || r.Credential.Sede != "WEB" || r.Credential.ConvertedBy != "op" || r.Status != central.StatusActive {
		t.Errorf("record after the conversion = %+v", r)
	}
	v := central.NewVerifier(s, 3, func() time.Time { return T0 })
	v.Params, v.ChosenParams = CheapArgon2, CheapArgon2
	got, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(CF(1)), PIN: pin}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != wire.ChangeRequired || got.Type != pinsede.Dispositivo { // the 16 characters' first use
		t.Errorf("verify after the conversion = %+v, want change_required dispositivo", got)
	}
	ch, err := CentralChanges(s, "WEB")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 1 || ch[0].Kind != wire.ChangeConverted || ch[0].CredentialID != "cw" || ch[0].Sede != "WEB" ||
		ch[0].BySede != "ROMA01" || ch[0].CodiceFiscale != CF(1) {
		t.Errorf("changes for the issuing sede = %+v", ch)
	}
	if ch, _ := CentralChanges(s, "ROMA01"); len(ch) != 0 {
		t.Errorf("changes for the converting sede = %+v", ch)
	}

	// The issuing sede's own conversion records no change.
	wantVerdicts(t, apply(t, s, "MILA01", Converted(mila, "m2")), wire.Accepted)
	if ch, _ := CentralChanges(s, "MILA01"); len(ch) != 0 {
		t.Errorf("changes after a conversion of its own = %+v", ch)
	}

	misnamed := Ordinario("MILA01", CF(3), "m3", "cm3", Hash(t, pin))
	wantVerdicts(t, apply(t, s, "MILA01", misnamed), wire.Accepted)
	lie := ConvertedAt(misnamed, "ROMA01", "r2")
	lie.Credential.Sede = "NAPO01"
	if got := reasons(t, s, "ROMA01", lie); got[0] != central.ReasonCredOtherSede {
		t.Errorf("a conversion that misnames the issuing sede: reason %q, want %q", got[0], central.ReasonCredOtherSede)
	}
	if r := current(t, s, CF(3)); r.Credential.Type != pinsede.Ordinario {
		t.Errorf("converted through a misnamed sede: %+v", r.Credential)
	}
}
