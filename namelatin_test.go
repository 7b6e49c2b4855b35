package pinsede_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that Issue refuses an MV35 whose surname and name are not in
// Latin letters (emoji, Cyrillic) with KeyNameLatin on both fields, and
// prints, stores and sends nothing.
func TestIssueRefusesNameNotLatin(t *testing.T) {
	f := newFixture(t)
	for _, names := range [][2]string{{"😀😀", "🙂"}, {"Иванов", "Сергей"}} {
		req := request()
		req.Cognome, req.Nome = names[0], names[1]
		_, err := f.desk.Issue(context.Background(), f.sup, req, verification())
		var es pinsede.FieldErrors
		if !errors.As(err, &es) {
			t.Fatalf("%v: %v, want FieldErrors", names, err)
		}
		for _, field := range []string{pinsede.FieldCognome, pinsede.FieldNome} {
			if fe, ok := es.For(field); !ok || fe.Key != pinsede.KeyNameLatin {
				t.Errorf("%v: %v, want %s on %s", names, es, pinsede.KeyNameLatin, field)
			}
		}
	}
	if len(f.printer.slips) > 0 {
		t.Errorf("%d slips printed", len(f.printer.slips))
	}
	if items, err := f.store.OutboxAfter(0, 10, 1<<20); err != nil || len(items) > 0 {
		t.Errorf("outbox: %+v, %v; want nothing to send", items, err)
	}
}
