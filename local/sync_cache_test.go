package local_test

import (
	"time"

	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that the sync cache keeps the cursor and each pulled change once,
// that AckSync empties the outbox and keeps what was not accepted, and that
// OutboxAfter reads past a sequence number.
func TestSyncCache(t *testing.T) {
	s := newStore(t)
	if cur, err := s.SyncCursor(); err != nil || cur != 0 {
		t.Fatalf("fresh cursor = %d, %v", cur, err)
	}
	changes := []pinsede.Change{{Seq: 3, Kind: pinsede.ChangeSuperseded, Sede: "ROMA01", CredentialID: "c1"}, {Seq: 7, Kind: pinsede.ChangeLocked, Sede: "ROMA01", CredentialID: "c2"}}
	for range 2 {
		if _, err := deskOn(s).ApplyPulled(7, changes, testclock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if cur, _ := s.SyncCursor(); cur != 7 {
		t.Errorf("cursor = %d, want 7", cur)
	}

	update(t, s, func(tx pinsede.Tx) error {
		for _, id := range []string{"e1", "e2", "e3"} {
			if err := tx.Enqueue(pinsede.Event{ID: id, Kind: pinsede.EventIssued, Time: t0, Sede: "ROMA01"}); err != nil {
				return err
			}
		}
		return nil
	})
	after, err := s.OutboxAfter(1, 10, 0)
	if err != nil || len(after) != 2 || after[0].Event.ID != "e2" {
		t.Errorf("OutboxAfter(1) = %+v, %v", after, err)
	}
	refused := []pinsede.NotAccepted{{Seq: 2, Event: after[0].Event, Verdict: pinsede.VerdictRejected, Reason: "test", At: t0}}
	if err := deskOn(s).Acknowledge([]uint64{1, 2, 3}, refused); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.OutboxLen(); n != 0 {
		t.Errorf("OutboxLen = %d after AckSync, want 0", n)
	}
	na, err := deskOn(s).NotAcceptedEvents()
	if err != nil || len(na) != 1 || na[0].Event.ID != "e2" || na[0].Reason != "test" {
		t.Errorf("NotAcceptedEvents = %+v, %v", na, err)
	}
}

// Ensure that ApplyPulled revokes the sede's active credentials that pulled
// changes concern, with the reason and an audit entry by centrale, in the
// transaction that keeps the changes and the cursor; and that it leaves
// alone what it must: credentials already revoked, of another sede or
// unknown, kinds it does not act on, and changes applied before.
func TestApplyPulled(t *testing.T) {
	cf := makeCF("RSSMRA", pinsede.Date{Year: 1960, Month: 3, Day: 4}, pinsede.SexFemale, "H501")
	cred := func(id, sede string, st pinsede.CredentialState) pinsede.Credential {
		return pinsede.Credential{ID: id, CodiceFiscale: cf, Type: pinsede.Dispositivo, State: st, PINHash: "h",
			IssuedAt: t0, ExpiresAt: t0.AddDate(0, 6, 0), Sede: sede, IssuedBy: "op1"}
	}
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.Local)
	superseded := func(seq uint64, id string) pinsede.Change {
		return pinsede.Change{Seq: seq, Kind: pinsede.ChangeSuperseded, Time: at, Sede: "ROMA01", CredentialID: id, CodiceFiscale: cf, BySede: "MILA01"}
	}
	tests := []struct {
		name   string
		stored pinsede.Credential
		change pinsede.Change
		reason string // "" when nothing is revoked
	}{
		{"superseded", cred("c1", "ROMA01", pinsede.StateAttivo), superseded(1, "c1"),
			"sostituito da un PIN emesso da un'altra sede (MILA01, 20/11/2026)"},
		{"superseded by the same sede", cred("c1", "ROMA01", pinsede.StateAttivo),
			pinsede.Change{Seq: 1, Kind: pinsede.ChangeSuperseded, Time: at, Sede: "ROMA01", CredentialID: "c1", CodiceFiscale: cf, BySede: "ROMA01"},
			pinsede.ReasonReplaced},
		{"superseded, named by the newer PIN's issue day", cred("c1", "ROMA01", pinsede.StateAttivo),
			pinsede.Change{Seq: 1, Kind: pinsede.ChangeSuperseded, Time: at, Sede: "ROMA01", CredentialID: "c1", CodiceFiscale: cf, BySede: "MILA01", ByDesk: "01", IssuedAt: at.AddDate(0, 0, -3)},
			"sostituito da un PIN emesso da un'altra sede (MILA01, sportello 01, 17/11/2026)"},
		{"superseded by a newer PIN of the same sede, with its issue day", cred("c1", "ROMA01", pinsede.StateAttivo),
			pinsede.Change{Seq: 1, Kind: pinsede.ChangeSuperseded, Time: at, Sede: "ROMA01", CredentialID: "c1", CodiceFiscale: cf, BySede: "ROMA01", ByDesk: "02", IssuedAt: at.AddDate(0, 0, -3)},
			"sostituito da un PIN più recente emesso in questa sede (sportello 02, 17/11/2026): la busta non vale più"},
		{"locked", cred("c1", "ROMA01", pinsede.StateAttivo),
			pinsede.Change{Seq: 1, Kind: pinsede.ChangeLocked, Time: at, Sede: "ROMA01", CredentialID: "c1", CodiceFiscale: cf},
			pinsede.ReasonLocked},
		{"already revoked", cred("c1", "ROMA01", pinsede.StateRevocato), superseded(1, "c1"), ""},
		{"unknown credential", cred("c1", "ROMA01", pinsede.StateAttivo), superseded(1, "c9"), ""},
		{"credential of another sede", cred("c1", "NAPO01", pinsede.StateAttivo), superseded(1, "c1"), ""},
		{"unknown kind", cred("c1", "ROMA01", pinsede.StateAttivo),
			pinsede.Change{Seq: 1, Kind: "policy.changed", Time: at, Sede: "ROMA01", CredentialID: "c1", CodiceFiscale: cf}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			update(t, s, func(tx pinsede.Tx) error {
				if err := tx.SetSede(testSede); err != nil {
					return err
				}
				return tx.PutCredential(tt.stored)
			})
			for round := range 2 { // the second is a replay
				got, err := deskOn(s).ApplyPulled(tt.change.Seq, []pinsede.Change{tt.change}, t0)
				if err != nil {
					t.Fatal(err)
				}
				if want := tt.reason != "" && round == 0; (len(got) == 1) != want || len(got) > 1 {
					t.Fatalf("round %d revoked %+v", round, got)
				}
				if len(got) == 1 && (got[0].CredentialID != "c1" || got[0].Reason != tt.reason || !got[0].At.Equal(at)) {
					t.Errorf("revocation %+v", got[0])
				}
			}
			var c pinsede.Credential
			var audit []pinsede.AuditEntry
			view(t, s, func(tx pinsede.Tx) (err error) {
				if c, err = tx.Credential("c1"); err != nil {
					return err
				}
				audit, err = tx.AuditFor(cf)
				return err
			})
			if tt.reason == "" {
				if c != tt.stored || len(audit) != 0 {
					t.Errorf("credential %+v, audit %+v: want them untouched", c, audit)
				}
			} else {
				if c.State != pinsede.StateRevocato || c.RevokeReason != tt.reason || c.RevokedBy != pinsede.ActorCentrale || !c.RevokedAt.Equal(at) {
					t.Errorf("credential %+v, want revoked by centrale for %q", c, tt.reason)
				}
				if len(audit) != 1 || audit[0].Actor != pinsede.ActorCentrale || audit[0].Action != pinsede.ActionRevoked ||
					audit[0].Credential != "c1" || audit[0].Detail != tt.reason || audit[0].Sede != testSede.Code {
					t.Errorf("audit %+v, want one revocation by centrale", audit)
				}
			}
			if cur, _ := s.SyncCursor(); cur != tt.change.Seq {
				t.Errorf("cursor %d, want %d", cur, tt.change.Seq)
			}
			verifyChain(t, s)
		})
	}
}
