package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that `centrale unlock` lifts a permanent lock in the bbolt
// store, says what it lifted, records who did it, lets the right PIN open
// again, and refuses bad flags and an unknown codice fiscale.
func TestUnlock(t *testing.T) {
	const pin = "ACEFHJKMNPRTUVWX"
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLimits(storetest.Limits) // the suite's cheap hashes
	ctx := context.Background()
	cf := storetest.CF(1)
	iss := storetest.Issued("ROMA01", cf, "e1", "c1", storetest.Hash(t, pin))
	if _, err := s.Apply(ctx, "ROMA01", []pinsede.Event{iss}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	verifier := func(s central.Store) *central.Verifier {
		v := central.NewVerifier(s, 3, func() time.Time { return storetest.T0 })
		v.Lock.MaxTemporary, v.Params, v.ChosenParams = 0, storetest.CheapArgon2, storetest.CheapArgon2 // the first lock is permanent
		return v
	}
	v := verifier(s)
	for range v.Lock.After {
		if _, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(cf), PIN: "ACEFHJKMNPRTUVWY"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := s.Current(ctx, cf, central.SlotPIN); err != nil || !r.Lock.Permanent {
		t.Fatalf("before the unlock: %+v, %v; want locked for good", r.Lock, err)
	}
	s.Close()

	var out, errs bytes.Buffer
	args := []string{"unlock", "-bolt", path, "-by", "rossi", "-cf", strings.ToLower(string(cf))}
	if code := run(ctx, args, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if got := out.String(); !strings.Contains(got, "unlocked credential c1") || !strings.Contains(got, "locked permanently") {
		t.Errorf("stdout = %q", got)
	}
	out.Reset()
	if code := run(ctx, args, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "nothing changed") {
		t.Errorf("unlock again: exit %d, %q; want 0, nothing changed", code, out.String())
	}
	errs.Reset()
	unknown := []string{"unlock", "-bolt", path, "-by", "rossi", "-cf", string(storetest.CF(2))}
	if code := run(ctx, unknown, io.Discard, &errs); code != 1 || !strings.Contains(errs.String(), "not found") {
		t.Errorf("unknown codice fiscale: exit %d, %q; want 1, not found", code, errs.String())
	}

	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Current(ctx, cf, central.SlotPIN)
	if err != nil || r.Lock.Permanent || r.Lock.UnlockedBy != "centrale:rossi" || r.Failures != 0 {
		t.Errorf("record = %+v, %v", r, err)
	}
	if got, err := verifier(s).Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(cf), PIN: pin}, nil); err != nil || got.Outcome != wire.ChangeRequired {
		t.Errorf("the right PIN after the unlock: %+v, %v", got, err)
	}
	if ch, _ := storetest.CentralChanges(s, "ROMA01"); len(ch) != 0 {
		t.Errorf("changes = %+v, want none: no sede is told", ch)
	}

	for _, bad := range [][]string{
		{"-bolt", path, "-by", "rossi"},
		{"-bolt", path, "-cf", string(cf)},
		{"-bolt", path, "-by", "rossi", "-cf", "RSSMRA80A01H501A"},
		{"-bolt", path, "-by", "rossi", "-cf", string(cf), "c1"},
		{"-bolt", path, "-by", "ros\nsi", "-cf", string(cf)},
		{"-bolt", path, "-by", strings.Repeat("r", 56), "-cf", string(cf)},
	} {
		if _, err := parseUnlock(bad, io.Discard); err == nil {
			t.Errorf("parseUnlock(%q) accepted", bad)
		}
	}
	// A codice fiscale refused says why in words, as the desk would.
	errs.Reset()
	if code := run(ctx, []string{"unlock", "-bolt", path, "-by", "rossi", "-cf", "RSSMRA80A01H501"}, io.Discard, &errs); code != 2 ||
		!strings.Contains(errs.String(), "-cf RSSMRA80A01H501: A codice fiscale has 16 characters (11 digits if temporary): 15 were typed.") {
		t.Errorf("unlock -cf of 15 characters: exit %d, %q", code, errs.String())
	}
}

// Ensure that the lock policy's flags default to central's and are
// checked.
func TestLockFlags(t *testing.T) {
	base := []string{"-ca", "ca.crt", "-cert", "s.crt", "-key", "s.key"}
	c, err := parse(base, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.lock != central.DefaultLockPolicy(central.DefaultLockAfter) {
		t.Errorf("default policy %+v", c.lock)
	}
	c, err = parse(append(base, "-lock-after", "3", "-lock-for", "1h", "-lock-temporary", "2", "-lock-reset", "48h"), io.Discard)
	if want := (central.LockPolicy{After: 3, For: time.Hour, MaxTemporary: 2, ResetAfter: 48 * time.Hour}); err != nil || c.lock != want {
		t.Errorf("policy %+v, %v; want %+v", c.lock, err, want)
	}
	for _, bad := range [][]string{{"-lock-after", "0"}, {"-lock-for", "0s"}, {"-lock-temporary", "-1"}, {"-lock-reset", "0s"}} {
		if _, err := parse(append(base, bad...), io.Discard); err == nil {
			t.Errorf("parse(%q) accepted", bad)
		}
	}
}
