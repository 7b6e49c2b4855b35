package pgstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open opens a store on a fresh database, with the suite's limits.
func open(t *testing.T) *pgstore.Store {
	s := openAt(t, pgtest.DSN(t))
	s.SetLimits(storetest.Limits)
	return s
}

// openAt opens a store on the database of dsn, closed as t ends.
func openAt(t *testing.T, dsn string) *pgstore.Store {
	s, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Ensure that the PostgreSQL store passes the conformance suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store { return open(t) })
}

// Ensure that opening an up-to-date database again runs no migration twice.
func TestMigrateTwice(t *testing.T) {
	dsn := pgtest.DSN(t)
	for range 2 {
		s, err := pgstore.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if files, _ := filepath.Glob("migrations/*.sql"); n != len(files) {
			t.Errorf("schema_migrations has %d rows, want one per migration: %d", n, len(files))
		}
		s.Close()
	}
}

// Ensure that a centrale refuses a database a newer one migrated, naming
// the migration: it started and served on it without a word, where the
// desk refuses a store of a newer version (an operator's review).
func TestMigratedByNewer(t *testing.T) {
	dsn := pgtest.DSN(t)
	s, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("migrations/*.sql")
	future := len(files) + 1
	if _, err := s.Pool().Exec(context.Background(), `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, future, "999_future.sql"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = pgstore.Open(context.Background(), dsn)
	if err == nil {
		s.Close()
	}
	if !errors.Is(err, pgstore.ErrSchemaTooNew) || !strings.Contains(err.Error(), "999_future.sql") {
		t.Errorf("Open of a database migrated by a newer centrale = %v, want ErrSchemaTooNew naming 999_future.sql", err)
	}
}

// Ensure that a database whose recorded migration of a number is not
// this centrale's migration of that number is refused before anything
// runs, naming both: a database migrated where 005 was 005_lock.sql
// (before 005_event_ids_per_sede.sql took its number) skipped the events'
// new key and ran the lock's migration again, "column lock already
// exists", half a schema (a reviewer's probe).
func TestMigrationRenumbered(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s, err := pgstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	// The database as that commit left it: 5 migrations, the fifth the lock's.
	for _, q := range []string{`DELETE FROM schema_migrations WHERE version > 5`, `UPDATE schema_migrations SET name = '005_lock.sql' WHERE version = 5`} {
		if _, err := s.Pool().Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s, err = pgstore.Open(ctx, dsn)
	if err == nil {
		s.Close()
	}
	const want = "migration 5 of the database is 005_lock.sql, this centrale's migration 5 is 005_event_ids_per_sede.sql"
	if !errors.Is(err, pgstore.ErrMigrationsDiffer) || !strings.Contains(err.Error(), want) {
		t.Errorf("Open of a database migrated by other migrations of the same numbers = %v, want ErrMigrationsDiffer with %q", err, want)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != 5 {
		t.Errorf("schema_migrations after the refusal: %d rows, %v; want the 5 there were, nothing run", n, err)
	}
}

// Ensure that the events table keeps each event as it was sent, and the
// credentials table its credential.
func TestPayloads(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	iss := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	rev := storetest.Follow(iss, "e2", pinsede.EventRevoked)
	if _, err := s.Apply(ctx, "ROMA01", []pinsede.Event{iss, rev}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	for _, want := range []pinsede.Event{iss, rev} {
		var b []byte
		if err := s.Pool().QueryRow(ctx, `SELECT payload FROM events WHERE id = $1`, want.ID).Scan(&b); err != nil {
			t.Fatal(err)
		}
		var got pinsede.Event
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if !got.Time.Equal(want.Time) || got.ID != want.ID || got.Kind != want.Kind || got.Credential.State != want.Credential.State ||
			got.Credential.PINHash != want.Credential.PINHash || got.Credential.RevokeReason != want.Credential.RevokeReason {
			t.Errorf("payload of %s = %+v, want %+v", want.ID, got, want)
		}
	}
}

// Ensure that the events table keeps a delegation event whole, with no
// credential, and a form event without its PDF (its SHA-256 and size
// only), which the forms table holds.
func TestPayloadsDelegationForm(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	iss := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	form := storetest.FormArchived(iss, "e2", storetest.PDF(1000))
	del := storetest.Delegated("ROMA01", "d1", pinsede.FormAA09, storetest.CF(2), storetest.CF(3))
	if _, err := s.Apply(ctx, "ROMA01", []pinsede.Event{iss, form, del}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	payload := func(id string) (map[string]json.RawMessage, pinsede.Event) {
		var b []byte
		if err := s.Pool().QueryRow(ctx, `SELECT payload FROM events WHERE id = $1`, id).Scan(&b); err != nil {
			t.Fatal(err)
		}
		var raw map[string]json.RawMessage
		var ev pinsede.Event
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		return raw, ev
	}
	raw, got := payload(del.ID)
	if _, ok := raw["credential"]; ok || got.Delegation == nil || got.Delegation.MedicalCertificate != del.Delegation.MedicalCertificate ||
		got.Delegation.Delegato.CodiceFiscale != storetest.CF(3) {
		t.Errorf("delegation payload = %s", raw)
	}
	_, got = payload(form.ID)
	if got.Form == nil || got.Form.Kind != pinsede.DocumentMV35 || got.Form.PDF != nil || got.Form.SHA256 != form.Form.SHA256 ||
		got.Form.Size != 1000 || got.Credential.ID != "c1" {
		t.Errorf("form payload = %+v, want the kind, hash and size without the PDF", got)
	}
}

// Ensure that the events table keeps the outcome of a digital identity
// choice and of a refusal, with no credential.
func TestPayloadsOutcome(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	chosen := storetest.DigitalIdentityChosen("ROMA01", "o1", storetest.CF(1), "CNS")
	refused := storetest.Refused("ROMA01", "o2", storetest.CF(2), pinsede.KeyRefusedItalianDocument)
	if _, err := s.Apply(ctx, "ROMA01", []pinsede.Event{chosen, refused}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	for _, want := range []pinsede.Event{chosen, refused} {
		var b []byte
		if err := s.Pool().QueryRow(ctx, `SELECT payload FROM events WHERE id = $1`, want.ID).Scan(&b); err != nil {
			t.Fatal(err)
		}
		var got pinsede.Event
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.Kind != want.Kind || got.Outcome == nil || *got.Outcome != *want.Outcome || got.Credential != (pinsede.Credential{}) {
			t.Errorf("payload of %s = %s", want.ID, b)
		}
	}
}

// TestFormsHaveCredentials: with no foreign key from forms to credentials
// (migration 015), the rules keep every form with its credential: pushes
// of four sedi at once, each with an issue and its form, a form of a
// credential nobody issued and a form of another sede's credential, then
// a form that replaces one; no form is left without its credential, nor
// kept for another sede's.
func TestFormsHaveCredentials(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	const sedi = 4
	issued := make([]pinsede.Event, sedi)
	for i := range sedi {
		sede := fmt.Sprintf("SEDE%02d", i)
		issued[i] = storetest.Issued(sede, storetest.CF(i), "i", fmt.Sprint("c", i), storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	}
	verdicts := make([][]wire.Result, sedi)
	errs := make([]error, sedi)
	storetest.Together(sedi, func(i int) {
		ghost := storetest.Issued(issued[i].Sede, storetest.CF(100+i), "g", fmt.Sprint("ghost", i), "")
		other := issued[(i+1)%sedi]
		other.Sede = issued[i].Sede // a form this sede sends for the next sede's credential
		verdicts[i], errs[i] = s.Apply(ctx, issued[i].Sede, []pinsede.Event{
			issued[i],
			storetest.FormArchived(issued[i], "f", storetest.PDF(1000+i)),
			storetest.FormArchived(ghost, "fg", storetest.PDF(2000)),
			storetest.FormArchived(other, "fo", storetest.PDF(3000)),
		}, storetest.T0)
	})
	for i := range sedi {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		got := []wire.Verdict{verdicts[i][0].Verdict, verdicts[i][1].Verdict, verdicts[i][2].Verdict, verdicts[i][3].Verdict}
		if want := []wire.Verdict{wire.Accepted, wire.Accepted, wire.Rejected, wire.Rejected}; !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v (%+v)", issued[i].Sede, got, want, verdicts[i])
		}
	}
	if _, err := s.Apply(ctx, issued[0].Sede, []pinsede.Event{storetest.FormArchived(issued[0], "f2", storetest.PDF(4000))}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	var forms, orphans, strays int
	err := s.Pool().QueryRow(ctx, `SELECT count(*),
			count(*) FILTER (WHERE c.id IS NULL),
			count(*) FILTER (WHERE c.id IS NOT NULL AND c.sede <> 'SEDE' || lpad(substr(f.credential_id, 2), 2, '0'))
		FROM forms f LEFT JOIN credentials c ON c.id = f.credential_id`).Scan(&forms, &orphans, &strays)
	if err != nil {
		t.Fatal(err)
	}
	if forms != sedi || orphans != 0 || strays != 0 {
		t.Errorf("forms: %d kept (want %d), %d without their credential, %d of another sede's credential", forms, sedi, orphans, strays)
	}
	var size int
	if err := s.Pool().QueryRow(ctx, `SELECT length(pdf) FROM forms WHERE credential_id = 'c0'`).Scan(&size); err != nil || size != 4000 {
		t.Errorf("c0's form: %d bytes, %v; want the 4000 of the one that replaced it", size, err)
	}
}

// BenchmarkPulls times a desk's catch-up on a day of its sede
// (storetest.BenchPulls) on PostgreSQL.
func BenchmarkPulls(b *testing.B) {
	s, err := pgstore.Open(context.Background(), pgtest.DSN(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.SetLimits(storetest.Limits)
	storetest.BenchPulls(b, s)
}
