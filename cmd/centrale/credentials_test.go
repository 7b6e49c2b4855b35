package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/admin"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that `centrale credentials` and `centrale sedi` read a bbolt
// store of a stopped centrale: a citizen's credentials without their
// hashes, the desks that pushed; and that they refuse bad flags with
// exit code 2. (sync/admin TestOnline runs them on a running centrale,
// on both stores.)
func TestCredentialsAndSedi(t *testing.T) {
	path := storeOf(t, storetest.AtDesk(storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX")), "03"))
	ctx := context.Background()
	sub := func(args ...string) (int, string, string) {
		var out, errs bytes.Buffer
		code := run(ctx, args, &out, &errs)
		return code, out.String(), errs.String()
	}
	code, out, errs := sub("credentials", "-bolt", path, "-cf", string(storetest.CF(1)))
	if code != 0 || !strings.Contains(out, "c1") || !strings.Contains(out, "dispositivo") || strings.Contains(out, "argon2") {
		t.Errorf("credentials: %d\n%s%s", code, out, errs)
	}
	if code, out, _ = sub("credentials", "-bolt", path, "-cf", string(storetest.CF(2))); code != 0 || !strings.Contains(out, "no credential of") {
		t.Errorf("credentials of a stranger: %d %q", code, out)
	}
	if code, out, errs = sub("sedi", "-bolt", path); code != 0 || !strings.Contains(out, "ROMA01  03") || !strings.Contains(out, "1 desks;") {
		t.Errorf("sedi: %d\n%s%s", code, out, errs)
	}
	for _, args := range [][]string{
		{"credentials", "-bolt", path},
		{"credentials", "-bolt", path, "-cf", "RSSMRA80A01H501A"},
		{"sedi", "-bolt", path, "ROMA01"},
	} {
		if code := run(ctx, args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// heldRecords is the central records holding rs, whatever the codice
// fiscale asked.
type heldRecords struct {
	admin.Records
	rs []central.Record
}

func (h heldRecords) Credentials(context.Context, pinsede.CodiceFiscale) ([]central.Record, error) {
	return h.rs, nil
}

// Ensure that `centrale credentials` shows the expiry day in Italy, as the
// slip prints it: of a PIN issued at 00:30 there, the UTC day was the one
// before.
func TestCredentialsExpiryDay(t *testing.T) {
	issued := central.NextDay(testclock.Now()).Add(30 * time.Minute).In(central.Italy)
	c := pinsede.Credential{ID: "c1", Type: pinsede.Dispositivo, Sede: "ROMA01", IssuedAt: issued.UTC(), ExpiresAt: pinsede.Expiry(issued).UTC()}
	var out bytes.Buffer
	if err := credentials(context.Background(), heldRecords{rs: []central.Record{{Credential: c}}}, credentialsArgs{}, &out, testclock.Now()); err != nil {
		t.Fatal(err)
	}
	slip := pinsede.DateOf(pinsede.Expiry(issued)).String()
	if !strings.Contains(out.String(), "  "+slip+"  ") {
		t.Errorf("credentials of a PIN issued %v, expiring on %s on its slip:\n%s", issued, slip, out.String())
	}
}
