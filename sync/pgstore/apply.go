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
	seen    map[string]wire.Verdict
	records map[string]central.Record
	active  map[string]string // slot key (central.Slot.Key) -> credential id
	dirty   []string          // credential ids written, in order
	isDirty map[string]bool
	loaded  map[string]bool // credential ids read from the table
	events  []storedEvent
	changes []wire.Change
	called  []calledTicket // tickets called (tickets.go)
	// forms to write, by credential id ‖ 0 ‖ kind, in order.
	forms     map[string]storedForm
	formOrder []string
	// delegations read by load or written since, by id.
	delegations map[string]central.DelegationRecord
	delDirty    []string // delegation ids written, in order
	delIsDirty  map[string]bool
}

// storedForm is a form to write.
type storedForm struct {
	credentialID string
	form         pinsede.ArchivedForm
	at           time.Time
}

// storedEvent is an event to insert with its verdict.
type storedEvent struct {
	ev      pinsede.Event
	verdict wire.Verdict
	at      time.Time
}

// load reads the events of sede already applied and the credentials the
// events concern, locking their rows, and every credential of the
// codici fiscali they issue for (the active one, and those an older
// issue yields to, Newest). Two pushes that issue for the same codice fiscale
// at once both may see no active credential: the unique index of active
// credentials then fails the second at its insert, and it runs again.
//
// load sends b, which begins the transaction on tx (BEGIN first), with
// its reads: one round trip. The delegations' locks and reads go first,
// planned for their values; then the bounded reads (qBoundedReads): what
// bounded queues (the audit head's, when not nil), the credentials and
// the events; then the settings put back (unboundedReads).
func load(ctx context.Context, tx conn, b *pgx.Batch, sede string, events []pinsede.Event, bounded func(*pgx.Batch)) (*memTx, error) {
	var ids, credIDs, cfs, delIDs, delCFs []string
	for _, ev := range events {
		ids = append(ids, ev.ID)
		if ev.Delegation != nil {
			delIDs = append(delIDs, ev.Delegation.ID)
			if ev.Kind == pinsede.EventDelegationRegistered {
				delCFs = append(delCFs, string(ev.Delegation.Delegante.CodiceFiscale), string(ev.Delegation.Delegato.CodiceFiscale))
			}
			continue
		}
		credIDs = append(credIDs, ev.Credential.ID)
		if ev.Kind == pinsede.EventIssued {
			cfs = append(cfs, string(ev.Credential.CodiceFiscale))
		}
	}
	m := &memTx{seen: map[string]wire.Verdict{}, records: map[string]central.Record{}, active: map[string]string{}, isDirty: map[string]bool{}, loaded: map[string]bool{},
		forms: map[string]storedForm{}, delegations: map[string]central.DelegationRecord{}, delIsDirty: map[string]bool{}}
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
	if len(delIDs) > 0 {
		// The codici fiscali of the delegations registered, held to commit
		// in code order: a push that registers for the same person waits,
		// and then reads what this one wrote.
		if len(delCFs) > 0 {
			b.Queue(qLockCFs, lockDelegations, delCFs)
		}
		b.Queue(qLoadDelegations, delIDs, delCFs).Query(func(rows pgx.Rows) error {
			recs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (central.DelegationRecord, error) { return scanDelegation(r) })
			for _, r := range recs {
				m.delegations[r.Delegation.ID] = r
			}
			return err
		})
	}
	if len(cfs) > 0 {
		// The codici fiscali issued for, held likewise: of two pushes that
		// issue for one person, the second reads the first's credentials,
		// which its issue may yield to though none is active (Newest).
		b.Queue(qLockCFs, lockIssues, cfs)
	}
	b.Queue(qBoundedReads)
	if bounded != nil {
		bounded(b)
	}
	b.Queue(qLoadCredentials, credIDs, cfs).Query(keep)
	// The events last: under READ COMMITTED each statement sees what was
	// committed when it began, and a concurrent apply commits its
	// credentials and its events at once. Read after the credentials, an
	// event not seen means the credentials read before it did not see that
	// apply either; read first, a replay committed in between would show
	// its credential without its event, and be rejected instead of being
	// answered duplicate.
	b.Queue(qLoadSeen, sede, ids).Query(func(rows pgx.Rows) error {
		var id string
		var v wire.Verdict
		_, err := pgx.ForEachRow(rows, []any{&id, &v}, func() error {
			m.seen[eventKey(sede, id)] = v
			return nil
		})
		return err
	})
	for _, q := range unboundedReads {
		b.Queue(q)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return m, nil
}

// eventKey is the key of an event of sede in memTx.seen.
func eventKey(sede, id string) string { return sede + "\x00" + id }

// Seen returns the verdict of the event applied before or earlier in the
// batch.
func (m *memTx) Seen(sede, id string) (wire.Verdict, error) { return m.seen[eventKey(sede, id)], nil }

// PutEvent keeps an applied event for flush.
func (m *memTx) PutEvent(ev pinsede.Event, v wire.Verdict, at time.Time) error {
	m.seen[eventKey(ev.Sede, ev.ID)] = v
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

// Newest returns the credential of cf in slot issued last among those
// load read (every one of the codici fiscali the push issues for) or
// written since.
func (m *memTx) Newest(cf pinsede.CodiceFiscale, slot central.Slot) (central.Record, error) {
	var newest central.Record
	found := false
	for _, r := range m.records {
		if r.Credential.CodiceFiscale == cf && central.SlotOf(r.Credential.Type) == slot && (!found || central.IssuedLater(r, newest)) {
			newest, found = r, true
		}
	}
	if !found {
		return newest, central.ErrNotFound
	}
	return newest, nil
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

// PutForm keeps a form for flush.
func (m *memTx) PutForm(id string, f pinsede.ArchivedForm, at time.Time) error {
	k := id + "\x00" + f.Kind
	if _, ok := m.forms[k]; !ok {
		m.formOrder = append(m.formOrder, k)
	}
	m.forms[k] = storedForm{id, f, at}
	return nil
}

// Delegation returns a delegation read by load or written since.
func (m *memTx) Delegation(id string) (central.DelegationRecord, error) {
	r, ok := m.delegations[id]
	if !ok {
		return r, central.ErrNotFound
	}
	return r, nil
}

// ActiveDelegations returns the active delegations of cf among those load
// read (every active one of the codici fiscali the push registers for) or
// written since.
func (m *memTx) ActiveDelegations(cf pinsede.CodiceFiscale) ([]central.DelegationRecord, error) {
	var out []central.DelegationRecord
	for _, r := range m.delegations {
		if r.Status == central.DelegationActive && (r.Delegation.Delegante.CodiceFiscale == cf || r.Delegation.Delegato.CodiceFiscale == cf) {
			out = append(out, r)
		}
	}
	return out, nil
}

// PutDelegation keeps a delegation for flush.
func (m *memTx) PutDelegation(r central.DelegationRecord) error {
	if id := r.Delegation.ID; !m.delIsDirty[id] {
		m.delIsDirty[id] = true
		m.delDirty = append(m.delDirty, id)
	}
	m.delegations[r.Delegation.ID] = r
	return nil
}

// copyAbove is the number of rows, new credentials or events, above which
// flush writes them with a COPY of their own rather than an INSERT in the
// push's last batch: a COPY takes a drain's 500 events with less work for
// PostgreSQL, but costs a round trip of its own, and for the few rows of a
// desk's push that round trip is most of its time.
const copyAbove = 32

// flush writes the outcome: the credentials read by load and changed, in
// one UPDATE; the forms, delegations and tickets called; the new
// credentials and the events, each with one INSERT of arrays, or with one
// COPY straight into its table when there are more than copyAbove; then
// the changes, with a COPY too when they are more than copyAbove in such
// a push (the rows of its COPYs are encoded on another goroutine while
// PostgreSQL takes in the forms, each COPY taking its rows as they come).
// What a COPY needs done before it, the UPDATE, the forms' DELETE and
// the changes' locks, goes in one round trip before the first. It
// queues on b what it does not send itself, for the caller to send with
// COMMIT: a push of a few events writes everything in one round trip. The
// UPDATE goes first, so that a credential no longer active has left the
// unique index of active credentials before the one that takes its place
// arrives. COPY and
// INSERT check the tables' keys and indexes alike: an event id or a
// credential that another push wrote meanwhile fails the transaction with
// a unique violation, and Apply runs it again, when load sees it.
func (m *memTx) flush(ctx context.Context, tx conn, b *pgx.Batch) error {
	credJSON := make(map[string][]byte, len(m.dirty)) // reused in the events' payloads
	var upd struct {
		ids, statuses, supBy, newHash, creds, locks []string
		failures                                    []int32
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
		lock, err := json.Marshal(r.Lock)
		if err != nil {
			return fmt.Errorf("encode lock of %s: %w", id, err)
		}
		upd.locks = append(upd.locks, string(lock))
	}
	bulk := len(inserts) > copyAbove || len(m.events) > copyAbove
	// What must run before the COPYs goes in one round trip: the UPDATE
	// (before a COPY of credentials), the forms' DELETE (before theirs)
	// and the changes' locks (before theirs).
	pre := &pgx.Batch{}
	if len(upd.ids) > 0 {
		q := b
		if bulk {
			q = pre
		}
		named(q.Queue(qUpdateCredentials, upd.ids, upd.statuses, upd.supBy, upd.failures, upd.newHash, upd.creds, upd.locks), "update credentials")
	}
	m.queueDeleteForms(pre)
	copiesChanges := bulk && len(m.changes) > copyAbove
	if copiesChanges {
		sedi := make([]string, len(m.changes))
		for i, c := range m.changes {
			sedi[i] = c.Sede
		}
		named(pre.Queue(qLockChanges, lockChanges, sedi), "lock changes")
	}
	credRow := func(i int) ([]any, error) {
		r := m.records[inserts[i]]
		b, err := json.Marshal(r.Credential)
		if err != nil {
			return nil, fmt.Errorf("encode credential %s: %w", r.Credential.ID, err)
		}
		credJSON[r.Credential.ID] = b
		return []any{r.Credential.ID, string(r.Credential.CodiceFiscale), r.Credential.Sede, string(r.Status),
			r.SupersededBy, int32(r.Failures), r.NewPINHash, r.AcceptedAt, b, r.Desk}, nil
	}
	eventRow := func(i int) ([]any, error) {
		e := m.events[i]
		cred := credJSON[e.ev.Credential.ID]
		if e.ev.Credential == (pinsede.Credential{}) {
			cred = nil
		} else if r := m.records[e.ev.Credential.ID]; cred == nil || r.Credential != e.ev.Credential {
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
		return []any{e.ev.ID, e.ev.Sede, e.ev.Desk, string(e.ev.Kind), e.ev.Time, e.ev.Credential.ID, string(e.verdict), e.at, p}, nil
	}
	// A push with many rows encodes them on another core while
	// PostgreSQL takes in its forms, and then each row as its COPY below
	// takes in the rows before it.
	var rows *bulkRows
	if bulk {
		rows = encodeBulk(len(inserts), credRow, len(m.events), eventRow, m.changes)
	}
	if pre.Len() > 0 {
		if err := tx.SendBatch(ctx, pre).Close(); err != nil {
			return err
		}
	}
	if err := m.copyForms(ctx, tx); err != nil {
		return err
	}
	if err := m.flushDelegations(b); err != nil {
		return err
	}
	m.flushCalled(b)
	// What follows writes rows from arrays and reads no table: its plans
	// are the same whatever the values and the tables' sizes, and
	// planning each anew, as every statement of the store is otherwise
	// (Open), took a seventh of the time PostgreSQL spent on a push's
	// writes (pg_stat_statements, 500 sedi), more than running the locks.
	b.Queue(qGenericPlans)
	if bulk {
		if len(inserts) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"credentials"}, credentialColumns, rows.credentials); err != nil {
				return fmt.Errorf("insert credentials: %w", err)
			}
		}
		if len(m.events) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events"}, eventColumns, rows.events); err != nil {
				return fmt.Errorf("insert events: %w", err)
			}
		}
		<-rows.done
		if rows.err != nil {
			return rows.err
		}
		if copiesChanges {
			return copyChanges(ctx, tx, rows.changes)
		}
	} else {
		if err := queueRows(b, qInsertCredentials, len(credentialColumns), len(inserts), credRow, "insert credentials"); err != nil {
			return err
		}
		if err := queueRows(b, qInsertEvents, len(eventColumns), len(m.events), eventRow, "insert events"); err != nil {
			return err
		}
	}
	return queueChanges(b, m.changes)
}

// bulkRows are the rows of a push that flush writes with COPY, as
// encodeBulk encodes them on a goroutine of its own: a COPY of the
// credentials or of the events takes each row as soon as it is encoded,
// and fails with the error that stopped its rows short. The changes, and
// the first error, are to read once done is closed.
type bulkRows struct {
	credentials, events *rowStream
	changes             changeRows
	err                 error
	done                chan struct{}
}

// rowStream is a pgx.CopyFromSource of rows encoded on another goroutine.
type rowStream struct {
	rows chan []any
	err  error // written before rows is closed, read after
	cur  []any
	end  bool
}

// Next waits for the next row, and reports whether there is one.
func (s *rowStream) Next() bool {
	var ok bool
	s.cur, ok = <-s.rows
	s.end = !ok
	return ok
}

// Values returns the row Next waited for.
func (s *rowStream) Values() ([]any, error) { return s.cur, nil }

// Err returns the error that stopped the rows short, once they ended.
func (s *rowStream) Err() error {
	if !s.end {
		return nil
	}
	return s.err
}

// encodeBulk starts encoding the rows of the new credentials (n of
// credRow), of the events (k of eventRow, which takes the credentials'
// JSON that credRow keeps) and of the changes, in this order, and returns
// them as they come. Its channels hold every row: it never waits for a
// COPY, and ends whether or not the COPYs run.
func encodeBulk(n int, credRow func(int) ([]any, error), k int, eventRow func(int) ([]any, error), changes []wire.Change) *bulkRows {
	r := &bulkRows{done: make(chan struct{})}
	r.credentials = &rowStream{rows: make(chan []any, n)}
	r.events = &rowStream{rows: make(chan []any, k)}
	rows := func(s *rowStream, n int, row func(int) ([]any, error)) {
		defer close(s.rows)
		for i := 0; i < n && r.err == nil; i++ {
			var vs []any
			if vs, r.err = row(i); r.err == nil {
				s.rows <- vs
			}
		}
		s.err = r.err // the credentials' error ends the events too
	}
	go func() {
		defer close(r.done)
		rows(r.credentials, n, credRow)
		rows(r.events, k, eventRow)
		if r.err == nil && len(changes) > copyAbove {
			r.changes, r.err = changeColumns(changes)
		}
	}()
	return r
}

// The columns flush writes, in the order of its rows.
var (
	credentialColumns = []string{"id", "codice_fiscale", "sede", "status", "superseded_by", "failures", "new_pin_hash", "accepted_at", "credential", "desk"}
	eventColumns      = []string{"id", "sede", "desk", "kind", "time", "credential_id", "verdict", "accepted_at", "payload"}
)

// queueRows queues on b the INSERT sql of n rows, each of cols values
// that row returns, passed as one array a column: $1 the first column's
// values, $2 the second's, and so on. Nothing is queued for no rows.
func queueRows(b *pgx.Batch, sql string, cols, n int, row func(i int) ([]any, error), what string) error {
	if n == 0 {
		return nil
	}
	columns := make([][]any, cols)
	for i := range n {
		vs, err := row(i)
		if err != nil {
			return err
		}
		for j, v := range vs {
			columns[j] = append(columns[j], v)
		}
	}
	args := make([]any, cols)
	for j, c := range columns {
		args[j] = c
	}
	named(b.Queue(sql, args...), what)
	return nil
}

// named makes the error of q, when it fails, say what it does: a batch
// returns the error of the first statement that failed, as PostgreSQL
// sent it.
func named(q *pgx.QueuedQuery, what string) {
	fn := q.Fn
	q.Fn = func(br pgx.BatchResults) error {
		var err error
		if fn != nil {
			err = fn(br)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
}

// queueDeleteForms queues on b the DELETE of the forms kept before of
// the kinds that the push archives anew, for copyForms to put the new
// ones in their place; only for the credentials load read: one this push
// inserts was in no committed push (its COPY would have failed), and a
// form is kept only with its credential.
func (m *memTx) queueDeleteForms(b *pgx.Batch) {
	var ids, kinds []string
	for _, k := range m.formOrder {
		if f := m.forms[k]; m.loaded[f.credentialID] {
			ids, kinds = append(ids, f.credentialID), append(kinds, f.form.Kind)
		}
	}
	if len(ids) > 0 {
		named(b.Queue(qDeleteForms, ids, kinds), "replace forms")
	}
}

// copyForms writes the forms, after queueDeleteForms's DELETE: the PDFs
// go in with one binary COPY, as they came (an INSERT of a bytea[]
// parameter built and unnested the array of a push's forms, several MiB,
// on top). A form that another push wrote meanwhile fails the COPY with
// a unique violation, and Apply runs again.
func (m *memTx) copyForms(ctx context.Context, tx conn) error {
	if len(m.formOrder) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"forms"}, []string{"credential_id", "kind", "pdf", "archived_at"},
		pgx.CopyFromSlice(len(m.formOrder), func(i int) ([]any, error) {
			f := m.forms[m.formOrder[i]]
			return []any{f.credentialID, f.form.Kind, f.form.PDF, f.at}, nil
		}))
	if err != nil {
		return fmt.Errorf("insert forms: %w", err)
	}
	return nil
}

// flushDelegations queues on b the writing of the delegations in the
// order written: one no longer active leaves the unique index of active
// delegations before one that takes its place arrives.
func (m *memTx) flushDelegations(b *pgx.Batch) error {
	if len(m.delDirty) == 0 {
		return nil
	}
	var ids, sedi, forms, deleganti, delegati, statuses, docs []string
	var ats []time.Time
	for _, id := range m.delDirty {
		r := m.delegations[id]
		d := r.Delegation
		doc, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encode delegation %s: %w", id, err)
		}
		ids, sedi, forms = append(ids, id), append(sedi, d.Sede), append(forms, string(d.Form))
		deleganti, delegati = append(deleganti, string(d.Delegante.CodiceFiscale)), append(delegati, string(d.Delegato.CodiceFiscale))
		statuses, ats, docs = append(statuses, string(r.Status)), append(ats, r.AcceptedAt), append(docs, string(doc))
	}
	named(b.Queue(qWriteDelegations, ids, sedi, forms, deleganti, delegati, statuses, ats, docs), "write delegations")
	return nil
}

// eventHead is pinsede.Event without its credential: eventPayload writes
// the credential, encoded already, after it.
type eventHead struct {
	ID         string                `json:"id"`
	Kind       pinsede.EventKind     `json:"kind"`
	Time       time.Time             `json:"time"`
	Sede       string                `json:"sede"`
	Desk       string                `json:"desk,omitempty"`
	Form       *pinsede.ArchivedForm `json:"form,omitempty"`
	Delegation *pinsede.Delegation   `json:"delegation,omitempty"`
	Ticket     string                `json:"ticket,omitempty"`
	Outcome    *pinsede.Outcome      `json:"outcome,omitempty"`
	Citizen    *pinsede.Citizen      `json:"citizen,omitempty"`
	Operator   *pinsede.Operator     `json:"operator,omitempty"`
	Actor      string                `json:"actor,omitempty"`
	SetUp      *pinsede.Sede         `json:"set_up,omitempty"`
	Until      time.Time             `json:"until,omitzero"`
}

// eventPayload returns the JSON of ev, as json.Marshal writes it, with
// cred, the JSON of its credential, spliced in rather than encoded again
// (and, as a json.RawMessage would be, checked and compacted again); with
// no credential when cred is nil.
func eventPayload(ev pinsede.Event, cred []byte) ([]byte, error) {
	b, err := json.Marshal(eventHead{ID: ev.ID, Kind: ev.Kind, Time: ev.Time, Sede: ev.Sede, Desk: ev.Desk, Form: ev.Form, Delegation: ev.Delegation, Ticket: ev.Ticket, Outcome: ev.Outcome, Citizen: ev.Citizen, Operator: ev.Operator, Actor: ev.Actor, SetUp: ev.SetUp, Until: ev.Until})
	if err != nil || cred == nil {
		return b, err
	}
	b = append(b[:len(b)-1], `,"credential":`...) // b ends with the object's }
	b = append(b, cred...)
	return append(b, '}'), nil
}

// queueChanges queues on b the numbering and the writing of changes. The
// advisory lock of each sede the changes are for, taken in the order of
// their codes and held to commit, makes the numbers of a sede's changes
// commit in order: a sede pulling with a cursor never skips a change that
// commits late. Changes of other sedi commit in any order, and pushes of
// other sedi do not wait for each other. Queued with COMMIT, the locks are
// held for the time PostgreSQL takes to run what follows them, not for a
// round trip. The event of a sede.event change is kept by reference
// (event_id): its payload keeps the event's id and kind only, and a pull
// joins the event.
func queueChanges(b *pgx.Batch, changes []wire.Change) error {
	if len(changes) == 0 {
		return nil
	}
	c, err := changeColumns(changes)
	if err != nil {
		return err
	}
	named(b.Queue(qLockChanges, lockChanges, c.sedi), "lock changes")
	named(b.Queue(qInsertChanges, c.sedi, c.payloads, c.events, c.desks), "insert changes")
	return nil
}

// copyChanges writes changes, encoded, as queueChanges does, with a COPY
// rather than an INSERT of arrays, for a push with many, once their locks
// are held (flush takes them before its COPYs, with what else goes before
// them, in one round trip): the rows in their order (a COPY takes each
// row's number from the sequence as it comes). For a drain's push this
// costs PostgreSQL less than building the arrays, unnesting and sorting
// them; the locks are held for the time of the push's COPYs.
func copyChanges(ctx context.Context, tx conn, c changeRows) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"changes"}, []string{"sede", "payload", "event_id", "desk"},
		pgx.CopyFromSlice(len(c.sedi), func(i int) ([]any, error) { return []any{c.sedi[i], c.payloads[i], c.events[i], c.desks[i]}, nil }))
	if err != nil {
		return fmt.Errorf("insert changes: %w", err)
	}
	return nil
}

// changeRows are changes encoded as the columns of their rows: their
// sedi, payloads, the events they keep by reference and those events'
// desks.
type changeRows struct {
	sedi, payloads []string
	events, desks  []*string
}

// changeColumns encodes changes as the columns of their rows.
func changeColumns(changes []wire.Change) (changeRows, error) {
	var r changeRows
	for _, c := range changes {
		var event, desk *string
		if c.Event != nil {
			event, desk = &c.Event.ID, &c.Desk
			c.Event = &pinsede.Event{ID: c.Event.ID, Kind: c.Event.Kind}
		}
		p, err := json.Marshal(c)
		if err != nil {
			return changeRows{}, fmt.Errorf("encode change for %s: %w", c.Sede, err)
		}
		r.sedi, r.payloads, r.events, r.desks = append(r.sedi, c.Sede), append(r.payloads, string(p)), append(r.events, event), append(r.desks, desk)
	}
	return r, nil
}

// insertChanges numbers and writes changes in the transaction open on tx,
// in one round trip (queueChanges).
func insertChanges(ctx context.Context, tx conn, changes []wire.Change) error {
	b := &pgx.Batch{}
	if err := queueChanges(b, changes); err != nil {
		return err
	}
	return tx.SendBatch(ctx, b).Close()
}
