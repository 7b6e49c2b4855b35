package pgstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// tripCounter is a conn that notes each round trip flush makes: an Exec,
// a batch or a COPY each waits once for PostgreSQL's answer.
type tripCounter struct {
	conn
	trips []string
}

func (c *tripCounter) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	c.trips = append(c.trips, "exec")
	return c.conn.Exec(ctx, sql, args...)
}

func (c *tripCounter) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	c.trips = append(c.trips, fmt.Sprint("batch of ", b.Len()))
	return c.conn.SendBatch(ctx, b)
}

func (c *tripCounter) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, rows pgx.CopyFromSource) (int64, error) {
	c.trips = append(c.trips, "copy "+table.Sanitize())
	return c.conn.CopyFrom(ctx, table, columns, rows)
}

// Ensure that a drain's push writes with one round trip before its COPYs
// and none between them: the UPDATE of the credential it supersedes, the
// DELETE of the form it archives anew and the changes' locks go in one
// batch, then the COPYs of the forms, credentials, events and changes
// (each credential's and event's row encoded as its COPY takes them),
// and what is left with COMMIT. The push is then kept whole: the
// superseded credential, the form replaced, a change for each event.
func TestBulkPushRoundTrips(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits)
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	old := storetest.Issued("ROMA01", storetest.CF(0), "old", "c-old", h)
	kept := storetest.Issued("ROMA01", storetest.CF(1), "kept", "c-kept", h)
	res, err := s.Apply(ctx, "ROMA01", []pinsede.Event{old, kept, storetest.FormArchived(kept, "f-kept", storetest.PDF(500))}, storetest.T0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Verdict != wire.Accepted {
			t.Fatalf("%s: %s %s; want accepted", r.ID, r.Verdict, r.Reason)
		}
	}
	var before int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM changes`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	push := []pinsede.Event{storetest.FormArchived(kept, "f-again", storetest.PDF(700))}
	for i := range 40 { // the first supersedes old
		cf := storetest.CF(i)
		if i > 0 {
			cf = storetest.CF(i + 1)
		}
		push = append(push, storetest.Issued("ROMA01", cf, fmt.Sprint("e", i), fmt.Sprint("c", i), h))
	}
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	tc := &tripCounter{conn: c}
	b := &pgx.Batch{}
	b.Queue(qBegin)
	m, err := load(ctx, tc, b, "ROMA01", push, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := central.Apply(m, "ROMA01", push, central.ScreenAll(*s.limits.Load(), "ROMA01", push, storetest.T0), storetest.T0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out {
		if r.Verdict != wire.Accepted {
			t.Fatalf("%s: %s %s; want accepted", r.ID, r.Verdict, r.Reason)
		}
	}
	tc.trips = nil
	b = &pgx.Batch{}
	if err := m.flush(ctx, tc, b); err != nil {
		t.Fatal(err)
	}
	want := []string{"batch of 3", `copy "forms"`, `copy "credentials"`, `copy "events"`, `copy "changes"`}
	if !slices.Equal(tc.trips, want) {
		t.Errorf("flush's round trips: %q; want %q", tc.trips, want)
	}
	queueCommit(b)
	if err := c.SendBatch(ctx, b).Close(); err != nil {
		t.Fatal(err)
	}
	var status string
	var forms, size, changes int
	err = s.pool.QueryRow(ctx, `SELECT (SELECT status FROM credentials WHERE id = 'c-old'), (SELECT count(*) FROM forms),
		(SELECT length(pdf) FROM forms WHERE credential_id = 'c-kept'), (SELECT count(*) FROM changes)`).Scan(&status, &forms, &size, &changes)
	if err != nil {
		t.Fatal(err)
	}
	if status != string(central.StatusSuperseded) || forms != 1 || size != 700 || changes-before < 40 {
		t.Errorf("after the push: c-old %s, %d forms, c-kept's of %d bytes, %d changes more; want superseded, 1 of 700 bytes, one at least for each issue (40)",
			status, forms, size, changes-before)
	}
}

// Ensure that a drain's rows reach their COPY as they are encoded: the
// first credential's row comes while the events are still to encode (the
// first event's encoding waits for it), every row in order; and that an
// event that cannot be encoded ends the events' rows there with its
// error, which the COPY then fails with, and no change is encoded.
func TestBulkRowsStream(t *testing.T) {
	read := make(chan struct{})
	broken := errors.New("cannot encode")
	credRow := func(i int) ([]any, error) { return []any{fmt.Sprint("c", i)}, nil }
	eventRow := func(i int) ([]any, error) {
		if i == 0 {
			<-read // the credentials' COPY has its first row already
		}
		if i == 3 {
			return nil, broken
		}
		return []any{fmt.Sprint("e", i)}, nil
	}
	changes := make([]wire.Change, copyAbove+1)
	r := encodeBulk(2, credRow, 5, eventRow, changes)
	var creds, events []any
	for r.credentials.Next() {
		if len(creds) == 0 {
			close(read)
		}
		v, _ := r.credentials.Values()
		creds = append(creds, v...)
	}
	for r.events.Next() {
		v, _ := r.events.Values()
		events = append(events, v...)
	}
	<-r.done
	if !slices.Equal(creds, []any{"c0", "c1"}) || r.credentials.Err() != nil {
		t.Errorf("credentials' rows %v, %v; want c0, c1 and no error", creds, r.credentials.Err())
	}
	if !slices.Equal(events, []any{"e0", "e1", "e2"}) || !errors.Is(r.events.Err(), broken) {
		t.Errorf("events' rows %v, %v; want e0 to e2, then the encoding's error", events, r.events.Err())
	}
	if !errors.Is(r.err, broken) || r.changes.sedi != nil {
		t.Errorf("after the rows: %v, %d changes encoded; want the encoding's error, none", r.err, len(r.changes.sedi))
	}
}
