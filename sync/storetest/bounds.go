package storetest

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// FakeHash returns a hash in the PHC format with the costs p that was
// never computed: centrale reads a pushed hash's costs without hashing,
// so a cost no test could afford to compute can be pushed.
func FakeHash(p pinsede.Argon2Params) string {
	return "$argon2id$v=19$" + p.String() + "$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
}

// Ensure that a pushed PIN hash must have a cost centrale accepts: the
// huge one that once took centrale to 5.6 GB, and a trivial one, are
// rejected with the cost named; the desks' default is accepted; and that
// a store's limits are its own (SetLimits).
func testHashCost(t *testing.T, s central.Store) {
	def, err := pinsede.HashSecret([]byte("ACEFHJKMNPRTUVWX"), pinsede.DefaultPINParams, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	huge := pinsede.Argon2Params{Time: 1<<32 - 1, MemoryKiB: 4 << 20, Threads: 255}
	weak := pinsede.Argon2Params{Time: 1, MemoryKiB: 8, Threads: 1}
	for i, tc := range []struct {
		name, hash, want string
	}{
		{"huge", FakeHash(huge), central.ReasonHashCost + ": " + huge.String()},
		{"weak", FakeHash(weak), central.ReasonHashCost + ": m=8,t=1,p=1"},
		{"more lanes", FakeHash(pinsede.Argon2Params{Time: 1, MemoryKiB: 64 << 10, Threads: 4}), central.ReasonHashCost},
		{"the desks' default", def, ""},
		{"the suite's, accepted by its limits", Hash(t, "ACEFHJKMNPRTUVWX"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := Issued("ROMA01", CF(i), fmt.Sprint("h", i), fmt.Sprint("ch", i), tc.hash)
			got := reasons(t, s, "ROMA01", ev)[0]
			if tc.want == "" && got != "" || !strings.HasPrefix(got, tc.want) {
				t.Errorf("reason %q, want %q", got, tc.want)
			}
		})
	}
	// With the default limits the suite's cheap hash is refused, and the
	// reason says what is accepted.
	s.SetLimits(central.Limits{})
	defer s.SetLimits(Limits)
	got := reasons(t, s, "ROMA01", Issued("ROMA01", CF(20), "h20", "ch20", Hash(t, "ACEFHJKMNPRTUVWX")))[0]
	if want := central.ReasonHashCost + ": " + CheapArgon2.String() + "; centrale accepts " + pinsede.DefaultPINParams.String(); got != want {
		t.Errorf("cheap hash under the default limits: reason %q, want %q", got, want)
	}
	if n := events(t, s); n != 2 {
		t.Errorf("Events() = %d, want 2: the two accepted", n)
	}
}

// Ensure that each field of an event out of bounds is rejected with a
// reason that names it, and that the same event within bounds, at their
// edges, is accepted.
func testBounds(t *testing.T, s central.Store) {
	h := Hash(t, "ACEFHJKMNPRTUVWX")
	lim := Limits.WithDefaults()
	n := 0
	issued := func(f func(e *pinsede.Event)) pinsede.Event {
		n++
		ev := Issued("ROMA01", CF(100+n), fmt.Sprint("b", n), fmt.Sprint("cb", n), h)
		f(&ev)
		return ev
	}
	at := func(t time.Time) func(e *pinsede.Event) {
		return func(e *pinsede.Event) {
			e.Time, e.Credential.IssuedAt, e.Credential.ExpiresAt = t, t, pinsede.Expiry(t)
		}
	}
	tel := func(f func(c *pinsede.Credential)) func(e *pinsede.Event) {
		return func(e *pinsede.Event) {
			c := &e.Credential
			c.Type, c.Validity, c.ExpiresAt = pinsede.Telefonico, pinsede.ValidityWeek, pinsede.ValidityWeek.Expiry(c.IssuedAt)
			f(c)
		}
	}
	base := Issued("ROMA01", CF(99), "b0", "cb0", h)
	if r := reasons(t, s, "ROMA01", base)[0]; r != "" {
		t.Fatalf("the base issue is rejected: %s", r)
	}
	follow := func(kind pinsede.EventKind, f func(e *pinsede.Event)) pinsede.Event {
		n++
		ev := Follow(base, fmt.Sprint("b", n), kind)
		f(&ev)
		return ev
	}
	reg := func(f func(d *pinsede.Delegation)) pinsede.Event {
		n++
		ev := Delegated("ROMA01", fmt.Sprint("bd", n), pinsede.FormAA08, CF(200+n), CF(300+n))
		f(ev.Delegation)
		return ev
	}
	fixed, dst := acrossDST(t, lim)
	// The latest issue, by the suite's clock, whose six months Go's
	// AddDate carries past the end of the shorter month, as desks of
	// before pinsede.AddMonths counted them: 31 August, 3 March.
	before := T0.Truncate(time.Hour)
	for before.AddDate(0, pinsede.ValidityMonths, 0).Equal(pinsede.Expiry(before)) {
		before = before.Add(-time.Hour)
	}
	counted := func(d time.Duration) func(e *pinsede.Event) {
		return func(e *pinsede.Event) {
			at(before)(e)
			e.Credential.ExpiresAt = before.AddDate(0, pinsede.ValidityMonths, 0).Add(d)
		}
	}

	for _, tc := range []struct {
		name string
		ev   pinsede.Event
		want string // the reason's start; "" for accepted
	}{
		{"event time in year 1", issued(func(e *pinsede.Event) { e.Time = time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC) }), central.ReasonTimeRange + ": time 0001-01-01"},
		{"event time in the future", issued(func(e *pinsede.Event) { e.Time = T0.Add(lim.MaxSkew + time.Second) }), central.ReasonTimeRange + ": time"},
		{"event time at the skew", issued(at(T0.Add(lim.MaxSkew))), ""},
		{"event too old", issued(at(T0.Add(-lim.MaxAge - time.Second))), central.ReasonTimeRange + ": time"},
		{"event at the oldest", issued(at(T0.Add(-lim.MaxAge))), ""},
		{"issue in the future", issued(func(e *pinsede.Event) { at(T0.Add(time.Hour))(e); e.Time = T0 }), central.ReasonTimeRange + ": credential.issued_at"},
		{"expiry 9999-12-31", issued(func(e *pinsede.Event) { e.Credential.ExpiresAt = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) }), central.ReasonTimeRange + ": credential.expires_at"},
		{"expiry a day late", issued(func(e *pinsede.Event) { // than a desk of before counted it too (31 December, 1 July)
			c := &e.Credential
			c.ExpiresAt = c.ExpiresAt.AddDate(0, 0, 1)
			if before := c.IssuedAt.AddDate(0, pinsede.ValidityMonths, 1); before.After(c.ExpiresAt) {
				c.ExpiresAt = before
			}
		}), central.ReasonExpiry},
		{"expiry a day early", issued(func(e *pinsede.Event) { e.Credential.ExpiresAt = e.Credential.ExpiresAt.AddDate(0, 0, -1) }), central.ReasonExpiry},
		{"expiry counted by a desk of before, past the month's end", issued(counted(0)), ""},
		{"expiry a day after a desk of before counted it", issued(counted(24 * time.Hour)), central.ReasonExpiry},
		{"expiry across daylight saving time", issued(func(e *pinsede.Event) { e.Time, e.Credential.IssuedAt, e.Credential.ExpiresAt = fixed, fixed, dst }), ""},
		{"validity of a PIN dispositivo", issued(func(e *pinsede.Event) { e.Credential.Validity = pinsede.ValidityWeek }), central.ReasonBadEvent + ": a validity"},
		{"telefonico of a week", issued(tel(func(c *pinsede.Credential) {})), ""},
		{"telefonico replaced, sooner", issued(tel(func(c *pinsede.Credential) { c.ExpiresAt = c.IssuedAt.AddDate(0, 0, 3) })), ""},
		{"telefonico past its validity", issued(tel(func(c *pinsede.Credential) { c.ExpiresAt = c.IssuedAt.AddDate(0, 0, 8) })), central.ReasonExpiry},
		{"telefonico of six months", issued(tel(func(c *pinsede.Credential) { c.ExpiresAt = c.IssuedAt.AddDate(0, 6, 0) })), central.ReasonExpiry},
		{"telefonico with no validity", issued(tel(func(c *pinsede.Credential) { c.Validity = "" })), central.ReasonBadEvent + ": validity"},
		{"NUL in issued_by", issued(func(e *pinsede.Event) { e.Credential.IssuedBy = "op\x00admin" }), central.ReasonText + ": credential.issued_by"},
		{"right-to-left override in issued_by", issued(func(e *pinsede.Event) { e.Credential.IssuedBy = "op\u202enimda" }), central.ReasonText + ": credential.issued_by"},
		{"isolate in issued_by", issued(func(e *pinsede.Event) { e.Credential.IssuedBy = "op\u2066x" }), central.ReasonText + ": credential.issued_by"},
		{"newline in issued_by", issued(func(e *pinsede.Event) { e.Credential.IssuedBy = "op\nadmin" }), central.ReasonText + ": credential.issued_by"},
		{"C1 control in issued_by", issued(func(e *pinsede.Event) { e.Credential.IssuedBy = "op\u0085" }), central.ReasonText + ": credential.issued_by"},
		{"invalid UTF-8 in issued_by", issued(func(e *pinsede.Event) { e.Credential.IssuedBy = "op\xff" }), central.ReasonText + ": credential.issued_by"},
		{"accents in issued_by", issued(func(e *pinsede.Event) { e.Credential.IssuedBy = "Niccolò D'Àlessandro" }), ""},
		{"3 MB slip serial", issued(func(e *pinsede.Event) { e.Credential.SlipSerial = strings.Repeat("X", 3<<20) }), central.ReasonText + ": credential.slip_serial has 3145728 bytes"},
		{"slip serial of 65 bytes", issued(func(e *pinsede.Event) { e.Credential.SlipSerial = strings.Repeat("X", 65) }), central.ReasonText + ": credential.slip_serial"},
		{"slip serial of 64 bytes", issued(func(e *pinsede.Event) { e.Credential.SlipSerial = strings.Repeat("X", 64) }), ""},
		{"revocation reason of 513 bytes", follow(pinsede.EventRevoked, func(e *pinsede.Event) { e.Credential.RevokeReason = strings.Repeat("x", 513) }), central.ReasonText + ": credential.revoke_reason"},
		{"revocation reason with a tab", follow(pinsede.EventRevoked, func(e *pinsede.Event) { e.Credential.RevokeReason = "perso\tdal cittadino" }), central.ReasonText + ": credential.revoke_reason"},
		{"revocation in year 1", follow(pinsede.EventRevoked, func(e *pinsede.Event) { e.Credential.RevokedAt = time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC) }), central.ReasonTimeRange + ": credential.revoked_at"},
		{"handover tomorrow", follow(pinsede.EventHandedOver, func(e *pinsede.Event) { e.Credential.HandedOverAt = T0.AddDate(0, 0, 1) }), central.ReasonTimeRange + ": credential.handed_over_at"},
		{"printed tomorrow", follow(pinsede.EventHandedOver, func(e *pinsede.Event) { e.Credential.PrintedAt = T0.AddDate(0, 0, 1) }), central.ReasonTimeRange + ": credential.printed_at"},
		{"delegation registered tomorrow", reg(func(d *pinsede.Delegation) { d.RegisteredAt = T0.AddDate(0, 0, 1) }), central.ReasonTimeRange + ": delegation.registered_at"},
		{"delegation until year 9999", reg(func(d *pinsede.Delegation) { d.Until = pinsede.Date{Year: 9999, Month: 12, Day: 31} }), central.ReasonTimeRange + ": delegation.until"},
		{"override in a delegante's name", reg(func(d *pinsede.Delegation) { d.Delegante.Cognome = "ROSSI\u202d" }), central.ReasonText + ": delegation.delegante.cognome"},
		{"delegation registered by 65 bytes", reg(func(d *pinsede.Delegation) { d.RegisteredBy = strings.Repeat("o", 65) }), central.ReasonText + ": delegation.registered_by"},
		{"event id with a NUL", issued(func(e *pinsede.Event) { e.ID = "b\x00x" }), central.ReasonText + ": id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Apply(ctx, "ROMA01", []pinsede.Event{tc.ev}, T0)
			if err != nil {
				t.Fatal(err)
			}
			got := res[0]
			switch {
			case tc.want == "" && got.Verdict != wire.Accepted:
				t.Errorf("%s: %s, want accepted", got.Verdict, got.Reason)
			case tc.want != "" && (got.Verdict != wire.Rejected || !strings.HasPrefix(got.Reason, tc.want)):
				t.Errorf("%s: %q, want rejected: %q...", got.Verdict, got.Reason, tc.want)
			}
		})
	}
}

// acrossDST returns the issue and expiry of a PIN issued on a desk in
// Rome, within lim's window of T0, whose six months cross a change of
// daylight saving time, as they reach centrale: the issue in the desk's
// offset, the expiry counted on its local clock.
func acrossDST(t *testing.T, lim central.Limits) (issue, expiry time.Time) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	for d := 0; d < int(lim.MaxAge/(24*time.Hour)); d++ {
		local := T0.AddDate(0, 0, -d).In(rome)
		_, off := local.Zone()
		exp := pinsede.Expiry(local)
		if _, off2 := exp.Zone(); off2 != off {
			zone := time.FixedZone("", off)
			return local.In(zone), exp.In(zone)
		}
	}
	t.Fatal("no issue within the window crosses a change of daylight saving time")
	return
}
