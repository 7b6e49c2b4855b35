package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// AtDesk returns ev as the desk desk of its sede pushes it: the server
// sets Desk from the client certificate.
func AtDesk(ev pinsede.Event, desk string) pinsede.Event {
	ev.Desk = desk
	return ev
}

// Ensure that every event is kept with the desk that pushed it, and read
// back with its verdict and time: two desks of a sede, and a desk of
// before desk ids (""); a replay from another desk changes nothing.
func testEventDesk(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	e1 := AtDesk(Issued("ROMA01", CF(1), "e1", "c1", h), "03")
	e2 := AtDesk(Follow(e1, "e2", pinsede.EventHandedOver), "04")
	e3 := Refused("ROMA01", "e3", CF(2), pinsede.KeyRefusedResidentItaly)
	wantVerdicts(t, apply(t, s, "ROMA01", e1, e2, e3), wire.Accepted, wire.Accepted, wire.Accepted)
	wantVerdicts(t, apply(t, s, "ROMA01", AtDesk(e1, "05")), wire.Duplicate)
	for _, tc := range []struct {
		id, desk string
		kind     pinsede.EventKind
	}{{"e1", "03", pinsede.EventIssued}, {"e2", "04", pinsede.EventHandedOver}, {"e3", "", pinsede.EventRefused}} {
		got, err := s.Event(ctx, "ROMA01", tc.id)
		switch {
		case err != nil:
			t.Errorf("Event(%s): %v", tc.id, err)
		case got.Event.Desk != tc.desk || got.Event.Kind != tc.kind || got.Event.ID != tc.id || got.Event.Sede != "ROMA01" ||
			got.Verdict != wire.Accepted || !got.At.Equal(T0):
			t.Errorf("Event(%s) = %+v, want desk %q, %s, accepted at T0", tc.id, got, tc.desk, tc.kind)
		}
	}
	if got, err := s.Event(ctx, "ROMA01", "e1"); err == nil && got.Event.Credential.ID != "c1" {
		t.Errorf("Event(e1) credential = %+v", got.Event.Credential)
	}
	for _, k := range [][2]string{{"ROMA01", "nope"}, {"MILANO01", "e1"}} {
		if _, err := s.Event(ctx, k[0], k[1]); !errors.Is(err, central.ErrNotFound) {
			t.Errorf("Event(%s, %s): %v, want ErrNotFound", k[0], k[1], err)
		}
	}
}

// onDesk returns the head of a test chain as desk pushes it.
func onDesk(h wire.AuditHead, desk string) wire.AuditHead {
	h.Desk = desk
	return h
}

// Ensure that chains are admitted per sede and desk: each desk's first
// chain on its first push, with no reset; a second chain of a desk is
// refused, as is a desk's push of a chain admitted for another; a chain
// of desk "" (before desk ids) passes to the first desk with a
// certificate of its own that pushes it, and goes on from its heads; a
// reset admits a chain for the desk it names.
func testAuditDesks(t *testing.T, s central.Store) {
	at := func(desk, chain string) func(seq uint64) wire.AuditHead {
		return func(seq uint64) wire.AuditHead { return onDesk(Head(chain, "", 0, seq), desk) }
	}
	d03, d04, old := at("03", "A"), at("04", "B"), at("", "C")
	putHead(t, s, "ROMA01", old(1), T0, "")
	putHead(t, s, "ROMA01", old(5), T0, "")
	putHead(t, s, "ROMA01", d03(1), T0, "") // desk 03's first chain: no operator's step
	putHead(t, s, "ROMA01", d04(1), T0, "") // and desk 04's
	putHead(t, s, "ROMA01", d03(8), T0.Add(time.Minute), "")
	putHead(t, s, "ROMA01", d04(3), T0.Add(time.Minute), "")
	putHead(t, s, "ROMA01", onDesk(Head("D", "", 0, 2), "03"), T0, central.ReasonAuditNewChain) // desk 03 set up again
	putHead(t, s, "ROMA01", onDesk(d03(9), "04"), T0, central.ReasonAuditOtherDesk)             // 03's chain from 04
	putHead(t, s, "ROMA01", onDesk(d03(9), ""), T0, central.ReasonAuditOtherDesk)               // and from the old certificate

	// The desk of the old certificate gets its own, desk 05: its chain
	// passes to it, and stays bound by its heads.
	d05 := at("05", "C")
	putHead(t, s, "ROMA01", d05(3), T0, central.ReasonAuditBackwards)
	putHead(t, s, "ROMA01", d05(5), T0.Add(2*time.Minute), "")
	putHead(t, s, "ROMA01", d05(7), T0.Add(2*time.Minute), "")
	putHead(t, s, "ROMA01", old(8), T0, central.ReasonAuditOtherDesk) // the old certificate no more

	kept, err := AllHeads(ctx, s, "ROMA01")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]uint64{}
	for _, k := range kept {
		got[k.Desk] = append(got[k.Desk], k.Seq)
	}
	if want := map[string][]uint64{"03": {1, 8}, "04": {1, 3}, "05": {1, 5, 7}}; !reflect.DeepEqual(got, want) {
		t.Errorf("heads by desk: %v, want %v", got, want)
	}
	forks, err := s.AuditForks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var fork03 int
	for _, f := range forks {
		if f.Head.Desk == "03" {
			fork03++
		}
	}
	if len(forks) != 5 || fork03 != 1 {
		t.Fatalf("%d open forks (%d of desk 03), want 5 (1): %+v", len(forks), fork03, forks)
	}

	// Desk 03 set up again: the operator admits its new chain, which
	// resolves desk 03's fork only.
	r, err := s.ResetAudit(ctx, central.AuditReset{Sede: "ROMA01", Desk: "03", Chain: Head("D", "", 0, 1).Chain,
		By: "centrale:rossi", Reason: "sportello 03 reinstallato", At: T0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Resolved != 1 {
		t.Errorf("reset of desk 03: %+v, want 1 fork resolved", r)
	}
	putHead(t, s, "ROMA01", onDesk(Head("D", "", 0, 2), "03"), T0, "")
	putHead(t, s, "ROMA01", d03(10), T0, "") // the first chain of desk 03 goes on too
	if forks, err := s.AuditForks(ctx); err != nil || len(forks) != 4 {
		t.Errorf("open forks after the reset: %d %v, want 4", len(forks), err)
	}
}
