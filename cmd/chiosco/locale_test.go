package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
)

// localeFault is the line Fyne's lang logged at every start of the
// kiosk in a locale it could not read, with two more (its cause, where).
const localeFault = "Error parsing user locale"

// Ensure that chiosco, in a C or POSIX locale of any character set
// (C.UTF-8 is the locale of a fresh Debian, of containers and of
// systemd's services), says -h in Italian and nothing else: Fyne's lang
// logged "Fyne error:  Error parsing user locale C" and two lines more
// on every start, which an operator reading the log took for a fault. A
// locale that says English still gives English; one that names no
// language is told once, in the kiosk's words, and Italian spoken.
func TestLocaleNoPreference(t *testing.T) {
	if os.Getenv(testclock.Env) != "" {
		t.Skip("chiosco's locale: checked once, on the suite's own day; the clock moves none of it")
	}
	bin := xtest.Build(t, "chiosco")
	dir := t.TempDir()
	for _, c := range []struct {
		env        []string
		want, told string
	}{
		{[]string{"LC_ALL=C.UTF-8"}, "uso: chiosco -sede NOME", ""},
		{[]string{"LANG=C.UTF-8"}, "uso: chiosco -sede NOME", ""},
		{[]string{"LC_ALL=C.utf8", "LANG=en_GB.UTF-8"}, "uso: chiosco -sede NOME", ""},
		{[]string{"LC_MESSAGES=POSIX.UTF-8"}, "uso: chiosco -sede NOME", ""},
		{[]string{"LANG=POSIX"}, "uso: chiosco -sede NOME", ""},
		{[]string{"LANG=C"}, "uso: chiosco -sede NOME", ""},
		{nil, "uso: chiosco -sede NOME", ""},
		{[]string{"LANG=en_GB.UTF-8"}, "usage: chiosco -sede NAME", ""},
		{[]string{"LANG=garbage"}, "uso: chiosco -sede NOME",
			"chiosco: La lingua «garbage» della variabile d'ambiente LANG non si legge: è ignorata.\n"},
		{[]string{"LANG=en_US.UTF-8", "LANGUAGE=garbage:en"}, "usage: chiosco -sede NAME",
			"chiosco: The language “garbage” of the environment variable LANGUAGE cannot be read: it is ignored.\n"},
	} {
		cmd := exec.Command(bin, "-h")
		cmd.Env = append([]string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir}, c.env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("%s chiosco -h: %v\n%s%s", c.env, err, stderr.String(), stdout.String())
		}
		if !strings.HasPrefix(stdout.String(), c.want) {
			t.Errorf("%s chiosco -h does not start with %q:\n%s", c.env, c.want, stdout.String())
		}
		if stderr.String() != c.told {
			t.Errorf("%s chiosco -h said on its standard error:\n%s\nwant %q", c.env, stderr.String(), c.told)
		}
	}
}

// Ensure that the kiosk, started under X with LC_ALL=C.UTF-8, shows its
// first screen with no word of its locale in its output: the line Fyne
// logged came at every start.
func TestXInputKioskLocaleC(t *testing.T) {
	t.Setenv("LC_ALL", "C.UTF-8") // the kiosk's environment (xtest.Start)
	t.Setenv("LANGUAGE", "")
	k := xkStart(t, xkScreen)
	k.App.Stop(t)
	if out := k.App.Output(); strings.Contains(out, localeFault) {
		t.Errorf("chiosco told its locale, C.UTF-8, as a fault:\n%s", out)
	}
}
