package pinsede_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that the desk asks centrale to unlock an active PIN, of its own
// or of another sede, after the identity check: the audit entry naming
// the document and the outbox event (with the credential) are committed
// together, the credential is left as it was, and the link is asked to
// push.
func TestUnlockPIN(t *testing.T) {
	f := newFixture(t)
	link := &fakeLink{online: true, desk: f.desk}
	f.desk.Link = link
	web := putOrdinario(t, f, "ord1", "WEB")
	f.now = f.now.Add(time.Hour)

	ver := verification()
	c, err := f.desk.UnlockPIN(f.sup, web.ID, ver)
	if err != nil {
		t.Fatal(err)
	}
	if !unchanged(c, web) {
		t.Errorf("credential after the unlock = %+v, want it as it was %+v", c, web)
	}
	page, err := f.desk.Citizen(f.sup, web.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if got := page.Credentials[0]; !unchanged(got, web) {
		t.Errorf("stored %+v, want %+v", got, web)
	}
	last := page.History[len(page.History)-2] // before the page view
	if last.Action != pinsede.ActionUnlocked || last.Credential != web.ID || last.Actor != "sup" || last.Subject != web.CodiceFiscale ||
		!strings.Contains(last.Detail, ver.Document.Number) {
		t.Errorf("audit entry %+v: want the unlock, naming the document checked", last)
	}
	items, err := f.store.Outbox(100)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Fatalf("outbox %+v", items)
	}
	if ev := items[0].Event; ev.Kind != pinsede.EventUnlocked || ev.Sede != "ROMA01" || !unchanged(ev.Credential, web) || !ev.Time.Equal(f.now) {
		t.Errorf("event %+v", ev)
	}
	if len(link.pending) != 1 || link.pending[0] != 1 {
		t.Errorf("link notified %v, want once with the event pending", link.pending)
	}
}

// Ensure that an unlock with an incomplete identity check, of an unknown
// credential, or of one not active writes nothing.
func TestUnlockPINRefused(t *testing.T) {
	f := newFixture(t)
	ord := putOrdinario(t, f, "ord1", "WEB")
	bad := verification()
	bad.Checklist.PhotoMatches = false
	var es pinsede.FieldErrors
	if _, err := f.desk.UnlockPIN(f.sup, ord.ID, bad); !errors.As(err, &es) {
		t.Errorf("incomplete check: %v, want FieldErrors", err)
	}
	if _, err := f.desk.UnlockPIN(f.sup, "nope", verification()); !errors.Is(err, pinsede.ErrNotFound) {
		t.Errorf("unknown credential: %v, want ErrNotFound", err)
	}
	f.now = ord.ExpiresAt.Add(time.Hour)
	if _, err := f.desk.UnlockPIN(f.sup, ord.ID, verification()); !errors.Is(err, pinsede.ErrNotActive) {
		t.Errorf("expired credential: %v, want ErrNotActive", err)
	}
	if sum, err := f.desk.Summary(); err != nil || sum.PendingSync != 0 {
		t.Errorf("a refused unlock wrote: %+v, %v", sum, err)
	}
}

// unchanged reports whether c is still was: the same credential, in the
// same state, with the same PIN and dates (as instants: the store answers
// them in UTC).
func unchanged(c, was pinsede.Credential) bool {
	return c.ID == was.ID && c.State == was.State && c.Type == was.Type && c.PINHash == was.PINHash && c.Sede == was.Sede &&
		c.IssuedAt.Equal(was.IssuedAt) && c.ExpiresAt.Equal(was.ExpiresAt) && c.RevokedAt.Equal(was.RevokedAt)
}
