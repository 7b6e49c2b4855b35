package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	bolt "go.etcd.io/bbolt"
)

func init() {
	// Cheap hashes: the tests set many passwords.
	passwordParams = pinsede.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}
}

// sandbox is a temporary folder for a store and its key.
type sandbox struct {
	store, key string
	now        func() time.Time // pinctl's clock: the suite's
}

func newSandbox(t *testing.T) sandbox {
	dir := t.TempDir()
	return sandbox{store: filepath.Join(dir, "data", "sportello.db"), key: filepath.Join(dir, "config", "store.key"), now: testclock.Now}
}

// result is what a pinctl run gave.
type result struct {
	code           int
	stdout, stderr string
}

// run runs pinctl on the sandbox's store with stdin and args.
func (sb sandbox) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut strings.Builder
	code := run(append([]string{"-store", sb.store, "-key", sb.key}, args...), strings.NewReader(stdin), &out, &errOut, sb.now)
	return result{code, out.String(), errOut.String()}
}

// must runs pinctl and fails the test unless it exits 0.
func (sb sandbox) must(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	r := sb.run(t, stdin, args...)
	if r.code != exitOK {
		t.Fatalf("pinctl %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// initCmd is a valid pinctl init.
var initCmd = []string{"init", "-sede-code", "ROMA01", "-sede-name", "Roma Eur", "-sede-address", "Viale dell'Aeronautica 1, Roma",
	"-id", "a.verdi", "-name", "Anna Verdi", "-password-stdin"}

// setUp returns a sandbox with a store set up by pinctl init.
func setUp(t *testing.T) sandbox {
	sb := newSandbox(t)
	sb.must(t, "una-password-lunga\n", initCmd...)
	return sb
}

// Ensure that a supervisor can set up the sede, add, list and disable
// operators, and that the audit chain records it all.
func TestWorkflow(t *testing.T) {
	sb := newSandbox(t)
	r := sb.must(t, "una-password-lunga\n", initCmd...)
	if !strings.Contains(r.stdout, "ROMA01") || !strings.Contains(r.stdout, "a.verdi") {
		t.Errorf("init says:\n%s", r.stdout)
	}
	for _, p := range []string{sb.store, sb.key} {
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
	}

	r = sb.must(t, "altra-password-lunga\n", "operator", "add", "-id", "m.rossi", "-name", "Mario Rossi", "-role", "operatore", "-password-stdin")
	if !strings.Contains(r.stdout, "password temporanea: la cambierà al primo accesso") {
		t.Errorf("operator add says %q, want that the password is a temporary one", r.stdout)
	}
	sb.must(t, "terza-password-lunga\n", "operator", "add", "-id", "g.bianchi", "-name", "Giulia Bianchi", "-role", "supervisore", "-password-stdin")

	r = sb.must(t, "", "operator", "list")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("list:\n%s", r.stdout)
	}
	for i, want := range [][]string{
		{"a.verdi", "Anna Verdi", "supervisore", "attivo", "mai"},
		{"g.bianchi", "Giulia Bianchi", "supervisore", "attivo", "mai"},
		{"m.rossi", "Mario Rossi", "operatore", "attivo", "mai"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("row %d %q lacks %q", i+1, lines[i+1], w)
			}
		}
	}

	sb.must(t, "", "operator", "disable", "m.rossi")
	sb.must(t, "", "operator", "disable", "g.bianchi")
	r = sb.must(t, "", "operator", "list")
	if n := strings.Count(r.stdout, "disabilitato"); n != 2 {
		t.Errorf("%d disabled, want 2:\n%s", n, r.stdout)
	}

	r = sb.run(t, "", "operator", "disable", "a.verdi")
	if r.code != exitFail || !strings.Contains(r.stderr, "l'ultimo supervisore attivo") {
		t.Errorf("disabling the last supervisor: exit %d\n%s", r.code, r.stderr)
	}

	// Enabled again, its password reset (it must change it), unlocked.
	sb.must(t, "", "operator", "enable", "g.bianchi")
	r = sb.must(t, "temporanea-2026\n", "operator", "reset-password", "-password-stdin", "g.bianchi")
	if !strings.Contains(r.stdout, "password temporanea") {
		t.Errorf("reset-password says %q", r.stdout)
	}
	sb.must(t, "", "operator", "unlock", "g.bianchi") // recorded though not locked here: the sede's other desks count their own
	if r = sb.run(t, "", "operator", "enable", "nessuno"); r.code != exitFail || !strings.Contains(r.stderr, "non trovato") {
		t.Errorf("enabling an unknown operator: exit %d\n%s", r.code, r.stderr)
	}
	r = sb.must(t, "", "operator", "list")
	if n := strings.Count(r.stdout, "disabilitato"); n != 1 {
		t.Errorf("%d disabled after the enable, want 1:\n%s", n, r.stdout)
	}

	r = sb.must(t, "", "audit", "verify")
	// setup, 3 operators added, 2 disabled, 1 enabled, 1 password reset, 1 unlock
	if want := "catena di audit integra: 9 voci\n"; r.stdout != want {
		t.Errorf("audit verify says %q, want %q", r.stdout, want)
	}
}

// Ensure that bad arguments print the usage to stderr and exit 2, before
// anything is written.
func TestBadArguments(t *testing.T) {
	sb := setUp(t)
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no command", "", nil, "manca il comando"},
		{"unknown command", "", []string{"operator", "remove", "x"}, "comando sconosciuto: operator remove"},
		{"unknown global flag", "", []string{"-verbose", "operator", "list"}, "opzione sconosciuta: -verbose"},
		{"unknown flag", "", []string{"operator", "add", "-id", "x.y", "-force"}, "opzione sconosciuta: -force"},
		{"flag without value", "", []string{"operator", "add", "-id"}, "manca il valore dell'opzione -id"},
		{"missing flags", "", []string{"init", "-sede-code", "X1"}, "mancano le opzioni -sede-name, -sede-address, -id, -name"},
		{"stray argument", "", []string{"operator", "list", "tutti"}, "argomento inatteso: tutti"},
		{"no id", "", []string{"operator", "disable"}, "manca l'id"},
		{"two ids", "", []string{"operator", "disable", "a", "b"}, "un solo id per volta"},
		{"bad role", "password-lunga-1\n", []string{"operator", "add", "-id", "x.y", "-name", "X Y", "-role", "capo", "-password-stdin"}, `ruolo "capo" sconosciuto`},
		{"password not on a terminal", "", []string{"operator", "add", "-id", "x.y", "-name", "X Y", "-role", "operatore"}, "usa -password-stdin"},
		{"empty stdin", "", []string{"operator", "add", "-id", "x.y", "-name", "X Y", "-role", "operatore", "-password-stdin"}, "manca la password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sb.run(t, tc.stdin, tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d", r.code, exitUsage)
			}
			if !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "uso: pinctl") {
				t.Errorf("stderr lacks %q and the usage:\n%s", tc.want, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
		})
	}
	if r := sb.must(t, "", "operator", "list"); strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("the bad arguments changed the operators:\n%s", r.stdout)
	}
}

// Ensure that -h prints the usage to stdout and exits 0.
func TestHelp(t *testing.T) {
	sb := newSandbox(t)
	for _, args := range [][]string{{"-h"}, {"operator", "add", "-h"}, {"audit", "verify", "-help"}} {
		r := sb.run(t, "", args...)
		if r.code != exitOK || !strings.HasPrefix(r.stdout, "uso: pinctl") {
			t.Errorf("pinctl %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stdout)
		}
	}
}

// Ensure that a short password is refused in Italian, and no store is
// made for nothing.
func TestShortPassword(t *testing.T) {
	sb := newSandbox(t)
	r := sb.run(t, "corta\n", initCmd...)
	if r.code != exitFail || !strings.Contains(r.stderr, "\n  password: La password deve avere almeno 10 caratteri.") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(sb.store); !os.IsNotExist(err) {
		t.Errorf("a store was made: %v", err)
	}

	sb = setUp(t)
	r = sb.run(t, "corta\n", "operator", "add", "-id", "m.rossi", "-name", "Mario Rossi", "-role", "operatore", "-password-stdin")
	if r.code != exitFail || !strings.Contains(r.stderr, "almeno 10 caratteri") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
}

// Ensure that invalid fields are each named by their flag, with an
// Italian message.
func TestFieldErrors(t *testing.T) {
	sb := newSandbox(t)
	args := []string{"init", "-sede-code", "R", "-sede-name", "Roma", "-sede-address", "Via X 1",
		"-id", "a verdi", "-name", "Anna Verdi", "-password-stdin"}
	r := sb.run(t, "una-password-lunga\n", args...)
	if r.code != exitFail {
		t.Errorf("exit %d", r.code)
	}
	for _, want := range []string{"dati non validi:", "\n  -sede-code: Codice non valido", "\n  -id: Codice non valido"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}

	sb = setUp(t)
	r = sb.run(t, "altra-password-lunga\n", "operator", "add", "-id", "a.verdi", "-name", "Anna Verdi", "-role", "operatore", "-password-stdin")
	if r.code != exitFail || !strings.Contains(r.stderr, "\n  -id: Esiste già un operatore con questo identificativo.") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
}

// Ensure that init sets up a store that exists without a sede, and refuses
// a sede already set up.
func TestInitExistingStore(t *testing.T) {
	sb := newSandbox(t)
	s, err := local.Create(sb.store, sb.key)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	r := sb.run(t, "", "operator", "list")
	if r.code != exitFail || !strings.Contains(r.stderr, "la sede non è ancora configurata: usa pinctl init") {
		t.Errorf("list before set-up: exit %d:\n%s", r.code, r.stderr)
	}
	sb.must(t, "una-password-lunga\n", initCmd...)
	r = sb.run(t, "una-password-lunga\n", initCmd...)
	if r.code != exitFail || !strings.Contains(r.stderr, "la sede è già configurata") {
		t.Errorf("second init: exit %d:\n%s", r.code, r.stderr)
	}

	// A new PC with the key but not the store: init sent the operator in
	// a circle ("crea l'archivio con pinctl init").
	if err := os.Remove(sb.store); err != nil {
		t.Fatal(err)
	}
	r = sb.run(t, "una-password-lunga\n", initCmd...)
	if r.code != exitFail || !strings.Contains(r.stderr, "pinctl restore -from") || strings.Contains(r.stderr, "pinctl init") {
		t.Errorf("init with the key and no store: exit %d:\n%s", r.code, r.stderr)
	}
}

// Ensure that the store's failures say what to do.
func TestStoreErrors(t *testing.T) {
	sb := setUp(t)

	missing := sandbox{store: filepath.Join(t.TempDir(), "none.db"), key: sb.key}
	r := missing.run(t, "", "operator", "list")
	if r.code != exitFail || !strings.Contains(r.stderr, "archivio non trovato in "+missing.store) || !strings.Contains(r.stderr, "pinctl init") {
		t.Errorf("no store: exit %d:\n%s", r.code, r.stderr)
	}

	other := newSandbox(t)
	other.must(t, "una-password-lunga\n", initCmd...)
	wrong := sandbox{store: sb.store, key: other.key}
	r = wrong.run(t, "", "audit", "verify")
	if r.code != exitFail || !strings.Contains(r.stderr, "la chiave "+other.key+" non apre l'archivio") {
		t.Errorf("wrong key: exit %d:\n%s", r.code, r.stderr)
	}

	noKey := sandbox{store: sb.store, key: filepath.Join(t.TempDir(), "none.key")}
	r = noKey.run(t, "", "audit", "verify")
	if r.code != exitFail || !strings.Contains(r.stderr, "file della chiave non trovato in "+noKey.key) {
		t.Errorf("no key: exit %d:\n%s", r.code, r.stderr)
	}

	s, err := local.Open(sb.store, sb.key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r = sb.run(t, "", "operator", "list")
	if r.code != exitFail || !strings.Contains(r.stderr, "l'archivio è già aperto da un altro programma (sportello?): chiudilo e riprova") {
		t.Errorf("already open: exit %d:\n%s", r.code, r.stderr)
	}
}

// Ensure that audit verify reports a removed entry and exits 1, and that
// pinctl backup keeps a copy of the store as it is. The test
// removes it with bbolt, as an intruder with the file would: it knows the
// local store's layout (bucket "audit", keys the big-endian position).
func TestAuditVerifyBroken(t *testing.T) {
	sb := setUp(t)
	sb.must(t, "altra-password-lunga\n", "operator", "add", "-id", "m.rossi", "-name", "Mario Rossi", "-role", "operatore", "-password-stdin")
	db, err := bolt.Open(sb.store, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("audit")).Delete(binary.BigEndian.AppendUint64(nil, 2))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := sb.run(t, "", "audit", "verify")
	if r.code != exitFail {
		t.Errorf("exit %d, want %d", r.code, exitFail)
	}
	for _, want := range []string{"catena di audit NON integra: 2 voci, 1 problemi", "\nvoce 2: mancante ("} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "avvisa il responsabile") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	// The copy audit verify asks for is written: the evidence, not a
	// damaged store.
	sb.must(t, "", "backup", "-out", filepath.Join(t.TempDir(), "prova.db"))
}

// Ensure that the messages of the forms pinctl fills come from the
// translations of the user interface, with their templates filled in.
func TestMessages(t *testing.T) {
	for _, tc := range []struct {
		key  string
		args map[string]any
		want string
	}{
		{pinsede.KeyRequired, nil, "obbligatorio"},
		{pinsede.KeyCodeFormat, nil, "Codice non valido"},
		{pinsede.KeyPasswordShort, map[string]any{"Min": 10}, "almeno 10 caratteri"},
		{"err.operator.exists", nil, "Esiste già un operatore"},
		{pinsede.KeyCFCheck, map[string]any{"Want": "X"}, "X"},
		{"err.nessuna.chiave", nil, "err.nessuna.chiave"},
	} {
		if got := message(tc.key, tc.args); !strings.Contains(got, tc.want) || strings.Contains(got, "{{") {
			t.Errorf("message(%s) = %q, want it to say %q", tc.key, got, tc.want)
		}
	}
}

// Ensure that the list says whether an account is active, disabled or
// locked, and until when.
func TestOperatorState(t *testing.T) {
	now := time.Date(2026, time.November, 23, 10, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		op   pinsede.Operator
		want string
	}{
		{pinsede.Operator{}, "attivo"},
		{pinsede.Operator{Disabled: true, LockedUntil: now.Add(time.Hour)}, "disabilitato"},
		{pinsede.Operator{LockedUntil: now.Add(2 * time.Minute)}, "bloccato fino a 23/11/2026 10:02"},
		{pinsede.Operator{LockedUntil: now.Add(-time.Minute)}, "attivo"},
	} {
		if got := operatorState(tc.op, now); got != tc.want {
			t.Errorf("operatorState(%+v) = %q, want %q", tc.op, got, tc.want)
		}
	}
}

// Ensure that pinctl -version prints the program, its version and its
// commit, and opens no store.
func TestVersion(t *testing.T) {
	sb := newSandbox(t)
	r := sb.must(t, "", "-version")
	if !strings.HasPrefix(r.stdout, "pinctl ") || !strings.Contains(r.stdout, "commit ") {
		t.Errorf("pinctl -version says %q", r.stdout)
	}
	if _, err := os.Stat(sb.store); err == nil {
		t.Error("-version created the store")
	}
}
