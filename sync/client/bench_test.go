package client_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
	"github.com/pinsede/pinsede/ui/slip"
)

// percentile returns the p-th percentile of ds (sorted in place).
func percentile(ds []time.Duration, p float64) time.Duration {
	slices.Sort(ds)
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

// BenchmarkIssueToAck measures, on loopback, the time from the desk's
// Issue (argon2id at the real PIN cost, the slip printed to memory) to
// centrale's acknowledgement, and to the portal's first successful check
// of the printed PIN (centrale's argon2id included). Metrics: p50 and p99
// in ms.
func BenchmarkIssueToAck(b *testing.B) {
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			env := testenv.New(b, st.open(b))
			env.Server.Verifier.Params = pinsede.DefaultPINParams
			ls, _, _ := newLocal(b)
			defer ls.Close()
			printer := &capture{}
			desk := pinsede.NewDesk(ls, printer, testclock.Now)
			sess := sessionOn(b, ls, pinsede.Operator{ID: "op1", Name: "Op", Role: pinsede.RoleOperatore}, pinsede.Sede{Code: "ROMA01", Name: "Roma"})
			c := client.New(client.Config{URL: env.URL, HTTP: env.Client(b, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
			portal := env.Client(b, pki.RolePortal, "PORTALE")
			ctx := context.Background()
			var toAck, toValid []time.Duration
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				req := person(i)
				if _, err := desk.Issue(ctx, sess, req, verification()); err != nil {
					b.Fatal(err)
				}
				c.Notify()
				if err := c.Sync(ctx); err != nil { // what Run does on Notify
					b.Fatal(err)
				}
				toAck = append(toAck, time.Since(start))
				body, _ := json.Marshal(wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: printer.last()})
				resp, err := portal.Post(env.URL+"/v1/pin/verify", wire.ContentJSON, bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				var vr wire.VerifyResponse
				json.NewDecoder(resp.Body).Decode(&vr)
				resp.Body.Close()
				if vr.Outcome != wire.ChangeRequired {
					b.Fatalf("verify: %+v", vr)
				}
				toValid = append(toValid, time.Since(start))
			}
			b.StopTimer()
			b.ReportMetric(float64(percentile(toAck, 0.5).Microseconds())/1000, "ack-p50-ms")
			b.ReportMetric(float64(percentile(toAck, 0.99).Microseconds())/1000, "ack-p99-ms")
			b.ReportMetric(float64(percentile(toValid, 0.99).Microseconds())/1000, "verified-p99-ms")
		})
	}
}

// drainEvents is the outbox size of BenchmarkDrain (PINSEDE_DRAIN_EVENTS
// overrides it).
func drainEvents() int {
	if n, err := strconv.Atoi(os.Getenv("PINSEDE_DRAIN_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// BenchmarkDrain drains 100,000 issue events into centrale on PostgreSQL
// through the client (batches of 500, mutual TLS on loopback), and inserts
// the same rows into scratch tables with batched INSERT ... SELECT unnest
// (500 rows a statement), the floor of what any store must do. The two
// alternate in rounds of 10,000 events, so that both see the same load
// from whatever else runs on the machine. Metrics: events/s of each and
// their ratio.
func BenchmarkDrain(b *testing.B) {
	n := drainEvents()
	const round = 10_000
	for range b.N {
		b.StopTimer()
		store, env := centraleOnPostgres(b)
		ls, _, _ := newLocal(b)
		c := client.New(client.Config{URL: env.URL, HTTP: env.Client(b, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
		createRaw(b, store, "events", "credentials")
		var drain, raw time.Duration
		for first := 0; first < n; first += round {
			k := min(round, n-first)
			for i := first; i < first+k; i += 5000 {
				enqueue(b, ls, "ROMA01", i, min(5000, first+k-i))
			}
			events, err := ls.Outbox(0)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			sent, err := c.Push(context.Background())
			drain += time.Since(start)
			b.StopTimer()
			if err != nil || sent != k {
				b.Fatalf("pushed %d of %d: %v", sent, k, err)
			}
			raw += rawInsert(b, store, events)
		}
		syncRate, rawRate := float64(n)/drain.Seconds(), float64(n)/raw.Seconds()
		b.ReportMetric(syncRate, "sync-events/s")
		b.ReportMetric(rawRate, "raw-events/s")
		b.ReportMetric(syncRate/rawRate, "ratio")
		ls.Close()
		store.Close()
	}
}

// BenchmarkDrainForms drains into centrale on PostgreSQL, through the
// client (mutual TLS, loopback), an outbox of 100,000 events as the desk
// really makes them: each issue followed by the form.archived event of
// its MV35, rendered by ui/slip as the desk app does (8 citizens' forms in
// turn). In the same run it writes the same rows (events, credentials,
// forms) with one COPY per table into scratch copies of the tables
// (CREATE TABLE ... (LIKE ... INCLUDING ALL)), the floor of any store,
// drains as many events of issues alone from another sede, and writes
// those issues' rows with one COPY per table (issues-copy, their floor).
// The four alternate in rounds of 10,000 events, in turn first, so that
// they see the same load from the rest of the machine. centrale runs as
// a process of its own (cmd/centrale), so that this process's processor
// time in a drain is the desk's alone. Metrics: events/s of each, the
// ratios forms/copy, forms/issues and issues/issues-copy, the mean size
// of a form, the bytes of WAL an event wrote in each (wal-bytes), and the
// processor time an event cost in each: on PostgreSQL's side (pg-cpu),
// in centrale's process (centrale-cpu) and in the desk's, this one
// (desk-cpu; go-cpu for a copy's encoding of the rows). With
// PINSEDE_PG_STATEMENTS=1 it writes on stderr the statements each of the
// four ran (pg_stat_statements), with the time each took an event: a
// COPY's includes the time it waited for its rows.
func BenchmarkDrainForms(b *testing.B) {
	n := drainEvents()
	const round = 10_000
	pdfs := mv35s(b, 8)
	for range b.N {
		b.StopTimer()
		store, url, ca, pid := centraleProcess(b)
		withForms, _, _ := newLocal(b)
		issues, _, _ := newLocal(b)
		cf := client.New(client.Config{URL: url, HTTP: replicaClient(b, ca, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: withForms, Desk: deskOn(withForms), Now: testclock.Now})
		ci := client.New(client.Config{URL: url, HTTP: replicaClient(b, ca, pki.RoleSede, "ROMA02"), Sede: "ROMA02", Local: issues, Desk: deskOn(issues), Now: testclock.Now})
		createRaw(b, store, "events", "credentials", "forms")
		var took, pgCPU, selfCPUs, centraleCPU [4]time.Duration // forms, copy, issues, issues-copy
		statements := [4]map[string]statementCalls{{}, {}, {}, {}}
		var wal [4]int64 // bytes of WAL written
		for r, first := 0, 0; first < n; r, first = r+1, first+round {
			k := min(round, n-first) &^ 1
			enqueueWithForms(b, withForms, "ROMA01", first/2, k/2, pdfs...)
			enqueue(b, issues, "ROMA02", 1_000_000+first, k)
			items, err := withForms.Outbox(0)
			if err != nil {
				b.Fatal(err)
			}
			issueItems, err := issues.Outbox(0)
			if err != nil {
				b.Fatal(err)
			}
			for j := range 4 {
				v := (r + j) % 4
				pgStatements(b, store) // from here
				wal0 := walLSN(b, store)
				pg0, self0, c0 := pgtest.CPU(), selfCPU(), pgtest.ProcessCPU(pid)
				switch v {
				case 0:
					took[0] += timedPush(b, cf, k)
				case 1:
					took[1] += copyRaw(b, store, items)
				case 2:
					took[2] += timedPush(b, ci, k)
				case 3:
					took[3] += copyRaw(b, store, issueItems)
				}
				pgCPU[v] += pgtest.CPU() - pg0
				selfCPUs[v] += selfCPU() - self0
				centraleCPU[v] += pgtest.ProcessCPU(pid) - c0
				wal[v] += walSince(b, store, wal0)
				for _, c := range pgStatements(b, store) {
					q := strings.Join(strings.Fields(c.query), " ")
					s := statements[v][q]
					s.query = q
					s.calls += c.calls
					s.meanMs += c.meanMs * float64(c.calls) // the total, until divided below
					statements[v][q] = s
				}
			}
		}
		perEvent := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n&^1) }
		names := []string{"forms", "copy", "issues", "issues-copy"}
		for v, name := range names {
			b.ReportMetric(perEvent(pgCPU[v]), name+"-pg-cpu-µs/event")
			b.ReportMetric(float64(wal[v])/float64(n&^1), name+"-wal-bytes/event")
			if v%2 == 1 {
				b.ReportMetric(perEvent(selfCPUs[v]), name+"-go-cpu-µs/event")
				continue
			}
			b.ReportMetric(perEvent(selfCPUs[v]), name+"-desk-cpu-µs/event")
			b.ReportMetric(perEvent(centraleCPU[v]), name+"-centrale-cpu-µs/event")
		}
		for v, name := range names {
			printStatements(b, name, statements[v], n&^1)
		}
		rate := func(d time.Duration) float64 { return float64(n&^1) / d.Seconds() }
		b.ReportMetric(rate(took[0]), "forms-events/s")
		b.ReportMetric(rate(took[1]), "copy-events/s")
		b.ReportMetric(rate(took[2]), "issues-events/s")
		b.ReportMetric(rate(took[3]), "issues-copy-events/s")
		b.ReportMetric(rate(took[0])/rate(took[1]), "forms/copy")
		b.ReportMetric(rate(took[0])/rate(took[2]), "forms/issues")
		b.ReportMetric(rate(took[2])/rate(took[3]), "issues/issues-copy")
		withForms.Close()
		issues.Close()
		store.Close()
	}
	size := 0
	for _, p := range pdfs {
		size += len(p)
	}
	b.ReportMetric(float64(size/len(pdfs)), "form-bytes")
}

// centraleProcess starts the centrale binary on a fresh PostgreSQL
// database, and returns the store on that database (for the floor's
// COPY), centrale's URL, its CA and its process id.
func centraleProcess(b *testing.B) (*pgstore.Store, string, *pki.CA, int) {
	dsn := pgtest.DSN(b)
	dir := b.TempDir()
	bin := testenv.BuildCentrale(b, dir)
	pkiDir := filepath.Join(dir, "pki")
	ca := testenv.PKIDir(b, pkiDir)
	r, err := startReplica(b, bin, pkiDir, dsn)
	if err != nil {
		b.Fatal(err)
	}
	store, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	return store, r.url, ca, r.cmd.Process.Pid
}

// mv35s renders the MV35 of k citizens with ui/slip, as the desk app
// archives it with each credential.
func mv35s(b testing.TB, k int) [][]byte {
	sede := pinsede.Sede{Code: "ROMA01", Name: "Roma Tuscolano", Address: "Via Tuscolana 1, Roma"}
	var out [][]byte
	for i := range k {
		pdf, err := slip.MV35(slip.MV35Form(pinsede.MV35Data{Request: person(i), Document: verification().Document, Sede: sede,
			Operator: "Luca Verdi", Date: testclock.Now()}))
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, pdf)
	}
	return out
}

// selfCPU returns the processor time this process has used, user and
// system.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timedPush pushes the client's whole outbox, which holds want events,
// and returns the time it took, on the benchmark's clock.
func timedPush(b *testing.B, c *client.Client, want int) time.Duration {
	b.StartTimer()
	start := time.Now()
	sent, err := c.Push(context.Background())
	d := time.Since(start)
	b.StopTimer()
	if err != nil || sent != want {
		b.Fatalf("pushed %d of %d: %v", sent, want, err)
	}
	return d
}

// copyRaw writes the rows that centrale writes for items (each event, the
// credential of each issue, the form of each form.archived event) into the
// scratch tables, one COPY per table, and returns the time it took.
func copyRaw(b *testing.B, store *pgstore.Store, items []pinsede.OutboxItem) time.Duration {
	ctx := context.Background()
	now := testclock.Now()
	var events, creds, forms [][]any
	start := time.Now()
	for _, it := range items {
		ev := it.Event
		p, err := json.Marshal(ev)
		if err != nil {
			b.Fatal(err)
		}
		events = append(events, []any{ev.ID, ev.Sede, string(ev.Kind), ev.Time, ev.Credential.ID, "accepted", now, p})
		switch ev.Kind {
		case pinsede.EventIssued:
			c, err := json.Marshal(ev.Credential)
			if err != nil {
				b.Fatal(err)
			}
			creds = append(creds, []any{ev.Credential.ID, string(ev.Credential.CodiceFiscale), ev.Sede, "active", now, c})
		case pinsede.EventFormArchived:
			forms = append(forms, []any{ev.Credential.ID, ev.Form.Kind, it.Form, now})
		}
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"raw_events", []string{"id", "sede", "kind", "time", "credential_id", "verdict", "accepted_at", "payload"}, events},
		{"raw_credentials", []string{"id", "codice_fiscale", "sede", "status", "accepted_at", "credential"}, creds},
		{"raw_forms", []string{"credential_id", "kind", "pdf", "archived_at"}, forms},
	} {
		if _, err := store.Pool().CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			b.Fatalf("copy %s: %v", t.table, err)
		}
	}
	return time.Since(start)
}

// centraleOnPostgres starts centrale on a fresh PostgreSQL store.
func centraleOnPostgres(b *testing.B) (*pgstore.Store, *testenv.Env) {
	store, err := pgstore.Open(context.Background(), pgtest.DSN(b))
	if err != nil {
		b.Fatal(err)
	}
	return store, testenv.New(b, store)
}

// createRaw makes scratch copies of tables, each named raw_ and the
// table's name, for rawInsert and copyRaw to fill.
func createRaw(b *testing.B, store *pgstore.Store, tables ...string) {
	for _, t := range tables {
		if _, err := store.Pool().Exec(context.Background(), fmt.Sprintf(`CREATE TABLE raw_%s (LIKE %s INCLUDING ALL)`, t, t)); err != nil {
			b.Fatal(err)
		}
	}
}

// rawInsert writes the events and their credentials into the scratch
// tables, 500 rows a statement, and returns the time it took.
func rawInsert(b *testing.B, store *pgstore.Store, items []pinsede.OutboxItem) time.Duration {
	ctx := context.Background()
	pool := store.Pool()
	start := time.Now()
	now := testclock.Now()
	for i := 0; i < len(items); i += wire.MaxBatch {
		part := items[i:min(i+wire.MaxBatch, len(items))]
		var ids, sedi, kinds, creds, cfs, payloads, credJSON []string
		var times []time.Time
		for _, it := range part {
			ev := it.Event
			p, _ := json.Marshal(ev)
			cj, _ := json.Marshal(ev.Credential)
			ids, sedi, kinds, creds = append(ids, ev.ID), append(sedi, ev.Sede), append(kinds, string(ev.Kind)), append(creds, ev.Credential.ID)
			cfs, payloads, credJSON = append(cfs, string(ev.Credential.CodiceFiscale)), append(payloads, string(p)), append(credJSON, string(cj))
			times = append(times, ev.Time)
		}
		_, err := pool.Exec(ctx, `INSERT INTO raw_events (id, sede, kind, time, credential_id, verdict, accepted_at, payload)
			SELECT id, sede, kind, t, cred, 'accepted', $7, p::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[]) AS u(id, sede, kind, t, cred, p)`,
			ids, sedi, kinds, times, creds, payloads, now)
		if err != nil {
			b.Fatal(err)
		}
		_, err = pool.Exec(ctx, `INSERT INTO raw_credentials (id, codice_fiscale, sede, status, accepted_at, credential)
			SELECT id, cf, sede, 'active', $5, c::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(id, cf, sede, c)`,
			creds, cfs, sedi, credJSON, now)
		if err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// planStores are the stores the benchmarks of centrale under load compare:
// bbolt; PostgreSQL with the server's default plan cache
// (plan_cache_mode=auto: a generic plan kept from a statement's 6th run,
// as pgstore was before); PostgreSQL as pgstore opens it, each statement
// planned for its values.
var planStores = []struct {
	name string
	open func(t testing.TB) central.Store
}{
	stores[0],
	{"postgres-generic", pgOpener("plan_cache_mode=auto")},
	stores[1],
}

// pgOpener returns what opens pgstore on a fresh test database, with
// params added to its connection string.
func pgOpener(params string) func(t testing.TB) central.Store {
	return func(t testing.TB) central.Store {
		s, err := pgstore.Open(context.Background(), pgtest.DSN(t)+"&"+params)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

// statementCalls is what pg_stat_statements counts of a statement.
type statementCalls struct {
	query          string
	calls          int64
	meanMs, planMs float64 // mean time to run, and to plan a call
}

// pgStatements returns the statements the database of s ran since the
// last call, most called first, and starts counting again: when s is on
// PostgreSQL and the test server loads pg_stat_statements
// (PINSEDE_PG_STATEMENTS=1); nil otherwise.
func pgStatements(b *testing.B, s *pgstore.Store) []statementCalls {
	if s == nil || os.Getenv("PINSEDE_PG_STATEMENTS") != "1" {
		return nil
	}
	ctx := context.Background()
	if _, err := s.Pool().Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		b.Fatal(err)
	}
	rows, err := s.Pool().Query(ctx, `SELECT query, calls, mean_exec_time, total_plan_time / greatest(calls, 1) FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC, query`)
	if err != nil {
		b.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (statementCalls, error) {
		var c statementCalls
		err := r.Scan(&c.query, &c.calls, &c.meanMs, &c.planMs)
		return c, err
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
		b.Fatal(err)
	}
	return out
}

// walLSN returns the database's current WAL position.
func walLSN(b *testing.B, s *pgstore.Store) string {
	var lsn string
	if err := s.Pool().QueryRow(context.Background(), `SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
		b.Fatal(err)
	}
	return lsn
}

// walSince returns the bytes of WAL the database wrote since the
// position from.
func walSince(b *testing.B, s *pgstore.Store, from string) int64 {
	var n int64
	if err := s.Pool().QueryRow(context.Background(), `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint`, from).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// printStatements writes on stderr the statements of byQuery (the
// total time of each in meanMs), the most costly first, per event of n.
func printStatements(b *testing.B, name string, byQuery map[string]statementCalls, n int) {
	if len(byQuery) == 0 {
		return
	}
	calls := slices.SortedFunc(maps.Values(byQuery), func(x, y statementCalls) int { return cmp.Compare(y.meanMs, x.meanMs) })
	var lines strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&lines, "\n%7.1f µs an event, %6d calls: %.100s", c.meanMs*1000/float64(n), c.calls, c.query)
	}
	fmt.Fprintf(os.Stderr, "%s %s: statements (pg_stat_statements):%s\n", b.Name(), name, lines.String())
}

// BenchmarkLoad500 runs 500 simulated sedi at once against centrale, each
// with its own certificate and connection, each pushing batches of 5 issue
// events and pulling its changes in a loop, for 5 seconds. Metrics:
// requests/s, events/s, and the p99 of a request, per store.
func BenchmarkLoad500(b *testing.B) {
	const sedi = 500
	const span = 5 * time.Second
	for _, st := range planStores {
		b.Run(st.name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				store := st.open(b)
				env := testenv.New(b, store)
				// Every sede waits for a push slot rather than being told to
				// come back (503) at the 145th: the closed loop would
				// measure the desks' wait of their next sync.
				env.Server.SetPushLimits(server.PushLimits{Queue: sedi, Wait: 30 * time.Second})
				h := storetest.Hash(b, "ACEFHJKMNPRTUVWX")
				clients := make([]*http.Client, sedi)
				for i := range clients {
					clients[i] = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: env.TLS(b, pki.RoleSede, fmt.Sprintf("S%03d", i))}}
				}
				var reqs, evs atomic.Int64
				var mu sync.Mutex
				var lat []time.Duration
				var wg sync.WaitGroup
				pg, _ := store.(*pgstore.Store)
				pgStatements(b, pg) // from here
				pg0, go0 := pgtest.CPU(), selfCPU()
				b.StartTimer()
				deadline := time.Now().Add(span)
				for i := range sedi {
					wg.Add(1)
					go func() {
						defer wg.Done()
						sede := fmt.Sprintf("S%03d", i)
						var mine []time.Duration
						for k := 0; time.Now().Before(deadline); k++ {
							push := wire.PushRequest{Sede: sede, AuditHead: &wire.AuditHead{}}
							for j := range 5 {
								n := i*100000 + k*5 + j
								push.Events = append(push.Events, storetest.Issued(sede, storetest.CF(n), fmt.Sprintf("%s-%d", sede, n), fmt.Sprintf("%s-c%d", sede, n), h))
							}
							body, _ := json.Marshal(push)
							t0 := time.Now()
							resp, err := clients[i].Post(env.URL+"/v1/events", wire.ContentJSON, bytes.NewReader(body))
							if err != nil || resp.StatusCode != 200 {
								b.Errorf("push: %v %v", err, resp)
								return
							}
							io.Copy(io.Discard, resp.Body) // read to the end, or the connection is not reused
							resp.Body.Close()
							mine = append(mine, time.Since(t0))
							t0 = time.Now()
							resp, err = clients[i].Get(env.URL + "/v1/changes?after=0")
							if err != nil || resp.StatusCode != 200 {
								b.Errorf("pull: %v %v", err, resp)
								return
							}
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							mine = append(mine, time.Since(t0))
							reqs.Add(2)
							evs.Add(5)
						}
						mu.Lock()
						lat = append(lat, mine...)
						mu.Unlock()
					}()
				}
				wg.Wait()
				b.StopTimer()
				n := float64(reqs.Load())
				b.ReportMetric(float64((pgtest.CPU()-pg0).Microseconds())/n, "pg-cpu-µs/req")
				b.ReportMetric(float64((selfCPU()-go0).Microseconds())/n, "go-cpu-µs/req")
				if calls := pgStatements(b, pg); calls != nil {
					var total int64
					var lines strings.Builder
					for _, c := range calls {
						total += c.calls
						fmt.Fprintf(&lines, "\n%8.3f a request, %7.1f µs each, planned in %6.1f: %.80s", float64(c.calls)/n, c.meanMs*1000, c.planMs*1000,
							strings.Join(strings.Fields(c.query), " "))
					}
					// On stderr: a benchmark's log keeps its first lines only.
					fmt.Fprintf(os.Stderr, "%s: statements a request (pg_stat_statements):%s\n", b.Name(), lines.String())
					b.ReportMetric(float64(total)/n, "pg-statements/req")
				}
				b.ReportMetric(n/span.Seconds(), "req/s")
				b.ReportMetric(float64(evs.Load())/span.Seconds(), "events/s")
				b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
				for _, c := range clients {
					c.CloseIdleConnections()
				}
			}
		})
	}
}

// BenchmarkDrainSmall drains an outbox in small pushes of 100 events into
// centrale on PostgreSQL, in rounds of 5,000 events, with each plan cache
// of planStores; their rounds alternate, so that both see the same load
// from the rest of the machine. A plan cached while the
// tables were small, and kept as they grow, shows as rounds that get
// slower. Metrics, per planning: events/s of the first round, of the last,
// and over all.
func BenchmarkDrainSmall(b *testing.B) {
	const rounds, round, batch = 8, 5000, 100
	type drainer struct {
		name        string
		ls          *local.Store
		c           *client.Client
		first, last float64
		total       time.Duration
	}
	for range b.N {
		b.StopTimer()
		var ds []*drainer
		for _, st := range planStores[1:] {
			env := testenv.New(b, st.open(b))
			ls, _, _ := newLocal(b)
			defer ls.Close()
			ds = append(ds, &drainer{name: st.name, ls: ls,
				c: client.New(client.Config{URL: env.URL, HTTP: env.Client(b, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Batch: batch, Now: testclock.Now})})
		}
		for r := range rounds {
			for _, d := range ds {
				enqueue(b, d.ls, "ROMA01", r*round, round)
				b.StartTimer()
				start := time.Now()
				sent, err := d.c.Push(context.Background())
				took := time.Since(start)
				b.StopTimer()
				if err != nil || sent != round {
					b.Fatalf("%s: pushed %d of %d: %v", d.name, sent, round, err)
				}
				d.total += took
				rate := round / took.Seconds()
				if r == 0 {
					d.first = rate
				}
				d.last = rate
			}
		}
		for _, d := range ds {
			b.ReportMetric(d.first, d.name+"-first-events/s")
			b.ReportMetric(d.last, d.name+"-last-events/s")
			b.ReportMetric(rounds*round/d.total.Seconds(), d.name+"-events/s")
		}
	}
}
