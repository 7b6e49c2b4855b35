package pinsede_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// fakeCentral is the central records of the tests: the credentials they
// hold, or the error they answer.
type fakeCentral struct {
	creds []pinsede.Credential
	audit pinsede.AuditSearch
	err   error
	asked int
}

func (c *fakeCentral) SearchAudit(_ context.Context, f pinsede.AuditFilter, _ pinsede.AuditCursor) (pinsede.AuditSearch, error) {
	c.asked++
	return c.audit, c.err
}

func (c *fakeCentral) Credentials(_ context.Context, cf pinsede.CodiceFiscale) ([]pinsede.Credential, error) {
	c.asked++
	if c.err != nil {
		return nil, c.err
	}
	var out []pinsede.Credential
	for _, cr := range c.creds {
		if cr.CodiceFiscale == cf {
			out = append(out, cr)
		}
	}
	return out, nil
}

// onlineOrdinario is a PIN ordinario of the citizen of request() obtained
// online a month before now, as the central records answer it: no hash.
func onlineOrdinario(f *fixture, id string) pinsede.Credential {
	issued := f.now.AddDate(0, -1, 0)
	return pinsede.Credential{
		ID: id, CodiceFiscale: request().CodiceFiscale, Type: pinsede.Ordinario, State: pinsede.StateAttivo,
		IssuedAt: issued, ExpiresAt: pinsede.Expiry(issued), Sede: "WEB",
	}
}

// Ensure that the lookup answers the citizen's credentials at the central
// records that the sede does not hold, and is audited; that a desk without
// central records says so, and an unreachable one passes its problem on.
func TestCentralCredentials(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.desk.CentralCredentials(ctx, f.sup, request().CodiceFiscale); !errors.Is(err, pinsede.ErrNoCentral) {
		t.Fatalf("no central records: %v", err)
	}
	held, err := f.desk.Issue(ctx, f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	other := onlineOrdinario(f, "web1")
	other.CodiceFiscale = "BNCLCU85M41F205B"
	cen := &fakeCentral{creds: []pinsede.Credential{onlineOrdinario(f, "web1"), held.Credential, other}}
	f.desk.Central = cen
	got, err := f.desk.CentralCredentials(ctx, f.sup, request().CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "web1" {
		t.Fatalf("found %+v, want web1 only", got)
	}
	page, err := f.desk.Citizen(f.sup, request().CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if e := page.History[len(page.History)-2]; e.Action != pinsede.ActionCentralLookup || e.Subject != request().CodiceFiscale || e.Actor != "sup" {
		t.Errorf("lookup not audited: %+v", e)
	}

	down := &pinsede.Problem{Key: "err.central.unreachable", Err: errors.New("connection refused")}
	cen.err = down
	var p *pinsede.Problem
	if _, err := f.desk.CentralCredentials(ctx, f.sup, request().CodiceFiscale); !errors.As(err, &p) || p != down {
		t.Fatalf("unreachable: %v", err)
	}
}

// Ensure that a PIN ordinario obtained online is converted at the desk:
// the central records are asked again, the desk keeps a copy with no PIN
// hash and its issuing channel, dispositivo, with its audit entry and an
// event of this sede about the channel's credential; the MV35 is kept at
// the sede only. A later PIN of the desk revokes the copy here with no
// event: the central records supersede it themselves.
func TestConvertCentral(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	forms := &fakeForms{}
	f.desk.Forms = forms
	link := &fakeLink{online: true, desk: f.desk}
	f.desk.Link = link
	if err := f.store.Update(func(tx pinsede.Tx) error {
		return tx.PutCitizen(pinsede.Citizen{Request: request(), UpdatedAt: f.now})
	}); err != nil {
		t.Fatal(err)
	}
	web := onlineOrdinario(f, "web1")
	cen := &fakeCentral{creds: []pinsede.Credential{web}}
	f.desk.Central = cen
	f.now = f.now.Add(time.Hour)

	c, err := f.desk.ConvertCentral(ctx, f.sup, web.CodiceFiscale, web.ID, verification())
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != web.ID || c.Type != pinsede.Dispositivo || c.Sede != "WEB" || c.PINHash != "" || c.ConvertedBy != "sup" ||
		!c.ConvertedAt.Equal(f.now) || !c.ExpiresAt.Equal(web.ExpiresAt) || cen.asked != 1 {
		t.Fatalf("converted %+v (asked %d)", c, cen.asked)
	}
	var stored pinsede.Credential
	var pdf []byte
	err = f.store.View(func(tx pinsede.Tx) error {
		if stored, err = tx.Credential(web.ID); err != nil {
			return err
		}
		pdf, err = tx.Document(web.ID, pinsede.DocumentMV35)
		return err
	})
	if err != nil || stored.Type != pinsede.Dispositivo || stored.PINHash != "" || stored.Sede != "WEB" ||
		!stored.ConvertedAt.Equal(f.now) || string(pdf) != "%PDF-1.7 Rossi" {
		t.Fatalf("stored %+v, MV35 %q, %v", stored, pdf, err)
	}
	items, err := f.store.Outbox(100)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Fatalf("outbox %+v, want the conversion only (the MV35 stays at the sede)", items)
	}
	if ev := items[0].Event; ev.Kind != pinsede.EventConverted || ev.Sede != "ROMA01" || ev.Credential.Sede != "WEB" ||
		ev.Credential.Type != pinsede.Dispositivo || ev.Credential.PINHash != "" || ev.Credential.ConvertedBy != "sup" {
		t.Fatalf("event %+v", ev)
	}
	if len(link.pending) != 1 {
		t.Fatalf("link notified %v", link.pending)
	}
	if _, err := f.desk.ConvertCentral(ctx, f.sup, web.CodiceFiscale, web.ID, verification()); !errors.Is(err, pinsede.ErrTransition) {
		t.Fatalf("converted twice: %v", err)
	}

	// A new PIN of the desk: the copy is revoked here, with no event.
	f.now = f.now.Add(time.Hour)
	issued, err := f.desk.Issue(ctx, f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	if len(issued.Replaced) != 1 || issued.Replaced[0].ID != web.ID {
		t.Fatalf("replaced %+v", issued.Replaced)
	}
	if items, err = f.store.Outbox(100); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Event.Kind == pinsede.EventRevoked || it.Event.Credential.Sede != "ROMA01" && it.Event.Kind != pinsede.EventConverted {
			t.Errorf("event about another sede's credential: %+v", it.Event)
		}
	}
}

// Ensure that a conversion at the central records writes nothing when the
// check is incomplete (the central records are not even asked), when they
// cannot be reached, when they do not hold the credential, and when it is
// not an active PIN ordinario there.
func TestConvertCentralRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	revoked := onlineOrdinario(f, "web2")
	revoked.State = pinsede.StateRevocato
	cen := &fakeCentral{creds: []pinsede.Credential{onlineOrdinario(f, "web1"), revoked}}
	f.desk.Central = cen
	cf := request().CodiceFiscale

	bad := verification()
	bad.Checklist.OriginalSeen = false
	var es pinsede.FieldErrors
	if _, err := f.desk.ConvertCentral(ctx, f.sup, cf, "web1", bad); !errors.As(err, &es) || cen.asked != 0 {
		t.Fatalf("incomplete check: %v (asked %d)", err, cen.asked)
	}
	down := &pinsede.Problem{Key: "err.central.unreachable", Err: errors.New("connection refused")}
	for _, tc := range []struct {
		name string
		id   string
		err  error
		want error
	}{
		{"unreachable", "web1", down, down},
		{"unknown", "nope", nil, pinsede.ErrNotFound},
		{"revoked", "web2", nil, pinsede.ErrNotActive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cen.err = tc.err
			if _, err := f.desk.ConvertCentral(ctx, f.sup, cf, tc.id, verification()); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var n int
			err := f.store.View(func(tx pinsede.Tx) error {
				creds, err := tx.Credentials(cf)
				n = len(creds)
				return err
			})
			if sum, _ := f.desk.Summary(); err != nil || n != 0 || sum.PendingSync != 0 {
				t.Fatalf("a refused conversion wrote: %d credentials, %d events, %v", n, sum.PendingSync, err)
			}
		})
	}
	f.desk.Central = nil
	if _, err := f.desk.ConvertCentral(ctx, f.sup, cf, "web1", verification()); !errors.Is(err, pinsede.ErrNoCentral) {
		t.Fatalf("no central records: %v", err)
	}
}

// Ensure that a citizen the sede holds no record of has a page from the
// lookup at the central records: Unknown, with the codice fiscale only and
// what the central records hold; that once a PIN of theirs is converted
// here, the sede's own page shows its copy; that nothing anywhere is
// ErrNotFound; and that a citizen of the sede has their usual page.
func TestCentralCitizen(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cf := request().CodiceFiscale
	if _, err := f.desk.CentralCitizen(ctx, f.sup, cf); !errors.Is(err, pinsede.ErrNoCentral) {
		t.Fatalf("no central records: %v", err)
	}
	cen := &fakeCentral{}
	f.desk.Central = cen
	if _, err := f.desk.CentralCitizen(ctx, f.sup, cf); !errors.Is(err, pinsede.ErrNotFound) {
		t.Fatalf("nothing anywhere: %v", err)
	}
	if _, err := f.desk.Citizen(f.sup, cf); !errors.Is(err, pinsede.ErrNotFound) {
		t.Fatalf("nothing at the sede: %v", err)
	}
	down := &pinsede.Problem{Key: "err.central.unreachable", Err: errors.New("connection refused")}
	cen.err = down
	var p *pinsede.Problem
	if _, err := f.desk.CentralCitizen(ctx, f.sup, cf); !errors.As(err, &p) || p != down {
		t.Fatalf("unreachable: %v", err)
	}
	cen.err = nil

	web := onlineOrdinario(f, "web1")
	cen.creds = []pinsede.Credential{web}
	page, err := f.desk.CentralCitizen(ctx, f.sup, cf)
	if err != nil {
		t.Fatal(err)
	}
	if !page.Unknown || page.Citizen.CF() != cf || page.Citizen.Request.FullName() != "" || len(page.Credentials) != 0 ||
		len(page.Central) != 1 || page.Central[0].ID != web.ID {
		t.Fatalf("page %+v", page)
	}
	if n := len(page.History); n < 2 || page.History[n-2].Action != pinsede.ActionCentralLookup || page.History[n-1].Action != pinsede.ActionCitizenViewed {
		t.Fatalf("history %+v", page.History)
	}

	if _, err := f.desk.ConvertCentral(ctx, f.sup, cf, web.ID, verification()); err != nil {
		t.Fatal(err)
	}
	for name, get := range map[string]func() (pinsede.CitizenPage, error){
		"sede":     func() (pinsede.CitizenPage, error) { return f.desk.Citizen(f.sup, cf) },
		"centrale": func() (pinsede.CitizenPage, error) { return f.desk.CentralCitizen(ctx, f.sup, cf) },
	} {
		page, err := get()
		if err != nil || !page.Unknown || len(page.Credentials) != 1 || page.Credentials[0].Type != pinsede.Dispositivo || len(page.Central) != 0 {
			t.Fatalf("%s, after the conversion: %+v, %v", name, page, err)
		}
	}

	if err := f.store.Update(func(tx pinsede.Tx) error {
		return tx.PutCitizen(pinsede.Citizen{Request: request(), UpdatedAt: f.now})
	}); err != nil {
		t.Fatal(err)
	}
	if page, err = f.desk.CentralCitizen(ctx, f.sup, cf); err != nil || page.Unknown || page.Citizen.Request.FullName() != "Rossi Mario" {
		t.Fatalf("a citizen of the sede: %+v, %v", page, err)
	}
}
