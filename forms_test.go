package pinsede_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that an issue archives the MV35 and enqueues it for the central
// records right after the credential's issue, in the same transaction,
// with the credential's id, codice fiscale and sede.
func TestArchiveMV35Enqueued(t *testing.T) {
	f := newFixture(t)
	f.desk.Forms = &fakeForms{}
	out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	items, err := f.store.Outbox(100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []pinsede.EventKind
	for _, it := range items {
		kinds = append(kinds, it.Event.Kind)
	}
	if len(items) != 2 || kinds[0] != pinsede.EventIssued || kinds[1] != pinsede.EventFormArchived {
		t.Fatalf("outbox kinds %v, want the issue then the form", kinds)
	}
	ev, c := items[1].Event, out.Credential
	if ev.Credential.ID != c.ID || ev.Credential.CodiceFiscale != c.CodiceFiscale || ev.Credential.Sede != "ROMA01" || ev.Sede != "ROMA01" ||
		ev.ID == "" || ev.ID == items[0].Event.ID || ev.Time.IsZero() {
		t.Errorf("form event %+v", ev)
	}
	if ev.Form == nil || ev.Form.Kind != pinsede.DocumentMV35 || !bytes.HasPrefix(ev.Form.PDF, []byte("%PDF-")) {
		t.Fatalf("form %+v", ev.Form)
	}
	err = f.store.View(func(tx pinsede.Tx) error {
		pdf, err := tx.Document(c.ID, pinsede.DocumentMV35)
		if err == nil && !bytes.Equal(pdf, ev.Form.PDF) {
			t.Errorf("archived MV35 differs from the one enqueued")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
