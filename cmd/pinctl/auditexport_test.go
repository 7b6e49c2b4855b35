package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
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
		{[]string{"-from", "31/02/2026"}, "gg/mm/aaaa"},
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
