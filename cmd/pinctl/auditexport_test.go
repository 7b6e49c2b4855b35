package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that audit export writes the day's entries as CSV and JSON, by
// operator and action, to a new 0600 file or the screen, refuses a day
// that is not one with the form to use, and leaves its own entry in the audit.
func TestAuditExport(t *testing.T) {
	sb := setUp(t)
	sb.must(t, "un-altra-password\n", "operator", "add", "-id", "l.bianchi", "-name", "Luca Bianchi", "-role", "operatore", "-password-stdin")
	day := pinsede.DateOf(sb.now()).Italian()

	r := sb.must(t, "", "audit", "export", "-from", day)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, r.stdout)
	}
	if len(rows) < 3 || strings.Join(rows[0], ",") != strings.Join(auditColumns, ",") {
		t.Fatalf("CSV of %d rows, header %v:\n%s", len(rows), rows[0], r.stdout)
	}

	out := filepath.Join(t.TempDir(), "audit.json")
	r = sb.must(t, "", "audit", "export", "-from", day, "-to", day, "-action", string(pinsede.ActionOperatorAdded), "-format", "json", "-out", out)
	if !strings.Contains(r.stdout, out) {
		t.Errorf("no word of the file written:\n%s", r.stdout)
	}
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the export's file: %v, %v; want mode 0600", st, err)
	}
	b, _ := os.ReadFile(out)
	var entries []pinsede.AuditEntry
	if err := json.Unmarshal(b, &entries); err != nil {
		t.Fatalf("JSON: %v\n%s", err, b)
	}
	if len(entries) != 2 || entries[0].Action != pinsede.ActionOperatorAdded || entries[1].Detail != "l.bianchi operatore" {
		t.Errorf("-action %s: %+v, want the supervisor's and l.bianchi's", pinsede.ActionOperatorAdded, entries)
	}
	if r := sb.run(t, "", "audit", "export", "-from", day, "-out", out); r.code == exitOK {
		t.Error("an export over an existing file: exit 0")
	}

	r = sb.must(t, "", "audit", "export", "-from", day, "-action", string(pinsede.ActionAuditExported), "-format", "json")
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || len(entries) < 2 || !strings.HasPrefix(entries[0].Actor, "pinctl:") {
		t.Errorf("the exports are not in the audit: %+v, %v", entries, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-from", "31/02/2026"}, "-from: 31/02/2026: Questo giorno non esiste"},
		{[]string{"-from", day, "-to", "29/02/2027"}, "-to: 29/02/2027: Questo giorno non esiste"},
		{[]string{"-from", "31-2-2026"}, "gg/mm/aaaa"},
		{[]string{"-from", day, "-to", "01/01/2020"}, "viene prima di -from"},
		{[]string{"-from", "01/01/2020", "-to", day}, "al massimo 366 giorni"},
		{[]string{"-from", day, "-cf", "RSSMRA80A01"}, "codice fiscale non valido"},
	} {
		if r := sb.run(t, "", append([]string{"audit", "export"}, c.args...)...); r.code == exitOK || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, %q; want %q", c.args, r.code, r.stderr, c.want)
		}
	}
	r = sb.must(t, "", "audit", "export", "-from", day, "-cf", "RSSMRA80A01H501U", "-format", "json")
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || len(entries) != 0 {
		t.Errorf("-cf of a citizen never served: %+v, %v", entries, err)
	}
}

// sendEntries stores es, a chain of desk of ROMA01 from its entry 1, at
// c as the desk's sends do.
func (c centrale) sendEntries(es []pinsede.AuditEntry, desk string, now time.Time) error {
	for i := 0; i < len(es); i += wire.MaxAuditEntries {
		if _, err := c.store.PutAuditEntries(context.Background(), "ROMA01", desk, es[0].Hash, es[i:min(i+wire.MaxAuditEntries, len(es))], now); err != nil {
			return err
		}
	}
	return nil
}

// Ensure that audit export -centrale writes every desk's entries of the
// sede's days, more than a page of them, oldest first and each once with
// its desk, in the format of one desk's export, while a desk's entries
// arrive released together with the second page; that it says how far
// it got; that the export is audited; and that a centrale that stops
// answering at the second page leaves no file, and says which page and
// what to do.
func TestAuditExportSede(t *testing.T) {
	sb := setUp(t)
	c := startCentrale(t, sb.now)
	at := storetest.T0
	one, two := storetest.Chain("ROMA01", "01", 600, at, nil), storetest.Chain("ROMA01", "02", 200, at, nil)
	for _, ch := range [][]pinsede.AuditEntry{one, two} {
		if err := c.sendEntries(ch, ch[0].Desk, sb.now()); err != nil {
			t.Fatal(err)
		}
	}
	const before = 450 + 150
	// Desk 03 was offline: its acts of the first days arrive with the
	// second page, released together with it.
	late := storetest.Chain("ROMA01", "03", 200, at, nil)
	sent := make(chan error, 1)
	var once sync.Once
	hook := func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v1/audit/search" && r.URL.Query().Get(wire.QueryAfter) != "" {
			once.Do(func() {
				release := make(chan struct{})
				go func() { <-release; sent <- c.sendEntries(late, "03", sb.now()) }()
				close(release)
			})
		}
		return false
	}
	c.before.Store(&hook)
	from, to := pinsede.DateOf(at).Italian(), pinsede.DateOf(at.AddDate(0, 0, 20)).Italian()
	out := filepath.Join(t.TempDir(), "sede.json")
	r := sb.must(t, "", append([]string{"audit", "export", "-from", from, "-to", to, "-format", "json", "-out", out}, c.flags()...)...)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.stderr, "pagina 1: 500 voci (500 in tutto)") || !strings.Contains(r.stderr, "pagina 2: ") || !strings.Contains(r.stdout, out) {
		t.Errorf("no progress, or no word of the file:\n%s\n%s", r.stderr, r.stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var entries []pinsede.AuditEntry
	if err := json.Unmarshal(b, &entries); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	seen, desks := map[string]bool{}, map[string]int{}
	for i, e := range entries {
		k := fmt.Sprintf("%s/%d", e.Desk, e.Seq)
		if seen[k] {
			t.Errorf("entry %s twice", k)
		}
		seen[k] = true
		desks[e.Desk]++
		if i > 0 && central.NewestFirst(entries[i-1], e) <= 0 {
			t.Errorf("entry %s after %s/%d: want oldest first", k, entries[i-1].Desk, entries[i-1].Seq)
		}
	}
	if desks["01"] != 450 || desks["02"] != 150 || desks["03"] > 150 || len(entries) < before {
		t.Errorf("the export holds %v, want desk 01's 450, 02's 150, at most desk 03's 150", desks)
	}
	r = sb.run(t, "", append([]string{"audit", "export", "-from", from, "-to", to, "-out", out}, c.flags()...)...)
	if left, _ := os.ReadDir(filepath.Dir(out)); r.code != exitFail || !strings.Contains(r.stderr, "esiste già") || len(left) != 1 {
		t.Errorf("an export over an existing file: exit %d, %q, the folder holds %v", r.code, r.stderr, left)
	}
	// The format of one desk's export: the same writer, the same bytes.
	var again bytes.Buffer
	if err := writeAudit(&again, "json", entries); err != nil || !bytes.Equal(again.Bytes(), b) {
		t.Errorf("the sede's export is not written as one desk's (%v)", err)
	}
	r = sb.must(t, "", append([]string{"audit", "export", "-from", from, "-to", to, "-operator", "op02"}, c.flags()...)...)
	if rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll(); err != nil || len(rows) != 151 || strings.Join(rows[0], ",") != strings.Join(auditColumns, ",") || rows[1][3] != "02" {
		t.Errorf("-operator op02 as CSV: %d rows, %v", len(rows), err)
	}
	r = sb.must(t, "", "audit", "export", "-from", pinsede.DateOf(sb.now()).Italian(), "-action", string(pinsede.ActionAuditExported), "-format", "json")
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || len(entries) != 2 || !strings.HasPrefix(entries[0].Detail, pinsede.AuditSedeDetail) {
		t.Errorf("the sede's exports are not in the desk's audit: %+v, %v", entries, err)
	}

	// Centrale stops answering at the second page.
	fail := func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get(wire.QueryAfter) == "" {
			return false
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return true
	}
	c.before.Store(&fail)
	dir := t.TempDir()
	out = filepath.Join(dir, "sede.csv")
	r = sb.run(t, "", append([]string{"audit", "export", "-from", from, "-to", to, "-out", out}, c.flags()...)...)
	if r.code != exitFail || !strings.Contains(r.stderr, "pagina 2 dell'audit della sede (dopo 500 voci lette)") ||
		!strings.Contains(r.stderr, "Centrale non raggiungibile") || !strings.Contains(r.stderr, "nessun file scritto") {
		t.Errorf("centrale gone at page 2: exit %d\n%s", r.code, r.stderr)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("a failed export left %v", left)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-centrale", c.url}, "con -centrale servono -cert, -certkey e -ca"},
		{[]string{"-cert", c.cert}, "-cert, -certkey e -ca servono con -centrale"},
	} {
		if r := sb.run(t, "", append([]string{"audit", "export", "-from", from}, c.args...)...); r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, %q; want %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// printed is a printer that prints every slip at once.
type printed struct{}

func (printed) PrintSlip(context.Context, pinsede.Slip) error { return nil }

// Ensure that the CSV of audit export neutralises a cell a spreadsheet
// would run as a formula (OWASP, CSV injection): a revocation reason
// =HYPERLINK(…) begins with a ', and the exact reason is what is left of
// the cell once that ' is dropped.
func TestAuditExportCSVFormula(t *testing.T) {
	sb := setUp(t)
	st, d, s := sb.desk(t, printed{})
	req, ver := sb.mario()
	out, err := d.Issue(context.Background(), s, req, ver)
	if err != nil {
		t.Fatal(err)
	}
	const reason = `=HYPERLINK("http://127.0.0.1/x","busta smarrita")`
	if _, err := d.Revoke(s, out.Credential.ID, reason); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	r := sb.must(t, "", "audit", "export", "-from", pinsede.DateOf(sb.now()).Italian(), "-action", string(pinsede.ActionRevoked))
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("CSV of the revocation: %v\n%s", err, r.stdout)
	}
	detail := rows[1][slices.Index(auditColumns, "detail")]
	if detail != "'"+reason {
		t.Errorf("the reason's cell is %q, want %q", detail, "'"+reason)
	}

	for _, text := range []string{"=1+1", "+39 06 1234", "-2+3", "@SUM(A1)", "\tx", "\rx", "'=1+1", "'", "Busta smarrita", "", "a=b"} {
		cell := csvCell(text)
		if strings.ContainsRune("=+-@\t\r", rune((cell + " ")[0])) {
			t.Errorf("csvCell(%q) = %q: a formula", text, cell)
		}
		if got := strings.TrimPrefix(cell, "'"); got != text {
			t.Errorf("csvCell(%q) = %q: gives back %q", text, cell, got)
		}
	}
}
