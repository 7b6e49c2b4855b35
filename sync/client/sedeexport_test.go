package client_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

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
