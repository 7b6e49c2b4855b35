package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// IssuedOn returns Issued moved days back: the event's time, the issue
// and the expiry.
func IssuedOn(days int, sede string, cf pinsede.CodiceFiscale, id, credID, hash string) pinsede.Event {
	ev := Issued(sede, cf, id, credID, hash)
	t := T0.AddDate(0, 0, -days)
	ev.Time, ev.Credential.IssuedAt, ev.Credential.ExpiresAt = t, t, pinsede.Expiry(t)
	return ev
}

// overview returns s's Overview at at over days.
func overview(t *testing.T, s central.Store, at time.Time, days int) central.Overview {
	t.Helper()
	o, err := s.Overview(ctx, at, days)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// desk returns the DeskActivity of sede's desk in o; it fails the test
// when o has none.
func desk(t *testing.T, o central.Overview, sede, name string) central.DeskActivity {
	t.Helper()
	i := slices.IndexFunc(o.Desks, func(d central.DeskActivity) bool { return d.Sede == sede && d.Desk == name })
	if i < 0 {
		t.Fatalf("overview has no desk %q of %s: %+v", name, sede, o.Desks)
	}
	return o.Desks[i]
}

// Ensure that the overview counts each PIN issued once, on its day in
// Italy, whatever a desk sends again; that it keeps each desk's last push
// and pull, its rejected events and the changes waiting for its next
// pull; and that it lists the credentials locked now, and only those.
func testOverview(t *testing.T, s central.Store) {
	empty := overview(t, s, T0, 30)
	if len(empty.Desks) != 0 || len(empty.Issued) != 30 || empty.LockedPermanent+empty.LockedTemporary != 0 {
		t.Fatalf("empty store's overview = %+v", empty)
	}
	if got, want := empty.Issued[29].Day, central.Day(T0); !got.Equal(want) {
		t.Errorf("last day %s, want %s (today in Italy)", got, want)
	}

	h := Hash(t, lockPIN)
	a := AtDesk(Issued("ROMA01", CF(1), "e1", "c1", h), "01")
	b := AtDesk(Issued("ROMA01", CF(2), "e2", "c2", h), "01")
	old := AtDesk(IssuedOn(2, "ROMA01", CF(3), "e3", "c3", h), "01")
	bad := AtDesk(Issued("ROMA01", CF(4), "e4", "c4", h), "01")
	bad.Credential.PINHash = "not a hash"
	wantVerdicts(t, apply(t, s, "ROMA01", a, b, old, bad), wire.Accepted, wire.Accepted, wire.Accepted, wire.Rejected)
	wantVerdicts(t, apply(t, s, "ROMA01", a, old), wire.Duplicate, wire.Duplicate) // sent again: counted once
	milano := AtDesk(Issued("MILANO02", CF(5), "e1", "c5", h), "07")
	wantVerdicts(t, apply(t, s, "MILANO02", milano), wire.Accepted)
	// A PIN of Milano for CF(1) supersedes Roma's: a change waits for Roma.
	wantVerdicts(t, apply(t, s, "MILANO02", AtDesk(Issued("MILANO02", CF(1), "e2", "c6", h), "07")), wire.Accepted)

	o := overview(t, s, T0, 30)
	issued := map[string]int{}
	for _, d := range o.Issued {
		issued[d.Day.Format(time.DateOnly)] = d.Issued
	}
	if today, before := issued[central.DayKey(T0)], issued[central.DayKey(T0.AddDate(0, 0, -2))]; today != 4 || before != 1 {
		t.Errorf("PINs issued today %d, two days ago %d; want 4 and 1 (%v)", today, before, issued)
	}
	roma := desk(t, o, "ROMA01", "01")
	if !roma.LastPush.Equal(T0) || roma.Rejected != 1 || roma.LastReason == "" || !roma.LastRejected.Equal(T0) || !roma.LastPull.IsZero() {
		t.Errorf("Roma's desk = %+v; want a push at %s, 1 rejected with its reason, no pull", roma, T0)
	}
	if roma.Pending != 1 {
		t.Errorf("Roma's desk has %d changes waiting, want 1 (the PIN superseded; its own issues do not wait for it)", roma.Pending)
	}
	if mi := desk(t, o, "MILANO02", "07"); mi.Rejected != 0 || mi.Pending != 0 {
		t.Errorf("Milano's desk = %+v; want nothing rejected or waiting", mi)
	}

	// The sede's changes: desk 01's three accepted issues, for the sede's
	// other desks, then the PIN superseded.
	ch, _, _, err := s.Changes(ctx, "ROMA01", 0, 10, nil)
	if err != nil || len(ch) != 4 || ch[3].Kind != pinsede.ChangeSuperseded {
		t.Fatalf("Changes = %v, %v", ch, err)
	}
	last := ch[3].Seq
	pulled := T0.Add(time.Minute)
	if err := s.Pulled(ctx, "ROMA01", "01", last, pulled); err != nil {
		t.Fatal(err)
	}
	if err := s.Pulled(ctx, "ROMA01", "02", 0, pulled); err != nil { // a desk that only pulls
		t.Fatal(err)
	}
	o = overview(t, s, pulled, 30)
	if roma := desk(t, o, "ROMA01", "01"); !roma.LastPull.Equal(pulled) || roma.Cursor != last || roma.Pending != 0 || !roma.LastPush.Equal(T0) {
		t.Errorf("after its pull Roma's desk = %+v; want the pull at %s, cursor %d, nothing waiting", roma, pulled, last)
	}
	if d2 := desk(t, o, "ROMA01", "02"); !d2.LastPush.IsZero() || d2.Pending != 4 {
		t.Errorf("desk 02 = %+v; want no push, 4 changes waiting (desk 01's issues and the PIN superseded)", d2)
	}

	// Locks: CF(2) locked for a while, CF(5) for good, CF(3) locked once
	// but no longer.
	p := central.LockPolicy{After: 1, For: time.Hour, MaxTemporary: 1, ResetAfter: 30 * 24 * time.Hour}
	now := T0
	v, _ := lockVerifier(s, p, func() time.Time { return now })
	verifyOnce(t, v, CF(3), wrongPIN)
	now = T0.Add(2 * time.Hour)
	verifyOnce(t, v, CF(2), wrongPIN)
	verifyOnce(t, v, CF(5), wrongPIN)
	now = now.Add(2 * time.Hour)
	verifyOnce(t, v, CF(5), wrongPIN) // the second lock is permanent
	at := T0.Add(150 * time.Minute)
	o = overview(t, s, at, 30)
	if o.LockedPermanent != 1 || o.LockedTemporary != 1 || len(o.LockedList) != 2 {
		t.Fatalf("at %s: %d locked for good, %d for a while, listed %+v; want 1, 1 (c5, c2)", at, o.LockedPermanent, o.LockedTemporary, o.LockedList)
	}
	if l := o.LockedList[0]; l.CredentialID != "c5" || !l.Permanent || l.Sede != "MILANO02" || l.Type != pinsede.Dispositivo {
		t.Errorf("first locked = %+v, want c5 of MILANO02, for good", l)
	}
	if l := o.LockedList[1]; l.CredentialID != "c2" || l.Permanent || !l.Until.Equal(T0.Add(3*time.Hour)) {
		t.Errorf("second locked = %+v, want c2 until %s", l, T0.Add(3*time.Hour))
	}
	if _, err := s.Unlock(ctx, CF(5), "centrale:rossi", at); err != nil {
		t.Fatal(err)
	}
	o = overview(t, s, T0.Add(5*time.Hour), 30)
	if o.LockedPermanent+o.LockedTemporary != 0 || len(o.LockedList) != 0 {
		t.Errorf("after the unlock and the end of the temporary lock: %+v locked", o.LockedList)
	}
}

// WantLockBound checks the Overview of a store with more than
// MaxOverviewLocked credentials locked, permanent of them for good and
// the others for a while, the one whose lock ends last being last (a
// credential id): the counts stop at the bound, those that end last, and
// say there are more; the list starts with the permanent ones, then last.
func WantLockBound(t *testing.T, o central.Overview, permanent int, last string) {
	t.Helper()
	if !o.MoreLocked || o.LockedPermanent != permanent || o.LockedTemporary != central.MaxOverviewLocked-permanent {
		t.Errorf("locked: %d for good, %d for a while, more %v; want %d, %d, more", o.LockedPermanent, o.LockedTemporary, o.MoreLocked,
			permanent, central.MaxOverviewLocked-permanent)
	}
	if len(o.LockedList) != central.MaxOverviewLockedListed || !o.LockedList[0].Permanent || o.LockedList[permanent].CredentialID != last {
		t.Errorf("listed %d, first %+v, after the permanent ones %+v; want %s, whose lock ends last", len(o.LockedList), o.LockedList[0], o.LockedList[permanent], last)
	}
}
