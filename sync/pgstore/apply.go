package pgstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// memTx is a central.Tx over what load read for one push: central.Apply
// runs on it in memory, and flush writes the outcome.
type memTx struct {
	seen    map[string]bool
	records map[string]central.Record
	active  map[pinsede.CodiceFiscale]string // codice fiscale -> credential id
	dirty   []string                         // credential ids written, in order
	isDirty map[string]bool
	loaded  map[string]bool // credential ids read from the table
	events  []storedEvent
	changes []wire.Change
}

// eventJSON is pinsede.Event with its credential already encoded, so that
// an issue's credential is encoded once for both tables.
type eventJSON struct {
	ID         string            `json:"id"`
	Kind       pinsede.EventKind `json:"kind"`
	Time       time.Time         `json:"time"`
	Sede       string            `json:"sede"`
	Credential json.RawMessage   `json:"credential"`
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
func load(ctx context.Context, tx pgx.Tx, events []pinsede.Event) (*memTx, error) {
	var ids, credIDs, cfs []string
	for _, ev := range events {
		ids = append(ids, ev.ID)
		credIDs = append(credIDs, ev.Credential.ID)
		if ev.Kind == pinsede.EventIssued {
			cfs = append(cfs, string(ev.Credential.CodiceFiscale))
		}
	}
	m := &memTx{seen: map[string]bool{}, records: map[string]central.Record{}, active: map[pinsede.CodiceFiscale]string{}, isDirty: map[string]bool{}, loaded: map[string]bool{}}
	keep := func(rows pgx.Rows) error {
		recs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (central.Record, error) { return scanRecord(r) })
		for _, r := range recs {
			m.records[r.Credential.ID] = r
			m.loaded[r.Credential.ID] = true
			if r.Status == central.StatusActive {
				m.active[r.Credential.CodiceFiscale] = r.Credential.ID
			}
		}
		return err
	}
	// One round trip: the statements run in this order.
	b := &pgx.Batch{}
	b.Queue(`SELECT id FROM events WHERE id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
		seen, err := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, id := range seen {
			m.seen[id] = true
		}
		return err
	})
	b.Queue(`SELECT `+recordColumns+` FROM credentials WHERE id = ANY($1) ORDER BY id FOR UPDATE`, credIDs).Query(keep)
	if len(cfs) > 0 {
		b.Queue(`SELECT `+recordColumns+` FROM credentials WHERE codice_fiscale = ANY($1) AND status = 'active'
			ORDER BY id FOR UPDATE`, cfs).Query(keep)
	}
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

// Active returns the active credential of cf.
func (m *memTx) Active(cf pinsede.CodiceFiscale) (central.Record, error) {
	id, ok := m.active[cf]
	if !ok {
		return central.Record{}, central.ErrNotFound
	}
	return m.records[id], nil
}

// PutRecord keeps a credential for flush.
func (m *memTx) PutRecord(r central.Record) error {
	id, cf := r.Credential.ID, r.Credential.CodiceFiscale
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

// flush writes the credentials (those no longer active first, so the
// unique index of active credentials holds at every row), the events and
// the changes, a statement each.
func (m *memTx) flush(ctx context.Context, tx pgx.Tx) error {
	b := &pgx.Batch{} // one round trip
	// Updates first, then new credentials, the active ones last: the unique
	// index of active credentials is checked at every row.
	const (
		update = iota
		insertInactive
		insertActive
	)
	credJSON := make(map[string][]byte, len(m.dirty)) // reused in the events' payloads
	for pass := range 3 {
		var ids, cfs, sedi, statuses, supBy, newHash, creds []string
		var failures []int32
		var accepted []time.Time
		for _, id := range m.dirty {
			r := m.records[id]
			switch {
			case m.loaded[id] != (pass == update):
				continue
			case pass != update && (r.Status == central.StatusActive) != (pass == insertActive):
				continue
			}
			b, err := json.Marshal(r.Credential)
			if err != nil {
				return err
			}
			credJSON[id] = b
			ids, cfs, sedi = append(ids, id), append(cfs, string(r.Credential.CodiceFiscale)), append(sedi, r.Credential.Sede)
			statuses, supBy, newHash = append(statuses, string(r.Status)), append(supBy, r.SupersededBy), append(newHash, r.NewPINHash)
			creds, failures, accepted = append(creds, string(b)), append(failures, int32(r.Failures)), append(accepted, r.AcceptedAt)
		}
		switch {
		case len(ids) == 0:
		case pass == update:
			b.Queue(`UPDATE credentials AS c SET status = u.status, superseded_by = u.sup, failures = u.failures,
				new_pin_hash = u.new_hash, credential = u.cred::jsonb
				FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
					AS u(id, status, sup, failures, new_hash, cred)
				WHERE c.id = u.id`, ids, statuses, supBy, failures, newHash, creds)
		default:
			b.Queue(`INSERT INTO credentials (id, codice_fiscale, sede, status, superseded_by, failures, new_pin_hash, accepted_at, credential)
				SELECT id, cf, sede, st, sup, f, nh, at, c::jsonb
				FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::timestamptz[], $9::text[])
					AS u(id, cf, sede, st, sup, f, nh, at, c)`,
				ids, cfs, sedi, statuses, supBy, failures, newHash, accepted, creds)
		}
	}
	if len(m.events) > 0 {
		var ids, sedi, kinds, creds, verdicts, payloads []string
		var times, ats []time.Time
		for _, e := range m.events {
			ev := eventJSON{ID: e.ev.ID, Kind: e.ev.Kind, Time: e.ev.Time, Sede: e.ev.Sede, Credential: credJSON[e.ev.Credential.ID]}
			if r := m.records[e.ev.Credential.ID]; ev.Credential == nil || r.Credential != e.ev.Credential {
				c, err := json.Marshal(e.ev.Credential)
				if err != nil {
					return err
				}
				ev.Credential = c
			}
			b, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			ids, sedi, kinds = append(ids, e.ev.ID), append(sedi, e.ev.Sede), append(kinds, string(e.ev.Kind))
			creds, verdicts, payloads = append(creds, e.ev.Credential.ID), append(verdicts, string(e.verdict)), append(payloads, string(b))
			times, ats = append(times, e.ev.Time), append(ats, e.at)
		}
		b.Queue(`INSERT INTO events (id, sede, kind, time, credential_id, verdict, accepted_at, payload)
			SELECT id, sede, kind, t, cred, v, at, p::jsonb
			FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])
				AS u(id, sede, kind, t, cred, v, at, p)`,
			ids, sedi, kinds, times, creds, verdicts, ats, payloads)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	return insertChanges(ctx, tx, m.changes)
}

// insertChanges numbers and writes changes. The advisory lock, held to
// commit, makes the numbers commit in order: a sede pulling with a cursor
// never skips a change that commits late.
func insertChanges(ctx context.Context, tx pgx.Tx, changes []wire.Change) error {
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
