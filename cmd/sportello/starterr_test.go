package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
)

// Ensure that the desk started as its launcher starts it, with no
// terminal, tells every problem of its settings in its start-up window,
// in the clerk's language, saying what to fix and where the value came
// from, and on stderr too: a policy file that is not there, a key of
// sportello.toml mistyped, two printers, a language it has not, a
// policy file with a wrong value inside, a value that is no number or
// no duration (the last two in Italian and in English). Before, the
// policy and the printers ended the desk with no window and an English
// line on stderr, and the key mistyped was told in English; the policy's
// content and the flag package's "parse error" were English still.
func TestStartSettingsWindow(t *testing.T) {
	t.Parallel()
	testclock.RealDayOnly(t, "the settings' problems told at start")
	xtest.Need(t)
	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	// A policy whose first rule's eligibility is misspelt.
	const misspelt = `{"version": 1, "rules": [{"from": "2021-10-01", "eligible": "tutti"}]}`
	for _, c := range []struct {
		name, toml string
		policy     string // the content of DIR/policy.json; none when ""
		want       func(conf, dir string) string
	}{
		{"policy", `policy = "%DIR%/policy.json"`, "", func(conf, dir string) string {
			return "Il file della politica di ammissibilità " + dir + "/policy.json (impostazione «policy» del file " + conf + ") non esiste: correggi il percorso"
		}},
		{"unknown", `printr = "banco1"`, "", func(conf, _ string) string {
			return "Nel file delle impostazioni " + conf + ", alla riga 1, «printr» non è un'impostazione di sportello"
		}},
		{"printers", `printer = "banco1"`, "", func(conf, _ string) string {
			return "Sono indicate sia una stampante (impostazione «printer» del file " + conf + ") sia la cartella delle stampe di prova (opzione -dev-print della riga di comando): tieni solo una delle due"
		}},
		{"lang", `lang = "fr"`, "", func(conf, _ string) string {
			return "La lingua «fr» (impostazione «lang» del file " + conf + ") non c'è: scegli it (italiano) o en (inglese)"
		}},
		{"policy-content", `policy = "%DIR%/policy.json"`, misspelt, func(conf, dir string) string {
			return "Il file della politica di ammissibilità " + dir + "/policy.json (impostazione «policy» del file " + conf +
				") non si può usare (la regola 1 ha «tutti» come eligible: scrivi all, abroad_no_italian_document o none): correggilo"
		}},
		{"policy-content-en", "lang = \"en\"\npolicy = \"%DIR%/policy.json\"", misspelt, func(conf, dir string) string {
			return "The eligibility policy file " + dir + "/policy.json (setting \"policy\" of the file " + conf +
				") cannot be used (rule 1 has \"tutti\" as eligible: write all, abroad_no_italian_document or none): correct it"
		}},
		{"value", `backup-keep = "molte"`, "", func(conf, _ string) string {
			return "Nel file delle impostazioni " + conf + ", alla riga 1, il valore di «backup-keep» non va bene («molte» non è un numero intero, come 42): correggilo."
		}},
		{"value-en", "lang = \"en\"\nbackup-every = \"4 ore\"", "", func(conf, _ string) string {
			return "In the settings file " + conf + ", at line 2, the value of \"backup-every\" is not valid (\"4 ore\" is not a duration: write it as 90s, 5m or 1h30m): correct it."
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			conf := filepath.Join(dir, "config", "pinsede", "sportello.toml") // the user's: xtest.Start's XDG_CONFIG_HOME
			if err := os.MkdirAll(filepath.Dir(conf), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(conf, []byte(strings.ReplaceAll(c.toml, "%DIR%", dir)+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if c.policy != "" {
				if err := os.WriteFile(filepath.Join(dir, "policy.json"), []byte(c.policy), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			app := smokeStartApp(t, bin, display, dir)
			if _, err := app.WaitMapped(xtest.UntilDeadline); err != nil {
				t.Fatalf("no window: %v", err)
			}
			shot := filepath.Join(dir, "start-"+c.name+".png")
			if _, err := xtest.Screenshot(display, shot, app, xtest.UntilDeadline); err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			smokeKeepArtifacts(t, shot, app)
			if err := app.Alive(); err != nil {
				t.Fatal(err)
			}
			if want := "sportello: " + c.want(conf, dir); !strings.Contains(app.Output(), want) {
				t.Errorf("stderr does not say %q:\n%s", want, app.Output())
			}
			if _, err := os.Stat(filepath.Join(dir, "store.db")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the store was made before the settings were right: %v", err)
			}
			// The window's end ends the desk with status 1 (fail).
			if err := app.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			<-app.Done()
			if code := app.Cmd.ProcessState.ExitCode(); code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
		})
	}
}

// Ensure that sportello -h says its options in the clerk's language,
// Italian unless -lang en: it was English only, from the flag package.
func TestHelp(t *testing.T) {
	bin := smokeBuild(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"-h"}, []string{"uso: sportello [opzioni]", "  -policy file\n    \til file della politica di ammissibilità",
			"  -idle inattività\n    \tblocca la sessione dopo questa inattività (0: mai) (predefinito: 5m0s)", "  -certkey file\n"}},
		{[]string{"-lang", "en", "-help"}, []string{"usage: sportello [options]", "  -policy file\n    \tthe eligibility policy file"}},
	} {
		out, err := exec.Command(bin, c.args...).CombinedOutput()
		if err != nil {
			t.Errorf("sportello %q: %v\n%s", c.args, err, out)
		}
		for _, w := range c.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("sportello %q does not say %q:\n%s", c.args, w, out)
			}
		}
		if strings.Contains(string(out), "usage.sportello") {
			t.Errorf("sportello %q shows a translation's key:\n%s", c.args, out)
		}
	}
}
