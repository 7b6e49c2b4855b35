package pinsede_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// draftFields is what a clerk typed so far.
func draftFields() map[string]string {
	return map[string]string{
		pinsede.FieldCognome: "Quarantotto", pinsede.FieldNome: "Zefirina",
		pinsede.FieldDataNascita: "31/02/19", // not a date yet: a draft keeps it as typed
	}
}

// Ensure that a request in progress survives the desk's end (the store
// closed and opened again, as after a crash), sealed on disk, for its
// operator only, and that issuing the request wipes it in the issue's
// transaction.
func TestDraftSurvivesAndIssueWipesIt(t *testing.T) {
	f := newFixture(t)
	if err := f.desk.SaveDraft(f.sup, pinsede.DraftVerify, draftFields()); err != nil {
		t.Fatal(err)
	}
	path := f.store.Path()
	key := filepath.Join(filepath.Dir(path), "store.key") // newFixture's
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range draftFields() {
		if bytes.Contains(raw, []byte(v)) {
			t.Errorf("the store file holds %q in the clear", v)
		}
	}
	st, err := local.Open(path, key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.desk.Store = st

	dr, ok, err := f.desk.Draft(f.sup)
	if err != nil || !ok {
		t.Fatalf("Draft after reopening = %v, %v", ok, err)
	}
	if dr.Step != pinsede.DraftVerify || dr.Fields[pinsede.FieldDataNascita] != "31/02/19" || !dr.Saved.Equal(f.now) || dr.Operator != "sup" {
		t.Errorf("draft %+v", dr)
	}
	other := &pinsede.Session{Operator: pinsede.Operator{ID: "op2", Role: pinsede.RoleOperatore}, Sede: f.sup.Sede}
	if _, ok, err := f.desk.Draft(other); ok || err != nil {
		t.Errorf("another operator's Draft = %v, %v; want none", ok, err)
	}

	if _, err := f.desk.Issue(context.Background(), f.sup, request(), verification()); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.desk.Draft(f.sup); ok || err != nil {
		t.Errorf("Draft after the issue = %v, %v; want none", ok, err)
	}
}

// Ensure that a draft lives until the end of its day: the next day it is
// not offered and is gone; and that an abandoned draft goes at once.
func TestDraftEndsWithItsDay(t *testing.T) {
	f := newFixture(t)
	if err := f.desk.SaveDraft(f.sup, pinsede.DraftRequest, draftFields()); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.AddDate(0, 0, 1)
	if _, ok, err := f.desk.Draft(f.sup); ok || err != nil {
		t.Fatalf("Draft the next day = %v, %v; want none", ok, err)
	}
	f.now = f.now.AddDate(0, 0, -1) // the clock set back: still gone
	if _, ok, err := f.desk.Draft(f.sup); ok || err != nil {
		t.Errorf("Draft with the clock set back = %v, %v; want none (wiped)", ok, err)
	}

	if err := f.desk.SaveDraft(f.sup, pinsede.DraftRequest, draftFields()); err != nil {
		t.Fatal(err)
	}
	if err := f.desk.DiscardDraft(f.sup); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.desk.Draft(f.sup); ok || err != nil {
		t.Errorf("Draft after DiscardDraft = %v, %v; want none", ok, err)
	}
}

// Ensure that a draft is bounded, and that one refused leaves the one kept
// before as it was.
func TestDraftBounded(t *testing.T) {
	f := newFixture(t)
	if err := f.desk.SaveDraft(f.sup, pinsede.DraftRequest, draftFields()); err != nil {
		t.Fatal(err)
	}
	big := draftFields()
	big[pinsede.FieldCognome] = strings.Repeat("A", pinsede.MaxDraftBytes)
	if err := f.desk.SaveDraft(f.sup, pinsede.DraftRequest, big); !errors.Is(err, pinsede.ErrDraftTooLarge) {
		t.Errorf("SaveDraft of %d bytes = %v, want ErrDraftTooLarge", pinsede.MaxDraftBytes, err)
	}
	if err := f.desk.SaveDraft(f.sup, "altro", draftFields()); err == nil {
		t.Error("SaveDraft of an unknown step: no error")
	}
	if dr, ok, err := f.desk.Draft(f.sup); !ok || err != nil || dr.Fields[pinsede.FieldCognome] != "Quarantotto" {
		t.Errorf("Draft after the refusals = %+v, %v, %v; want the first", dr, ok, err)
	}
}
