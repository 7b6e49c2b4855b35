package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that an operator of centrale (Store.Unlock) and a sede's
// EventUnlocked, from any sede, lift a permanent lock, with who and when
// recorded; that an unlock of an unknown credential or of another codice
// fiscale's is rejected; and that no sede is told.
func testUnlock(t *testing.T, s central.Store) {
	h := Hash(t, lockPIN)
	roma1, roma2 := Issued("ROMA01", CF(1), "a1", "ca", h), Issued("ROMA01", CF(2), "a2", "cb", h)
	apply(t, s, "ROMA01", roma1, roma2, Telephone("ROMA01", CF(1), "t1", "ct", h))
	p := central.LockPolicy{After: 3, For: 15 * time.Minute, MaxTemporary: 0, ResetAfter: 24 * time.Hour}
	now := T0
	v, _ := lockVerifier(s, p, func() time.Time { return now })
	lock := func(cf pinsede.CodiceFiscale, typ pinsede.CredentialType) {
		t.Helper()
		for range p.After {
			if _, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(cf), PIN: wrongPIN, Type: typ}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	opens := func(cf pinsede.CodiceFiscale, typ pinsede.CredentialType) bool {
		t.Helper()
		got, err := v.Verify(ctx, wire.VerifyRequest{CodiceFiscale: string(cf), PIN: lockPIN, Type: typ}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return got.Outcome != wire.Wrong
	}

	if _, err := s.Unlock(ctx, CF(9), "centrale:rossi", now); !errors.Is(err, central.ErrNotFound) {
		t.Errorf("Unlock(unknown) = %v, want ErrNotFound", err)
	}
	if got, err := s.Unlock(ctx, CF(1), "centrale:rossi", now); err != nil || len(got) != 0 {
		t.Errorf("Unlock with nothing locked = %+v, %v; want none", got, err)
	}
	lock(CF(1), "")
	lock(CF(1), pinsede.Telefonico)
	now = now.AddDate(0, 1, 0)
	if opens(CF(1), "") || opens(CF(1), pinsede.Telefonico) {
		t.Fatal("a permanent lock opened a month later")
	}
	got, err := s.Unlock(ctx, CF(1), "centrale:rossi", now)
	if err != nil || len(got) != 2 || !got[0].Lock.Permanent || !got[1].Lock.Permanent {
		t.Fatalf("Unlock = %+v, %v; want the two credentials, as they were", got, err)
	}
	if r := current(t, s, CF(1)); r.Failures != 0 || !sameLock(r.Lock, central.Lock{UnlockedAt: now, UnlockedBy: "centrale:rossi"}) {
		t.Errorf("after Unlock: failures %d, lock %+v", r.Failures, r.Lock)
	}
	if !opens(CF(1), "") || !opens(CF(1), pinsede.Telefonico) {
		t.Error("the right PIN does not open after the unlock")
	}

	// A desk of another sede unlocks after the identity check.
	lock(CF(2), "")
	unlock := Follow(roma2, "u1", pinsede.EventUnlocked)
	unlock.Sede = "MILA01"
	wantVerdicts(t, apply(t, s, "MILA01", unlock), wire.Accepted)
	wantVerdicts(t, apply(t, s, "MILA01", unlock), wire.Duplicate)
	if r := current(t, s, CF(2)); r.Lock.Permanent || r.Lock.UnlockedBy != "MILA01" || r.Lock.UnlockedAt.IsZero() {
		t.Errorf("after the sede's unlock: %+v", r.Lock)
	}
	if !opens(CF(2), "") {
		t.Error("the right PIN does not open after the sede's unlock")
	}

	unknown := Follow(Issued("MILA01", CF(3), "x", "nope", h), "u2", pinsede.EventUnlocked)
	if got := reasons(t, s, "MILA01", unknown); got[0] != central.ReasonUnknownCred {
		t.Errorf("unlock of an unknown credential: %q, want %q", got[0], central.ReasonUnknownCred)
	}
	other := Follow(roma2, "u3", pinsede.EventUnlocked)
	other.Sede, other.Credential.CodiceFiscale = "MILA01", CF(3)
	if got := reasons(t, s, "MILA01", other); got[0] != central.ReasonUnlockOtherCF {
		t.Errorf("unlock naming another codice fiscale: %q, want %q", got[0], central.ReasonUnlockOtherCF)
	}
	for _, sede := range []string{"ROMA01", "MILA01"} {
		if ch, _ := CentralChanges(s, sede); len(ch) != 0 {
			t.Errorf("changes for %s = %+v, want none", sede, ch)
		}
	}
}
