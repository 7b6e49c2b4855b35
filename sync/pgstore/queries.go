package pgstore

// Every statement the store sends, in one place: TestPlans checks the
// plan PostgreSQL makes for each of them, and scripts/pg-explain.sh prints
// those plans at 10 million credentials (TestBoundedPlans the generic
// plans of the bounded reads). Every one finds its rows by an index; none
// reads a whole table but qCountEvents, for tests. TestPlansCoverStatements
// fails when a statement is written elsewhere, or is left out of
// TestPlans without a reason (transaction control, settings, migrations).
// COPY (flush) has no plan: it checks the tables' keys by their indexes,
// as an INSERT does.
const (
	// qBoundedReads makes the statements after it in the transaction,
	// up to unboundedReads, run with generic plans made with Seq Scans
	// and Bitmap Scans off: for the reads written so that every plan left
	// finds each row by the key of an index (boundedReads in plans_test.go:
	// TestBoundedPlans checks the generic plans they get on empty tables,
	// on empty tables analyzed, and at full size). A generic plan is made
	// once a connection and kept until an ANALYZE or a change of schema,
	// whatever the tables grow to meanwhile; with the scans of a whole
	// table or range turned off, the plan made for empty tables is the one
	// made for large ones. Planning them for their values took 0.4 ms a
	// request of 500 sedi, a fifth of PostgreSQL's time
	// (pg_stat_statements: BENCHMARKS.md, "500 sedi at once").
	qBoundedReads = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true),
		set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)`
	// qLoadCredentials reads the credentials a push concerns ($1: ids)
	// and every credential of the codici fiscali it issues for ($2: an
	// issue older than one of them, active or not, yields to it), locking
	// them in the order of their ids. Bounded (qBoundedReads): the ids
	// are gathered first, those of a codice fiscale by the index of its
	// credentials (a person's few PINs), then each row is read and locked
	// by its primary key, in id order. Each subquery behind OFFSET 0 is
	// planned on its own, for one outer row, rather than merged into a
	// join that could read an index whole. A row locked after a push that
	// committed meanwhile is read as that push left it.
	qLoadCredentials = `SELECT r.* FROM (SELECT DISTINCT k.id FROM (SELECT unnest($1::text[]) AS id
			UNION ALL SELECT a.id FROM unnest($2::text[]) AS f(cf)
				CROSS JOIN LATERAL (SELECT id FROM credentials WHERE codice_fiscale = f.cf OFFSET 0) AS a) AS k
			ORDER BY k.id) AS k
		CROSS JOIN LATERAL (SELECT ` + recordColumns + ` FROM credentials WHERE id = k.id OFFSET 0 FOR UPDATE) AS r`
	// qLockCFs takes the advisory lock ($1: lockDelegations or
	// lockIssues) of each codice fiscale ($2) a push registers a
	// delegation or issues a credential for, in code order, to commit.
	qLockCFs = `SELECT pg_advisory_xact_lock($1, hashtext(c)) FROM (SELECT DISTINCT c FROM unnest($2::text[]) AS u(c) ORDER BY c) AS s`
	// qLoadDelegations reads the delegations a push concerns ($1: ids) and
	// the active ones of the codici fiscali it registers for ($2).
	qLoadDelegations = `SELECT ` + delegationColumns + ` FROM delegations WHERE id = ANY($1)
		OR status = 'active' AND (delegante = ANY($2) OR delegato = ANY($2)) ORDER BY id FOR UPDATE`
	// qLoadSeen reads which of a push's event ids ($2) of sede ($1) were
	// applied before, and their verdicts (a replay of one superseded is
	// told so again).
	// Bounded (qBoundedReads): each id by the primary key.
	qLoadSeen = `SELECT e.id, e.verdict FROM unnest($2::text[]) AS u(id)
		CROSS JOIN LATERAL (SELECT id, verdict FROM events WHERE sede = $1 AND id = u.id OFFSET 0) AS e`
	// qUpdateCredentials writes the credentials a push changed, one array
	// a column.
	qUpdateCredentials = `UPDATE credentials AS c SET status = u.status, superseded_by = u.sup, failures = u.failures,
		new_pin_hash = u.new_hash, credential = u.cred::jsonb, lock = u.lock::jsonb
		FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[])
			AS u(id, status, sup, failures, new_hash, cred, lock)
		WHERE c.id = u.id`
	// qGenericPlans makes the statements after it in the transaction (or
	// the batch, one implicit transaction) run with generic plans, made
	// once a connection and kept: only for statements that read no table
	// but by a unique key that they write (qInsertCredentials,
	// qInsertEvents, qLockChanges, qInsertChanges, qTally, qPulled:
	// TestPlans checks their generic plans), whose plan is the same
	// whatever the values and the tables' sizes.
	qGenericPlans = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`
	// qInsertCredentials inserts new credentials, one array a column of
	// credentialColumns ($1 to $10).
	qInsertCredentials = `INSERT INTO credentials (id, codice_fiscale, sede, status, superseded_by, failures, new_pin_hash, accepted_at, credential, desk)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::timestamptz[], $9::jsonb[], $10::text[])`
	// qInsertEvents inserts events, one array a column of eventColumns
	// ($1 to $9).
	qInsertEvents = `INSERT INTO events (id, sede, desk, kind, time, credential_id, verdict, accepted_at, payload)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::timestamptz[], $9::jsonb[])`
	// qLockChanges takes the advisory lock ($1) of the numbering of the
	// changes of each sede named in $2, in code order, to commit.
	qLockChanges = `SELECT pg_advisory_xact_lock($1, hashtext(s)) FROM (SELECT DISTINCT s FROM unnest($2::text[]) AS u(s) ORDER BY s) AS l`
	// qInsertChanges numbers and writes changes, in order: their sedi
	// ($1), payloads ($2), the events they keep by reference ($3) and
	// those events' desks ($4).
	qInsertChanges = `INSERT INTO changes (sede, payload, event_id, desk)
		SELECT s, p::jsonb, e, d FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(s, p, e, d, n) ORDER BY n`
	// qLatestChange reads the number of the newest change of sede ($1),
	// 0 for none: the index changes_by_sede's last entry of the sede.
	// Bounded (qBoundedReads).
	qLatestChange = `SELECT coalesce((SELECT seq FROM changes WHERE sede = $1 ORDER BY seq DESC LIMIT 1), 0)`
	// qChanges looks at the changes of sede ($1) after a cursor ($2), at
	// most $3, and returns, first, the seq of the last it looked at (NULL
	// for none), on every row; then those it takes, each with the payload
	// of the event it keeps by reference (a sede.event change), NULL for
	// the others; one row of NULLs when it takes none. It takes every
	// change ($4), or (central.ChangeFilter) every change but the sede's
	// events (event_id not NULL), and those too ($5) but the desk's own
	// ($6; the desk of a change of before desk ids is NULL or '': the
	// desk with no id), unless it takes those too ($7: a desk restored
	// from an older copy). The event of a change left out is not read.
	// Bounded (qBoundedReads): the changes in the order of
	// changes_by_sede from the cursor, each event by the primary key.
	qChanges = `WITH page AS (SELECT seq, payload, event_id, desk FROM changes WHERE sede = $1 AND seq > $2 ORDER BY seq LIMIT $3)
		SELECT b.next, c.seq, c.payload, e.payload FROM (SELECT max(seq) AS next FROM page) AS b
		LEFT JOIN LATERAL (SELECT seq, payload, event_id FROM page
			WHERE $4 OR event_id IS NULL OR $5 AND ($7 OR coalesce(desk, '') <> $6) OFFSET 0) AS c ON true
		LEFT JOIN LATERAL (SELECT payload FROM events WHERE sede = $1 AND id = c.event_id OFFSET 0) AS e ON true
		ORDER BY c.seq`
	// qCurrent selects the credential a login with a codice fiscale ($1)
	// checks in a slot ($2: the telefonico one): the active one, or else
	// the one accepted last.
	qCurrent = `SELECT ` + recordColumns + ` FROM credentials WHERE codice_fiscale = $1
		AND (credential->>'type' = 'telefonico') = $2
		ORDER BY status = 'active' DESC, accepted_at DESC, id LIMIT 1`
	// qCurrentForUpdate is qCurrent with the row locked.
	qCurrentForUpdate = qCurrent + ` FOR UPDATE`
	// qCredentialForUpdate reads and locks a credential by its id ($1).
	qCredentialForUpdate = `SELECT ` + recordColumns + ` FROM credentials WHERE id = $1 FOR UPDATE`
	// qPutLock writes a credential's wrong-PIN count, lock and
	// replacement PIN.
	qPutLock = `UPDATE credentials SET failures = $2, lock = $3::jsonb, new_pin_hash = $4 WHERE id = $1`
	// qCredentialsOfCF reads every credential of a codice fiscale ($1),
	// newest accepted first.
	qCredentialsOfCF = `SELECT ` + recordColumns + ` FROM credentials WHERE codice_fiscale = $1
		ORDER BY accepted_at DESC, id`
	// qCredentialsOfCFForUpdate is qCredentialsOfCF with the rows locked.
	qCredentialsOfCFForUpdate = qCredentialsOfCF + ` FOR UPDATE`
	// qTally records a push (central.Tally) of a desk ($1 sede, $2
	// desk) at $3: its rejected events ($4, the last's reason $5) and
	// the PINs issued by day ($6 days, $7 counts, in day order).
	qTally = `WITH d AS (
		INSERT INTO desk_activity AS a (sede, desk, last_push, rejected, last_rejected, last_reason)
		VALUES ($1, $2, $3::timestamptz, $4::bigint, CASE WHEN $4::bigint > 0 THEN $3::timestamptz END, $5)
		ON CONFLICT (sede, desk) DO UPDATE SET last_push = greatest(a.last_push, excluded.last_push),
			rejected = a.rejected + excluded.rejected,
			last_rejected = coalesce(excluded.last_rejected, a.last_rejected),
			last_reason = CASE WHEN excluded.rejected > 0 THEN excluded.last_reason ELSE a.last_reason END)
		INSERT INTO issued_daily AS i (day, sede, issued)
		SELECT u.day, $1, u.n FROM unnest($6::date[], $7::bigint[]) AS u(day, n)
		ON CONFLICT (day, sede) DO UPDATE SET issued = i.issued + excluded.issued`
	// qPulled records a desk's ($1 sede, $2 desk) pull at $4 with the
	// cursor $3.
	qPulled = `INSERT INTO desk_activity AS a (sede, desk, last_pull, pull_cursor) VALUES ($1, $2, $4, $3)
		ON CONFLICT (sede, desk) DO UPDATE SET last_pull = greatest(a.last_pull, excluded.last_pull), pull_cursor = excluded.pull_cursor`
	// qOverviewDesks reads at most $1 desks, each with its changes
	// waiting (at most $2 counted, by changes_by_sede, which holds the
	// desk of a sede.event change: a desk's own events do not wait for
	// it).
	qOverviewDesks = `SELECT d.sede, d.desk, d.last_push, d.last_pull, d.pull_cursor, d.rejected, d.last_rejected, d.last_reason,
			(SELECT count(*) FROM (SELECT c.seq FROM changes c WHERE c.sede = d.sede AND c.seq > d.pull_cursor
				AND c.desk IS DISTINCT FROM d.desk ORDER BY c.seq LIMIT $2) AS p)
		FROM desk_activity AS d ORDER BY d.sede, d.desk LIMIT $1`
	// qOverviewIssued sums the PINs issued on each day from $1 to $2.
	qOverviewIssued = `SELECT day::text, sum(issued) FROM issued_daily WHERE day BETWEEN $1::date AND $2::date GROUP BY day`
	// qOverviewLocked reads the credentials locked at $1, at most $2,
	// by the index credentials_locked: the end of the lock ('infinity'
	// for a permanent one), latest first.
	qOverviewLocked = `SELECT id, sede, coalesce(credential->>'type', ''), lock_end(lock) FROM credentials
		WHERE (lock ? 'until' OR lock ? 'permanent') AND lock_end(lock) > $1
		ORDER BY lock_end(lock) DESC, id LIMIT $2`
	// qRevoke writes a revoked credential.
	qRevoke = `UPDATE credentials SET status = $2, credential = $3 WHERE id = $1`
	// qDeleteForms removes the forms of the credentials ($1) and kinds
	// ($2) a push archives anew.
	qDeleteForms = `DELETE FROM forms AS f USING unnest($1::text[], $2::text[]) AS u(id, kind)
		WHERE f.credential_id = u.id AND f.kind = u.kind`
	// qForm reads a credential's ($1) form of a kind ($2).
	qForm = `SELECT pdf FROM forms WHERE credential_id = $1 AND kind = $2`
	// qDelegation reads a delegation by its id ($1).
	qDelegation = `SELECT ` + delegationColumns + ` FROM delegations WHERE id = $1`
	// qTicket reads a ticket of sede ($1) by its code ($2).
	qTicket = `SELECT ticket, stored_at, called_at FROM tickets WHERE sede = $1 AND code = $2`
	// qCallTickets marks tickets called, those called before aside.
	qCallTickets = `UPDATE tickets AS t SET called_at = u.at
		FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(sede, code, at)
		WHERE t.sede = u.sede AND t.code = u.code AND t.called_at IS NULL`
	// qWipeTickets removes the tickets issued before $1.
	qWipeTickets = `DELETE FROM tickets WHERE issued < $1`
	// qAuditHead reads what JudgeHead needs of sede ($1) for a head of
	// a chain ($2), a desk ($3) and a seq ($4), in one row: the number of
	// chains of the sede admitted for the desk; the desk the chain is
	// admitted for (NULL when it is not); the seq and hash of the
	// highest head kept of the chain (NULL for none); the hash of the
	// head kept at the seq (NULL for none). Bounded (qBoundedReads).
	qAuditHead = `SELECT c.n, c.desk, h.seq, h.hash,
			(SELECT hash FROM audit_heads WHERE sede = $1 AND chain = $2 AND seq = $4 AND discarded_by IS NULL LIMIT 1)
		FROM (SELECT count(*) FILTER (WHERE desk = $3) AS n, max(desk) FILTER (WHERE chain = $2) AS desk
			FROM audit_chains WHERE sede = $1) AS c
		LEFT JOIN LATERAL (SELECT seq, hash FROM audit_heads WHERE sede = $1 AND chain = $2 AND discarded_by IS NULL
			ORDER BY seq DESC LIMIT 1) AS h ON true`
	// qAuditTip reads the tip of the entries of a chain ($2) of sede
	// ($1).
	qAuditTip = `SELECT seq, hash, proven FROM audit_tips WHERE sede = $1 AND chain = $2`
	// qAuditHeadsWithin reads the audit heads kept of a chain ($2) of
	// sede ($1) from seq $3 to $4.
	qAuditHeadsWithin = `SELECT seq, hash FROM audit_heads WHERE sede = $1 AND chain = $2 AND seq BETWEEN $3 AND $4
		AND discarded_by IS NULL`
	// qAuditEntriesWithin reads the hashes of the entries stored of a
	// chain ($2) of sede ($1) from seq $3 to $4.
	qAuditEntriesWithin = `SELECT seq, hash FROM audit_entries WHERE sede = $1 AND chain = $2 AND seq BETWEEN $3 AND $4`
	// qSearchAudit reads the newest entries of sede ($1) from day $2 to
	// $3, by operator ($4), action ($5) and codice fiscale ($6) when not
	// empty, at most $7, those proven of their chain, in the order of
	// central.NewestFirst: an index read backwards, to the limit. After a
	// cursor (wire.AuditCursor: its day $8, time $9, desk $10, seq $11
	// and hash $12; NULL for the start), the entries after it in that
	// order: the index read from the cursor's day and time down, the
	// rest of the key compared as a row. Each filter's index serves it:
	// the plan is made for the values
	// (plan_cache_mode=force_custom_plan), where an empty filter and the
	// start fold away.
	qSearchAudit = `SELECT e.entry FROM audit_entries AS e
		JOIN audit_tips AS t ON t.sede = e.sede AND t.chain = e.chain
		WHERE e.sede = $1 AND e.day BETWEEN $2::date AND $3::date AND e.seq <= t.proven
			AND ($4 = '' OR e.actor = $4) AND ($5 = '' OR e.action = $5) AND ($6 = '' OR e.subject = $6 AND e.subject <> '')
			AND ($8::date IS NULL OR (e.day, e.at) <= ($8::date, $9::timestamptz)
				AND (e.day, e.at, e.desk COLLATE "C", e.seq, e.hash) < ($8::date, $9::timestamptz, $10::text COLLATE "C", $11::bigint, $12::bytea))
		ORDER BY e.day DESC, e.at DESC, e.desk COLLATE "C" DESC, e.seq DESC, e.hash DESC LIMIT $7`
	// qWipeRequests removes the requests of the tickets issued before $1
	// from their ChangeTicket records.
	qWipeRequests = `UPDATE changes SET payload = payload #- '{ticket,request}'
		WHERE payload->>'kind' = 'ticket.submitted' AND payload->'ticket' ? 'request'
		AND (payload->'ticket'->>'issued')::timestamptz < $1`
)

// unboundedReads put back, for the rest of the transaction, what
// qBoundedReads changed: the session's own settings (Open). Three
// statements that PostgreSQL does not plan; reading the settings back
// from pg_settings in one took longer than the three.
var unboundedReads = []string{
	`SET LOCAL plan_cache_mode TO DEFAULT`, `SET LOCAL enable_seqscan TO DEFAULT`, `SET LOCAL enable_bitmapscan TO DEFAULT`,
}

// The statements of transaction control, of the migrations and of
// audits, delegations, tickets and revocation lists, in the order of the
// files that send them.
const (
	// qBegin begins a push's or a PIN check's transaction in the batch of
	// its reads.
	qBegin = `BEGIN ISOLATION LEVEL READ COMMITTED`
	// qBeginReadOnly begins the status page's one snapshot (Overview).
	qBeginReadOnly = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`
	// qNoJIT turns JIT off to the end of the transaction (Overview).
	qNoJIT = `SET LOCAL jit = off`
	// qCommit commits.
	qCommit = `COMMIT`
	// qRollback rolls back a transaction left open on a connection.
	qRollback = `ROLLBACK`

	// qLockMigrations takes the session's advisory lock ($1) of the
	// migrations.
	qLockMigrations = `SELECT pg_advisory_lock($1, 0)`
	// qUnlockMigrations releases it.
	qUnlockMigrations = `SELECT pg_advisory_unlock($1, 0)`
	// qMigrationsTable makes the table of the migrations applied.
	qMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`
	// qMigrations reads the migrations applied, number and file.
	qMigrations = `SELECT version, name FROM schema_migrations`
	// qMigratedLater reads the first migration applied after $1, the last
	// this centrale knows: one a newer centrale applied.
	qMigratedLater = `SELECT version, name FROM schema_migrations WHERE version > $1 ORDER BY version LIMIT 1`
	// qMigration records migration $1, of file $2, applied.
	qMigration = `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`

	// qWriteDelegations writes delegations, in order, one array a column:
	// ids ($1), sedi, forms, deleganti, delegati, statuses, times of
	// acceptance and documents ($8).
	qWriteDelegations = `INSERT INTO delegations (id, sede, form, delegante, delegato, status, accepted_at, delegation)
		SELECT id, sede, form, delegante, delegato, status, accepted_at, delegation::jsonb
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])
			WITH ORDINALITY AS u(id, sede, form, delegante, delegato, status, accepted_at, delegation, n)
		ORDER BY n
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, delegation = excluded.delegation`
	// qCountEvents counts the events held: every row of events, for tests
	// and benchmarks (central.Store.Events), never on a request's path.
	qCountEvents = `SELECT count(*) FROM events`
	// qEvent reads an event of sede ($1) by its id ($2).
	qEvent = `SELECT payload, desk, verdict, accepted_at FROM events WHERE sede = $1 AND id = $2`

	// qLockSedeAudit takes the advisory lock ($1) of a sede's ($2) audit
	// heads, to commit.
	qLockSedeAudit = `SELECT pg_advisory_xact_lock($1, hashtext($2))`
	// qAdmitChain admits a chain ($2) of sede ($1) for a desk ($4) at $3.
	qAdmitChain = `INSERT INTO audit_chains (sede, chain, at, desk) VALUES ($1, $2, $3, $4)
		ON CONFLICT (sede, chain) DO UPDATE SET desk = EXCLUDED.desk, at = EXCLUDED.at, reset_id = NULL`
	// qKeepHead keeps an audit head of sede ($1): its chain, seq and hash,
	// received at $5.
	qKeepHead = `INSERT INTO audit_heads (sede, chain, seq, hash, received) VALUES ($1, $2, $3, $4, $5)`
	// qRecordFork records a head refused of sede ($1), of a chain ($2), a
	// seq ($3) and a hash ($4) sent by a desk ($7) at $6 for a reason
	// ($5), or counts it again while its fork is open, or, when the desk
	// has $8 (central.MaxOpenForks) open forks, on its newest; it
	// returns the fork's id, first time and count. The desk's open forks
	// are counted from audit_forks_open's prefix, at most $8 of them.
	qRecordFork = `WITH held AS (
			SELECT count(*) AS n FROM (SELECT 1 FROM audit_forks WHERE sede = $1 AND desk = $7 AND resolved_by IS NULL LIMIT $8) AS o
		), same AS (
			SELECT 1 FROM audit_forks WHERE sede = $1 AND desk = $7 AND chain = $2 AND seq = $3 AND hash = $4 AND resolved_by IS NULL
		), ins AS (
			INSERT INTO audit_forks (sede, desk, chain, seq, hash, reason, first_at, last_at, count)
			SELECT $1, $7, $2, $3, $4, $5, $6, $6, 1 FROM held WHERE held.n < $8 OR EXISTS (SELECT 1 FROM same)
			ON CONFLICT (sede, desk, chain, seq, hash) WHERE resolved_by IS NULL
			DO UPDATE SET last_at = EXCLUDED.last_at, reason = EXCLUDED.reason, count = audit_forks.count + 1
			RETURNING id, first_at, count
		), newest AS (
			UPDATE audit_forks SET last_at = $6, reason = $5, count = count + 1
			WHERE id = (SELECT max(id) FROM audit_forks WHERE sede = $1 AND desk = $7 AND resolved_by IS NULL)
				AND NOT EXISTS (SELECT 1 FROM ins) AND (SELECT n FROM held) >= $8 AND NOT EXISTS (SELECT 1 FROM same)
			RETURNING id, first_at, count
		)
		SELECT id, first_at, count FROM ins UNION ALL SELECT id, first_at, count FROM newest`
	// qAuditHeads reads at most $4 heads of sede ($1) that bind after
	// the chain $2 and seq $3, by chain and seq, each with the desk of
	// its chain: from audit_heads_pkey, in its order.
	qAuditHeads = `SELECT h.chain, h.seq, h.hash, h.received, coalesce(c.desk, '') FROM audit_heads h
		LEFT JOIN audit_chains c ON c.sede = h.sede AND c.chain = h.chain
		WHERE h.sede = $1 AND (h.sede, h.chain, h.seq) > ($1, $2, $3) AND h.discarded_by IS NULL
		ORDER BY h.sede, h.chain, h.seq LIMIT $4`
	// qAuditForks reads the open forks, oldest first.
	qAuditForks = `SELECT id, sede, desk, chain, seq, hash, reason, first_at, last_at, count FROM audit_forks
		WHERE resolved_by IS NULL ORDER BY id`
	// qInsertReset records a reset of a chain ($2) of a desk ($7) of sede
	// ($1) to seq $3 by an operator ($4) for a reason ($5) at $6, and
	// returns its id.
	qInsertReset = `INSERT INTO audit_resets (sede, desk, chain, to_seq, by_op, reason, at, discarded, resolved)
		VALUES ($1, $7, $2, $3, $4, $5, $6, 0, 0) RETURNING id`
	// qResetChain admits a chain ($2) of sede ($1) for a desk ($5) at $3
	// by a reset ($4), unless it is that desk's already.
	qResetChain = `INSERT INTO audit_chains (sede, chain, at, reset_id, desk) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (sede, chain) DO UPDATE SET desk = EXCLUDED.desk, at = EXCLUDED.at, reset_id = EXCLUDED.reset_id
		WHERE audit_chains.desk <> EXCLUDED.desk`
	// qDiscardHeads marks discarded by a reset ($4) the heads of a chain
	// ($2) of sede ($1) after seq $3.
	qDiscardHeads = `UPDATE audit_heads SET discarded_by = $4
		WHERE sede = $1 AND chain = $2 AND seq > $3 AND discarded_by IS NULL`
	// qResolveForks marks resolved by a reset ($2) the open forks of a
	// desk ($3) of sede ($1).
	qResolveForks = `UPDATE audit_forks SET resolved_by = $2 WHERE sede = $1 AND desk = $3 AND resolved_by IS NULL`
	// qCountReset records what a reset ($1) discarded ($2) and resolved
	// ($3).
	qCountReset = `UPDATE audit_resets SET discarded = $2, resolved = $3 WHERE id = $1`
	// qInsertEntries stores audit entries of a chain ($2) of a desk ($3)
	// of sede ($1), one array a column ($4 to $11); those stored before
	// are left as they are.
	qInsertEntries = `INSERT INTO audit_entries (sede, chain, seq, desk, day, at, actor, action, subject, hash, entry)
		SELECT $1, $2, u.seq, $3, u.day::date, u.at, u.actor, u.action, u.subject, u.hash, u.entry::json
		FROM unnest($4::bigint[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::bytea[], $11::text[])
			AS u(seq, day, at, actor, action, subject, hash, entry)
		ON CONFLICT DO NOTHING`
	// qPutTip writes the tip of the entries of a chain ($2) of sede ($1):
	// its seq, hash and the seq proven.
	qPutTip = `INSERT INTO audit_tips (sede, chain, seq, hash, proven) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (sede, chain) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, proven = EXCLUDED.proven`
	// qDropEntries removes the entries of a chain ($2) of sede ($1) after
	// seq $3.
	qDropEntries = `DELETE FROM audit_entries WHERE sede = $1 AND chain = $2 AND seq > $3`
	// qDropTip puts the tip of a chain ($2) of sede ($1) past seq $3 back
	// on the last entry kept, its proof no further; it removes the tip
	// when no entry is kept.
	qDropTip = `WITH kept AS (
			SELECT seq, hash FROM audit_entries WHERE sede = $1 AND chain = $2 ORDER BY seq DESC LIMIT 1
		), moved AS (
			UPDATE audit_tips AS t SET seq = k.seq, hash = k.hash, proven = least(t.proven, k.seq)
			FROM kept AS k WHERE t.sede = $1 AND t.chain = $2 AND t.seq > $3 RETURNING 1
		)
		DELETE FROM audit_tips WHERE sede = $1 AND chain = $2 AND seq > $3 AND NOT EXISTS (SELECT 1 FROM kept)`

	// qInsertTicket stores a ticket of sede ($1) by its code ($2), issued
	// at $3, stored at $4, unless one of its code is or the sede holds $6
	// tickets already (under the lock of its changes, qLockChanges).
	qInsertTicket = `INSERT INTO tickets (sede, code, issued, stored_at, ticket)
		SELECT $1, $2, $3, $4, $5 WHERE (SELECT count(*) FROM (SELECT 1 FROM tickets WHERE sede = $1 LIMIT $6) AS h) < $6
		ON CONFLICT (sede, code) DO NOTHING`
	// qTicketHeld reports whether sede ($1) holds a ticket of code ($2).
	qTicketHeld = `SELECT EXISTS (SELECT 1 FROM tickets WHERE sede = $1 AND code = $2)`
	// qRaiseCRLNumber keeps the higher of the number recorded and $1, and
	// returns it, in one statement.
	qRaiseCRLNumber = `INSERT INTO crl_number (number) VALUES ($1::numeric)
		ON CONFLICT (id) DO UPDATE SET number = GREATEST(crl_number.number, EXCLUDED.number)
		RETURNING number::text`
)

// The store's epoch (epoch.go).
const (
	// qEpoch reads the store's epoch, one row.
	qEpoch = `SELECT id, from_seq FROM store_epoch`
	// qNewEpoch names the store's epoch $1, from its newest change.
	qNewEpoch = `UPDATE store_epoch SET id = $1, from_seq = coalesce((SELECT max(seq) FROM changes), 0) RETURNING id, from_seq`
)

// qOtherSessions counts the connections to this database that carry the
// application_name $1 and are not this store's ($2, their backends),
// by client address.
const qOtherSessions = `SELECT coalesce(host(client_addr), 'local'), count(*)
FROM pg_stat_activity
WHERE datname = current_database() AND application_name = $1 AND NOT (pid = ANY($2))
GROUP BY 1`

// qClock reads the database's clock (Clock).
const qClock = `SELECT clock_timestamp()`

// qStatementTimeout reads the session's statement_timeout, in
// milliseconds (StatementTimeout).
const qStatementTimeout = `SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout'`

// qPublishReplica records a replica seen now, by the database's clock;
// qForgetReplicas forgets those not seen for a day; qReplicas reads
// those seen lately, and qDropReplica forgets one that stops.
const (
	qPublishReplica = `INSERT INTO replicas (id, name, fingerprint, settings) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE SET name = $2, fingerprint = $3, settings = $4, seen = now()`
	qForgetReplicas = `DELETE FROM replicas WHERE seen < now() - interval '1 day'`
	qReplicas       = `SELECT id, name, fingerprint, settings, seen FROM replicas
WHERE seen > now() - make_interval(secs => $1) ORDER BY name, id`
	qDropReplica = `DELETE FROM replicas WHERE id = $1`
)

// qEndStuckSessions ends the sessions of this database of the
// application_name $1 whose statement started more than $2 seconds ago
// by PostgreSQL's clock and waits on the client, active, and which hold
// an advisory lock of the classes $3 to $4 (EndStuckSessions); it
// returns each one ended: its pid, client address, application_name,
// state, wait event and how long, in seconds, it was in its statement.
// The sessions are chosen first (MATERIALIZED): the order in which a
// WHERE evaluates its conditions is the planner's, and a
// pg_terminate_backend among them could run before the others. Each is
// then ended only under the lock ($5, its pid) that the statement holds
// to its end, and the statement waits for its end, at most $6 ms: a
// replica looking at the same time finds the lock taken, or the session
// gone, and neither ends nor reports it again (two at once both did, 14
// rounds of 20). CASE runs the lock before the end.
const qEndStuckSessions = `WITH stuck AS MATERIALIZED (
	SELECT a.pid, coalesce(host(a.client_addr) || ':' || a.client_port, 'local') AS client, a.application_name, a.state, a.wait_event,
		extract(epoch FROM now() - a.query_start)::float8 AS secs
	FROM pg_stat_activity a
	WHERE a.datname = current_database() AND a.application_name = $1
		AND a.state = 'active' AND a.wait_event IN ('ClientRead', 'ClientWrite')
		AND now() - a.query_start > make_interval(secs => $2)
		AND EXISTS (SELECT 1 FROM pg_locks l
			WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.classid BETWEEN $3 AND $4 AND l.granted))
SELECT pid, client, application_name, state, wait_event, secs FROM stuck
WHERE CASE WHEN pg_try_advisory_xact_lock($5, pid) THEN pg_terminate_backend(pid, $6) ELSE false END`
