package pinsede_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that each validity gives its expiry: a day, a week, a month,
// three months; the months, from 31 January, ending on the last day of
// the shorter month (pinsede.AddMonths), not carried into the next.
func TestTelephoneValidityExpiry(t *testing.T) {
	from := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    pinsede.TelephoneValidity
		want time.Time
	}{
		{pinsede.ValidityDay, time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)},
		{pinsede.ValidityWeek, time.Date(2026, 2, 7, 10, 0, 0, 0, time.UTC)},
		{pinsede.ValidityMonth, time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)},
		{pinsede.ValidityThreeMonths, time.Date(2026, 4, 30, 10, 0, 0, 0, time.UTC)},
	} {
		t.Run(string(tc.v), func(t *testing.T) {
			if !tc.v.Valid() || tc.v.Label() == "" {
				t.Fatalf("%q not valid or unlabelled", tc.v)
			}
			if got := tc.v.Expiry(from); !got.Equal(tc.want) {
				t.Fatalf("expiry %v, want %v", got, tc.want)
			}
		})
	}
	if pinsede.TelephoneValidity("6m").Valid() || pinsede.TelephoneValidity("").Valid() {
		t.Fatal("unknown validity accepted")
	}
}

// Ensure that IssueTelephonePIN issues an active PIN telefonico for the
// chosen validity, prints a slip that says so, and records the audit entry
// and the outbox event, leaving the PIN dispositivo active beside it.
func TestIssueTelephonePIN(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	disp, err := f.desk.Issue(ctx, f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.desk.IssueTelephonePIN(ctx, f.sup, request(), verification(), pinsede.ValidityWeek)
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credential
	if c.Type != pinsede.Telefonico || c.Validity != pinsede.ValidityWeek || !c.Active(f.now) || c.PrintedAt.IsZero() {
		t.Fatalf("credential %+v", c)
	}
	if want := f.now.AddDate(0, 0, 7); !c.ExpiresAt.Equal(want) {
		t.Fatalf("expires %v, want %v", c.ExpiresAt, want)
	}
	if len(out.Replaced) != 0 {
		t.Fatalf("a PIN telefonico replaced %+v", out.Replaced)
	}
	if len(f.printer.slips) != 2 {
		t.Fatalf("%d slips", len(f.printer.slips))
	}
	s := f.printer.slips[1]
	if s.Type != pinsede.Telefonico || s.Validity != pinsede.ValidityWeek || !s.ExpiresAt.Equal(c.ExpiresAt) {
		t.Fatalf("slip %+v", s)
	}
	if len(f.printer.pins[1]) != 16 {
		t.Fatalf("PIN of %d characters", len(f.printer.pins[1]))
	}
	if ok, err := pinsede.VerifySecret(c.PINHash, []byte(f.printer.pins[1])); !ok || err != nil {
		t.Fatalf("printed PIN does not match the stored hash: %v", err)
	}
	page, err := f.desk.Citizen(f.sup, request().CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	active := map[pinsede.CredentialType]int{}
	for _, cr := range page.Credentials {
		if cr.Active(f.now) {
			active[cr.Type]++
		}
	}
	if active[pinsede.Dispositivo] != 1 || active[pinsede.Telefonico] != 1 {
		t.Fatalf("active %v; dispositivo %s", active, disp.Credential.ID)
	}
	issued := 0
	for _, e := range page.History {
		if e.Action == pinsede.ActionIssued && e.Credential == c.ID {
			issued++
		}
	}
	if issued != 1 {
		t.Fatalf("%d issue entries for the PIN telefonico", issued)
	}
	items, err := f.store.Outbox(10)
	if err != nil {
		t.Fatal(err)
	}
	var sent bool
	for _, it := range items {
		if it.Event.Kind == pinsede.EventIssued && it.Event.Credential.ID == c.ID {
			sent = it.Event.Credential.Type == pinsede.Telefonico
		}
	}
	if !sent {
		t.Fatal("no outbox event for the PIN telefonico")
	}
}

// Ensure that a second PIN telefonico revokes the first, and that a new PIN
// dispositivo leaves an active PIN telefonico alone.
func TestIssueTelephonePINReplaces(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.desk.IssueTelephonePIN(ctx, f.sup, request(), verification(), pinsede.ValidityDay)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.desk.IssueTelephonePIN(ctx, f.sup, request(), verification(), pinsede.ValidityThreeMonths)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Replaced) != 1 || second.Replaced[0].ID != first.Credential.ID {
		t.Fatalf("replaced %+v", second.Replaced)
	}
	disp, err := f.desk.Issue(ctx, f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	if len(disp.Replaced) != 0 {
		t.Fatalf("a PIN dispositivo replaced %+v", disp.Replaced)
	}
}

// Ensure that the eligibility policy of the PIN dispositivo does not apply:
// a resident of Italy with an Italian passport gets a PIN telefonico.
func TestIssueTelephonePINNoPolicy(t *testing.T) {
	f := newFixture(t)
	r := request()
	r.Residenza = pinsede.Address{Street: "Via Roma 1", CAP: "00184", City: "Roma", Province: "RM", Country: "IT"}
	v := verification()
	v.Document = pinsede.Document{Type: pinsede.DocPassaporto, Number: "YA1234567", Authority: "Questura di Roma",
		IssuedOn: pinsede.Date{Year: 2020, Month: 5, Day: 4}, ExpiresOn: pinsede.Date{Year: 2030, Month: 5, Day: 3}}
	if _, err := f.desk.Issue(context.Background(), f.sup, r, v); !errors.Is(err, pinsede.ErrNotEligible) {
		t.Fatalf("Issue: want a refusal, got %v", err)
	}
	if _, err := f.desk.IssueTelephonePIN(context.Background(), f.sup, r, v, pinsede.ValidityMonth); err != nil {
		t.Fatal(err)
	}
}

// Ensure that a missing validity or a failed identity check issues nothing.
func TestIssueTelephonePINInvalid(t *testing.T) {
	f := newFixture(t)
	_, err := f.desk.IssueTelephonePIN(context.Background(), f.sup, request(), verification(), "")
	var es pinsede.FieldErrors
	if !errors.As(err, &es) || len(es) != 1 || es[0].Field != pinsede.FieldTelephoneValidity {
		t.Fatalf("want the validity refused, got %v", err)
	}
	v := verification()
	v.Checklist.PhotoMatches = false
	if _, err := f.desk.IssueTelephonePIN(context.Background(), f.sup, request(), v, pinsede.ValidityDay); !errors.As(err, &es) {
		t.Fatalf("want the identity check refused, got %v", err)
	}
	if len(f.printer.slips) != 0 {
		t.Fatalf("%d slips printed", len(f.printer.slips))
	}
}

// Ensure that replacing the lost slip of a PIN telefonico gives a PIN
// telefonico with the same validity and expiry, not a PIN dispositivo.
func TestReplaceSlipTelephone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.addOperator(t, pinsede.NewOperator{
		ID: "sup2", Name: "Carla Neri", Role: pinsede.RoleSupervisore, Password: "password-sup2",
	})
	first, err := f.desk.IssueTelephonePIN(ctx, f.sup, request(), verification(), pinsede.ValidityMonth)
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	out, err := f.desk.ReplaceSlip(ctx, f.sup, first.Credential.ID, pinsede.ReasonSlipLost, verification(),
		pinsede.Approval{SupervisorID: "sup2", Password: "password-sup2"})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credential
	if c.Type != pinsede.Telefonico || c.Validity != pinsede.ValidityMonth || !c.ExpiresAt.Equal(first.Credential.ExpiresAt) {
		t.Fatalf("replacement %s %s until %v, want telefonico 1m until %v", c.Type, c.Validity, c.ExpiresAt, first.Credential.ExpiresAt)
	}
	if s := f.printer.slips[len(f.printer.slips)-1]; s.Type != pinsede.Telefonico || s.Validity != pinsede.ValidityMonth {
		t.Fatalf("slip %s %s", s.Type, s.Validity)
	}
}

// Ensure that a PIN telefonico, temporary by choice, is not listed among
// the PINs to renew.
func TestExpiringSkipsTelephone(t *testing.T) {
	f := newFixture(t)
	if _, err := f.desk.IssueTelephonePIN(context.Background(), f.sup, request(), verification(), pinsede.ValidityWeek); err != nil {
		t.Fatal(err)
	}
	got, err := f.desk.Expiring(f.sup)
	if err != nil || len(got) != 0 {
		t.Fatalf("expiring %+v, %v; want none", got, err)
	}
}
