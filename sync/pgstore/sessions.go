package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// AppName is the application_name of a store's connections, unless its
// connection string sets one: pg_stat_activity shows them, and
// OtherSessions finds them.
const AppName = "pinsede-centrale"

// migrateAppName is the application_name of the connection that
// migrates the schema, closed before Open returns: OtherSessions does not
// count it.
const migrateAppName = AppName + " migrate"

// Sessions are connections to the database, by the address they come
// from ("local" for a Unix socket).
type Sessions map[string]int

// Total returns how many connections there are.
func (s Sessions) Total() int {
	n := 0
	for _, c := range s {
		n += c
	}
	return n
}

// OtherSessions returns the connections to the database that another
// centrale holds (those of its application_name, AppName unless the
// connection string sets one), this store's left out: replicas serving
// it, or another command. A role that may not see another's sessions
// (pg_read_all_stats) sees no address for them.
func (s *Store) OtherSessions(ctx context.Context) (Sessions, error) {
	conns := s.pool.AcquireAllIdle(ctx)
	if len(conns) == 0 {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("centrale's sessions: %w", err)
		}
		conns = []*pgxpool.Conn{c}
	}
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	pids := make([]uint32, len(conns))
	for i, c := range conns {
		pids[i] = c.Conn().PgConn().PID()
	}
	rows, err := conns[0].Query(ctx, qOtherSessions, s.appName(), pids)
	if err != nil {
		return nil, fmt.Errorf("centrale's sessions: %w", err)
	}
	out := Sessions{}
	var addr string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&addr, &n}, func() error {
		out[addr] = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("centrale's sessions: %w", err)
	}
	return out, nil
}

// nameSessions sets the application_name of params to AppName unless
// the connection string set one, and reports whether it had.
func nameSessions(params map[string]string) bool {
	if _, ok := params["application_name"]; ok {
		return true
	}
	params["application_name"] = AppName
	return false
}
