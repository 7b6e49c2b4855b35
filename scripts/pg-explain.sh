#!/usr/bin/env bash
# pg-explain.sh prints the plan PostgreSQL makes for every statement of the
# central store (sync/pgstore/queries.go) on tables of 10 million
# credentials, events, changes, forms, audit heads and entries (a tenth as many
# delegations and tickets), and fails if one reads
# one of them whole (Seq Scan).
#
#   scripts/pg-explain.sh            # 10,000,000 rows a table
#   scripts/pg-explain.sh 1000000    # another size
#
# It runs TestPlans (sync/pgstore/plans_test.go) with PINSEDE_EXPLAIN_ROWS:
# the test's throw-away PostgreSQL (sync/internal/pgtest), the statements
# prepared and run 6 times on tables of 200 rows, analyzed, the tables then
# grown to the size asked, and each plan shown by EXPLAIN EXECUTE on the
# store's own connection; then each statement run as the store runs it
# with EXPLAIN (ANALYZE, BUFFERS) in a transaction rolled back, and a line
# a statement: the indexes read, the rows read, the times (best of 3).
# TestPlansCoverStatements (in make test) fails when a statement the store
# sends is not among them. Then TestBoundedPlans: the reads a push and a
# pull run with generic plans (qBoundedReads), prepared on empty tables,
# the tables grown to the size asked, the plan made for the empty tables
# shown, and again once analyzed. Each test loads its own tables: the two
# loads take twice a few minutes and about 6 GB of disk each in $TMPDIR.
set -euo pipefail

rows=${1:-10000000}
cd "$(dirname "$0")/.."
PINSEDE_EXPLAIN_ROWS=$rows exec go test -count=1 -timeout 90m -run '^Test(Bounded)?Plans$' -v ./sync/pgstore
