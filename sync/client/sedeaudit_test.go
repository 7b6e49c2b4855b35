package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that the audit search of the sede finds, from desk C, the
// entries desks A and B made of their own acts, each once and naming its
// desk, against a real centrale on both stores; that a desk of another
// sede finds none of them; that entries sent again are stored once; and
// that a desk that sends entries that do not chain to what centrale
// anchored is refused, its refusal kept as a fork.
func TestSedeAuditSearch(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			env := testenv.NewAt(t, st.open(t), clock)
			ctx := context.Background()
			a, b, c, d := fourDesks(t, env, clock)
			for _, x := range []*deskPC{a, b, c, d} {
				x.desk.Central = x.c
			}

			req := person(1)
			cf := req.CodiceFiscale
			if _, err := a.desk.Issue(ctx, a.sess, req, verification()); err != nil {
				t.Fatal(err)
			}
			a.sync(t)
			b.sync(t)
			if _, err := b.desk.Citizen(b.sess, cf); err != nil { // a view: no event, an entry of B's own
				t.Fatal(err)
			}
			if _, err := b.desk.Login("sup", "password-sbagliata"); err == nil {
				t.Fatal("a wrong password logged in")
			}
			for _, x := range []*deskPC{a, b, c, d, a, b} {
				x.sync(t)
			}

			day := pinsede.DateOf(clock())
			search := func(x *deskPC, f pinsede.AuditFilter) []pinsede.AuditEntry {
				t.Helper()
				got, err := x.desk.SearchSedeAudit(ctx, x.sess, f, "")
				if err != nil {
					t.Fatalf("search of the sede at %s/%s: %v", x.sess.Sede.Code, x.id, err)
				}
				return got.Entries
			}
			count := func(es []pinsede.AuditEntry, desk string, action pinsede.AuditAction) int {
				n := 0
				for _, e := range es {
					if e.Desk == desk && e.Action == action {
						n++
					}
				}
				return n
			}
			all := search(c, pinsede.AuditFilter{From: day, To: day})
			for _, tc := range []struct {
				desk   string
				action pinsede.AuditAction
				want   int
			}{
				{"01", pinsede.ActionIssued, 1}, {"02", pinsede.ActionIssued, 0}, // B's copy of A's issue is not B's act
				{"02", pinsede.ActionCitizenViewed, 1}, {"02", pinsede.ActionLoginFailed, 1},
				{"01", pinsede.ActionLogin, 1}, {"02", pinsede.ActionLogin, 1}, {"03", pinsede.ActionLogin, 1},
			} {
				if got := count(all, tc.desk, tc.action); got != tc.want {
					t.Errorf("desk %s's %s found from C: %d, want %d", tc.desk, tc.action, got, tc.want)
				}
			}
			for _, e := range all {
				if e.Sede != "ROMA01" {
					t.Errorf("C found an entry of %s: %+v", e.Sede, e)
				}
			}
			if got := search(c, pinsede.AuditFilter{From: day, To: day, Subject: cf}); count(got, "01", pinsede.ActionIssued) != 1 || count(got, "02", pinsede.ActionCitizenViewed) != 1 {
				t.Errorf("the citizen's entries from C: %+v", got)
			}
			if got := search(c, pinsede.AuditFilter{From: day, To: day, Action: pinsede.ActionLoginFailed}); len(got) != 1 || got[0].Desk != "02" {
				t.Errorf("failed logins from C: %+v, want B's", got)
			}
			for _, e := range search(d, pinsede.AuditFilter{From: day, To: day}) {
				if e.Sede != "MILA01" {
					t.Errorf("MILA01 found %+v", e)
				}
			}

			// Sent again, by a client that does not know what centrale has:
			// nothing is stored twice.
			again := client.New(client.Config{URL: env.URL, HTTP: clientOf(t, env, "ROMA01", "01"), Sede: "ROMA01", Local: a.ls, Desk: a.desk, Now: clock})
			if n, err := again.SendAudit(ctx); err != nil || n != 0 {
				t.Errorf("entries sent again: %d stored, %v", n, err)
			}
			c.sync(t) // C's three searches reach centrale, each audited
			got := search(c, pinsede.AuditFilter{From: day, To: day})
			if len(got) != len(all)+3 || count(got, "03", pinsede.ActionAuditSearched) != 3 {
				t.Errorf("after sending again and C's sync: %d entries, %d searches of C; want %d, 3", len(got), count(got, "03", pinsede.ActionAuditSearched), len(all)+3)
			}

			// Desk E is restored from a copy, and writes past it more than it
			// lost: its entries after the copy do not follow those centrale
			// got.
			e := newDeskPC(t, env, clock, "ROMA01", "05")
			e.sync(t)
			copyPath := filepath.Join(t.TempDir(), "copia.db")
			if _, err := e.ls.BackupFile(copyPath); err != nil {
				t.Fatal(err)
			}
			if _, err := e.desk.Citizen(e.sess, cf); err != nil {
				t.Fatal(err)
			}
			e.sync(t)
			path, keyPath := e.ls.Path(), e.key
			e.ls.Close()
			if _, err := local.Restore(copyPath, path, keyPath, clock()); err != nil {
				t.Fatal(err)
			}
			restored, err := local.Open(path, keyPath)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { restored.Close() })
			rd := pinsede.NewDesk(restored, &capture{}, clock)
			rd.DeskID = "05"
			for range 3 {
				if _, err := rd.Login("sup", "password-sbagliata"); err == nil {
					t.Fatal("a wrong password logged in")
				}
			}
			rc := client.New(client.Config{URL: env.URL, HTTP: clientOf(t, env, "ROMA01", "05"), Sede: "ROMA01", Local: restored, Desk: rd, Now: clock})
			_, err = rc.SendAudit(ctx)
			var p *wire.Problem
			if !errors.As(err, &p) || p.Status != 409 || p.Type != "urn:pinsede:problem:audit-fork" {
				t.Fatalf("entries past the copy: %v, want a 409 audit-fork", err)
			}
			forks, err := env.Store.AuditForks(ctx)
			if err != nil || len(forks) != 1 || forks[0].Sede != "ROMA01" || forks[0].Head.Desk != "05" {
				t.Errorf("forks: %+v, %v; want desk 05's", forks, err)
			}
			if got := search(c, pinsede.AuditFilter{From: day, To: day, Action: pinsede.ActionLoginFailed}); len(got) != 1 {
				t.Errorf("failed logins after E's refusal: %+v, want B's only", got)
			}
		})
	}
}

// clientOf returns an HTTP client with the certificate of desk of sede.
func clientOf(t *testing.T, env *testenv.Env, sede, desk string) *http.Client {
	cfg, _ := env.DeskTLS(t, sede, desk)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}

// Ensure that a desk whose centrale has no POST /v1/audit/entries yet (a
// centrale of before it: 404) syncs as before, its entries waiting.
func TestSendAuditOlderCentrale(t *testing.T) {
	older := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", wire.ContentProblem)
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"type":"urn:pinsede:problem:not-found","title":"Not found","status":404,"detail":"no such resource: %s"}`, r.URL.Path)
	}))
	defer older.Close()
	ls, _, _ := newLocal(t)
	defer ls.Close()
	audit(t, ls, "login")
	c := client.New(client.Config{URL: older.URL, Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
	if n, err := c.SendAudit(context.Background()); err != nil || n != 0 {
		t.Errorf("entries to a centrale of before: %d stored, %v; want none, no error", n, err)
	}
}

// Ensure that a desk exports the sede's audit through a real centrale on
// both stores, page after page with the cursor centrale gives: every
// entry centrale held once, newest first, while an offline desk's oldest
// entries arrive released together with the second page (found once, by
// the third) and another desk's newest (not found: newer than the pages
// read); and that the export is recorded in the desk's audit once read
// whole.
func TestSedeAuditExport(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			env := testenv.NewAt(t, st.open(t), clock)
			ctx := context.Background()
			x := newDeskPC(t, env, clock, "ROMA01", "07")
			x.desk.Central = x.c
			send := func(es []pinsede.AuditEntry) error {
				for i := 0; i < len(es); i += wire.MaxAuditEntries {
					if _, err := env.Store.PutAuditEntries(ctx, "ROMA01", es[0].Desk, es[0].Hash, es[i:min(i+wire.MaxAuditEntries, len(es))], clock()); err != nil {
						return err
					}
				}
				return nil
			}
			at := storetest.T0
			one, two := storetest.Chain("ROMA01", "01", 1200, at, nil), storetest.Chain("ROMA01", "02", 400, at, nil)
			for _, es := range [][]pinsede.AuditEntry{one, two} {
				if err := send(es); err != nil {
					t.Fatal(err)
				}
			}
			late := storetest.Chain("ROMA01", "03", 200, at, func(e *pinsede.AuditEntry) { e.Time = at.Add(time.Duration(e.Seq) * time.Second) })
			newest := storetest.Chain("ROMA01", "04", 40, one[len(one)-1].Time, nil)
			sent := make(chan error, 1)
			var found []pinsede.AuditEntry
			f := pinsede.AuditFilter{From: pinsede.DateOf(at), To: pinsede.DateOf(at.AddDate(0, 0, 30))}
			n, err := x.desk.ExportSedeAudit(ctx, x.sess, f, func(page int, es []pinsede.AuditEntry) error {
				switch page {
				case 1: // the sends race the second page's search
					release := make(chan struct{})
					go func() {
						<-release
						err := send(newest)
						if err == nil {
							err = send(late)
						}
						sent <- err
					}()
					close(release)
				case 2: // the third page is read once they are in
					if err := <-sent; err != nil {
						return err
					}
				}
				found = append(found, es...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			seen, desks := map[string]bool{}, map[string]int{}
			for i, e := range found {
				k := fmt.Sprintf("%s/%d", e.Desk, e.Seq)
				if seen[k] {
					t.Errorf("entry %s exported twice", k)
				}
				seen[k], desks[e.Desk] = true, desks[e.Desk]+1
				if i > 0 && central.NewestFirst(found[i-1], e) >= 0 {
					t.Errorf("entry %s after %s/%d: want newest first", k, found[i-1].Desk, found[i-1].Seq)
				}
			}
			if n != len(found) || desks["01"] != 900 || desks["02"] != 300 || desks["03"] != 150 || desks["04"] != 0 {
				t.Errorf("exported %d entries %v; want desk 01's 900, 02's 300, 03's 150 sent during the export, none of 04's", n, desks)
			}
			mine, err := x.desk.SearchAudit(x.sess, pinsede.AuditFilter{From: pinsede.DateOf(clock()), To: pinsede.DateOf(clock()), Action: pinsede.ActionAuditExported})
			if err != nil || len(mine.Entries) != 1 || !strings.HasPrefix(mine.Entries[0].Detail, pinsede.AuditSedeDetail) {
				t.Errorf("the export in the desk's audit: %+v, %v", mine.Entries, err)
			}
		})
	}
}
