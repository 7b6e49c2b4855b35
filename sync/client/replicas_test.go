package client_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// replicaLockAfter is the wrong PINs that lock a credential in the
// replicas of TestReplicas.
const replicaLockAfter = 3

// replica is a centrale process of TestReplicas.
type replica struct {
	url    string
	cmd    *exec.Cmd
	killed atomic.Bool
	// logs is what it wrote, its standard output line by line: a test
	// waits for a line (testlog.Buffer.Await).
	logs testlog.Buffer
}

// kill ends the replica with SIGKILL, as a crash would.
func (r *replica) kill() error {
	r.killed.Store(true)
	return r.cmd.Process.Kill()
}

// startReplica runs the centrale binary bin on the PostgreSQL at dsn with
// the CA folder pkiDir, waits for its "centrale listening" line and
// returns it; it is stopped (SIGINT) when the test ends. It may run on
// any goroutine.
func startReplica(t testing.TB, bin, pkiDir, dsn string) (*replica, error) {
	// The events carry the suite's clock (storetest.T0), which may be
	// another day than the processes' real one (PINSEDE_TEST_NOW): the
	// window of event times is opened wide. The PIN checks are limited by
	// nothing but the slots, and wait for one as long as the test lasts.
	cmd := exec.Command(bin, "-pki", pkiDir, "-listen", "127.0.0.1:0", "-manage", "127.0.0.1:0", "-postgres", dsn,
		"-lock-after", fmt.Sprint(replicaLockAfter),
		"-pin-params", pinsede.DefaultPINParams.String(), "-pin-params", storetest.CheapArgon2.String(),
		"-max-clock-skew", "876000h", "-max-event-age", "876000h",
		"-verify-wait", "10m", "-verify-queue", "1000",
		"-verify-cert-rate", "1e9", "-verify-cert-burst", "1000000", "-verify-cf-rate", "1e9", "-verify-cf-burst", "1000000")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start centrale: %w", err)
	}
	r := &replica{cmd: cmd}
	cmd.Stderr = &r.logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start centrale: %w", err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		<-done
		if err := cmd.Wait(); err != nil && !r.killed.Load() {
			t.Errorf("replica %s: %v\n%s", r.url, err, r.String())
		}
		if t.Failed() {
			t.Logf("replica %s:\n%s", r.url, r.String())
		}
	})
	addr := make(chan string, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			r.logs.Write([]byte(line + "\n"))
			if _, rest, ok := strings.Cut(line, `msg="centrale listening" addr=`); ok {
				a, _, _ := strings.Cut(rest, " ")
				addr <- a
			}
		}
		close(addr)
	}()
	a, ok := <-addr
	if !ok {
		return nil, fmt.Errorf("centrale did not start:\n%s", r.String())
	}
	r.url = "https://" + a
	return r, nil
}

// String returns what the replica wrote.
func (r *replica) String() string { return r.logs.String() }

// replicaClient is an HTTPS client with a certificate of role and code.
func replicaClient(t testing.TB, ca *pki.CA, role pki.Role, code string) *http.Client {
	return testenv.CertClient(t, ca.CertPEM(), func() ([]byte, []byte, error) { return ca.Issue(role, code, time.Now()) })
}

// Ensure that three centrale processes on one PostgreSQL, with sedi
// pushing and portals checking PINs through all of them in turn, keep the
// guarantees of the conformance suite: each event applied exactly once
// when the same push reaches every replica at once, one active PIN per
// person when sedi issue for the same people at once through different
// replicas, and a wrong-PIN lock that counts the checks of every replica
// as one.
func TestReplicas(t *testing.T) {
	const replicas, sedi, people = 3, 3, 4
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	bin := testenv.BuildCentrale(t, dir)
	pkiDir := filepath.Join(dir, "pki")
	ca := testenv.PKIDir(t, pkiDir)
	// All start together on the empty database: one migrates it, under
	// the migrations' advisory lock, and the others find it done.
	rs := make([]*replica, replicas)
	errs := make([]error, replicas)
	storetest.Together(replicas, func(i int) { rs[i], errs[i] = startReplica(t, bin, pkiDir, dsn) })
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// Each replica reads the same crl.pem, and says its number.
	monitor := replicaClient(t, ca, pki.RolePortal, "MONITOR")
	var crl string
	for i, r := range rs {
		var h wire.Health
		if err := testenv.Call(monitor, r.url+"/v1/health", nil, &h); err != nil || h.Status != "ok" || h.Store != "postgres" || h.CRLNumber == "" {
			t.Errorf("replica %d health: %+v, %v", i, h, err)
		} else if i > 0 && h.CRLNumber != crl {
			t.Errorf("replica %d says revocation list %s, replica 0 %s", i, h.CRLNumber, crl)
		}
		if i == 0 {
			crl = h.CRLNumber
		}
	}
	store, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")

	// Every sede issues for the same people, and sends its push to every
	// replica: all the pushes released together.
	sedeClients := make([]*http.Client, sedi)
	pushes := make([]wire.PushRequest, sedi)
	for s := range sedi {
		code := fmt.Sprintf("S%d", s+1)
		sedeClients[s] = replicaClient(t, ca, pki.RoleSede, code)
		pushes[s].Sede, pushes[s].AuditHead = code, &wire.AuditHead{}
		for p := range people {
			pushes[s].Events = append(pushes[s].Events, storetest.Issued(code, storetest.CF(p), fmt.Sprintf("e%d", p), fmt.Sprintf("%s-c%d", code, p), h))
		}
	}
	answers := make([]wire.PushResponse, sedi*replicas)
	errs = make([]error, len(answers))
	storetest.Together(len(answers), func(i int) {
		s, r := i/replicas, i%replicas
		errs[i] = testenv.Call(sedeClients[s], rs[r].url+"/v1/events", pushes[s], &answers[i])
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
	}
	for s := range sedi {
		for e, ev := range pushes[s].Events {
			applied := 0
			for r := range replicas {
				res := answers[s*replicas+r].Results
				if len(res) != people || res[e].ID != ev.ID {
					t.Fatalf("sede %d, replica %d: answers %+v", s, r, res)
				}
				switch res[e].Verdict {
				case wire.Accepted, wire.Superseded:
					applied++
				case wire.Duplicate:
				default:
					t.Errorf("event %s of %s through replica %d: %+v", ev.ID, pushes[s].Sede, r, res[e])
				}
			}
			if applied != 1 {
				t.Errorf("event %s of %s applied %d times by %d replicas, want once", ev.ID, pushes[s].Sede, applied, replicas)
			}
		}
	}
	if n, err := store.Events(ctx); err != nil || n != sedi*people {
		t.Errorf("events held: %d, %v; want %d", n, err, sedi*people)
	}
	for p := range people {
		recs, err := store.Credentials(ctx, storetest.CF(p))
		if err != nil {
			t.Fatal(err)
		}
		active := 0
		for _, r := range recs {
			if r.Status == central.StatusActive {
				active++
			}
		}
		if len(recs) != sedi || active != 1 {
			t.Errorf("person %d: %d credentials, %d active; want %d, 1", p, len(recs), active, sedi)
		}
	}

	// Every sede sees the same changes through every replica.
	for s := range sedi {
		var first wire.ChangesResponse
		for r := range replicas {
			var got wire.ChangesResponse
			if err := testenv.Call(sedeClients[s], rs[r].url+"/v1/changes?after=0", nil, &got); err != nil {
				t.Fatal(err)
			}
			if r == 0 {
				first = got
			} else if !reflect.DeepEqual(got, first) {
				t.Errorf("sede %d: replica %d answers %+v, replica 0 %+v", s, r, got, first)
			}
		}
	}

	// The portals check each person's PIN through the replicas in turn.
	portals := []*http.Client{replicaClient(t, ca, pki.RolePortal, "PORTALE1"), replicaClient(t, ca, pki.RolePortal, "PORTALE2")}
	for p := range people {
		var got wire.VerifyResponse
		req := wire.VerifyRequest{CodiceFiscale: string(storetest.CF(p)), PIN: "ACEFHJKMNPRTUVWX"}
		if err := testenv.Call(portals[p%len(portals)], rs[p%replicas].url+"/v1/pin/verify", req, &got); err != nil {
			t.Fatal(err)
		}
		if got.Outcome != wire.ChangeRequired {
			t.Errorf("person %d, replica %d: %+v, want %s", p, p%replicas, got, wire.ChangeRequired)
		}
	}

	// Wrong PINs for one person, released together through every replica,
	// lock the credential once, exactly as one centrale would: the lock
	// is in the database, not in the processes.
	cf := storetest.CF(people)
	iss := storetest.Issued("S1", cf, "lock1", "S1-lock", h)
	var pushed wire.PushResponse
	if err := testenv.Call(sedeClients[0], rs[0].url+"/v1/events", wire.PushRequest{Sede: "S1", AuditHead: &wire.AuditHead{}, Events: []pinsede.Event{iss}}, &pushed); err != nil {
		t.Fatal(err)
	}
	const guesses = 4 * replicas
	verdicts := make([]wire.VerifyResponse, guesses)
	errs = make([]error, guesses)
	storetest.Together(guesses, func(i int) {
		req := wire.VerifyRequest{CodiceFiscale: string(cf), PIN: "ACEFHJKMNPRTUVWY"}
		errs[i] = testenv.Call(portals[i%len(portals)], rs[i%replicas].url+"/v1/pin/verify", req, &verdicts[i])
	})
	for i := range guesses {
		if errs[i] != nil || verdicts[i] != (wire.VerifyResponse{Outcome: wire.Wrong}) {
			t.Errorf("guess %d through replica %d: %+v, %v; want only %s", i, i%replicas, verdicts[i], errs[i], wire.Wrong)
		}
	}
	rec, err := store.Current(ctx, cf, central.SlotPIN)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Lock.Temporary != 1 || rec.Lock.Permanent || rec.Failures != 0 || rec.Lock.Until.IsZero() {
		t.Errorf("after %d wrong PINs through %d replicas: failures %d, lock %+v; want one temporary lock, counted from %d",
			guesses, replicas, rec.Failures, rec.Lock, replicaLockAfter)
	}
	for r := range replicas {
		var got wire.VerifyResponse
		req := wire.VerifyRequest{CodiceFiscale: string(cf), PIN: "ACEFHJKMNPRTUVWX"}
		if err := testenv.Call(portals[0], rs[r].url+"/v1/pin/verify", req, &got); err != nil || got.Outcome != wire.Wrong {
			t.Errorf("the right PIN while locked, through replica %d: %+v, %v; want %s", r, got, err, wire.Wrong)
		}
	}
	if after, err := store.Current(ctx, cf, central.SlotPIN); err != nil || !reflect.DeepEqual(after.Lock, rec.Lock) || after.Failures != 0 {
		t.Errorf("the lock changed while it held: %+v, %v; was %+v", after.Lock, err, rec.Lock)
	}
}

// Ensure that `centrale restore -postgres` refuses the database a
// centrale replica serves, saying how many connections and from where,
// and leaves its epoch; and that -force gives it a new one all the same.
// On main it ran silently, and the replicas went on with the old epoch.
func TestRestoreRefusedWhileServing(t *testing.T) {
	testclock.RealDayOnly(t, "restore refused while a replica serves")
	dsn, bin, pkiDir, ca := replicaSetup(t)
	r, err := startReplica(t, bin, pkiDir, dsn)
	if err != nil {
		t.Fatal(err)
	}
	var h wire.Health
	if err := testenv.Call(replicaClient(t, ca, pki.RolePortal, "MONITOR"), r.url+"/v1/health", nil, &h); err != nil {
		t.Fatal(err)
	}
	store, err := pgstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	before, err := store.Epoch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	restore := func(args ...string) (int, string) {
		out, err := exec.Command(bin, append([]string{"restore", "-postgres", dsn}, args...)...).CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	code, out := restore()
	if want := "centrale is connected to this database ("; code != 1 || !strings.Contains(out, want) || !strings.Contains(out, " from 127.0.0.1") {
		t.Errorf("restore with a replica serving: exit %d, %q; want 1 and %q, naming 127.0.0.1", code, out, want)
	}
	if now, err := store.Epoch(t.Context()); err != nil || now != before {
		t.Errorf("epoch %v after the restore refused, was %v (%v)", now, before, err)
	}
	if code, out := restore("-force"); code != 0 || !strings.Contains(out, "store epoch ") {
		t.Errorf("restore -force: exit %d, %q", code, out)
	}
	if now, err := store.Epoch(t.Context()); err != nil || now == before {
		t.Errorf("epoch %v after restore -force, was %v (%v)", now, before, err)
	}
}

// Ensure that a centrale started with -lock-after 20 beside one with 3
// on the same PostgreSQL finds it at start: one WARN line naming the
// other replica and the setting, and /v1/health degraded, naming it,
// with its own settings' fingerprint. On main the wrong-PIN lock
// depended silently on which replica answered.
func TestReplicaSettingsDiffer(t *testing.T) {
	dsn, bin, pkiDir, ca := replicaSetup(t)
	args := func(lockAfter string) []string {
		return []string{"-pki", pkiDir, "-listen", "127.0.0.1:0", "-manage", "", "-admin", "", "-postgres", dsn, "-lock-after", lockAfter}
	}
	first, _ := testenv.StartCentrale(t, bin, "replica settings published", args("3")...)
	second, differ := testenv.StartCentrale(t, bin, "another replica serving this store has other settings: the same request is judged otherwise by each; start them all with the same", args("20")...)
	if want := `differ="lock_after=3 (here 20)"`; !strings.Contains(differ, want) {
		t.Errorf("the second replica's line: %q, want %q", differ, want)
	}
	_, addr, _ := strings.Cut(second.Logs(), `msg="centrale listening" addr=`)
	addr, _, _ = strings.Cut(addr, " ")
	var h wire.Health
	if err := testenv.Call(replicaClient(t, ca, pki.RolePortal, "MONITOR"), "https://"+addr+"/v1/health", nil, &h); err != nil {
		t.Fatal(err)
	}
	if want := "lock_after=3 (here 20)"; h.Status != "degraded" || len(h.Settings) != 16 || !strings.Contains(h.ReplicasDiffer, want) {
		t.Errorf("the second replica's health: %+v; want degraded, its settings' fingerprint, and %q", h, want)
	}
	if !strings.Contains(first.Logs(), "other_replicas=0") {
		t.Errorf("the first replica saw others at start:\n%s", first.Logs())
	}
}

// replicaSetup returns what replicas of a test run on: a database of the
// test PostgreSQL, the centrale binary, and a CA folder with its CA.
func replicaSetup(t *testing.T) (dsn, bin, pkiDir string, ca *pki.CA) {
	dsn = pgtest.DSN(t)
	dir := t.TempDir()
	bin = testenv.BuildCentrale(t, dir)
	pkiDir = filepath.Join(dir, "pki")
	return dsn, bin, pkiDir, testenv.PKIDir(t, pkiDir)
}
