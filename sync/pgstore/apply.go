package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// conn is what load, flush and insertChanges need of a connection or a
// pgx.Tx: the statements run in the transaction open on it.
type conn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, rows pgx.CopyFromSource) (int64, error)
}

// memTx is a central.Tx over what load read for one push: central.Apply
// runs on it in memory, and flush writes the outcome.
type memTx struct {
	seen    map[string]bool
	records map[string]central.Record
	active  map[string]string // slot key (central.Slot.Key) -> credential id
	dirty   []string          // credential ids written, in order
	isDirty map[string]bool
	loaded  map[string]bool // credential ids read from the table
	events  []storedEvent
	changes []wire.Change
}

// storedEvent is an event to insert with its verdict.
type storedEvent struct {
	ev      pinsede.Event
	verdict wire.Verdict
	at      time.Time
}

// load reads the events already applied and the credentials the events
// concern, locking their rows, and the active credentials of the codici
// fiscali they issue for. Two pushes that issue for the same codice fiscale
// at once both may see no active credential: the unique index of active
// credentials then fails the second at its insert, and it runs again.
//
// load begins the transaction on tx, in the same round trip: BEGIN goes
// first in its batch.
func load(ctx context.Context, tx conn, events []pinsede.Event) (*memTx, error) {
	var ids, credIDs, cfs []string
	for _, ev := range events {
		ids = append(ids, ev.ID)
		credIDs = append(credIDs, ev.Credential.ID)
		if ev.Kind == pinsede.EventIssued {
			cfs = append(cfs, string(ev.Credential.CodiceFiscale))
		}
	}
	m := &memTx{seen: map[string]bool{}, records: map[string]central.Record{}, active: map[string]string{}, isDirty: map[string]bool{}, loaded: map[string]bool{}}
	keep := func(rows pgx.Rows) error {
		recs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (central.Record, error) { return scanRecord(r) })
		for _, r := range recs {
			m.records[r.Credential.ID] = r
			m.loaded[r.Credential.ID] = true
			if r.Status == central.StatusActive {
				m.active[central.SlotOf(r.Credential.Type).Key(r.Credential.CodiceFiscale)] = r.Credential.ID
			}
		}
		return err
	}
	// One round trip: the statements run in this order.
	b := &pgx.Batch{}
	b.Queue(`BEGIN ISOLATION LEVEL READ COMMITTED`)
	b.Queue(`SELECT `+recordColumns+` FROM credentials WHERE id = ANY($1) ORDER BY id FOR UPDATE`, credIDs).Query(keep)
	if len(cfs) > 0 {
		b.Queue(`SELECT `+recordColumns+` FROM credentials WHERE codice_fiscale = ANY($1) AND status = 'active'
			ORDER BY id FOR UPDATE`, cfs).Query(keep)
	}
	// The events last: under READ COMMITTED each statement sees what was
	// committed when it began, and a concurrent apply commits its
	// credentials and its events at once. Read after the credentials, an
	// event not seen means the credentials read before it did not see that
	// apply either; read first, a replay committed in between would show
	// its credential without its event, and be rejected instead of being
	// answered duplicate.
	b.Queue(`SELECT id FROM events WHERE id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
		seen, err := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, id := range seen {
			m.seen[id] = true
		}
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return m, nil
}

// Seen reports whether the event was applied before or earlier in the batch.
func (m *memTx) Seen(id string) (bool, error) { return m.seen[id], nil }

// PutEvent keeps an applied event for flush.
func (m *memTx) PutEvent(ev pinsede.Event, v wire.Verdict, at time.Time) error {
	m.seen[ev.ID] = true
	m.events = append(m.events, storedEvent{ev, v, at})
	return nil
}

// Record returns a credential read by load or written since.
func (m *memTx) Record(id string) (central.Record, error) {
	r, ok := m.records[id]
	if !ok {
		return r, central.ErrNotFound
	}
	return r, nil
}

// Active returns the active credential of cf in slot.
func (m *memTx) Active(cf pinsede.CodiceFiscale, slot central.Slot) (central.Record, error) {
	id, ok := m.active[slot.Key(cf)]
	if !ok {
		return central.Record{}, central.ErrNotFound
	}
	return m.records[id], nil
}

// PutRecord keeps a credential for flush.
func (m *memTx) PutRecord(r central.Record) error {
	id, cf := r.Credential.ID, central.SlotOf(r.Credential.Type).Key(r.Credential.CodiceFiscale)
	if !m.isDirty[id] {
		m.isDirty[id] = true
		m.dirty = append(m.dirty, id)
	}
	m.records[id] = r
	switch {
	case r.Status == central.StatusActive:
		m.active[cf] = id
	case m.active[cf] == id:
		delete(m.active, cf)
	}
	return nil
}

// AddChange keeps a change for flush.
func (m *memTx) AddChange(c wire.Change) error {
	m.changes = append(m.changes, c)
	return nil
}

// flush writes the outcome: the credentials read by load and changed, in
// one UPDATE; the new credentials and the events, each with one COPY
// straight into its table; then the changes. The UPDATE goes first, so
// that a credential no longer active has left the unique index of active
// credentials before the one that takes its place arrives. COPY checks
// the tables' keys and indexes as INSERT does: an event id or a credential
// that another push wrote meanwhile fails the transaction with a unique
// violation, and Apply runs it again, when load sees it.
func (m *memTx) flush(ctx context.Context, tx conn) error {
	credJSON := make(map[string][]byte, len(m.dirty)) // reused in the events' payloads
	var upd struct {
		ids, statuses, supBy, newHash, creds []string
		failures                             []int32
	}
	inserts := make([]string, 0, len(m.dirty))
	for _, id := range m.dirty {
		if !m.loaded[id] {
			inserts = append(inserts, id)
			continue
		}
		r := m.records[id]
		b, err := json.Marshal(r.Credential)
		if err != nil {
			return fmt.Errorf("encode credential %s: %w", id, err)
		}
		credJSON[id] = b
		upd.ids, upd.statuses, upd.supBy = append(upd.ids, id), append(upd.statuses, string(r.Status)), append(upd.supBy, r.SupersededBy)
		upd.newHash, upd.creds, upd.failures = append(upd.newHash, r.NewPINHash), append(upd.creds, string(b)), append(upd.failures, int32(r.Failures))
	}
	if len(upd.ids) > 0 {
		_, err := tx.Exec(ctx, `UPDATE credentials AS c SET status = u.status, superseded_by = u.sup, failures = u.failures,
				new_pin_hash = u.new_hash, credential = u.cred::jsonb
				FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
					AS u(id, status, sup, failures, new_hash, cred)
				WHERE c.id = u.id`, upd.ids, upd.statuses, upd.supBy, upd.failures, upd.newHash, upd.creds)
		if err != nil {
			return fmt.Errorf("update credentials: %w", err)
		}
	}
	// The rows of a COPY are encoded as it streams: PostgreSQL takes in the
	// first while the JSON of the next is written.
	if len(inserts) > 0 {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"credentials"},
			[]string{"id", "codice_fiscale", "sede", "status", "superseded_by", "failures", "new_pin_hash", "accepted_at", "credential"},
			pgx.CopyFromSlice(len(inserts), func(i int) ([]any, error) {
				r := m.records[inserts[i]]
				b, err := json.Marshal(r.Credential)
				if err != nil {
					return nil, fmt.Errorf("encode credential %s: %w", r.Credential.ID, err)
				}
				credJSON[r.Credential.ID] = b
				return []any{r.Credential.ID, string(r.Credential.CodiceFiscale), r.Credential.Sede, string(r.Status),
					r.SupersededBy, int32(r.Failures), r.NewPINHash, r.AcceptedAt, b}, nil
			}))
		if err != nil {
			return fmt.Errorf("insert credentials: %w", err)
		}
	}
	if len(m.events) > 0 {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"events"},
			[]string{"id", "sede", "kind", "time", "credential_id", "verdict", "accepted_at", "payload"},
			pgx.CopyFromSlice(len(m.events), func(i int) ([]any, error) {
				e := m.events[i]
				cred := credJSON[e.ev.Credential.ID]
				if r := m.records[e.ev.Credential.ID]; cred == nil || r.Credential != e.ev.Credential {
					c, err := json.Marshal(e.ev.Credential)
					if err != nil {
						return nil, fmt.Errorf("encode event %s: %w", e.ev.ID, err)
					}
					cred = c
				}
				p, err := eventPayload(e.ev, cred)
				if err != nil {
					return nil, fmt.Errorf("encode event %s: %w", e.ev.ID, err)
				}
				return []any{e.ev.ID, e.ev.Sede, string(e.ev.Kind), e.ev.Time, e.ev.Credential.ID, string(e.verdict), e.at, p}, nil
			}))
		if err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
	}
	return insertChanges(ctx, tx, m.changes)
}

// eventHead is pinsede.Event without its credential: eventPayload writes
// the credential, encoded already, after it.
type eventHead struct {
	ID   string            `json:"id"`
	Kind pinsede.EventKind `json:"kind"`
	Time time.Time         `json:"time"`
	Sede string            `json:"sede"`
}

// eventPayload returns the JSON of ev, as json.Marshal writes it, with
// cred, the JSON of its credential, spliced in rather than encoded again
// (and, as a json.RawMessage would be, checked and compacted again).
func eventPayload(ev pinsede.Event, cred []byte) ([]byte, error) {
	b, err := json.Marshal(eventHead{ID: ev.ID, Kind: ev.Kind, Time: ev.Time, Sede: ev.Sede})
	if err != nil {
		return nil, err
	}
	b = append(b[:len(b)-1], `,"credential":`...) // b ends with the object's }
	b = append(b, cred...)
	return append(b, '}'), nil
}

// insertChanges numbers and writes changes. The advisory lock, held to
// commit, makes the numbers commit in order: a sede pulling with a cursor
// never skips a change that commits late.
func insertChanges(ctx context.Context, tx conn, changes []wire.Change) error {
	if len(changes) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, 0)`, lockChanges); err != nil {
		return err
	}
	var sedi, payloads []string
	for _, c := range changes {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		sedi, payloads = append(sedi, c.Sede), append(payloads, string(b))
	}
	_, err := tx.Exec(ctx, `INSERT INTO changes (sede, payload)
		SELECT s, p::jsonb FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(s, p, n) ORDER BY n`, sedi, payloads)
	return err
}
