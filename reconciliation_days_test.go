package pinsede_test

import (
	"fmt"
	"runtime"
	"slices"
	"testing"

	"github.com/pinsede/pinsede"
)

// withHistory gives desk 02 of f an audit of days of history before
// today, as years of use leave it: each day 20 issues of its own and 20
// of desk 01, pulled two days later.
func withHistory(t *testing.T, f *fixture, days int) (first pinsede.Date) {
	t.Helper()
	f.desk.DeskID = "02"
	for d := days; d >= 1; d-- {
		at := f.now.AddDate(0, 0, -d)
		err := f.store.Update(func(tx pinsede.Tx) error {
			for i := range 20 {
				own := pinsede.AuditEntry{Time: at, Sede: "ROMA01", Actor: "sup", Action: pinsede.ActionIssued, Credential: fmt.Sprintf("own-%d-%d", d, i)}
				pulled := pinsede.AuditEntry{Time: at.AddDate(0, 0, 2), At: at, Sede: "ROMA01", Desk: "01", Actor: "sup", Action: pinsede.ActionIssued, Credential: fmt.Sprintf("pulled-%d-%d", d, i)}
				for _, e := range []pinsede.AuditEntry{own, pulled} {
					if _, err := tx.AppendAudit(e); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return pinsede.DateOf(f.now.AddDate(0, 0, -days))
}

// Ensure that the reconciliation of the sede for a day gone reads that
// day, not every day since: reconciling the first day of 10 days of
// history and of 100 allocates about the same (it read each day pulled
// since, 0.47 MiB a day of a year's history), and counts the same.
func TestReconciliationSedeOfADayReadsThatDay(t *testing.T) {
	var alloc []uint64
	for _, days := range []int{10, 100} {
		f := newFixture(t)
		first := withHistory(t, f, days)
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		r, err := f.desk.Reconciliation(f.sup, first, pinsede.ScopeSede)
		runtime.ReadMemStats(&m1)
		if err != nil {
			t.Fatal(err)
		}
		alloc = append(alloc, m1.TotalAlloc-m0.TotalAlloc)
		want := []pinsede.ReconciliationRow{
			{Desk: "01", Operator: "sup", Name: "Anna Bianchi", Issued: 20, Printed: 20},
			{Desk: "02", Operator: "sup", Name: "Anna Bianchi", Issued: 20},
		}
		if !slices.Equal(r.Rows, want) {
			t.Errorf("%d days: rows %+v, want %+v", days, r.Rows, want)
		}
	}
	t.Logf("allocated %d bytes with 10 days of history, %d with 100", alloc[0], alloc[1])
	if float64(alloc[1]) > 1.5*float64(alloc[0]) {
		t.Errorf("the first day of 100 days of history allocated %d bytes, of 10 days %d: it grows with the days since", alloc[1], alloc[0])
	}
}

// Ensure that the reconciliation of the sede counts another desk's acts
// on their day there however many days later they were pulled, and
// holds that desk as of the last act pulled: desk 01 issues on Monday,
// Tuesday and Wednesday, offline, and desk 02 pulls it all on Friday;
// each day's report counts its issues, Thursday's none, and each names
// desk 01 as heard from until Wednesday's issue. These are the reports
// of before the index by the day of the act, which read every day since.
func TestReconciliationSedePulledDaysLate(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	a.desk.DeskID, b.desk.DeskID = "01", "02"
	fri := b.now
	mon := fri.AddDate(0, 0, -4)
	var issued []pinsede.Credential
	cognomi := []string{"Rossi", "Verdi", "Neri", "Conti", "Galli", "Bruno"}
	for i := range 3 {
		a.now = mon.AddDate(0, 0, i)
		s, err := a.desk.Login("sup", "password-lunga")
		if err != nil {
			t.Fatal(err)
		}
		for range i + 1 { // Monday 1, Tuesday 2, Wednesday 3
			issued = append(issued, a.issueTo(t, s, cognomi[len(issued)]))
		}
	}
	if _, err := b.desk.ApplyPulled(1, sedeChanges(t, a, "01", 100), fri); err != nil {
		t.Fatal(err)
	}
	b.issueTo(t, b.sup, "Esposito") // Friday, at desk 02
	wed := issued[len(issued)-1].IssuedAt
	for i, want := range []struct{ of01, of02 int }{{1, 0}, {2, 0}, {3, 0}, {0, 0}, {0, 1}} {
		day := pinsede.DateOf(mon.AddDate(0, 0, i))
		r, err := b.desk.Reconciliation(b.sup, day, pinsede.ScopeSede)
		if err != nil {
			t.Fatal(err)
		}
		var rows []pinsede.ReconciliationRow
		if want.of01 > 0 {
			rows = append(rows, pinsede.ReconciliationRow{Desk: "01", Operator: "sup", Name: "Anna Bianchi", Issued: want.of01, Printed: want.of01})
		}
		if want.of02 > 0 {
			rows = append(rows, pinsede.ReconciliationRow{Desk: "02", Operator: "sup", Name: "Anna Bianchi", Issued: want.of02, Printed: want.of02})
		}
		if !slices.Equal(r.Rows, rows) {
			t.Errorf("%s: rows %+v, want %+v", day, r.Rows, rows)
		}
		if len(r.Desks) != 2 || r.Desks[0].Desk != "01" || !r.Desks[0].LastEvent.Equal(wed) {
			t.Errorf("%s: desks %+v, want desk 01 heard from until %v", day, r.Desks, wed)
		}
	}
}
