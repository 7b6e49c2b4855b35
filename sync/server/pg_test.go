package server_test

import (
	"testing"

	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/pgstore"
)

// TestMain starts the test PostgreSQL the store's tests share (pgStore),
// one server for the package's run.
func TestMain(m *testing.M) { pgtest.Main(m) }

// pgStore opens a centrale store on a fresh database of the test
// PostgreSQL, closed when tb ends, and returns it with the database's
// connection string. Without PostgreSQL it skips tb, or fails it under
// CI (pgtest.DSN).
func pgStore(tb testing.TB) (*pgstore.Store, string) {
	tb.Helper()
	dsn := pgtest.DSN(tb)
	s, err := pgstore.Open(tb.Context(), dsn)
	if err != nil {
		tb.Fatalf("open the PostgreSQL store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, dsn
}
