package pinsede_test

import (
	"errors"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a citizen's choice of SPID, CIE or CNS is recorded on the
// citizen's page with no PIN and no credential, with an outbox event that
// carries the codice fiscale and the choice only, pushed at once, and
// that an unknown choice or an invalid request writes nothing.
func TestRecordDigitalIdentityChoice(t *testing.T) {
	f := newFixture(t)
	link := &fakeLink{online: true, desk: f.desk}
	f.desk.Link = link
	cf := pinsede.CodiceFiscale("RSSMRA80A01H501U")

	var es pinsede.FieldErrors
	if err := f.desk.RecordDigitalIdentityChoice(f.sup, request(), "PEC"); !errors.As(err, &es) {
		t.Fatalf("unknown choice: %v", err)
	} else if _, ok := es.For(pinsede.FieldDigitalIdentity); !ok {
		t.Fatalf("unknown choice: %v", es)
	}
	bad := request()
	bad.Cognome = ""
	if err := f.desk.RecordDigitalIdentityChoice(f.sup, bad, "SPID"); !errors.As(err, &es) {
		t.Fatalf("invalid request: %v", err)
	}
	if _, err := f.desk.Citizen(f.sup, cf); !errors.Is(err, pinsede.ErrNotFound) {
		t.Fatalf("a refused choice stored the citizen: %v", err)
	}
	if items, err := f.store.Outbox(0); err != nil || len(items) != 0 || len(link.pending) != 0 {
		t.Fatalf("a refused choice enqueued %+v (%v), notified %v", items, err, link.pending)
	}

	if err := f.desk.RecordDigitalIdentityChoice(f.sup, request(), "CIE"); err != nil {
		t.Fatal(err)
	}
	page, err := f.desk.Citizen(f.sup, cf)
	if err != nil {
		t.Fatal(err)
	}
	if page.Citizen.Request.Cognome != "Rossi" || len(page.Credentials) != 0 {
		t.Fatalf("page %+v", page)
	}
	found := false
	for _, e := range page.History {
		if e.Action == pinsede.ActionDigitalIdentity {
			found = e.Detail == "CIE" && e.Actor == "sup"
		}
	}
	if !found {
		t.Fatalf("choice not in the history: %+v", page.History)
	}
	if sum, err := f.desk.Summary(); err != nil || sum.PendingSync != 1 || sum.IssuedToday != 0 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	items, err := f.store.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Fatalf("outbox %+v", items)
	}
	ev := items[0].Event
	want := pinsede.Outcome{CodiceFiscale: cf, Choice: "CIE"}
	if ev.Kind != pinsede.EventDigitalIdentityChosen || ev.Sede != "ROMA01" || !ev.Time.Equal(f.now) || ev.ID == "" ||
		ev.Outcome == nil || *ev.Outcome != want || ev.Credential != (pinsede.Credential{}) || ev.Delegation != nil || ev.Form != nil {
		t.Fatalf("event %+v, outcome %+v", ev, ev.Outcome)
	}
	if len(link.pending) != 1 || link.pending[0] != 1 {
		t.Fatalf("link notified %v, want once with the event pending", link.pending)
	}
}
