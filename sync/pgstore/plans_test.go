package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/wire"
)

// bigTables are the tables that grow with the country: a plan that reads
// one of them whole is a bug.
var bigTables = []string{"credentials", "events", "changes", "forms", "audit_heads", "audit_entries", "delegations", "tickets"}

// planQuery is a statement of queries.go with arguments that find rows of
// the table fill writes.
type planQuery struct {
	name string
	sql  string
	args func(n int) []any
}

// planQueries returns the statements TestPlans checks, with arguments for
// tables of n rows.
func planQueries() []planQuery {
	now := testclock.Now()
	ids := func(prefix string, n int) []string {
		var out []string
		for k := 1; k <= 5; k++ {
			out = append(out, fmt.Sprintf("%s%d", prefix, k*n/6))
		}
		return out
	}
	cf := func(i int) string { return fmt.Sprintf("CF%014d", i) }
	five := func(s string) []string { return []string{s, s, s, s, s} }
	made := 0
	fresh := func(prefix string) []string { // five ids no run used: the inserts run 6 times
		made++
		return ids(fmt.Sprintf("%s%d-", prefix, made), 6)
	}
	// revoked is a citizen of S007 with an audit entry (fill).
	revoked := func(n int) string { return cf(7 + 50_000*(n/100_000)) }
	chain := []byte("chain")
	day := now.Format(time.DateOnly)
	return []planQuery{
		{"load credentials", qLoadCredentials, func(n int) []any { return []any{ids("c", n), []string{cf(n / 3), cf(n / 2), cf(n - 1)}} }},
		{"load credentials, none issued", qLoadCredentials, func(n int) []any { return []any{ids("c", n), []string(nil)} }},
		{"lock audit", qLockSedeAudit, func(int) []any { return []any{lockAudit, "S007"} }},
		{"lock delegations", qLockCFs, func(n int) []any { return []any{lockDelegations, []string{cf(n / 2), cf(n / 3)}} }},
		{"load delegations", qLoadDelegations, func(n int) []any { return []any{[]string{fmt.Sprintf("d%d", n/2)}, []string{cf(n / 2)}} }},
		{"load seen", qLoadSeen, func(n int) []any { return []any{"S007", ids("e", n)} }},
		{"update credentials", qUpdateCredentials, func(n int) []any {
			id := ids("c", n)
			return []any{id, five("superseded"), five("x"), []int32{0, 0, 0, 0, 0}, five(""), five(`{}`), five(`{}`)}
		}},
		{"insert credentials", qInsertCredentials, func(n int) []any {
			return []any{fresh("new"), []string{cf(n + 1), cf(n + 2), cf(n + 3), cf(n + 4), cf(n + 5)}, five("S007"), five("revoked"), five(""),
				[]int32{0, 0, 0, 0, 0}, five(""), []time.Time{now, now, now, now, now}, five(`{}`), five("01")}
		}},
		{"insert events", qInsertEvents, func(n int) []any {
			return []any{fresh("new"), five("S007"), five("01"), five("credential.issued"), []time.Time{now, now, now, now, now},
				five("c1"), five("accepted"), []time.Time{now, now, now, now, now}, five(`{}`)}
		}},
		{"lock changes", qLockChanges, func(n int) []any { return []any{lockChanges, []string{"S007", "S001"}} }},
		{"insert changes", qInsertChanges, func(n int) []any {
			return []any{five("S007"), five(`{}`), []*string{nil, nil, nil, nil, nil}, []*string{nil, nil, nil, nil, nil}}
		}},
		{"latest change", qLatestChange, func(int) []any { return []any{"S007"} }},
		{"changes", qChanges, func(n int) []any { return []any{"S007", int64(n / 2), 500, false, true, "01", false} }},
		{"current", qCurrent, func(n int) []any { return []any{cf(n / 2), false} }},
		{"current for update", qCurrentForUpdate, func(n int) []any { return []any{cf(n / 2), true} }},
		{"credential for update", qCredentialForUpdate, func(n int) []any { return []any{fmt.Sprintf("c%d", n/2)} }},
		{"put lock", qPutLock, func(n int) []any { return []any{fmt.Sprintf("c%d", n/2), 1, `{}`, ""} }},
		{"credentials of cf", qCredentialsOfCF, func(n int) []any { return []any{cf(n / 2)} }},
		{"credentials of cf for update", qCredentialsOfCFForUpdate, func(n int) []any { return []any{cf(n / 2)} }},
		{"tally", qTally, func(n int) []any {
			return []any{"S007", "01", now, 1, "bad event", []string{now.Format(time.DateOnly)}, []int64{3}}
		}},
		{"pulled", qPulled, func(n int) []any { return []any{"S007", "01", int64(n / 2), now} }},
		{"overview desks", qOverviewDesks, func(n int) []any { return []any{5001, 101} }},
		{"overview issued", qOverviewIssued, func(n int) []any {
			return []any{now.AddDate(0, 0, -29).Format(time.DateOnly), now.Format(time.DateOnly)}
		}},
		{"overview locked", qOverviewLocked, func(n int) []any { return []any{now, 10001} }},
		{"revoke", qRevoke, func(n int) []any { return []any{fmt.Sprintf("c%d", n/2), "revoked", `{}`} }},
		{"delete forms", qDeleteForms, func(n int) []any { return []any{ids("c", n), five("MV35")} }},
		{"form", qForm, func(n int) []any { return []any{fmt.Sprintf("c%d", n/2), "MV35"} }},
		{"delegation", qDelegation, func(n int) []any { return []any{fmt.Sprintf("d%d", n/2)} }},
		{"write delegations", qWriteDelegations, func(n int) []any {
			return []any{[]string{fmt.Sprintf("d%d", n/2), "dnew"}, []string{"S007", "S007"}, []string{"AA08", "AA08"}, []string{cf(n / 2), cf(n + 1)},
				[]string{cf(n/2 + 1), cf(n + 2)}, []string{"revoked", "revoked"}, []time.Time{now, now}, []string{`{}`, `{}`}}
		}},
		{"event", qEvent, func(n int) []any { return []any{"S007", fmt.Sprintf("e%d", n/2)} }},
		{"raise crl number", qRaiseCRLNumber, func(int) []any { return []any{"5"} }},
		{"insert ticket", qInsertTicket, func(n int) []any { return []any{"S007", "A001", now, now, `{}`, central.DefaultTickets} }},
		{"ticket", qTicket, func(n int) []any { return []any{"S007", "A001"} }},
		{"ticket held", qTicketHeld, func(n int) []any { return []any{"S007", "A001"} }},
		{"call tickets", qCallTickets, func(n int) []any {
			return []any{[]string{"S007"}, []string{"A001"}, []time.Time{now}}
		}},
		{"wipe tickets", qWipeTickets, func(n int) []any { return []any{now.Add(-24 * time.Hour)} }},
		{"wipe requests", qWipeRequests, func(n int) []any { return []any{now.Add(-24 * time.Hour)} }},
		{"audit head", qAuditHead, func(n int) []any { return []any{"S007", []byte("chain"), "", int64(n / 2)} }},
		{"admit chain", qAdmitChain, func(int) []any { return []any{"S007", chain, now, "01"} }},
		{"keep head", qKeepHead, func(n int) []any {
			made++
			return []any{"S007", chain, int64(n + made), []byte{1}, now}
		}},
		{"record fork", qRecordFork, func(n int) []any {
			return []any{"S007", chain, int64(n), []byte{1}, "forked", now, "01", central.MaxOpenForks}
		}},
		{"audit heads", qAuditHeads, func(int) []any { return []any{"S007", []byte{}, int64(0), central.MaxAuditHeads + 1} }},
		{"audit heads after a cursor", qAuditHeads, func(n int) []any { return []any{"S007", chain, int64(n / 2), central.MaxAuditHeads + 1} }},
		{"audit forks", qAuditForks, func(int) []any { return nil }},
		{"insert reset", qInsertReset, func(n int) []any { return []any{"S007", chain, int64(n + 1000), "op1", "reset", now, "01"} }},
		{"reset chain", qResetChain, func(int) []any { return []any{"S007", chain, now, int64(1), "02"} }},
		{"discard heads", qDiscardHeads, func(n int) []any { return []any{"S007", chain, int64(n + 1000), int64(1)} }},
		{"resolve forks", qResolveForks, func(int) []any { return []any{"S007", int64(1), "01"} }},
		{"count reset", qCountReset, func(int) []any { return []any{int64(1), 0, 0} }},
		{"insert entries", qInsertEntries, func(n int) []any {
			return []any{"S007", chain, "01", []int64{int64(n + 7)}, []string{day}, []time.Time{now}, []string{"op1"}, []string{"operator.login"},
				[]string{""}, [][]byte{{1}}, []string{`{}`}}
		}},
		{"put tip", qPutTip, func(n int) []any { return []any{"S007", chain, int64(n), []byte{0}, int64(n)} }},
		{"drop entries", qDropEntries, func(n int) []any { return []any{"S007", chain, int64(n + 1000)} }},
		{"drop tip", qDropTip, func(n int) []any { return []any{"S007", chain, int64(n + 1000)} }},
		{"audit tip", qAuditTip, func(n int) []any { return []any{"S007", []byte("chain")} }},
		{"audit heads within", qAuditHeadsWithin, func(n int) []any { return []any{"S007", []byte("chain"), int64(n / 2), int64(n/2 + 1000)} }},
		{"audit entries within", qAuditEntriesWithin, func(n int) []any { return []any{"S007", []byte("chain"), int64(n / 2), int64(n/2 + 1000)} }},
		{"search audit by days", qSearchAudit, func(n int) []any { return searchArgs(now, 30, "", "", "") }},
		{"search audit by operator", qSearchAudit, func(n int) []any { return searchArgs(now, 366, "op3", "", "") }},
		{"search audit by action", qSearchAudit, func(n int) []any { return searchArgs(now, 366, "", "credential.revoked", "") }},
		{"search audit by citizen", qSearchAudit, func(n int) []any { return searchArgs(now, 366, "", "", revoked(n)) }},
		{"search audit by days after a cursor", qSearchAudit, func(n int) []any { return pageArgs(now, searchArgs(now, 366, "", "", "")) }},
		{"search audit by operator after a cursor", qSearchAudit, func(n int) []any { return pageArgs(now, searchArgs(now, 366, "op3", "", "")) }},
		{"search audit by action after a cursor", qSearchAudit, func(n int) []any {
			return pageArgs(now, searchArgs(now, 366, "", "credential.revoked", ""))
		}},
		{"search audit by citizen after a cursor", qSearchAudit, func(n int) []any { return pageArgs(now, searchArgs(now, 366, "", "", revoked(n))) }},
	}
}

// searchArgs are the arguments of qSearchAudit for sede S007's days
// before now, from the start.
func searchArgs(now time.Time, days int, actor, action, subject string) []any {
	return append([]any{"S007", now.AddDate(0, 0, -days).Format(time.DateOnly), now.Format(time.DateOnly), actor, action, subject, 501},
		cursorArgs(wire.AuditCursor{})...)
}

// pageArgs are args (searchArgs) after a cursor half a year back: the
// page of an export half read.
func pageArgs(now time.Time, args []any) []any {
	at := now.AddDate(0, -6, 0)
	return append(args[:7], cursorArgs(wire.AuditCursor{Time: at, Desk: "01", Seq: 1 << 40, Hash: make([]byte, 32)})...)
}

// fill writes rows from..to-1 of the bigTables: one credential of its own
// codice fiscale each, with its MV35, 500 sedi, one audit chain each; a
// delegation and a ticket for one row in ten.
func fill(ctx context.Context, pool *pgxpool.Pool, from, to int) error {
	for _, q := range []string{
		`INSERT INTO credentials (id, codice_fiscale, sede, status, accepted_at, credential, lock)
			SELECT 'c' || i, 'CF' || lpad(i::text, 14, '0'), 'S' || lpad((i % 500)::text, 3, '0'),
				CASE WHEN i % 10 = 0 THEN 'superseded' ELSE 'active' END, $3::timestamptz - i * interval '1 second',
				jsonb_build_object('id', 'c' || i, 'type', 'dispositivo'),
				CASE WHEN i % 1000 = 1 THEN '{"permanent": true}'::jsonb
					WHEN i % 100 = 0 THEN jsonb_build_object('temporary', 1, 'until', $3::timestamptz + (i % 7 - 3) * interval '1 hour')
					ELSE '{}' END
			FROM generate_series($1::int, $2::int - 1) AS i`,
		`INSERT INTO events (id, sede, kind, time, credential_id, verdict, accepted_at, payload)
			SELECT 'e' || i, 'S' || lpad((i % 500)::text, 3, '0'), 'credential.issued', $3, 'c' || i, 'accepted', $3, '{}'
			FROM generate_series($1::int, $2::int - 1) AS i`,
		`INSERT INTO changes (sede, payload)
			SELECT 'S' || lpad((i % 500)::text, 3, '0'), '{"kind": "credential.superseded"}'
			FROM generate_series($1::int, $2::int - 1) AS i`,
		`INSERT INTO forms (credential_id, kind, pdf, archived_at)
			SELECT 'c' || i, 'MV35', '\x255044462d', $3 FROM generate_series($1::int, $2::int - 1) AS i`,
		`INSERT INTO audit_heads (sede, chain, seq, hash, received)
			SELECT 'S' || lpad((i % 500)::text, 3, '0'), 'chain', i, sha256(i::text::bytea), $3
			FROM generate_series($1::int, $2::int - 1) AS i`,
		// One audit entry a row, of 500 sedi over a year: logins of 20
		// operators of each sede, and one revocation in 100 of a sede's
		// entries, of a citizen.
		`INSERT INTO audit_entries (sede, chain, seq, desk, day, at, actor, action, subject, hash, entry)
			SELECT 'S' || lpad((i % 500)::text, 3, '0'), 'chain', i, '01', (($3::timestamptz - (i % 365) * interval '1 day') AT TIME ZONE 'Europe/Rome')::date,
				$3::timestamptz - (i % 365) * interval '1 day', 'op' || (i / 500 % 20),
				CASE WHEN i / 500 % 100 = 0 THEN 'credential.revoked' ELSE 'operator.login' END,
				CASE WHEN i / 500 % 100 = 0 THEN 'CF' || lpad(i::text, 14, '0') ELSE '' END, sha256(i::text::bytea), '{}'
			FROM generate_series($1::int, $2::int - 1) AS i`,
		// A delegation for one person in ten, revoked for one in three of
		// them; tickets of the last day (they are wiped after it), one for
		// one row in ten.
		`INSERT INTO delegations (id, sede, form, delegante, delegato, status, accepted_at, delegation)
			SELECT 'd' || i, 'S' || lpad((i % 500)::text, 3, '0'), 'AA08', 'CF' || lpad(i::text, 14, '0'), 'CF' || lpad((i + 1)::text, 14, '0'),
				CASE WHEN i % 3 = 0 THEN 'revoked' ELSE 'active' END, $3, '{}'
			FROM generate_series($1::int, $2::int - 1) AS i WHERE i % 10 = 0`,
		`INSERT INTO tickets (sede, code, issued, stored_at, ticket)
			SELECT 'S' || lpad((i % 500)::text, 3, '0'), 'T' || i, $3::timestamptz - (i % 86400) * interval '1 second', $3, '{}'
			FROM generate_series($1::int, $2::int - 1) AS i WHERE i % 10 = 0`,
		`INSERT INTO audit_tips (sede, chain, seq, hash, proven)
			SELECT 'S' || lpad(s::text, 3, '0'), 'chain', $2, '\x00', $2 FROM generate_series(0, 499) AS s WHERE $1::int >= 0
			ON CONFLICT (sede, chain) DO UPDATE SET seq = excluded.seq, proven = excluded.proven`,
		// The overview's tables: 5 desks of each of the 500 sedi, 2 in 5
		// of them never pulled (every change of their sede waits), and a
		// year of PINs issued. The days are Italy's, as the stores count
		// them (central.Day), not the database session's zone: on a
		// machine in São Paulo, a test clock of 23:59 on 29 February is
		// already 1 March in Rome.
		`INSERT INTO desk_activity (sede, desk, last_push, last_pull, pull_cursor)
			SELECT 'S' || lpad(s::text, 3, '0'), d::text, $3, $3, CASE WHEN d % 2 = 0 THEN 0 ELSE $2 END
			FROM generate_series(0, 499) AS s, generate_series(1, 5) AS d WHERE $1::int >= 0
			ON CONFLICT (sede, desk) DO UPDATE SET pull_cursor = excluded.pull_cursor`,
		`INSERT INTO issued_daily (day, sede, issued)
			SELECT (($3::timestamptz - d * interval '1 day') AT TIME ZONE 'Europe/Rome')::date, 'S' || lpad(s::text, 3, '0'), 1 + (d + s) % 40
			FROM generate_series(0, 364) AS d, generate_series(0, 499) AS s
			WHERE $1::int >= 0 AND $2::int >= 0 ON CONFLICT DO NOTHING`,
	} {
		args := []any{from, to, testclock.Now()}
		if !strings.Contains(q, "$3") {
			args = args[:2]
		}
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("fill rows %d to %d: %w", from, to, err)
		}
	}
	return nil
}

// planNode is a node of EXPLAIN (FORMAT JSON).
type planNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	IndexCond string     `json:"Index Cond"`
	Plans     []planNode `json:"Plans"`
}

// seqScans returns the big tables that a plan, or a plan under it, reads
// with a Seq Scan.
func seqScans(n planNode) []string {
	var out []string
	for _, t := range bigTables {
		if n.NodeType == "Seq Scan" && n.Relation == t {
			out = append(out, t)
		}
	}
	for _, c := range n.Plans {
		out = append(out, seqScans(c)...)
	}
	return out
}

// explain returns the plan of the prepared statement name, as EXPLAIN
// EXECUTE shows it on c, in JSON and as text.
func explain(ctx context.Context, c *pgx.Conn, name string, args []any) (planNode, string, error) {
	ps := make([]string, len(args))
	for i := range args {
		ps[i] = "$" + strconv.Itoa(i+1)
	}
	exec := "EXECUTE " + name
	if len(ps) > 0 {
		exec += "(" + strings.Join(ps, ", ") + ")"
	}
	var raw []byte
	// The simple protocol writes the arguments into the text as literals:
	// EXPLAIN EXECUTE takes no parameters of its own.
	if err := c.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+exec, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...).Scan(&raw); err != nil {
		return planNode{}, "", fmt.Errorf("explain %s: %w", name, err)
	}
	var plans []struct{ Plan planNode }
	if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 {
		return planNode{}, "", fmt.Errorf("explain %s: %d plans: %v", name, len(plans), err)
	}
	rows, err := c.Query(ctx, "EXPLAIN "+exec, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...)
	if err != nil {
		return planNode{}, "", fmt.Errorf("explain %s: %w", name, err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return planNode{}, "", fmt.Errorf("explain %s: %w", name, err)
	}
	return plans[0].Plan, strings.Join(lines, "\n"), nil
}

// runNode is a node of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON).
type runNode struct {
	NodeType string  `json:"Node Type"`
	Relation string  `json:"Relation Name"`
	Index    string  `json:"Index Name"`
	Rows     float64 `json:"Actual Rows"`
	Loops    float64 `json:"Actual Loops"`
	// Removed and Rechecked are, as Rows, the means of the loops.
	Removed   float64   `json:"Rows Removed by Filter"`
	Rechecked float64   `json:"Rows Removed by Index Recheck"`
	Hit       int64     `json:"Shared Hit Blocks"`
	Read      int64     `json:"Shared Read Blocks"`
	Plans     []runNode `json:"Plans"`
}

// scans returns the scans of tables under n, each as "Index Scan using
// credentials_pkey on credentials", and the rows they read: those they
// returned and those their filters left out.
func (n runNode) scans() ([]string, float64) {
	var out []string
	var rows float64
	if n.Relation != "" {
		s := n.NodeType
		if n.Index != "" {
			s += " using " + n.Index
		}
		out = append(out, s+" on "+n.Relation)
		rows += (n.Rows + n.Removed + n.Rechecked) * n.Loops
	}
	for _, c := range n.Plans {
		s, r := c.scans()
		out, rows = append(out, s...), rows+r
	}
	return out, rows
}

// measure runs each statement of qs, prepared on c as plan_i, as the
// store runs it (under qBoundedReads or qGenericPlans for those that run
// under them), with EXPLAIN (ANALYZE, BUFFERS) in a transaction rolled
// back, three times, and logs the tables and indexes its plan read, the
// rows it read, the blocks of the last run and the best times
// (scripts/pg-explain.sh: BENCHMARKS.md, "Every statement's plan").
func measure(t *testing.T, ctx context.Context, c *pgx.Conn, qs []planQuery, n int) {
	t.Helper()
	bounded := map[string]bool{}
	for _, q := range boundedReads() {
		bounded[q.name] = true
	}
	var report strings.Builder
	for i, q := range qs {
		var plan, exec float64
		var root runNode
		for k := range 3 {
			var raw []byte
			err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
				switch {
				case bounded[q.name]:
					if _, err := tx.Exec(ctx, qBoundedReads); err != nil {
						return err
					}
				case genericPlans[q.name]:
					if _, err := tx.Exec(ctx, qGenericPlans); err != nil {
						return err
					}
				}
				args := q.args(n)
				ps := make([]string, len(args))
				for j := range args {
					ps[j] = "$" + strconv.Itoa(j+1)
				}
				sql := fmt.Sprintf("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE plan_%d", i)
				if len(ps) > 0 {
					sql += "(" + strings.Join(ps, ", ") + ")"
				}
				if err := tx.QueryRow(ctx, sql, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...).Scan(&raw); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatalf("%s: explain analyze: %v", q.name, err)
			}
			var runs []struct {
				Plan      runNode
				Planning  float64 `json:"Planning Time"`
				Execution float64 `json:"Execution Time"`
			}
			if err := json.Unmarshal(raw, &runs); err != nil || len(runs) != 1 {
				t.Fatalf("%s: explain analyze: %d plans: %v", q.name, len(runs), err)
			}
			root = runs[0].Plan
			if k == 0 || runs[0].Planning+runs[0].Execution < plan+exec {
				plan, exec = runs[0].Planning, runs[0].Execution
			}
		}
		scans, rows := root.scans()
		fmt.Fprintf(&report, "\n%-40s rows read %9.0f  blocks %7d  planned %7.3f ms  ran %8.3f ms  %s",
			q.name, rows, root.Hit+root.Read, plan, exec, strings.Join(slices.Compact(scans), "; "))
	}
	t.Logf("every statement at %d rows, as the store runs it, with EXPLAIN (ANALYZE, BUFFERS), the best of 3 (rows read: returned and filtered out by the scans of tables):%s", n, report.String())
}

// errRollback makes pgx.BeginFunc roll back.
var errRollback = errors.New("roll back")

// cursorInIndex reports whether a plan's text starts reading an index of
// the audit entries at the cursor (an Index Cond on the row of day and
// time), or of the audit heads (on the row of sede, chain and seq): a
// page of an export or of the heads costs the page, not the pages
// before it.
func cursorInIndex(text string) bool {
	for l := range strings.Lines(text) {
		if strings.Contains(l, "Index Cond:") && (strings.Contains(l, "ROW(day, at) <=") || strings.Contains(l, "ROW(sede, chain, seq) >")) {
			return true
		}
	}
	return false
}

// openPlanStore opens the store on a fresh database, with autovacuum off
// on the bigTables and audit_chains: their statistics change only by the
// test's ANALYZE.
func openPlanStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, tb := range append(slices.Clone(bigTables), "audit_chains") {
		if _, err := s.pool.Exec(ctx, `ALTER TABLE `+tb+` SET (autovacuum_enabled = off)`); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// grow fills the rows from..to-1 of the tables (fill), a million at a
// time.
func grow(t *testing.T, s *Store, from, to int) {
	t.Helper()
	const chunk = 1_000_000
	for ; from < to; from += chunk {
		if err := fill(context.Background(), s.pool, from, min(from+chunk, to)); err != nil {
			t.Fatal(err)
		}
	}
}

// planRows is the size of the tables of TestPlans: 20,000 rows, or
// PINSEDE_EXPLAIN_ROWS (scripts/pg-explain.sh sets 10,000,000).
func planRows() int {
	if n, err := strconv.Atoi(os.Getenv("PINSEDE_EXPLAIN_ROWS")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

// genericPlans names the statements of planQueries that run with generic
// plans (qGenericPlans).
var genericPlans = map[string]bool{"insert credentials": true, "insert events": true, "lock changes": true, "insert changes": true, "tally": true, "pulled": true}

// tableScan matches the plan nodes that read a table or an index.
var tableScan = regexp.MustCompile(`(Seq|Index|Index Only|Bitmap Heap|Bitmap Index|Tid|Tid Range|Sample) Scan`)

// checkGeneric fails t if the generic plan of the prepared statement
// name, q's, reads a table: those statements read none but by the unique
// keys they write.
func checkGeneric(t *testing.T, ctx context.Context, c *pgx.Conn, name string, q planQuery, n int, stats string) {
	t.Helper()
	if _, err := c.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	defer c.Exec(ctx, `SET plan_cache_mode = force_custom_plan`)
	plan, text, err := explain(ctx, c, name, q.args(n))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s, generic plan, %s:\n%s", q.name, stats, text)
	if seq := seqScans(plan); len(seq) > 0 || tableScan.MatchString(text) {
		t.Errorf("%s's generic plan reads a table at %d rows, %s:\n%s", q.name, n, stats, text)
	}
}

// Ensure that no statement the store runs reads one of the bigTables
// whole (and that a search after a cursor starts its index at it), on the store's own connections, once the tables have
// grown past the statistics PostgreSQL planned with: each statement is
// prepared and run 6 times on tables of 200 rows, analyzed (from the 6th
// run PostgreSQL may keep a generic plan made for that size, the plan
// cache's default), then the tables grow to planRows() with autovacuum off
// and EXPLAIN EXECUTE shows the plan the next run would use; and again
// once the tables are analyzed. With -v it prints every plan.
func TestPlans(t *testing.T) {
	ctx := context.Background()
	s := openPlanStore(t)
	const seed = 200
	n := planRows()
	if err := fill(ctx, s.pool, 1, seed); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	qs := planQueries()
	for i, q := range qs {
		name := fmt.Sprintf("plan_%d", i)
		if _, err := c.Conn().Prepare(ctx, name, q.sql); err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		for range 6 {
			if _, err := c.Exec(ctx, name, q.args(seed)...); err != nil {
				t.Fatalf("%s: %v", q.name, err)
			}
		}
	}
	grow(t, s, seed, n)
	check := func(stats string) {
		for i, q := range qs {
			plan, text, err := explain(ctx, c.Conn(), fmt.Sprintf("plan_%d", i), q.args(n))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s, %s:\n%s", q.name, stats, text)
			if seq := seqScans(plan); len(seq) > 0 {
				t.Errorf("%s reads %s whole (Seq Scan) at %d rows, %s:\n%s", q.name, strings.Join(seq, ", "), n, stats, text)
			}
			// fill gives each of 500 sedi n/500 heads: past a page, the
			// page is read in the index's order, not sorted.
			if strings.HasPrefix(q.name, "audit heads") && n/500 > 2*central.MaxAuditHeads &&
				(!strings.Contains(text, "Index Scan using audit_heads_pkey") || strings.Contains(text, "Sort")) {
				t.Errorf("%s does not read audit_heads_pkey in its order at %d rows, %s:\n%s", q.name, n, stats, text)
			}
			if strings.HasSuffix(q.name, "after a cursor") && !cursorInIndex(text) {
				t.Errorf("%s reads the index from its start, the cursor a filter, at %d rows, %s:\n%s", q.name, n, stats, text)
			}
			if genericPlans[q.name] {
				checkGeneric(t, ctx, c.Conn(), fmt.Sprintf("plan_%d", i), q, n, stats)
			}
		}
	}
	check(fmt.Sprintf("statistics of %d rows", seed))
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	check("statistics up to date")
	measure(t, ctx, c.Conn(), qs, n)

	// The status page's read, timed (scripts/pg-explain.sh: BENCHMARKS.md,
	// "The status page"): the best of 5, its tables as fill left them,
	// then vacuumed as autovacuum keeps them.
	timeOverview := func(state string) {
		var best time.Duration
		var o central.Overview
		for range 5 {
			start := time.Now()
			if o, err = s.Overview(ctx, testclock.Now(), 30); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); best == 0 || d < best {
				best = d
			}
		}
		waiting := 0
		for _, d := range o.Desks {
			waiting += d.Pending
		}
		t.Logf("overview at %d rows, %s: %d desks (%d changes waiting counted), %d locked for good, %d for a while; best of 5: %s",
			n, state, len(o.Desks), waiting, o.LockedPermanent, o.LockedTemporary, best)
		// From 10 million rows fill's permanent locks (one in 1,000) fill
		// central.MaxOverviewLocked, and come first: no temporary one is
		// read, and MoreLocked says so.
		if len(o.Desks) < 2500 || o.LockedPermanent == 0 || o.LockedTemporary == 0 && !o.MoreLocked || o.Issued[29].Issued == 0 {
			t.Errorf("overview at %d rows: %d desks, %d and %d locked, %v issued", n, len(o.Desks), o.LockedPermanent, o.LockedTemporary, o.Issued)
		}
	}
	timeOverview("analyzed")
	if _, err := s.pool.Exec(ctx, `VACUUM changes`); err != nil {
		t.Fatal(err)
	}
	timeOverview("changes vacuumed")
}

// boundedQuery is a statement that runs with a generic plan under
// qBoundedReads, with what its plan must read each of its rows by.
type boundedQuery struct {
	planQuery
	// conds match, in the plan's text, each scan the plan must hold
	// with its Index Cond: each table it reads, read by these keys.
	conds []*regexp.Regexp
}

// boundedReads returns the statements that a push and a pull run under
// qBoundedReads.
func boundedReads() []boundedQuery {
	byName := map[string]planQuery{}
	for _, q := range planQueries() {
		byName[q.name] = q
	}
	// bounded names a statement and, in pairs, each scan its plan must
	// hold and the start of that scan's Index Cond.
	bounded := func(name string, scanConds ...string) boundedQuery {
		q := boundedQuery{planQuery: byName[name]}
		for i := 0; i < len(scanConds); i += 2 {
			q.conds = append(q.conds, regexp.MustCompile(regexp.QuoteMeta(scanConds[i])+`[^\n]*\n\s*`+regexp.QuoteMeta("Index Cond: "+scanConds[i+1])))
		}
		return q
	}
	const byCF, credentialByID = "Index Scan using credentials_by_cf on credentials ", "Index Scan using credentials_pkey on credentials "
	return []boundedQuery{
		bounded("lock audit"),
		bounded("audit head", "Index Scan using audit_heads_pkey on audit_heads ", "((sede = $1) AND (chain = $2) AND (seq = $4))",
			"Index Scan Backward using audit_heads_pkey on audit_heads ", "((sede = $1) AND (chain = $2))"),
		bounded("load credentials", byCF, "(codice_fiscale = f.cf)", credentialByID, "(id = "),
		bounded("load credentials, none issued", byCF, "(codice_fiscale = f.cf)", credentialByID, "(id = "),
		bounded("load seen", "Index Scan using events_pkey on events ", "((sede = $1) AND (id = u.id))"),
		bounded("latest change", "Index Only Scan Backward using changes_by_sede on changes ", "(sede = $1)"),
		bounded("changes", "Index Scan using changes_by_sede on changes ", "((sede = $1) AND (seq > $2))",
			"Index Scan using events_pkey on events ", "((sede = $1) AND (id = page_1.event_id))"),
	}
}

// unbounded returns what, of a plan, reads more of a big table than the
// keys it is given: a Seq Scan or a Bitmap Scan of one, an index of one
// read without an Index Cond, or a hash or merge join (which read their
// inputs whole).
func unbounded(n planNode) []string {
	var out []string
	big := slices.Contains(bigTables, n.Relation)
	switch {
	case n.NodeType == "Hash Join" || n.NodeType == "Merge Join":
		out = append(out, n.NodeType)
	case big && (n.NodeType == "Seq Scan" || strings.HasPrefix(n.NodeType, "Bitmap")):
		out = append(out, n.NodeType+" on "+n.Relation)
	case big && n.IndexCond == "":
		out = append(out, n.NodeType+" on "+n.Relation+" without an Index Cond")
	}
	for _, c := range n.Plans {
		out = append(out, unbounded(c)...)
	}
	return out
}

// Ensure that the generic plans of the bounded reads (qBoundedReads) read
// each row by its key whatever the tables' sizes when the plan was made:
// each statement is prepared and run under qBoundedReads on empty tables
// never analyzed, run again once they are analyzed (the plan is made
// anew), the tables then grow to planRows() with autovacuum off and
// EXPLAIN EXECUTE shows the plan kept, made for empty tables; then again
// once they are analyzed. And that unboundedReads puts the settings back.
func TestBoundedPlans(t *testing.T) {
	ctx := context.Background()
	s := openPlanStore(t)
	n := planRows()
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	qs := boundedReads()
	// inBounded runs fn in a transaction under qBoundedReads, as a push
	// runs its reads.
	inBounded := func(fn func(tx pgx.Tx)) {
		t.Helper()
		tx, err := c.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, qBoundedReads); err != nil {
			t.Fatal(err)
		}
		fn(tx)
	}
	run := func() {
		inBounded(func(tx pgx.Tx) {
			for i, q := range qs {
				if _, err := tx.Exec(ctx, fmt.Sprintf("bounded_%d", i), q.args(n)...); err != nil {
					t.Fatalf("%s: %v", q.name, err)
				}
			}
		})
	}
	plans := make([]string, len(qs))
	check := func(stats string, kept bool) {
		t.Helper()
		inBounded(func(tx pgx.Tx) {
			for i, q := range qs {
				plan, text, err := explain(ctx, tx.Conn(), fmt.Sprintf("bounded_%d", i), q.args(n))
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s, generic plan, %s:\n%s", q.name, stats, text)
				if kept && text != plans[i] {
					t.Errorf("%s: the generic plan was made again at %d rows, %s: the test sees a plan that the store would not", q.name, n, stats)
				}
				plans[i] = text
				if bad := unbounded(plan); len(bad) > 0 {
					t.Errorf("%s's generic plan reads %s, %s:\n%s", q.name, strings.Join(bad, ", "), stats, text)
				}
				for _, re := range q.conds {
					if !re.MatchString(text) {
						t.Errorf("%s's generic plan, %s, does not read by %s:\n%s", q.name, stats, re, text)
					}
				}
				if len(q.conds) == 0 && tableScan.MatchString(text) {
					t.Errorf("%s's generic plan reads a table, %s:\n%s", q.name, stats, text)
				}
			}
		})
	}
	for i, q := range qs {
		if _, err := c.Conn().Prepare(ctx, fmt.Sprintf("bounded_%d", i), q.sql); err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
	}
	run()
	check("empty tables never analyzed", false)
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	run()
	check("empty tables analyzed", false)
	grow(t, s, 1, n)
	check(fmt.Sprintf("the plan of the empty tables kept at %d rows", n), true)
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	check("statistics up to date", false)

	// unboundedReads puts back the session's settings.
	inBounded(func(tx pgx.Tx) {
		for _, q := range unboundedReads {
			if _, err := tx.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		var mode, seq, bitmap string
		if err := tx.QueryRow(ctx, `SELECT current_setting('plan_cache_mode'), current_setting('enable_seqscan'), current_setting('enable_bitmapscan')`).Scan(&mode, &seq, &bitmap); err != nil {
			t.Fatal(err)
		}
		if mode != "force_custom_plan" || seq != "on" || bitmap != "on" {
			t.Errorf("after unboundedReads: plan_cache_mode %s, enable_seqscan %s, enable_bitmapscan %s; want the session's force_custom_plan, on, on", mode, seq, bitmap)
		}
	})
}

// Ensure that qBoundedReads and qGenericPlans, queued at the start of a
// batch sent outside a transaction (a pull, a pull's record), hold for
// the batch's statements and end with it: the batch is one implicit
// transaction.
func TestBoundedReadsEndWithBatch(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	const settings = `SELECT current_setting('plan_cache_mode') || ' ' || current_setting('enable_seqscan')`
	for _, tc := range []struct{ name, sql, want string }{
		{"qBoundedReads", qBoundedReads, "force_generic_plan off"},
		{"qGenericPlans", qGenericPlans, "force_generic_plan on"},
	} {
		var in, after string
		b := &pgx.Batch{}
		b.Queue(tc.sql)
		b.Queue(settings).QueryRow(func(r pgx.Row) error { return r.Scan(&in) })
		if err := c.SendBatch(ctx, b).Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRow(ctx, settings).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if in != tc.want || after != "force_custom_plan on" {
			t.Errorf("%s: in the batch %q, after it %q; want %s, then force_custom_plan on", tc.name, in, after, tc.want)
		}
	}
}
