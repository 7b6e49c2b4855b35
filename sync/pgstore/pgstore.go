// Package pgstore is the central records in PostgreSQL (15 or later),
// through pgx: the production store.
//
// # Basics
//
// Open connects, and brings the schema up to date with the migrations
// embedded from migrations/*.sql, each in its own transaction, recorded in
// schema_migrations. A push is one READ COMMITTED transaction: the rule of
// one active credential per codice fiscale holds by a transaction-scoped
// advisory lock on the code, and by a unique partial index should anything
// get past it. A transaction that loses a race (unique violation, deadlock,
// serialization failure) runs again from the start. The rules of
// delegations hold by a transaction-scoped advisory lock on each codice
// fiscale a push registers a delegation for, and the rule of one active
// delegation per delegante also by a unique partial index.
//
// A transaction whose connection was found dead before its COMMIT went
// out (a restart of PostgreSQL, pg_terminate_backend) runs again once, on
// a fresh connection: the server rolled it back. One whose connection was
// lost as its COMMIT went out may have committed, and is not run again.
// The error of a database that cannot be reached wraps
// central.ErrUnavailable, that of a statement that waited too long for a
// lock central.ErrBusy (unavailable.go); each connect gives up after
// ConnectTimeout. Once a connect of the pool could not reach the
// database, the pool connects no more, and each call is answered
// central.ErrUnavailable at once, until a probe, one at a time and
// backing off, reaches it again (outage.go). Open tells a database it
// cannot connect to by a *ConnectError, which says why on one line,
// naming every host (connecterror.go); a request's error wraps one too.
//
// # Caveats
//
// Each session starts with bounds on its waits (sessionSettings,
// unavailable.go): a replica frozen inside a transaction holds its locks
// at most 10 s, and a statement waits at most 5 s for a lock. One
// stopped inside a statement, which no timeout of PostgreSQL's ends, is
// ended by the other replicas' WatchStuck once it has waited past
// statement_timeout by StuckMargin, 30 s by default (stuck.go).
//
// Every statement is planned for the values it runs with (see Open), but
// two kinds whose plan is the same whatever the values and the tables'
// sizes, and which run with generic plans, made once a connection: a
// push's writes (qGenericPlans), which read no table, and the reads of a
// push and of a pull written to find each row by a key, planned with Seq
// Scans and Bitmap Scans off (qBoundedReads).
//
// Changes are numbered by a sequence under an advisory lock of their sede
// held to commit, so that a sede pulling with a cursor never skips a
// change that commits late. Pushes that record changes for the same sede
// therefore commit one at a time; those of other sedi do not wait.
package pgstore

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

var _ central.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Advisory lock keys (first argument of the two-key form).
const (
	lockMigrate     = 7301 // schema migrations
	lockChanges     = 7302 // numbering of a sede's changes (second key: its hashtext)
	lockDelegations = 7303 // a codice fiscale's delegations (second key: its hashtext)
	lockIssues      = 7304 // a codice fiscale's issues (second key: its hashtext)
	lockEnding      = 7311 // a stuck session being ended (second key: its pid; stuck.go)
)

// maxAttempts is how often a transaction that lost a race runs again.
const maxAttempts = 30

// Store is the central records in PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	// pulls has a place for each Changes reading at once: half the
	// pool's connections, at least 1, so that pulls, however many the
	// server lets through, leave connections to the PIN checks and the
	// pushes (1,500 pulls at once held all of them, and logins went
	// unanswered for 20 s).
	pulls chan struct{}
	// limits bound the events Apply accepts (SetLimits).
	limits atomic.Pointer[central.Limits]
	// outage refuses the pool's connects at once while PostgreSQL is
	// found unreachable, and probes it (outage.go).
	outage *outage
	// lockWaited wakes WatchStuck when a statement waited lock_timeout
	// for a lock (classify); stuckEnded counts the sessions
	// EndStuckSessions ended.
	lockWaited chan struct{}
	stuckEnded atomic.Uint64
}

// Open connects to the database at dsn and migrates its schema. Its
// connections plan every statement with the values it runs with
// (plan_cache_mode=force_custom_plan, unless dsn sets plan_cache_mode):
// a generic plan that pgx's prepared statements would keep from the 6th
// run on is made for the tables as they were then, and a plan made for
// empty tables reads them whole once they hold millions of rows. They
// start with sessionSettings, those dsn does not set, and each connect
// gives up after ConnectTimeout unless dsn sets connect_timeout (or
// PGCONNECT_TIMEOUT does); once one could not reach the database, the
// pool's connects are refused at once until a probe's reaches it
// (outage). The migrations run on a connection of their own without
// lock_timeout and statement_timeout: a migration may rewrite a table
// for minutes, and a replica starting beside one migrating waits for
// it. The connections carry the application_name AppName unless dsn
// sets one (OtherSessions finds them). A database it cannot connect to
// is a *ConnectError.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open central store: %w", err)
	}
	params := cfg.ConnConfig.RuntimeParams
	if _, ok := params["plan_cache_mode"]; !ok {
		params["plan_cache_mode"] = "force_custom_plan"
	}
	for _, p := range sessionSettings {
		if _, ok := params[p.name]; !ok {
			params[p.name] = p.value
		}
	}
	if cfg.ConnConfig.ConnectTimeout <= 0 {
		cfg.ConnConfig.ConnectTimeout = ConnectTimeout
	}
	named := nameSessions(params)
	mc := cfg.ConnConfig.Copy()
	mc.RuntimeParams["lock_timeout"], mc.RuntimeParams["statement_timeout"] = "0", "0"
	if !named {
		mc.RuntimeParams["application_name"] = migrateAppName
	}
	if err := migrate(ctx, mc); err != nil {
		return nil, fmt.Errorf("open central store: %w", connectError(&mc.Config, err))
	}
	out := newOutage(cfg.ConnConfig)
	cfg.ConnConfig.Tracer, cfg.BeforeConnect = out, out.gate
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		out.close()
		return nil, fmt.Errorf("open central store: %w", err)
	}
	s := &Store{pool: pool, pulls: make(chan struct{}, max(cfg.MaxConns/2, 1)), outage: out, lockWaited: make(chan struct{}, 1)}
	s.SetLimits(central.DefaultLimits())
	return s, nil
}

// migrate applies the migrations the database has not had, on a
// connection of cfg.
func migrate(ctx context.Context, cfg *pgx.ConnConfig) error {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, qLockMigrations, lockMigrate); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), qUnlockMigrations, lockMigrate)
	if _, err := conn.Exec(ctx, qMigrationsTable); err != nil {
		return fmt.Errorf("schema_migrations: %w", err)
	}
	recorded, err := migrated(ctx, conn)
	if err != nil {
		return err
	}
	last, versions := 0, make([]int, len(names))
	for i, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", n)
		}
		if had, ok := recorded[v]; ok && had != base {
			return fmt.Errorf("%w: migration %d of the database is %s, this centrale's migration %d is %s: nothing was run; start the centrale that migrated it, or restore the database's dump taken before the upgrade",
				ErrMigrationsDiffer, v, had, v, base)
		}
		last, versions[i] = max(last, v), v
	}
	for i, n := range names {
		base, v := strings.TrimPrefix(n, "migrations/"), versions[i]
		if _, done := recorded[v]; done {
			continue
		}
		sql, err := migrationFS.ReadFile(n)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, qMigration, v, base)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	var later int
	var name string
	switch err := conn.QueryRow(ctx, qMigratedLater, last).Scan(&later, &name); {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("schema_migrations: %w", err)
	}
	return fmt.Errorf("%w: the database has migration %d (%s), this centrale knows up to %d: run the centrale that migrated it, or a newer one",
		ErrSchemaTooNew, later, name, last)
}

// migrated reads the migrations recorded applied, name by number.
func migrated(ctx context.Context, conn *pgx.Conn) (map[int]string, error) {
	rows, err := conn.Query(ctx, qMigrations)
	if err != nil {
		return nil, fmt.Errorf("schema_migrations: %w", err)
	}
	recorded := map[int]string{}
	var v int
	var name string
	_, err = pgx.ForEachRow(rows, []any{&v, &name}, func() error {
		recorded[v] = name
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema_migrations: %w", err)
	}
	return recorded, nil
}

// ErrSchemaTooNew is Open's error for a database a newer centrale has
// migrated: this one would read and write tables it does not know as
// they are.
var ErrSchemaTooNew = errors.New("database migrated by a newer centrale")

// ErrMigrationsDiffer is Open's error for a database whose recorded
// migration of a number is not this centrale's of that number: the
// migrations were renumbered between the centrale that migrated it and
// this one, and running this one's would run the wrong SQL.
var ErrMigrationsDiffer = errors.New("database migrated by other migrations of the same numbers")

// SetLimits sets the bounds Apply holds pushed events to.
func (s *Store) SetLimits(l central.Limits) {
	l = l.WithDefaults()
	s.limits.Store(&l)
}

// Ping checks that the database answers, on a fresh connection again
// when the one it took was dead.
func (s *Store) Ping(ctx context.Context) error {
	return s.retry(ctx, func() error { return s.pool.Ping(ctx) })
}

// Kind returns "postgres".
func (s *Store) Kind() string { return "postgres" }

// Close stops the probe of an outage and closes the connections.
func (s *Store) Close() error {
	s.outage.close()
	s.pool.Close()
	return nil
}

// Pool returns the connection pool, for benchmarks and checks.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// retryable reports whether err is a lost race that a new attempt can win.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "23505", "40001", "40P01": // unique violation, serialization failure, deadlock
		return true
	}
	return false
}

// inTx runs fn in a READ COMMITTED transaction, again when it loses a
// race or its connection was found dead before its COMMIT (retry).
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.retry(ctx, func() error {
		committing := false
		err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			committing = true
			return nil
		})
		if err != nil && committing {
			return &commitError{err}
		}
		return err
	})
}

// retry runs fn, again when it loses a race, and once more at once when
// its connection was found dead before it could commit
// (lostBeforeCommit), on a fresh one: classify closed the others. It
// returns fn's last error, classified.
func (s *Store) retry(ctx context.Context, fn func() error) error {
	var err error
	lost := false
	for i := range maxAttempts {
		err = s.classify(fn())
		switch {
		case !lost && lostBeforeCommit(err):
			lost = true
			continue
		case !retryable(err):
			return err
		}
		select { // let the winner commit before trying again
		case <-time.After(time.Duration(rand.N(1+min(i, 10))) * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

// Apply applies a push in one READ COMMITTED transaction of a few round
// trips whatever its size: BEGIN with the reads of the events, credentials
// and active credentials the batch concerns (FOR UPDATE), in one; the rules
// applied in memory; the writes in bulk (flush) and COMMIT. A push that
// loses a race runs again from the start.
func (s *Store) Apply(ctx context.Context, sede string, events []pinsede.Event, at time.Time) ([]wire.Result, error) {
	out, err := s.push(ctx, sede, nil, events, at)
	if err != nil {
		return nil, fmt.Errorf("apply push of %s: %w", sede, err)
	}
	return out, nil
}

// Push judges and keeps h as PutAuditHead does and applies the events as
// Apply does, in the same transaction and its two round trips: the
// sede's lock of its audit heads and the read of headState go in the
// batch of load's reads, the head's writes in the last batch. A head
// refused is recorded as a fork, and no event is applied.
func (s *Store) Push(ctx context.Context, sede string, h wire.AuditHead, events []pinsede.Event, at time.Time) ([]wire.Result, error) {
	out, err := s.push(ctx, sede, &h, events, at)
	var fork *central.ForkError
	switch {
	case errors.As(err, &fork):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("push of %s: %w", sede, err)
	}
	return out, nil
}

// push is Apply, with the audit head h unless it is nil (Push).
func (s *Store) push(ctx context.Context, sede string, h *wire.AuditHead, events []pinsede.Event, at time.Time) ([]wire.Result, error) {
	reasons := central.ScreenAll(*s.limits.Load(), sede, events, at) // once, whatever the attempts
	var out []wire.Result
	var fork *central.ForkError
	err := s.retry(ctx, func() (err error) {
		out, fork, err = s.apply(ctx, sede, h, events, reasons, at)
		return err
	})
	if err != nil {
		return nil, err
	}
	if fork != nil {
		return nil, fork
	}
	return out, nil
}

// ownConn acquires a connection for a transaction that its caller begins
// and commits in batches of its own, and returns it with the function to
// defer: it rolls back a transaction left open when *err is not nil, and
// releases the connection.
func (s *Store) ownConn(ctx context.Context) (*pgxpool.Conn, func(err *error), error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, func(err *error) {
		if *err != nil && c.Conn().PgConn().TxStatus() != 'I' {
			c.Exec(context.WithoutCancel(ctx), qRollback)
		}
		c.Release()
	}, nil
}

// apply makes one attempt at a push, with ScreenAll's reasons, on a
// connection of its own, in two round trips for a push of a few events:
// the transaction begins in the batch of load's reads (with the audit
// head's lock and state when h is not nil), one round trip fewer than
// pgx.BeginTxFunc; the writes, the push's tally and COMMIT go in one
// batch (flush). A head refused is recorded with nothing else, and
// returned. On any error it rolls back; a connection left in a
// transaction is closed by the pool rather than reused. A batch that
// fails stops at the statement that failed, and COMMIT, behind it, is not
// run; the error of the batch that carried it is a *commitError.
func (s *Store) apply(ctx context.Context, sede string, h *wire.AuditHead, events []pinsede.Event, reasons []string, at time.Time) (out []wire.Result, fork *central.ForkError, err error) {
	c, done, err := s.ownConn(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer done(&err)
	// The events Apply rejects anyway are not read for: their strings may
	// be what PostgreSQL refuses to hold (a NUL).
	screened := make([]pinsede.Event, 0, len(events))
	for i, ev := range events {
		if reasons[i] == "" {
			screened = append(screened, ev)
		}
	}
	b := &pgx.Batch{}
	b.Queue(qBegin)
	var st central.HeadState
	var head func(*pgx.Batch)
	if h != nil {
		head = func(b *pgx.Batch) {
			b.Queue(qLockSedeAudit, lockAudit, sede)
			headState(b, sede, *h, &st)
		}
	}
	m, err := load(ctx, c, b, sede, screened, head)
	if err != nil {
		return nil, nil, err
	}
	b = &pgx.Batch{}
	if h != nil {
		if fork = queueHead(b, sede, *h, st, at); fork != nil { // nothing else
			queueCommit(b)
			return nil, fork, sendCommit(ctx, c, b)
		}
	}
	if out, err = central.Apply(m, sede, events, reasons, at); err != nil {
		return nil, nil, err
	}
	if err := m.flush(ctx, c, b); err != nil {
		return nil, nil, err
	}
	queueTally(b, central.TallyPush(sede, events, out, at)) // overview.go
	queueCommit(b)
	if err := sendCommit(ctx, c, b); err != nil {
		return nil, nil, err
	}
	return out, nil, nil
}

// sendCommit sends b, which ends with queueCommit's COMMIT, on c; its
// error is a *commitError.
func sendCommit(ctx context.Context, c *pgxpool.Conn, b *pgx.Batch) error {
	if err := c.SendBatch(ctx, b).Close(); err != nil {
		return &commitError{err}
	}
	return nil
}

// queueCommit queues COMMIT on b, with the check that it committed: a
// transaction that had failed answers COMMIT with ROLLBACK.
func queueCommit(b *pgx.Batch) {
	b.Queue(qCommit).Exec(func(tag pgconn.CommandTag) error {
		if tag.String() == "ROLLBACK" {
			return pgx.ErrTxCommitRollback
		}
		return nil
	})
}

// Changes returns the changes for sede after a cursor that f lets
// through, the cursor past those it looked at, and the number of its
// newest change, in one round trip: the newest first, so that a change
// committed between the two reads is below it or comes at the next pull.
// The changes f leaves out are left out by the query: neither they nor
// their events are sent. (One statement joining the two took longer to
// plan and to run than both: pg_stat_statements, 500 sedi.) A pull whose
// connection was found dead runs again once on a fresh one (retry).
func (s *Store) Changes(ctx context.Context, sede string, after uint64, limit int, f *central.ChangeFilter) ([]wire.Change, uint64, uint64, error) {
	var latest int64
	next := after
	var out []wire.Change
	all := f == nil
	if all {
		f = &central.ChangeFilter{}
	}
	select {
	case s.pulls <- struct{}{}:
		defer func() { <-s.pulls }()
	case <-ctx.Done():
		return nil, 0, 0, fmt.Errorf("changes of %s: %w", sede, ctx.Err())
	}
	err := s.retry(ctx, func() error {
		latest, next, out = 0, after, nil
		b := &pgx.Batch{}
		// The batch is one implicit transaction: the settings of
		// qBoundedReads end with it.
		b.Queue(qBoundedReads)
		b.Queue(qLatestChange, sede).QueryRow(func(r pgx.Row) error { return r.Scan(&latest) })
		b.Queue(qChanges, sede, int64(after), limit, all, f.SedeEvents, f.Desk, f.Own).Query(func(rows pgx.Rows) error {
			var last, seq *int64
			var p, ev []byte
			_, err := pgx.ForEachRow(rows, []any{&last, &seq, &p, &ev}, func() error {
				if last != nil {
					next = uint64(*last)
				}
				if seq == nil { // none taken
					return nil
				}
				var c wire.Change
				if err := json.Unmarshal(p, &c); err != nil {
					return fmt.Errorf("change %d: %w", *seq, err)
				}
				if ev != nil { // the event a sede.event change keeps by reference
					c.Event = &pinsede.Event{}
					if err := json.Unmarshal(ev, c.Event); err != nil {
						return fmt.Errorf("event of change %d: %w", *seq, err)
					}
				}
				c.Seq = uint64(*seq)
				out = append(out, c)
				return nil
			})
			return err
		})
		return s.pool.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("changes of %s: %w", sede, err)
	}
	if next > after { // a change looked at, committed after latest was read
		latest = max(latest, int64(next))
	}
	return out, next, uint64(latest), nil
}

const recordColumns = `credential, status, superseded_by, failures, new_pin_hash, accepted_at, lock, desk`

// scanRecord reads the recordColumns of a row.
func scanRecord(row pgx.Row) (central.Record, error) {
	var r central.Record
	var b, lock []byte
	err := row.Scan(&b, &r.Status, &r.SupersededBy, &r.Failures, &r.NewPINHash, &r.AcceptedAt, &lock, &r.Desk)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, central.ErrNotFound
	}
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r.Credential); err != nil {
		return r, fmt.Errorf("credential json: %w", err)
	}
	if err := json.Unmarshal(lock, &r.Lock); err != nil {
		return r, fmt.Errorf("credential %s: lock json: %w", r.Credential.ID, err)
	}
	return r, nil
}

// Current returns the credential a login with cf checks.
func (s *Store) Current(ctx context.Context, cf pinsede.CodiceFiscale, slot central.Slot) (central.Record, error) {
	r, err := scanRecord(s.pool.QueryRow(ctx, qCurrent, string(cf), slot == central.SlotTelefonico))
	return r, s.classify(err)
}

// queueLock queues on b the writing of the wrong-PIN count, the lock and
// the replacement PIN of r, in the transaction that read it FOR UPDATE.
func queueLock(b *pgx.Batch, r central.Record) error {
	lock, err := json.Marshal(r.Lock)
	if err != nil {
		return fmt.Errorf("encode lock of %s: %w", r.Credential.ID, err)
	}
	named(b.Queue(qPutLock, r.Credential.ID, r.Failures, string(lock), r.NewPINHash), "write lock of "+r.Credential.ID)
	return nil
}

// inTwoTrips runs a READ COMMITTED transaction of two round trips on a
// connection of its own, again when it loses a race or its connection
// was found dead before its COMMIT (retry): BEGIN with the
// reads that read queues on a batch; then, once their callbacks have
// run, the writes that write queues, with COMMIT. On any error it rolls
// back.
func (s *Store) inTwoTrips(ctx context.Context, read func(b *pgx.Batch), write func(b *pgx.Batch) error) error {
	return s.retry(ctx, func() (err error) {
		c, done, err := s.ownConn(ctx)
		if err != nil {
			return err
		}
		defer done(&err)
		b := &pgx.Batch{}
		b.Queue(qBegin)
		read(b)
		if err := c.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		b = &pgx.Batch{}
		if err := write(b); err != nil {
			return err
		}
		queueCommit(b)
		return sendCommit(ctx, c, b)
	})
}

// Attempt reserves a PIN check on the credential a login with cf checks,
// in one READ COMMITTED transaction of two round trips: the row is read
// FOR UPDATE, so checks sent at once are counted one after the other,
// each seeing the count the one before committed.
func (s *Store) Attempt(ctx context.Context, cf pinsede.CodiceFiscale, slot central.Slot, p central.LockPolicy, at time.Time) (central.Record, bool, error) {
	var r central.Record
	var open bool
	err := s.inTwoTrips(ctx, func(b *pgx.Batch) {
		b.Queue(qCurrentForUpdate, string(cf), slot == central.SlotTelefonico).QueryRow(func(row pgx.Row) (err error) {
			r, err = scanRecord(row)
			return err
		})
	}, func(b *pgx.Batch) error {
		if open = central.ReserveAttempt(&r, p, at); !open {
			return nil
		}
		return queueLock(b, r)
	})
	if err != nil {
		return central.Record{}, false, fmt.Errorf("count PIN check of %s: %w", cf.Redacted(), err)
	}
	return r, open, nil
}

// Succeed records a right PIN: the wrong PINs and the lock are cleared,
// and a replacement PIN recorded, in one transaction of two round trips.
func (s *Store) Succeed(ctx context.Context, id, newPINHash string) error {
	var r central.Record
	err := s.inTwoTrips(ctx, func(b *pgx.Batch) {
		b.Queue(qCredentialForUpdate, id).QueryRow(func(row pgx.Row) (err error) {
			r, err = scanRecord(row)
			return err
		})
	}, func(b *pgx.Batch) error {
		if err := central.SucceedRecord(&r, newPINHash); err != nil {
			return err
		}
		return queueLock(b, r)
	})
	if err != nil {
		return fmt.Errorf("record login of %s: %w", id, err)
	}
	return nil
}

// Unlock lifts the lock of every credential of cf, in one transaction
// of two round trips that reads them FOR UPDATE by the index
// credentials_by_cf.
func (s *Store) Unlock(ctx context.Context, cf pinsede.CodiceFiscale, by string, at time.Time) ([]central.Record, error) {
	var recs, out []central.Record
	err := s.inTwoTrips(ctx, func(b *pgx.Batch) {
		b.Queue(qCredentialsOfCFForUpdate, string(cf)).Query(func(rows pgx.Rows) (err error) {
			recs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (central.Record, error) { return scanRecord(r) })
			return err
		})
	}, func(b *pgx.Batch) error {
		if len(recs) == 0 {
			return central.ErrNotFound
		}
		out = nil
		for _, r := range recs {
			before := r
			if !central.UnlockRecord(&r, by, at) {
				continue
			}
			if err := queueLock(b, r); err != nil {
				return err
			}
			out = append(out, before)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unlock %s: %w", cf.Redacted(), err)
	}
	return out, nil
}

// Revoke revokes an active credential by an operator of centrale.
func (s *Store) Revoke(ctx context.Context, id, by, reason string, at time.Time) (central.Record, error) {
	var out central.Record
	err := s.inTx(ctx, func(ptx pgx.Tx) error {
		r, err := scanRecord(ptx.QueryRow(ctx, qCredentialForUpdate, id))
		if err != nil {
			return err
		}
		c, err := central.RevokeRecord(&r, by, reason, at)
		if err != nil {
			return err
		}
		b, err := json.Marshal(r.Credential)
		if err != nil {
			return err
		}
		if _, err := ptx.Exec(ctx, qRevoke, id, string(r.Status), b); err != nil {
			return err
		}
		out = r
		return insertChanges(ctx, ptx, []wire.Change{c})
	})
	if err != nil {
		return central.Record{}, fmt.Errorf("revoke %s: %w", id, err)
	}
	return out, nil
}

// Form returns the archived form of kind of a credential.
func (s *Store) Form(ctx context.Context, id, kind string) (pinsede.ArchivedForm, error) {
	f := pinsede.ArchivedForm{Kind: kind}
	err := s.pool.QueryRow(ctx, qForm, id, kind).Scan(&f.PDF)
	if errors.Is(err, pgx.ErrNoRows) {
		err = central.ErrNotFound
	}
	if err != nil {
		return pinsede.ArchivedForm{}, fmt.Errorf("form %s of %s: %w", kind, id, s.classify(err))
	}
	return f, nil
}

const delegationColumns = `delegation, status, accepted_at`

// scanDelegation reads the delegationColumns of a row.
func scanDelegation(row pgx.Row) (central.DelegationRecord, error) {
	var r central.DelegationRecord
	var b []byte
	err := row.Scan(&b, &r.Status, &r.AcceptedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, central.ErrNotFound
	}
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r.Delegation); err != nil {
		return r, fmt.Errorf("delegation json: %w", err)
	}
	return r, nil
}

// Delegation returns a delegation.
func (s *Store) Delegation(ctx context.Context, id string) (central.DelegationRecord, error) {
	r, err := scanDelegation(s.pool.QueryRow(ctx, qDelegation, id))
	if err != nil {
		return r, fmt.Errorf("delegation %s: %w", id, s.classify(err))
	}
	return r, nil
}

// Events counts the events held.
func (s *Store) Events(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, qCountEvents).Scan(&n); err != nil {
		return 0, fmt.Errorf("count events: %w", s.classify(err))
	}
	return n, nil
}

// Event returns an event of sede as applied: its payload, with the desk
// of its column.
func (s *Store) Event(ctx context.Context, sede, id string) (central.AppliedEvent, error) {
	var e central.AppliedEvent
	var payload []byte
	var verdict string
	err := s.pool.QueryRow(ctx, qEvent, sede, id).Scan(&payload, &e.Event.Desk, &verdict, &e.At)
	if errors.Is(err, pgx.ErrNoRows) {
		err = central.ErrNotFound
	}
	if err == nil {
		desk := e.Event.Desk
		err = json.Unmarshal(payload, &e.Event)
		e.Event.Desk, e.Verdict = desk, wire.Verdict(verdict)
	}
	if err != nil {
		return central.AppliedEvent{}, fmt.Errorf("event %s of %s: %w", id, sede, s.classify(err))
	}
	return e, nil
}
