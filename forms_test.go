package pinsede_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that an issue archives the MV35 and enqueues it for the central
// records right after the credential's issue, in the same transaction,
// with the credential's id, codice fiscale and sede; the event names the
// PDF by its SHA-256 and size, and the outbox keeps the bytes beside it.
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
	pdf := items[1].Form
	if ev.Form == nil || ev.Form.Kind != pinsede.DocumentMV35 || ev.Form.PDF != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) ||
		ev.Form.Size != len(pdf) || ev.Form.SHA256 != pinsede.FormDigest(pdf) {
		t.Fatalf("form %+v with %d bytes beside it", ev.Form, len(pdf))
	}
	err = f.store.View(func(tx pinsede.Tx) error {
		archived, err := tx.Document(c.ID, pinsede.DocumentMV35)
		if err == nil && !bytes.Equal(archived, pdf) {
			t.Errorf("archived MV35 differs from the one enqueued")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
