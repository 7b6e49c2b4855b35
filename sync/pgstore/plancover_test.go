package pgstore

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// unplanned are the statements of queries.go that TestPlans does not
// plan, each with the reason.
var unplanned = map[string]string{
	qBegin:            "transaction control",
	qBeginReadOnly:    "transaction control",
	qCommit:           "transaction control",
	qRollback:         "transaction control",
	qNoJIT:            "a setting (Overview), read no table",
	qBoundedReads:     "settings: TestBoundedPlans checks the plans under them, TestBoundedReadsEndWithBatch that they end",
	qGenericPlans:     "a setting: TestPlans checks the generic plans under it, TestBoundedReadsEndWithBatch that it ends",
	unboundedReads[0]: "a setting put back (TestBoundedPlans)",
	unboundedReads[1]: "a setting put back (TestBoundedPlans)",
	unboundedReads[2]: "a setting put back (TestBoundedPlans)",
	qLockMigrations:   "migrations, once at Open",
	qUnlockMigrations: "migrations, once at Open",
	qMigrationsTable:  "migrations, once at Open: DDL, no plan",
	qMigrations:       "migrations, once at Open, on schema_migrations (a row a migration), read whole",
	qMigration:        "migrations, once at Open, on schema_migrations (a row a migration)",
	qMigratedLater:    "migrations, once at Open, on schema_migrations (a row a migration)",
	qOtherSessions:    "pg_stat_activity, read by centrale restore once",
	qEndStuckSessions: "pg_stat_activity and pg_locks (views of memory), every -pg-stuck-after (30 s) and at most once a second",
	qStatementTimeout: "a setting (pg_settings, a view of memory), read once by centrale at start",
	qClock:            "reads no table",
	qPublishReplica:   "one row a replica (replicas), every 30 s",
	qForgetReplicas:   "replicas, a row a replica started in the last day, every 30 s",
	qReplicas:         "replicas, a row a replica started in the last day, every 30 s",
	qDropReplica:      "one row a replica (replicas), once as it stops",
	qEpoch:            "one row (store_epoch), read once by each centrale at its first desk's request",
	qNewEpoch:         "centrale restore, once after a restore from a copy: one row, and max(seq) of the changes' primary key",
	qCountEvents:      "counts every event by design, for tests and benchmarks (central.Store.Events), never on a request's path",
}

// sqlText matches the start of a statement.
var sqlText = regexp.MustCompile(`^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|BEGIN|COMMIT|ROLLBACK|SET|CREATE|ALTER|DROP|TRUNCATE|LOCK|VACUUM|ANALYZE|COPY|EXPLAIN|PREPARE|EXECUTE)\b`)

// Ensure that every statement the store sends is written in queries.go,
// and that TestPlans (scripts/pg-explain.sh) checks the plan of each, or
// unplanned says why not: a statement written anywhere else in the
// package's code, or added to queries.go and left out of planQueries,
// fails here. No database: the package's source is parsed.
func TestPlansCoverStatements(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	consts := map[string]ast.Expr{} // the package's constants
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, sp := range g.Specs {
					vs := sp.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							consts[n.Name] = vs.Values[i]
						}
					}
				}
			}
		}
	}
	// Every literal that starts a statement, outside queries.go, is one
	// written elsewhere; but for one compared (a command tag, as
	// queueCommit reads COMMIT's).
	for _, f := range files {
		if fset.Position(f.Pos()).Filename == "queries.go" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if c, ok := n.(*ast.BinaryExpr); ok && (c.Op == token.EQL || c.Op == token.NEQ) {
				return false
			}
			if l, ok := n.(*ast.BasicLit); ok && l.Kind == token.STRING {
				if s, err := strconv.Unquote(l.Value); err == nil && sqlText.MatchString(s) {
					t.Errorf("%s: a statement written outside queries.go, which TestPlans does not see: %.60q", fset.Position(l.Pos()), s)
				}
			}
			return true
		})
	}
	// Every statement of queries.go is planned, or unplanned says why.
	planned := map[string]bool{}
	for _, q := range planQueries() {
		planned[q.sql] = true
	}
	statements := 0
	for _, f := range files {
		if fset.Position(f.Pos()).Filename != "queries.go" {
			continue
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, sp := range g.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, v := range vs.Values {
					for _, s := range statementsOf(v, consts) {
						statements++
						if !planned[s] && unplanned[s] == "" {
							t.Errorf("%s (%s): TestPlans does not check its plan; add it to planQueries, or its reason to unplanned: %.60q",
								vs.Names[i].Name, fset.Position(v.Pos()), s)
						}
					}
				}
			}
		}
	}
	if statements < len(unplanned) {
		t.Errorf("%d statements found in queries.go, fewer than the %d unplanned", statements, len(unplanned))
	}
}

// statementsOf returns the statements that v, a value of a declaration of
// queries.go, holds: v itself when it is a constant string that starts a
// statement, or the elements of a list of them.
func statementsOf(v ast.Expr, consts map[string]ast.Expr) []string {
	if l, ok := v.(*ast.CompositeLit); ok {
		var out []string
		for _, e := range l.Elts {
			out = append(out, statementsOf(e, consts)...)
		}
		return out
	}
	if s, ok := constString(v, consts); ok && sqlText.MatchString(s) {
		return []string{s}
	}
	return nil
}

// constString evaluates e, a constant string expression of literals, of
// the package's constants (consts) and of their sums.
func constString(e ast.Expr, consts map[string]ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		if v, ok := consts[e.Name]; ok {
			return constString(v, consts)
		}
	case *ast.ParenExpr:
		return constString(e.X, consts)
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, ok := constString(e.X, consts)
			b, ok2 := constString(e.Y, consts)
			return a + b, ok && ok2
		}
	}
	return "", false
}
