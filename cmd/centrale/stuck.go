package main

import (
	"fmt"
	"time"

	"github.com/pinsede/pinsede/sync/pgstore"
)

// stuckWait returns how long a session of centrale's may wait on its
// replica inside a statement, holding a lock of the store, before the
// replicas end it (pgstore.WatchStuck): after (-pg-stuck-after), or,
// when after is 0, the sessions' statementTimeout plus
// pgstore.StuckMargin. It refuses a wait under that: a statement merely
// slow, which PostgreSQL would let run, could be taken for a replica
// stopped and ended. With statement_timeout off (0) there is no floor to
// keep, and the wait is after or, not given, 30 s as before it was a
// setting: serve warns of it.
func stuckWait(after, statementTimeout time.Duration) (time.Duration, error) {
	if statementTimeout <= 0 {
		if after == 0 {
			return pgstore.DefaultStatementTimeout + pgstore.StuckMargin, nil
		}
		return after, nil
	}
	least := statementTimeout + pgstore.StuckMargin
	switch {
	case after == 0:
		return least, nil
	case after < least:
		return 0, fmt.Errorf("-pg-stuck-after %s is under the sessions' statement_timeout (%s) plus %s: a statement merely slow could be taken for a replica stopped and ended; give %s or more, or leave it out for that, or give -postgres a shorter statement_timeout",
			after, statementTimeout, pgstore.StuckMargin, least)
	}
	return after, nil
}
