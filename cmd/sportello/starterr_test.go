package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pinsede/pinsede/internal/xtest"
)

// Ensure that the desk started as its launcher starts it, with no
// terminal, tells every problem of its settings in its start-up window,
// in the clerk's language, saying what to fix and where the value came
// from, and on stderr too: a policy file that is not there, a key of
// sportello.toml mistyped, two printers, a language it has not. Before,
// the policy and the printers ended the desk with no window and an
// English line on stderr, and the key mistyped was told in English.
func TestStartSettingsWindow(t *testing.T) {
	t.Parallel()
	xtest.Need(t)
	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	for _, c := range []struct {
		name, toml string
		want       func(conf, dir string) string
	}{
		{"policy", `policy = "%DIR%/policy.json"`, func(conf, dir string) string {
			return "Il file della politica di ammissibilità " + dir + "/policy.json (impostazione «policy» del file " + conf + ") non esiste: correggi il percorso"
		}},
		{"unknown", `printr = "banco1"`, func(conf, _ string) string {
			return "Nel file delle impostazioni " + conf + ", alla riga 1, «printr» non è un'impostazione di sportello"
		}},
		{"printers", `printer = "banco1"`, func(conf, _ string) string {
			return "Sono indicate sia una stampante (impostazione «printer» del file " + conf + ") sia la cartella delle stampe di prova (opzione -dev-print della riga di comando): tieni solo una delle due"
		}},
		{"lang", `lang = "fr"`, func(conf, _ string) string {
			return "La lingua «fr» (impostazione «lang» del file " + conf + ") non c'è: scegli it (italiano) o en (inglese)"
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
