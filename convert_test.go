package pinsede_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// putOrdinario stores an active PIN ordinario of the citizen of request(),
// issued a month before now by sede (or channel), and the citizen's
// record.
func putOrdinario(t *testing.T, f *fixture, id, sede string) pinsede.Credential {
	t.Helper()
	issued := f.now.AddDate(0, -1, 0)
	c := pinsede.Credential{
		ID: id, CodiceFiscale: request().CodiceFiscale, Type: pinsede.Ordinario, State: pinsede.StateAttivo,
		PINHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", IssuedAt: issued,
		ExpiresAt: pinsede.Expiry(issued), IssuedBy: "web", Sede: sede,
	}
	err := f.store.Update(func(tx pinsede.Tx) error {
		if err := tx.PutCitizen(pinsede.Citizen{Request: request(), UpdatedAt: issued}); err != nil {
			return err
		}
		return tx.PutCredential(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Ensure that an active PIN ordinario becomes dispositivo after the
// identity check, at once, keeping its id, hash and expiry, with no new
// PIN and no slip; that the credential, the citizen's document, the MV35,
// the audit entry and the outbox event are committed together; and that
// the link is asked to push it.
func TestConvert(t *testing.T) {
	// Given an active PIN ordinario, on a desk with a renderer and a link,
	f := newFixture(t)
	forms := &fakeForms{}
	f.desk.Forms = forms
	link := &fakeLink{online: true, desk: f.desk}
	f.desk.Link = link
	old := putOrdinario(t, f, "ord1", "ROMA01")
	f.now = f.now.Add(time.Hour)

	// when it is converted after the identity check,
	ver := verification()
	ver.Scan = &pinsede.Scan{Name: "doc.pdf", Data: []byte("%PDF-1.7 documento")}
	c, err := f.desk.Convert(f.sup, old.ID, ver)
	if err != nil {
		t.Fatal(err)
	}

	// then it is dispositivo, the same PIN, with its expiry;
	if c.ID != old.ID || c.PINHash != old.PINHash || c.Type != pinsede.Dispositivo || c.State != pinsede.StateAttivo ||
		!c.ExpiresAt.Equal(old.ExpiresAt) || !c.ConvertedAt.Equal(f.now) || c.ConvertedBy != "sup" {
		t.Fatalf("converted %+v", c)
	}
	if len(f.printer.slips) != 0 {
		t.Fatalf("%d slips printed", len(f.printer.slips))
	}
	page, err := f.desk.Citizen(f.sup, old.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if got := page.Credentials[0]; got.Type != pinsede.Dispositivo || !got.ConvertedAt.Equal(f.now) {
		t.Fatalf("stored %+v", got)
	}
	if page.Citizen.Document != ver.Document {
		t.Fatalf("citizen's document %+v", page.Citizen.Document)
	}
	// its MV35 is archived, and the audit entry and the event say it.
	var pdf []byte
	err = f.store.View(func(tx pinsede.Tx) (err error) { pdf, err = tx.Document(old.ID, pinsede.DocumentMV35); return err })
	if err != nil || string(pdf) != "%PDF-1.7 Rossi" || len(forms.rendered) != 1 || forms.rendered[0].Operator != "Anna Bianchi" {
		t.Fatalf("MV35 %q, %v, rendered %+v", pdf, err, forms.rendered)
	}
	last := page.History[len(page.History)-2] // before the page view
	if last.Action != pinsede.ActionConverted || last.Credential != old.ID || last.Actor != "sup" || last.Subject != old.CodiceFiscale ||
		!strings.Contains(last.Detail, string(ver.Document.Type)) || !strings.Contains(last.Detail, ver.Document.Number) {
		t.Fatalf("audit entry %+v: want the document checked in its detail", last)
	}
	items, err := f.store.Outbox(100)
	if err != nil {
		t.Fatal(err)
	}
	// The archived MV35 travels as an event of its own, after the
	// conversion.
	if len(items) != 2 || items[1].Event.Kind != pinsede.EventFormArchived || items[1].Event.Credential.ID != old.ID {
		t.Fatalf("outbox %+v", items)
	}
	if ev := items[0].Event; ev.Kind != pinsede.EventConverted || ev.Sede != "ROMA01" || ev.Credential.ID != old.ID ||
		ev.Credential.Type != pinsede.Dispositivo || !ev.Credential.ConvertedAt.Equal(f.now) || ev.Delegation != nil {
		t.Fatalf("outbox %+v", items)
	}
	if len(link.pending) != 1 || link.pending[0] != len(items) {
		t.Fatalf("link notified %v, want once with the event pending", link.pending)
	}
}

// Ensure that a conversion with an incomplete identity check writes
// nothing, and that only an active PIN ordinario is converted: a
// revoked or expired ordinario, one already converted and an unknown id
// are refused.
func TestConvertRefused(t *testing.T) {
	f := newFixture(t)
	ord := putOrdinario(t, f, "ord1", "WEB")

	bad := verification()
	bad.Checklist.PhotoMatches = false
	bad.Document.ExpiresOn = pinsede.DateOf(f.now.AddDate(0, 0, -1))
	var es pinsede.FieldErrors
	if _, err := f.desk.Convert(f.sup, ord.ID, bad); !errors.As(err, &es) {
		t.Fatalf("incomplete check: %v", err)
	}
	for _, field := range []string{pinsede.FieldCheckPhoto, pinsede.FieldDocExpires} {
		if _, ok := es.For(field); !ok {
			t.Errorf("incomplete check: no problem on %s in %v", field, es)
		}
	}
	if sum, err := f.desk.Summary(); err != nil || sum.PendingSync != 0 {
		t.Fatalf("an invalid conversion wrote: %+v, %v", sum, err)
	}

	// An issue revokes the ordinario: a new PIN takes its place.
	if _, err := f.desk.Issue(context.Background(), f.sup, request(), verification()); err != nil {
		t.Fatal(err)
	}
	expired := putOrdinario(t, f, "ord2", "WEB")
	converted := putOrdinario(t, f, "ord3", "WEB")
	if _, err := f.desk.Convert(f.sup, converted.ID, verification()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		id   string
		at   time.Time
		want error
	}{
		{"revocato", ord.ID, f.now, pinsede.ErrNotActive},
		{"già convertito", converted.ID, f.now, pinsede.ErrTransition},
		{"sconosciuto", "nope", f.now, pinsede.ErrNotFound},
		{"scaduto", expired.ID, expired.ExpiresAt.Add(time.Minute), pinsede.ErrNotActive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.now = tc.at
			before, _ := f.desk.Summary()
			if _, err := f.desk.Convert(f.sup, tc.id, verification()); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if after, _ := f.desk.Summary(); after.PendingSync != before.PendingSync {
				t.Fatalf("a refused conversion queued an event")
			}
		})
	}
}

// Ensure that an active dispositivo or telefonico is refused as a
// transition the state machine does not allow, not as inactive.
func TestConvertNotOrdinario(t *testing.T) {
	f := newFixture(t)
	issued, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	tel, err := f.desk.IssueTelephonePIN(context.Background(), f.sup, request(), verification(), pinsede.ValidityMonth)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{issued.Credential.ID, tel.Credential.ID} {
		_, err := f.desk.Convert(f.sup, id, verification())
		var te *pinsede.TransitionError
		if !errors.As(err, &te) || te.Transition != pinsede.TransitionConvert || errors.Is(err, pinsede.ErrNotActive) {
			t.Fatalf("convert %s: %v", id, err)
		}
	}
	if sum, err := f.desk.Summary(); err != nil || sum.PendingSync != 2 {
		t.Fatalf("refused conversions wrote: %+v, %v", sum, err)
	}
}
