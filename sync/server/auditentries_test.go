package server_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a sede's desk sends its audit entries and searches its
// sede's: a batch malformed, too large, out of order or that disagrees
// with the chain centrale got is refused with a problem that says so;
// a search's query is checked, and finds the caller's sede's entries
// only.
func TestAuditEntries(t *testing.T) {
	env := newEnv(t)
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	milano := env.Client(t, pki.RoleSede, "MILANO01")
	at := storetest.T0.Add(-2 * time.Hour)
	chain := storetest.Chain("ROMA01", "", 6, at, nil)
	c := chain[0].Hash
	send := func(es []pinsede.AuditEntry, wantStatus int, wantProblem string) wire.AuditEntriesResponse {
		t.Helper()
		st, b := do(t, roma, "POST", env.URL+"/v1/audit/entries", wire.ContentJSON, mustJSON(t, wire.AuditEntriesRequest{Chain: c, Entries: es}))
		var resp wire.AuditEntriesResponse
		p := decoded(st, b, &resp)
		if st != wantStatus || p.Type != wantProblem {
			t.Errorf("send of %d entries: %d %s, want %d %s", len(es), st, b, wantStatus, wantProblem)
		}
		return resp
	}
	if r := send(nil, 200, ""); r.Next != 1 {
		t.Errorf("where to start: %+v", r)
	}
	bad := append([]pinsede.AuditEntry(nil), chain[:2]...)
	bad[1].Detail = "cambiato"
	send(bad, 422, "urn:pinsede:problem:bad-audit-entries")
	send(chain[2:4], 409, "urn:pinsede:problem:audit-entries-gap")
	if r := send(chain[:4], 200, ""); r.Stored != 3 || r.Next != 5 {
		t.Errorf("entries 1-4: %+v", r)
	}
	// A detail over pinsede.MaxAuditDetail: the entry and the field
	// named, nothing of the batch stored.
	long := storetest.Chain("ROMA01", "", 6, at, func(e *pinsede.AuditEntry) {
		if e.Seq == 6 {
			e.Detail = strings.Repeat("è", pinsede.MaxAuditDetail/2+1)
		}
	})
	st, b := do(t, roma, "POST", env.URL+"/v1/audit/entries", wire.ContentJSON, mustJSON(t, wire.AuditEntriesRequest{Chain: c, Entries: long[4:6]}))
	if p := decoded(st, b, nil); st != 422 || !strings.Contains(p.Detail, "entry 6: detail of 4098 bytes, at most 4096") {
		t.Errorf("a detail too long: %d %s, want 422 naming entry 6's detail", st, b)
	}
	if r := send(nil, 200, ""); r.Next != 5 {
		t.Errorf("after a batch refused: next %d, want 5", r.Next)
	}
	forged := storetest.Chain("ROMA01", "", 6, at, func(e *pinsede.AuditEntry) { e.Detail = "riscritto" })
	send(forged[4:6], 409, "urn:pinsede:problem:audit-fork")
	send(chain[4:6], 200, "")
	st, b = do(t, roma, "POST", env.URL+"/v1/audit/entries", wire.ContentJSON, []byte(`{"chain":"`+strings.Repeat("A", wire.MaxAuditEntriesBytes)+`","entries":[]}`))
	if st != 413 {
		t.Errorf("a send over %d bytes: %d %s", wire.MaxAuditEntriesBytes, st, b)
	}

	day := pinsede.DateOf(chain[0].Time)
	query := func(c2 string, q string) (int, wire.AuditSearchResponse, wire.Problem) {
		t.Helper()
		cl := roma
		if c2 == "MILANO01" {
			cl = milano
		}
		st, b := do(t, cl, "GET", env.URL+"/v1/audit/search?"+q, "", nil)
		var resp wire.AuditSearchResponse
		return st, resp, decoded(st, b, &resp)
	}
	all := pinsede.AuditFilter{From: day, To: pinsede.DateOf(chain[5].Time)}
	if st, resp, _ := query("ROMA01", wire.AuditQuery(all, wire.AuditCursor{})); st != 200 || len(resp.Entries) != 5 || resp.More {
		t.Errorf("ROMA01's search: %d, %d entries, want its 5 own", st, len(resp.Entries))
	}
	if st, resp, _ := query("MILANO01", wire.AuditQuery(all, wire.AuditCursor{})); st != 200 || len(resp.Entries) != 0 {
		t.Errorf("MILANO01's search: %d, %d entries, want none of ROMA01's", st, len(resp.Entries))
	}
	for _, q := range []string{
		"", "from=2026-12-01", "from=2026-12-01&to=2026-11-30", "from=2025-01-01&to=2026-12-31", "from=01/12/2026&to=2026-12-02",
		"from=2026-12-01&to=2026-12-02&sede=MILANO01", "from=2026-12-01&to=2026-12-02&from=2026-12-01",
		"from=2026-12-01&to=2026-12-02&codice_fiscale=xyz", "from=2026-12-01&to=2026-12-02&operator=" + url.QueryEscape("a\x00b"),
		"from=2026-12-01&to=2026-12-02&action=" + strings.Repeat("a", 65), "from=2026-12-01&to=2026-12-02&x=" + strings.Repeat("a", 2000),
		"from=2026-12-01&to=2026-12-02&after=42", "from=2026-12-01&to=2026-12-02&after=eyJ0IjoiMjAyNi0xMi0wNVQwOTozMDowMFoiLCJkIjoiMDEiLCJzIjowLCJoIjoiIn0",
	} {
		if st, _, p := query("ROMA01", q); st != 400 || p.Type != "urn:pinsede:problem:bad-audit-search" || p.Detail == "" {
			t.Errorf("search %q: %d %+v, want 400 with why", q, st, p)
		}
	}
	if st, _ := do(t, env.Client(t, pki.RoleKiosk, "ROMA01"), "GET", env.URL+"/v1/audit/search?"+wire.AuditQuery(all, wire.AuditCursor{}), "", nil); st != 403 {
		t.Errorf("a kiosk's search: %d, want 403", st)
	}
}

// decoded decodes an answer of status st: into resp when 200, else the
// problem it returns.
func decoded(st int, b []byte, resp any) wire.Problem {
	var p wire.Problem
	if st == 200 {
		json.Unmarshal(b, resp)
	} else {
		json.Unmarshal(b, &p)
	}
	return p
}

// Ensure that a page of the sede's audit search carries at most 500
// entries and wire.MaxAuditSearchBytes of them, and says where the next
// starts (next), which gives the rest, each entry once.
func TestAuditSearchPages(t *testing.T) {
	env := newEnv(t)
	roma := env.Client(t, pki.RoleSede, "ROMA01")
	at := storetest.T0
	// Desk 01: 700 short entries; desk 02: 240 of the longest detail,
	// each of whose bytes JSON escapes in 6 (about 25 kB an entry). Each
	// desk's own acts are kept: 3 in 4.
	short := storetest.Chain("ROMA01", "01", 700, at, func(e *pinsede.AuditEntry) { e.Desk = "01" })
	long := storetest.Chain("ROMA01", "02", 240, at.AddDate(0, 0, 20), func(e *pinsede.AuditEntry) {
		e.Desk, e.Detail = "02", strings.Repeat("<", pinsede.MaxAuditDetail)
	})
	for _, es := range [][]pinsede.AuditEntry{short, long} {
		if reason := central.CheckEntries("ROMA01", es[0].Hash, es); reason != "" {
			t.Fatal(reason)
		}
		if _, err := env.Store.PutAuditEntries(t.Context(), "ROMA01", es[0].Desk, es[0].Hash, es, at); err != nil {
			t.Fatal(err)
		}
	}
	// The first page: desk 02's own entries, the newest, that fit in
	// wire.MaxAuditSearchBytes.
	first, size := 0, 0
	for i := len(long) - 1; i >= 0; i-- {
		if long[i].OfDesk("02") {
			if size += central.EntrySize(long[i]); size > wire.MaxAuditSearchBytes {
				break
			}
			first++
		}
	}
	f := pinsede.AuditFilter{From: pinsede.DateOf(at), To: pinsede.DateOf(at.AddDate(0, 0, 30))}
	var after wire.AuditCursor
	var sizes []int
	seen := map[string]bool{}
	for {
		st, b := do(t, roma, "GET", env.URL+"/v1/audit/search?"+wire.AuditQuery(f, after), "", nil)
		var resp wire.AuditSearchResponse
		if err := json.Unmarshal(b, &resp); st != 200 || err != nil {
			t.Fatalf("page %d: %d %.200s", len(sizes)+1, st, b)
		}
		if len(b) > wire.MaxAuditSearchBytes+64<<10 {
			t.Errorf("page %d: %d bytes, want at most %d of entries", len(sizes)+1, len(b), wire.MaxAuditSearchBytes)
		}
		sizes = append(sizes, len(resp.Entries))
		for _, e := range resp.Entries {
			k := e.Desk + "/" + strconv.FormatUint(e.Seq, 10)
			if seen[k] {
				t.Errorf("entry %s on two pages", k)
			}
			seen[k] = true
		}
		if resp.More != (resp.Next != "") {
			t.Fatalf("page %d: more %v, next %q", len(sizes), resp.More, resp.Next)
		}
		if !resp.More {
			break
		}
		var err error
		if after, err = wire.ParseAuditCursor(resp.Next); err != nil {
			t.Fatal(err)
		}
	}
	// Desk 02's 180 own entries are the newest: the first of them fill
	// 4 MiB; then the others and desk 01's 525 in pages of 500.
	if want := []int{first, 500, 180 + 525 - first - 500}; first >= 180 || !slices.Equal(sizes, want) || len(seen) != 525+180 {
		t.Errorf("pages of %v entries, %d different; want %v, %d", sizes, len(seen), want, 525+180)
	}
}
