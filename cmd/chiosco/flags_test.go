package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
)

// asMainVar, set to 1, makes the test binary run chiosco's main in
// place of the tests (TestMain): TestCentraleTimeoutFlag runs the
// program's own flag handling without building it (about 10 s a build).
const asMainVar = "PINSEDE_TEST_AS_CHIOSCO"

// TestMain runs chiosco's main when asMainVar says so, the tests
// otherwise, through xtest.Main: the X tests' chiosco is built once for
// them all.
func TestMain(m *testing.M) {
	if os.Getenv(asMainVar) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(xtest.Main(m))
}

// Ensure that chiosco takes the timeout of a post to centrale from
// -centrale-timeout, its settings file or PINSEDE_CHIOSCO_CENTRALE_TIMEOUT
// as it takes every flag, and refuses, before it opens a window, a value
// out of 1s..2m with a message that names the bounds and where the value
// came from. There was no such flag: the kiosk gave up on centrale after
// 4 s, whatever the link. A timeout whose send outlasts the time before
// the idle warning (-idle less its 10 s) is refused too, with the most
// -idle lets: the kiosk warned, and wiped, a citizen waiting for their
// ticket while it was sent.
func TestCentraleTimeoutFlag(t *testing.T) {
	if os.Getenv(testclock.Env) != "" {
		t.Skip("chiosco's flags: checked once, on the suite's own day; the clock moves none of it")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "chiosco.toml")
	if err := os.WriteFile(file, []byte("centrale-timeout = \"500ms\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// certs are -centrale's flags, of files that do not exist.
	certs := []string{"-centrale", "https://127.0.0.1:1", "-cert", filepath.Join(dir, "kiosk.crt"),
		"-certkey", filepath.Join(dir, "kiosk.key"), "-ca", filepath.Join(dir, "ca.crt")}
	refused(t, dir, []flagCase{
		{"flag too short", []string{"-centrale-timeout", "0s"}, "",
			"chiosco: L'attesa di centrale 0s (opzione -centrale-timeout della riga di comando) deve essere da 1s a 2m0s: correggila."},
		{"environment too long", nil, "PINSEDE_CHIOSCO_CENTRALE_TIMEOUT=1h",
			"chiosco: L'attesa di centrale 1h0m0s (variabile d'ambiente PINSEDE_CHIOSCO_CENTRALE_TIMEOUT) deve essere da 1s a 2m0s: correggila."},
		{"file too short", []string{"-config", file}, "",
			"chiosco: L'attesa di centrale 500ms (impostazione «centrale-timeout» del file " + file + ") deve essere da 1s a 2m0s: correggila."},
		// Taken: the check after it, of -centrale's certificates, speaks.
		{"flag over the file", []string{"-config", file, "-centrale-timeout", "90s", "-centrale", "https://127.0.0.1:1"}, "",
			"chiosco: Con l'archivio centrale (opzione -centrale della riga di comando) servono anche cert, certkey e ca (pinctl ca issue -role chiosco -code SEDE, e il ca.crt della CA)."},
		{"environment over the file", []string{"-config", file, "-centrale", "https://127.0.0.1:1"}, "PINSEDE_CHIOSCO_CENTRALE_TIMEOUT=2m",
			"chiosco: Con l'archivio centrale (opzione -centrale della riga di comando) servono anche cert, certkey e ca (pinctl ca issue -role chiosco -code SEDE, e il ca.crt della CA)."},
		// Longer than the idle warning lets a citizen wait for their
		// ticket: refused, before the certificates are read.
		{"past the idle warning", append([]string{"-centrale-timeout", "30s"}, certs...), "",
			"chiosco: Con l'attesa di centrale 30s (opzione -centrale-timeout della riga di comando) una richiesta può metterci 1m2s a partire, ma il cittadino che aspetta il biglietto riceve l'avviso di inattività 50s dopo la conferma (inattività 1m0s, opzione -idle della riga di comando): indica un'attesa di al massimo 23s, o un'inattività più lunga."},
		{"the most the idle warning lets", append([]string{"-centrale-timeout", "23s"}, certs...), "",
			"chiosco: Il file " + certs[len(certs)-1] + " (opzione -ca della riga di comando) non esiste: controlla il percorso."},
		{"with a longer -idle", append([]string{"-centrale-timeout", "2m", "-idle", "5m"}, certs...), "",
			"chiosco: Il file " + certs[len(certs)-1] + " (opzione -ca della riga di comando) non esiste: controlla il percorso."},
	})
}

// Ensure that chiosco refuses, before it opens a window, an -idle out of
// 30s..10m, from the command line, its settings file or the environment,
// naming the bounds and where the value came from: -idle 8h kept a
// citizen's answers on the shared screen for the day, a negative one
// wiped every citizen at the first second.
func TestIdleFlag(t *testing.T) {
	if os.Getenv(testclock.Env) != "" {
		t.Skip("chiosco's flags: checked once, on the suite's own day; the clock moves none of it")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "chiosco.toml")
	if err := os.WriteFile(file, []byte("idle = \"8h\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// certs are -centrale's flags, of files that do not exist: an -idle
	// taken goes on to read them.
	certs := []string{"-centrale", "https://127.0.0.1:1", "-cert", filepath.Join(dir, "kiosk.crt"),
		"-certkey", filepath.Join(dir, "kiosk.key"), "-ca", filepath.Join(dir, "ca.crt")}
	taken := "chiosco: Il file " + certs[len(certs)-1] + " (opzione -ca della riga di comando) non esiste: controlla il percorso."
	refused(t, dir, []flagCase{
		{"flag negative", append([]string{"-idle", "-1s"}, certs...), "", "chiosco: L'inattività -1s (opzione -idle della riga di comando) deve essere da 30s a 10m0s: correggila."},
		{"flag too short", append([]string{"-idle", "29s"}, certs...), "", "chiosco: L'inattività 29s (opzione -idle della riga di comando) deve essere da 30s a 10m0s: correggila."},
		{"file too long", append([]string{"-config", file}, certs...), "", "chiosco: L'inattività 8h0m0s (impostazione «idle» del file " + file + ") deve essere da 30s a 10m0s: correggila."},
		{"environment too long", certs, "PINSEDE_CHIOSCO_IDLE=11m", "chiosco: L'inattività 11m0s (variabile d'ambiente PINSEDE_CHIOSCO_IDLE) deve essere da 30s a 10m0s: correggila."},
		{"the least", append([]string{"-idle", "30s"}, certs...), "", taken},
		{"the most", append([]string{"-idle", "10m"}, certs...), "", taken},
	})
}

// flagCase is a run of chiosco's main with args and, when set, the
// environment variable env, which must exit 2 saying want.
type flagCase struct {
	name string
	args []string
	env  string
	want string
}

// refused runs chiosco's main, the test binary itself (asMainVar), once
// a case, with HOME and the configuration's folder in dir.
func refused(t *testing.T, dir string, cases []flagCase) {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = []string{asMainVar + "=1", "HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "PATH=" + os.Getenv("PATH")}
		if c.env != "" {
			cmd.Env = append(cmd.Env, c.env)
		}
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), c.want+"\n") {
			t.Errorf("%s: chiosco %s: %v, said:\n%s\nwant exit 2 and %q", c.name, strings.Join(c.args, " "), err, out, c.want)
		}
	}
}

// Ensure that chiosco says its command line in the staff's language,
// Italian unless the locale says English: a key of chiosco.toml
// mistyped, an option it has not, two printers, certificates without
// centrale, an exit code not typed (it said "no code on standard input
// <nil>"), and -h (all were English only).
func TestCommandLineLanguage(t *testing.T) {
	if os.Getenv(testclock.Env) != "" {
		t.Skip("chiosco's flags: checked once, on the suite's own day; the clock moves none of it")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "chiosco.toml")
	if err := os.WriteFile(file, []byte("sed = \"Roma Eur\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused(t, dir, []flagCase{
		{"key mistyped", []string{"-config", file}, "", "chiosco: Nel file delle impostazioni " + file +
			", alla riga 1, «sed» non è un'impostazione di chiosco: correggi il nome (le impostazioni sono le opzioni che elenca chiosco -h) o togli la riga."},
		{"option unknown, in English", []string{"-sedee", "Roma"}, "LANG=en_US.UTF-8",
			"chiosco: chiosco has no option -sedee: correct the command (chiosco -h lists the options)."},
		{"two printers", []string{"-printer", "chiosco"}, "PINSEDE_CHIOSCO_TICKET_DIR=" + dir, "chiosco: Sono indicate sia una stampante " +
			"(opzione -printer della riga di comando) sia la cartella dei biglietti in PDF (variabile d'ambiente PINSEDE_CHIOSCO_TICKET_DIR): tieni solo una delle due."},
		{"certificates without centrale", []string{"-cert", file}, "",
			"chiosco: cert, certkey e ca servono solo con l'archivio centrale (centrale): indicalo, o togli i certificati."},
		{"no exit code", []string{"-hash-exit-code"}, "", "chiosco: Nessun codice sullo standard input: scrivi il codice di uscita del supervisore su una riga " +
			"(echo 'CODICE' | chiosco -hash-exit-code, o digitalo e premi Invio)."},
	})
	bin := xtest.Build(t, "chiosco")
	for _, c := range []struct {
		env  string
		want []string
	}{
		{"LANG=it_IT.UTF-8", []string{"uso: chiosco -sede NOME", "  -idle inattività\n    \tazzera la sessione dopo questa inattività (con un avviso di 10 s; da 30s a 10m0s) (predefinito: 1m0s)"}},
		{"LC_ALL=en_GB.UTF-8", []string{"usage: chiosco -sede NAME", "  -spool folder\n    \tthe spool folder the desks take the requests from"}},
	} {
		cmd := exec.Command(bin, "-h")
		cmd.Env = []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir, c.env}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s chiosco -h: %v\n%s", c.env, err, out)
		}
		for _, w := range c.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s chiosco -h does not say %q:\n%s", c.env, w, out)
			}
		}
	}
}
