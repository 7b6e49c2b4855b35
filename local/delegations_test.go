package local_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// testDelegation is a delegation from the i-th test person to the j-th.
func testDelegation(id string, i, j int, registered time.Time) pinsede.Delegation {
	party := func(k int, cognome string) pinsede.Party {
		r := person(k, cognome, "Anna")
		return pinsede.Party{CodiceFiscale: r.CodiceFiscale, Cognome: r.Cognome, Nome: r.Nome, Document: verification(nil).Document}
	}
	return pinsede.Delegation{
		ID: id, Sede: testSede.Code, Form: pinsede.FormAA09,
		Delegante: party(i, "Delegante"), Delegato: party(j, "Delegato"),
		MedicalCertificate: "dott. Neri, 2 novembre 2026",
		From:               pinsede.DateOf(registered), RegisteredAt: registered, RegisteredBy: "mbianchi",
	}
}

// delegationIDs returns the ids of the delegations of cf, as DelegationsOf
// orders them.
func delegationIDs(t *testing.T, s *local.Store, cf pinsede.CodiceFiscale) []string {
	t.Helper()
	var ids []string
	view(t, s, func(tx pinsede.Tx) error {
		dls, err := tx.DelegationsOf(cf)
		for _, dl := range dls {
			ids = append(ids, dl.ID)
		}
		return err
	})
	return ids
}

// Ensure that a delegation comes back as stored, and that DelegationsOf
// finds it from either party, newest first, whatever the case of the code,
// and follows a delegation whose parties change.
func TestDelegationsRoundTrip(t *testing.T) {
	s := newStore(t)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.Local)
	d1 := testDelegation("d1", 1, 2, t0)
	d2 := testDelegation("d2", 3, 2, t0.Add(time.Hour))
	d3 := testDelegation("d3", 2, 4, t0.Add(2*time.Hour)) // the delegato of d1 and d2 delegates too
	update(t, s, func(tx pinsede.Tx) error {
		for _, dl := range []pinsede.Delegation{d1, d2, d3} {
			if err := tx.PutDelegation(dl); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx pinsede.Tx) error {
		got, err := tx.Delegation("d1")
		if err != nil {
			return err
		}
		if got.Delegante.CodiceFiscale != d1.Delegante.CodiceFiscale || got.Delegato.Document != d1.Delegato.Document ||
			got.MedicalCertificate != d1.MedicalCertificate || got.From != d1.From || !got.RegisteredAt.Equal(t0) {
			t.Errorf("round trip %+v, want %+v", got, d1)
		}
		if _, err := tx.Delegation("nope"); !errors.Is(err, pinsede.ErrNotFound) {
			t.Errorf("unknown delegation: %v", err)
		}
		if dls, err := tx.DelegationsOf(person(9, "X", "Y").CodiceFiscale); err != nil || len(dls) != 0 {
			t.Errorf("a stranger's delegations %v, %v", dls, err)
		}
		return nil
	})
	cf := func(i int) pinsede.CodiceFiscale { return person(i, "X", "Y").CodiceFiscale }
	for _, tc := range []struct {
		who  pinsede.CodiceFiscale
		want []string
	}{
		{cf(1), []string{"d1"}},
		{cf(2), []string{"d3", "d2", "d1"}}, // delegante of d3, delegato of d1 and d2
		{pinsede.CodiceFiscale(strings.ToLower(string(cf(2)))), []string{"d3", "d2", "d1"}},
		{cf(3), []string{"d2"}},
		{cf(4), []string{"d3"}},
	} {
		if got := delegationIDs(t, s, tc.who); !slices.Equal(got, tc.want) {
			t.Errorf("delegations of %s: %v, want %v", tc.who.Redacted(), got, tc.want)
		}
	}

	// A revocation keeps it where it was; a new delegato moves it.
	update(t, s, func(tx pinsede.Tx) error {
		d1.RevokedAt, d1.RevokedBy, d1.RevokeReason = t0.Add(3*time.Hour), "mbianchi", "richiesta del delegante"
		d1.Delegato = d3.Delegato
		return tx.PutDelegation(d1)
	})
	if got := delegationIDs(t, s, cf(2)); !slices.Equal(got, []string{"d3", "d2"}) {
		t.Errorf("old delegato still indexed: %v", got)
	}
	if got := delegationIDs(t, s, cf(4)); !slices.Equal(got, []string{"d3", "d1"}) {
		t.Errorf("new delegato not indexed: %v", got)
	}
	view(t, s, func(tx pinsede.Tx) error {
		got, err := tx.Delegation("d1")
		if err == nil && (got.RevokeReason != "richiesta del delegante" || got.StateOn(pinsede.DateOf(t0)) != pinsede.DelegationRevoked) {
			t.Errorf("revocation not kept: %+v", got)
		}
		return err
	})
	update(t, s, func(tx pinsede.Tx) error {
		if err := tx.PutDelegation(pinsede.Delegation{}); err == nil {
			t.Error("a delegation with no id was stored")
		}
		if err := tx.PutDelegation(pinsede.Delegation{ID: "d9"}); err == nil {
			t.Error("a delegation with no codici fiscali was stored")
		}
		return nil
	})
}

// Ensure that opening a version 3 store adds the delegations buckets,
// keeps its records, takes delegations and records the current version.
func TestOpenMigratesV3(t *testing.T) {
	store, key := created(t)
	s, err := local.Open(store, key)
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2026, time.March, 2, 12, 0, 0, 0, time.Local)
	update(t, s, func(tx pinsede.Tx) error { return tx.PutCredential(credential("old", "RSSMRA80A01H501U", issued)) })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := local.MakeV3(store); err != nil {
		t.Fatal(err)
	}
	if v, err := local.StoredSchema(store); err != nil || v != 3 {
		t.Fatalf("made version %d, %v", v, err)
	}
	if s, err = local.Open(store, key); err != nil {
		t.Fatalf("open a v3 store: %v", err)
	}
	update(t, s, func(tx pinsede.Tx) error {
		if c, err := tx.Credential("old"); err != nil || !c.IssuedAt.Equal(issued) {
			t.Errorf("credential after migration %+v, %v", c, err)
		}
		return tx.PutDelegation(testDelegation("d1", 1, 2, issued))
	})
	if got := delegationIDs(t, s, person(2, "X", "Y").CodiceFiscale); !slices.Equal(got, []string{"d1"}) {
		t.Fatalf("after migration: %v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := local.StoredSchema(store); err != nil || v != local.SchemaVersion {
		t.Fatalf("schema after migration %d, %v; want %d", v, err, local.SchemaVersion)
	}
}
