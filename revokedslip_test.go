package pinsede_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that a revocation another desk of the sede made of an envelope
// before its handover here reached it (a busta smarrita at desk 02, the
// envelope handed over at desk 01 meanwhile) is kept for the clerks of
// desk 01, with who, when and why, across a restart, until one of them
// acknowledges it; and that one made after the handover is not.
func TestRevokedSlipKeptUntilAcknowledged(t *testing.T) {
	ctx := context.Background()
	a, b := newFixture(t), newFixture(t)
	a.desk.DeskID, b.desk.DeskID = "01", "02"
	issue := func() pinsede.Credential {
		out, err := a.desk.Issue(ctx, a.sup, request(), verification())
		if err != nil {
			t.Fatal(err)
		}
		return out.Credential
	}
	first := issue()
	skip := len(outboxSeqs(t, a))
	if _, err := b.desk.ApplyPulled(1, sedeChanges(t, a, "01", 1), b.now); err != nil {
		t.Fatal(err)
	}
	// Desk 02 revokes the envelope; desk 01, not yet told, hands it over.
	b.now = b.now.Add(time.Minute)
	if _, err := b.desk.Revoke(b.sup, first.ID, pinsede.ReasonSlipLost); err != nil {
		t.Fatal(err)
	}
	a.now = b.now.Add(time.Minute)
	if _, err := a.desk.RecordHandover(a.sup, first.ID); err != nil {
		t.Fatal(err)
	}
	ch := sedeChanges(t, b, "02", 100)
	if _, err := a.desk.ApplyPulled(200, ch, a.now); err != nil {
		t.Fatal(err)
	}
	rs, err := a.desk.RevokedSlips()
	if err != nil {
		t.Fatal(err)
	}
	want := pinsede.RevokedSlip{
		Credential: first.ID, SlipSerial: first.SlipSerial, CodiceFiscale: first.CodiceFiscale, Citizen: request().FullName(),
		HandedOver: a.now, Reason: pinsede.ReasonSlipLost, Desk: "02", Actor: "sup", At: b.now,
	}
	if len(rs) != 1 || !rs[0].HandedOver.Equal(want.HandedOver) || !rs[0].At.Equal(want.At) {
		t.Fatalf("envelopes revoked elsewhere at desk 01 = %+v, want %+v", rs, want)
	}
	rs[0].HandedOver, rs[0].At = want.HandedOver, want.At
	if rs[0] != want {
		t.Fatalf("envelope revoked elsewhere = %+v, want %+v", rs[0], want)
	}
	// Applied again: kept once.
	if _, err := a.desk.ApplyPulled(200, ch, a.now); err != nil {
		t.Fatal(err)
	}

	// A second envelope handed over at desk 01, then revoked at desk 02
	// (the citizen there): desk 02's clerk had it in hand.
	a.now = a.now.Add(time.Minute)
	second := issue()
	if _, err := a.desk.RecordHandover(a.sup, second.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.desk.ApplyPulled(300, sedeChanges(t, a, "01", 300)[skip:], b.now); err != nil {
		t.Fatal(err)
	}
	b.now = a.now.Add(time.Minute)
	skipB := len(outboxSeqs(t, b))
	if _, err := b.desk.Revoke(b.sup, second.ID, pinsede.ReasonSlipLost); err != nil {
		t.Fatal(err)
	}
	a.now = b.now
	if _, err := a.desk.ApplyPulled(500, sedeChanges(t, b, "02", 400)[skipB:], a.now); err != nil {
		t.Fatal(err)
	}

	// The desk starts again: still told, once.
	path := a.store.Path()
	if err := a.store.Close(); err != nil {
		t.Fatal(err)
	}
	st, d := openAgain(t, path, a.desk.Now)
	if rs, err = d.RevokedSlips(); err != nil || len(rs) != 1 || rs[0].Credential != first.ID {
		t.Fatalf("after a restart: %+v, %v; want the first envelope only", rs, err)
	}
	s, err := d.Login("sup", "password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.ForgetRevokedSlips(s, rs); err != nil {
		t.Fatal(err)
	}
	if rs, err = d.RevokedSlips(); err != nil || len(rs) != 0 {
		t.Errorf("after the acknowledgement: %+v, %v; want none", rs, err)
	}
	// Who acknowledged it is audited, once.
	var told []pinsede.AuditEntry
	if err := st.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Action == pinsede.ActionRevocationAcknowledged {
			told = append(told, e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(told) != 1 || told[0].Actor != "sup" || told[0].Credential != first.ID ||
		told[0].Subject != first.CodiceFiscale || !strings.HasPrefix(told[0].Detail, first.SlipSerial+": ") {
		t.Errorf("acknowledgement audited as %+v; want one entry by sup of %s", told, first.ID)
	}
}

// Ensure that the central records' revocations of an envelope printed
// here are kept for the clerks, handed over or not, but for a PIN
// superseded by a newer one of this very sede after the handover (the
// desk that issued it had the citizen), and that those of a PIN whose
// slip did not print here are not.
func TestRevokedSlipFromCentrale(t *testing.T) {
	for _, c := range []struct {
		name             string
		kind             pinsede.ChangeKind
		bySede           string
		handOver, bySlip bool
		want             bool
	}{
		{"revoked, handed over", pinsede.ChangeRevoked, "", true, true, true},
		{"revoked, still here", pinsede.ChangeRevoked, "", false, true, true},
		{"superseded by another sede, handed over", pinsede.ChangeSuperseded, "MILA01", true, true, true},
		{"superseded by this sede, handed over", pinsede.ChangeSuperseded, "ROMA01", true, true, false},
		{"superseded by this sede, still here", pinsede.ChangeSuperseded, "ROMA01", false, true, true},
		{"locked, not printed here", pinsede.ChangeLocked, "", false, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			var cred pinsede.Credential
			if c.bySlip {
				out, err := f.desk.Issue(context.Background(), f.sup, request(), verification())
				if err != nil {
					t.Fatal(err)
				}
				cred = out.Credential
			} else { // another desk's: no print here
				cred = pinsede.Credential{ID: "altro-sportello", CodiceFiscale: request().CodiceFiscale, State: pinsede.StateAttivo, Sede: "ROMA01",
					IssuedAt: f.now, ExpiresAt: pinsede.Expiry(f.now), SlipSerial: "ROMA01-X"}
				if err := f.store.Update(func(tx pinsede.Tx) error { return tx.PutCredential(cred) }); err != nil {
					t.Fatal(err)
				}
			}
			if c.handOver {
				if _, err := f.desk.RecordHandover(f.sup, cred.ID); err != nil {
					t.Fatal(err)
				}
			}
			f.now = f.now.Add(time.Hour)
			ch := pinsede.Change{Seq: 1, Kind: c.kind, Time: f.now, Sede: "ROMA01", CredentialID: cred.ID, CodiceFiscale: cred.CodiceFiscale, BySede: c.bySede}
			if rs, err := f.desk.ApplyPulled(1, []pinsede.Change{ch}, f.now); err != nil || len(rs) != 1 {
				t.Fatalf("pull: %+v, %v; want the PIN revoked", rs, err)
			}
			rs, err := f.desk.RevokedSlips()
			if err != nil {
				t.Fatal(err)
			}
			if got := len(rs) == 1 && rs[0].Credential == cred.ID && rs[0].Actor == pinsede.ActorCentrale; got != c.want || len(rs) > 1 {
				t.Errorf("kept %+v, want it kept: %v", rs, c.want)
			}
		})
	}
}
