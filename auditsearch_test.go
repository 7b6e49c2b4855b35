package pinsede_test

import (
	"context"
	"errors"
	"go/ast"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/gosource"
)

// Ensure that an audit search gives the entries of its days newest first,
// by operator, action and citizen when asked, only to a supervisor, at most
// MaxAuditSearchResults of them with More set beyond, and is itself
// audited; a filter's problems come back as field errors.
func TestSearchAudit(t *testing.T) {
	f := newFixture(t)
	today := pinsede.DateOf(f.now)
	day1 := f.now.AddDate(0, 0, -2)
	f.now = day1
	if _, err := f.desk.Issue(context.Background(), f.sup, request(), verification()); err != nil {
		t.Fatal(err)
	}
	f.now = day1.AddDate(0, 0, 2)
	from := pinsede.DateOf(day1)

	all, err := f.desk.SearchAudit(f.sup, pinsede.AuditFilter{From: from, To: today})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Entries) < 3 || all.More {
		t.Fatalf("search of 3 days: %d entries, more %v", len(all.Entries), all.More)
	}
	for i := 1; i < len(all.Entries); i++ {
		if all.Entries[i].Time.After(all.Entries[i-1].Time) {
			t.Fatalf("entry %d (%s) after one of %s: want newest first", i, all.Entries[i].Time, all.Entries[i-1].Time)
		}
	}
	if got := pinsede.DateOf(all.Entries[0].Time); got != today {
		t.Errorf("newest entry of %s, want today's (the log-in)", got.Italian())
	}

	cf := request().CodiceFiscale
	for _, c := range []struct {
		name string
		f    pinsede.AuditFilter
		want func(pinsede.AuditEntry) bool
		n    int // entries wanted; -1: at least one
	}{
		{"issues", pinsede.AuditFilter{From: from, To: today, Action: pinsede.ActionIssued}, func(e pinsede.AuditEntry) bool { return e.Action == pinsede.ActionIssued }, 1},
		{"citizen", pinsede.AuditFilter{From: from, To: today, Subject: cf}, func(e pinsede.AuditEntry) bool { return e.Subject == cf }, -1},
		{"citizen today", pinsede.AuditFilter{From: today, To: today, Subject: cf}, nil, 0},
		{"operator", pinsede.AuditFilter{From: from, To: today, Actor: "sup"}, func(e pinsede.AuditEntry) bool { return e.Actor == "sup" }, -1},
		{"nobody", pinsede.AuditFilter{From: from, To: today, Actor: "nessuno"}, nil, 0},
		{"today", pinsede.AuditFilter{From: today, To: today, Action: pinsede.ActionIssued}, nil, 0},
	} {
		got, err := f.desk.SearchAudit(f.sup, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.n >= 0 && len(got.Entries) != c.n || c.n < 0 && len(got.Entries) == 0 {
			t.Errorf("%s: %d entries, want %d", c.name, len(got.Entries), c.n)
		}
		for _, e := range got.Entries {
			if !c.want(e) {
				t.Errorf("%s: found %+v", c.name, e)
			}
		}
	}

	last, err := f.desk.ExportAudit(f.sup, pinsede.AuditFilter{From: today, To: today, Action: pinsede.ActionAuditSearched})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(last); n != 7 || last[n-1].Actor != "sup" || last[n-1].Detail == "" {
		t.Errorf("%d searches audited (last %+v), want the 7 made", n, last)
	}

	op := &pinsede.Session{Operator: pinsede.Operator{ID: "op", Role: pinsede.RoleOperatore}, Sede: f.sup.Sede}
	if _, err := f.desk.SearchAudit(op, pinsede.AuditFilter{From: today, To: today}); !errors.Is(err, pinsede.ErrForbidden) {
		t.Errorf("an operator's search: %v, want ErrForbidden", err)
	}
	for _, c := range []struct {
		f          pinsede.AuditFilter
		field, key string
	}{
		{pinsede.AuditFilter{To: today}, pinsede.FieldAuditFrom, pinsede.KeyRequired},
		{pinsede.AuditFilter{From: today}, pinsede.FieldAuditTo, pinsede.KeyRequired},
		{pinsede.AuditFilter{From: today, To: from}, pinsede.FieldAuditTo, pinsede.KeyAuditOrder},
		{pinsede.AuditFilter{From: pinsede.DateOf(f.now.AddDate(-1, 0, -2)), To: today}, pinsede.FieldAuditTo, pinsede.KeyAuditDays},
	} {
		_, err := f.desk.SearchAudit(f.sup, c.f)
		var es pinsede.FieldErrors
		if !errors.As(err, &es) || len(es) != 1 || es[0].Field != c.field || es[0].Key != c.key {
			t.Errorf("filter %s: %v, want %s: %s", c.f, err, c.field, c.key)
		}
	}
}

// Ensure that a search stops at MaxAuditSearchResults and says there is
// more.
func TestSearchAuditBound(t *testing.T) {
	f := newFixture(t)
	today := pinsede.DateOf(f.now)
	searches := pinsede.AuditFilter{From: today, To: today, Action: pinsede.ActionAuditSearched}
	for i := 0; i <= pinsede.MaxAuditSearchResults; i++ {
		got, err := f.desk.SearchAudit(f.sup, searches)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Entries) != i || got.More {
			t.Fatalf("search %d: %d entries, more %v", i, len(got.Entries), got.More)
		}
	}
	got, err := f.desk.SearchAudit(f.sup, searches)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != pinsede.MaxAuditSearchResults || !got.More {
		t.Errorf("after %d searches: %d entries, more %v; want %d and more", pinsede.MaxAuditSearchResults+1, len(got.Entries), got.More, pinsede.MaxAuditSearchResults)
	}
}

// Ensure that AuditActions lists every AuditAction the package declares,
// so that the audit search offers it and the desk's translation test asks
// for its label.
func TestAuditActionsComplete(t *testing.T) {
	listed := map[pinsede.AuditAction]bool{}
	for _, a := range pinsede.AuditActions() {
		if listed[a] {
			t.Errorf("%s listed twice", a)
		}
		listed[a] = true
	}
	declared := 0
	_, files := gosource.Files(t, ".")
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			v, ok := n.(*ast.ValueSpec)
			if !ok || v.Type == nil {
				return true
			}
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "AuditAction" {
				return true
			}
			for _, val := range v.Values {
				lit, ok := val.(*ast.BasicLit)
				if !ok {
					continue
				}
				declared++
				if a := pinsede.AuditAction(strings.Trim(lit.Value, `"`)); !listed[a] {
					t.Errorf("%s is declared but not in AuditActions", a)
				}
			}
			return true
		})
	}
	if declared != len(listed) {
		t.Errorf("%d actions declared, %d listed", declared, len(listed))
	}
}

// Ensure that a search of the whole sede asks the central records, is
// audited as a search of the sede, is a supervisor's, checks its filter
// before asking, and passes on why the central records cannot answer,
// recording nothing then; a page after a cursor is not recorded again,
// and a page that cannot be followed is ErrAuditCursor.
func TestSearchSedeAudit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	today := pinsede.DateOf(f.now)
	filter := pinsede.AuditFilter{From: today, To: today, Action: pinsede.ActionLogin}
	searched := func() []pinsede.AuditEntry {
		t.Helper()
		es, err := f.desk.ExportAudit(f.sup, pinsede.AuditFilter{From: today, To: today, Action: pinsede.ActionAuditSearched})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	if _, err := f.desk.SearchSedeAudit(ctx, f.sup, filter, ""); !errors.Is(err, pinsede.ErrNoCentral) {
		t.Fatalf("without central records: %v, want ErrNoCentral", err)
	}
	other := pinsede.AuditEntry{Seq: 4, Time: f.now, Sede: "ROMA01", Desk: "02", Actor: "rossi", Action: pinsede.ActionLogin}
	cen := &fakeCentral{audit: pinsede.AuditSearch{Entries: []pinsede.AuditEntry{other}}}
	f.desk.Central = cen
	got, err := f.desk.SearchSedeAudit(ctx, f.sup, filter, "")
	if err != nil || len(got.Entries) != 1 || got.Entries[0].Desk != "02" {
		t.Fatalf("search of the sede: %+v, %v", got, err)
	}
	es := searched()
	if last := es[len(es)-1]; last.Actor != "sup" || !strings.HasPrefix(last.Detail, pinsede.AuditSedeDetail) {
		t.Errorf("search of the sede audited as %+v", last)
	}
	n := len(es)

	op := &pinsede.Session{Operator: pinsede.Operator{ID: "op", Role: pinsede.RoleOperatore}, Sede: f.sup.Sede}
	if _, err := f.desk.SearchSedeAudit(ctx, op, filter, ""); !errors.Is(err, pinsede.ErrForbidden) {
		t.Errorf("an operator's search: %v, want ErrForbidden", err)
	}
	var fe pinsede.FieldErrors
	if _, err := f.desk.SearchSedeAudit(ctx, f.sup, pinsede.AuditFilter{From: today}, ""); !errors.As(err, &fe) || cen.asked != 1 {
		t.Errorf("a filter with no last day: %v, asked %d times; want its field's problem, asked once", err, cen.asked)
	}
	down := &pinsede.Problem{Key: "err.central.unreachable", Err: errors.New("connection refused")}
	cen.err = down
	var p *pinsede.Problem
	if _, err := f.desk.SearchSedeAudit(ctx, f.sup, filter, ""); !errors.As(err, &p) || p != down {
		t.Fatalf("unreachable: %v, want its problem", err)
	}
	if len(searched()) != n {
		t.Errorf("a search that failed was recorded")
	}

	// The page after a cursor is the same search: not recorded again.
	cen.err, cen.audit = nil, pinsede.AuditSearch{Entries: []pinsede.AuditEntry{other}, More: true, Next: "next"}
	if got, err := f.desk.SearchSedeAudit(ctx, f.sup, filter, "before"); err != nil || got.Next != "next" || !got.More {
		t.Errorf("a page after a cursor: %+v, %v", got, err)
	}
	if len(searched()) != n {
		t.Errorf("a page after a cursor was recorded as a new search")
	}
	// A page that cannot be followed, or longer than a page, is refused:
	// paging on would repeat or skip entries.
	for _, page := range []pinsede.AuditSearch{
		{Entries: []pinsede.AuditEntry{other}, More: true},
		{Entries: []pinsede.AuditEntry{other}, More: true, Next: "before"},
		{More: true, Next: "next"},
		{Entries: make([]pinsede.AuditEntry, pinsede.MaxAuditSearchResults+1), More: true, Next: "next"},
	} {
		cen.audit = page
		if _, err := f.desk.SearchSedeAudit(ctx, f.sup, filter, "before"); !errors.Is(err, pinsede.ErrAuditCursor) {
			t.Errorf("a page of %d entries, more %v, next %q: %v, want ErrAuditCursor", len(page.Entries), page.More, page.Next, err)
		}
	}
}
