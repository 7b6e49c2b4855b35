package pinsede_test

import (
	"context"
	"testing"
	"time"
)

// Ensure that the sede's active PINs show as expiring from 30 days before
// their expiry until they expire, with their citizen, and that a revoked
// PIN does not.
func TestExpiring(t *testing.T) {
	f := newFixture(t)
	out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
	if err != nil {
		t.Fatal(err)
	}
	expires := out.Credential.ExpiresAt
	for _, tc := range []struct {
		name string
		at   time.Time
		want int
	}{
		{"just issued", f.now, 0},
		{"31 days before", expires.AddDate(0, 0, -31), 0},
		{"30 days before", expires.AddDate(0, 0, -30), 1},
		{"the day before", expires.AddDate(0, 0, -1), 1},
		{"an hour before", expires.Add(-time.Hour), 1},
		{"expired", expires, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.now = tc.at
			got, err := f.desk.Expiring(f.sup)
			if err != nil || len(got) != tc.want {
				t.Fatalf("%d expiring, %v; want %d", len(got), err, tc.want)
			}
			if tc.want > 0 && (got[0].Credential.ID != out.Credential.ID || got[0].Citizen.Request.Cognome != "Rossi") {
				t.Fatalf("expiring %+v", got[0])
			}
		})
	}
	f.now = expires.AddDate(0, 0, -10)
	if _, err := f.desk.Revoke(f.sup, out.Credential.ID, "richiesta del cittadino"); err != nil {
		t.Fatal(err)
	}
	if got, err := f.desk.Expiring(f.sup); err != nil || len(got) != 0 {
		t.Fatalf("revoked PIN still expiring: %d, %v", len(got), err)
	}
}
