package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// issueAudited puts n issue events of sede in the outbox, from codice
// fiscale first on, each with its audit entry, as the desk does.
func issueAudited(t *testing.T, s *local.Store, sede string, first, n int) {
	t.Helper()
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	err := s.Update(func(tx pinsede.Tx) error {
		for i := first; i < first+n; i++ {
			ev := storetest.Issued(sede, storetest.CF(i), fmt.Sprintf("%s-e%d", sede, i), fmt.Sprintf("%s-c%d", sede, i), h)
			if err := tx.Enqueue(ev); err != nil {
				return err
			}
			if _, err := tx.AppendAudit(pinsede.AuditEntry{Time: storetest.T0, Sede: sede, Actor: "op", Action: pinsede.ActionIssued,
				Subject: ev.Credential.CodiceFiscale, Credential: ev.Credential.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Ensure that each push carries the desk's audit head and centrale keeps
// it; that a desk restored from a copy, once it writes past the copy, is
// refused (409, its outbox kept) until an operator resets its chain to
// the copy's end; and that the restored chain checks against centrale's
// heads: the head past the copy differs from the restored chain's entry
// (the desk's events got back after the copy are entered anew), then is
// reset away.
func TestAuditChainAtCentrale(t *testing.T) {
	testclock.RealDayOnly(t, "the audit chain at centrale")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			env := testenv.NewAt(t, st.open(t), clock)
			ctx := context.Background()
			ls, path, keyPath := newLocal(t)
			hc := env.Client(t, pki.RoleSede, "ROMA01")
			newClient := func(s *local.Store) *client.Client {
				return client.New(client.Config{URL: env.URL, HTTP: hc, Sede: "ROMA01", Local: s, Desk: deskOn(s), Now: clock})
			}
			seqs := func() []uint64 {
				t.Helper()
				kept, err := storetest.AllHeads(ctx, env.Store, "ROMA01")
				if err != nil {
					t.Fatal(err)
				}
				var out []uint64
				for _, k := range kept {
					out = append(out, k.Seq)
				}
				return out
			}

			issueAudited(t, ls, "ROMA01", 0, 5)
			if err := newClient(ls).Sync(ctx); err != nil {
				t.Fatal(err)
			}
			head, err := ls.AuditHead()
			if err != nil {
				t.Fatal(err)
			}
			if kept, err := storetest.AllHeads(ctx, env.Store, "ROMA01"); err != nil || len(kept) != 1 || !reflect.DeepEqual(kept[0].AuditHead, head) {
				t.Fatalf("centrale keeps %+v (%v), want the desk's head %+v", kept, err, head)
			}
			issueAudited(t, ls, "ROMA01", 5, 3)
			copyPath := filepath.Join(t.TempDir(), "copia.db")
			if _, err := ls.BackupFile(copyPath); err != nil {
				t.Fatal(err)
			}
			if err := newClient(ls).Sync(ctx); err != nil {
				t.Fatal(err)
			}
			issueAudited(t, ls, "ROMA01", 8, 4)
			if err := newClient(ls).Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if got, want := seqs(), []uint64{5, 8, 12}; !reflect.DeepEqual(got, want) {
				t.Fatalf("heads kept: %v, want %v", got, want)
			}
			ls.Close()

			if _, err := local.Restore(copyPath, path, keyPath, clock()); err != nil {
				t.Fatal(err)
			}
			restored, err := local.Open(path, keyPath)
			if err != nil {
				t.Fatal(err)
			}
			defer restored.Close()
			c := newClient(restored)
			issueAudited(t, restored, "ROMA01", 12, 1) // entry 9, not the one centrale saw at 9
			err = c.Sync(ctx)
			var p *wire.Problem
			if !errors.As(err, &p) || p.Status != 409 || p.Type != "urn:pinsede:problem:audit-fork" {
				t.Fatalf("sync past the copy: %v, want a 409 audit-fork", err)
			}
			// The copy's 3 events still to push and the new one wait; the
			// pull went on and got back the 7 events of the desk's that
			// centrale took after the copy (the copy holds no record of
			// issueAudited's), their 7 entries past the new one: 16.
			if s := c.State(); s.Pending != 4 || s.Fault != client.FaultAuditFork || s.FaultTitle != "Audit log refused" {
				t.Errorf("state after the refusal: %+v", s)
			}
			r, err := checkAnchors(ctx, c, restored)
			if err != nil {
				t.Fatal(err)
			}
			if r.Matched != 2 || r.Last != 8 || len(r.Problems) != 1 || r.Problems[0].Kind != local.AnchorDiffers || r.Problems[0].Seq != 12 {
				t.Errorf("restored chain against centrale: %+v", r)
			}

			if _, err := env.Store.ResetAudit(ctx, central.AuditReset{Sede: "ROMA01", Chain: head.Chain, To: r.Last,
				By: "centrale:rossi", Reason: "ripristino da copia", At: clock()}); err != nil {
				t.Fatal(err)
			}
			if err := c.Sync(ctx); err != nil {
				t.Fatalf("sync after the reset: %v", err)
			}
			if got, want := seqs(), []uint64{5, 8, 16}; !reflect.DeepEqual(got, want) {
				t.Errorf("heads kept after the reset: %v, want %v", got, want)
			}
			if r, err := checkAnchors(ctx, c, restored); err != nil || r.Matched != 3 || len(r.Problems) != 0 {
				t.Errorf("restored chain after the reset: %+v, %v", r, err)
			}
		})
	}
}

// Ensure that AuditHeads reads every head centrale keeps, page after page
// (more than central.MaxAuditHeads: past the first page), once each in
// order, and that the desk's chain checks against them (AnchorCheck);
// and that a centrale that says more follow without a cursor past the
// page is pinsede.ErrAuditCursor, after one request: paging on would read
// the same page for ever.
func TestAuditHeadsPages(t *testing.T) {
	testclock.RealDayOnly(t, "the audit heads' pages")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			env := testenv.NewAt(t, st.open(t), clock)
			ctx := context.Background()
			ls, _, _ := newLocal(t)
			defer ls.Close()
			c := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: clock})
			// Another desk's chain of MaxAuditHeads heads before the
			// desk's: its chain of all zeros comes first.
			other := make([]byte, 32)
			for seq := range uint64(central.MaxAuditHeads) {
				h := wire.AuditHead{Chain: other, Seq: seq + 2, Hash: storetest.Head("O", "", 0, seq+2).Hash, Desk: "09"}
				if err := env.Store.PutAuditHead(ctx, "ROMA01", h, clock()); err != nil {
					t.Fatal(err)
				}
			}
			issueAudited(t, ls, "ROMA01", 1, 3)
			if err := c.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			heads, err := allHeads(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			own, err := ls.AuditHead()
			if err != nil {
				t.Fatal(err)
			}
			if len(heads) != central.MaxAuditHeads+1 || heads[0].Seq != 2 || !reflect.DeepEqual(heads[len(heads)-1].AuditHead, own) {
				t.Fatalf("%d heads, the first at %d, the last %+v; want %d, the last the desk's %+v", len(heads), heads[0].Seq, heads[len(heads)-1].AuditHead, central.MaxAuditHeads+1, own)
			}
			for i := 1; i < len(heads); i++ {
				if !wire.HeadCursorOf(heads[i-1].AuditHead).Before(wire.HeadCursorOf(heads[i].AuditHead)) {
					t.Fatalf("head %d (%d) does not follow head %d (%d)", i, heads[i].Seq, i-1, heads[i-1].Seq)
				}
			}
			r, err := checkAnchors(ctx, c, ls)
			if err != nil || r.Matched != 1 || r.Others != central.MaxAuditHeads || len(r.Problems) != 0 {
				t.Errorf("AnchorCheck: %+v, %v; want the desk's head matched, %d of another chain", r, err, central.MaxAuditHeads)
			}
		})
	}
	for _, next := range []string{"", "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.2"} {
		requests := 0
		stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests++
			w.Header().Set("Content-Type", wire.ContentJSON)
			fmt.Fprintf(w, `{"heads":[{"chain":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","seq":2,"hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","received":"2026-01-01T00:00:00Z"}],"more":true,"next":%q}`, next)
		}))
		ls, _, _ := newLocal(t)
		c := client.New(client.Config{URL: stuck.URL, Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
		if _, err := allHeads(context.Background(), c); !errors.Is(err, pinsede.ErrAuditCursor) || requests > 2 {
			t.Errorf("pages that say more after %q: %v after %d requests, want ErrAuditCursor", next, err, requests)
		}
		stuck.Close()
		ls.Close()
	}
}

// allHeads returns every head c reads, the pages of AuditHeads one after
// the other.
func allHeads(ctx context.Context, c *client.Client) ([]wire.KeptHead, error) {
	var heads []wire.KeptHead
	err := c.AuditHeads(ctx, func(page []wire.KeptHead) error {
		heads = append(heads, page...)
		return nil
	})
	return heads, err
}

// checkAnchors checks ls's chain against the heads c reads, page by page,
// as pinctl audit verify does.
func checkAnchors(ctx context.Context, c *client.Client, ls *local.Store) (local.AnchorReport, error) {
	check, err := ls.NewAnchorCheck()
	if err != nil {
		return local.AnchorReport{}, err
	}
	err = c.AuditHeads(ctx, check.Check)
	return check.Report(), err
}
