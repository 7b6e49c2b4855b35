package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
)

// BenchmarkSendAudit sends centrale, on each store, the 20,000 entries of
// a desk's audit chain (a login, then a view of a citizen's page, in
// turn, over 20 days) through the client (mutual TLS, loopback), then
// searches the sede's audit: all 20 days (the 500 newest), one
// citizen's, a rare operator's and a rare action's (10 entries each), and pages through the 20 days (the export's reads, 40
// pages). Metrics: entries sent a second, and the time of each search
// and of the pages.
func BenchmarkSendAudit(b *testing.B) {
	const n, days = 20_000, 20
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				env := testenv.New(b, st.open(b))
				ls, _, _ := newLocal(b)
				at := testclock.Now().AddDate(0, 0, -days)
				err := ls.Update(func(tx pinsede.Tx) error {
					for i := range n {
						e := pinsede.AuditEntry{Time: at.Add(time.Duration(i) * (days * 24 * time.Hour / n)), Sede: "ROMA01", Actor: "l.bianchi", Action: pinsede.ActionLogin}
						if i%2 == 1 {
							e.Action, e.Subject = pinsede.ActionCitizenViewed, storetest.CF(i%500)
						}
						switch i % (n / 10) {
						case 0:
							e.Actor = "m.verdi" // 10 of 20,000
						case n / 20:
							e.Action = pinsede.ActionPasswordChanged // 10 of 20,000
						}
						if _, err := tx.AppendAudit(e); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				c := client.New(client.Config{URL: env.URL, HTTP: env.Client(b, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
				ctx := context.Background()
				b.StartTimer()
				start := time.Now()
				sent, err := c.SendAudit(ctx)
				took := time.Since(start)
				b.StopTimer()
				if err != nil || sent != n {
					b.Fatalf("sent %d of %d: %v", sent, n, err)
				}
				b.ReportMetric(n/took.Seconds(), "entries/s")
				to := pinsede.DateOf(testclock.Now())
				for _, s := range []struct {
					unit string
					f    pinsede.AuditFilter
				}{
					{"ms/search-20-days", pinsede.AuditFilter{From: pinsede.DateOf(at), To: to}},
					{"ms/search-citizen", pinsede.AuditFilter{From: pinsede.DateOf(at), To: to, Subject: storetest.CF(7)}},
					{"ms/search-rare-operator", pinsede.AuditFilter{From: pinsede.DateOf(at), To: to, Actor: "m.verdi"}},
					{"ms/search-rare-action", pinsede.AuditFilter{From: pinsede.DateOf(at), To: to, Action: pinsede.ActionPasswordChanged}},
				} {
					start := time.Now()
					got, err := c.SearchAudit(ctx, s.f, "")
					if err != nil || len(got.Entries) == 0 {
						b.Fatalf("%s: %d entries, %v", s.unit, len(got.Entries), err)
					}
					b.ReportMetric(float64(time.Since(start).Microseconds())/1000, s.unit)
				}
				start = time.Now()
				var after pinsede.AuditCursor
				read := 0
				for {
					got, err := c.SearchAudit(ctx, pinsede.AuditFilter{From: pinsede.DateOf(at), To: to}, after)
					if err != nil {
						b.Fatalf("page after %d entries: %v", read, err)
					}
					read += len(got.Entries)
					if !got.More {
						break
					}
					after = got.Next
				}
				if read != n {
					b.Fatalf("the pages gave %d entries of %d", read, n)
				}
				b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms/export-20-days")
				ls.Close()
			}
		})
	}
}
