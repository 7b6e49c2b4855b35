package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/xtest"
)

// localeFault is the line Fyne's lang logged at every start of the desk
// in a locale it could not read, with two more (its cause, where).
const localeFault = "Error parsing user locale"

// Ensure that sportello, in a C or POSIX locale of any character set
// (C.UTF-8 is the locale of a fresh Debian, of containers and of
// systemd's services), says -h in Italian, or in English with -lang en,
// and nothing else: Fyne's lang logged "Fyne error:  Error parsing user
// locale C" and two lines more on every start, which an operator
// reading the log took for a fault.
func TestLocaleNoPreference(t *testing.T) {
	testclock.RealDayOnly(t, "the desk's locale")
	bin := smokeBuild(t)
	dir := t.TempDir()
	for _, c := range []struct {
		env, args []string
		want      string
	}{
		{[]string{"LC_ALL=C.UTF-8"}, nil, "uso: sportello [opzioni]"},
		{[]string{"LANG=C.UTF-8"}, nil, "uso: sportello [opzioni]"},
		{[]string{"LC_ALL=C.utf8", "LANG=it_IT.UTF-8"}, nil, "uso: sportello [opzioni]"},
		{[]string{"LANG=POSIX"}, nil, "uso: sportello [opzioni]"},
		{[]string{"LANG=C"}, nil, "uso: sportello [opzioni]"},
		{[]string{"LC_ALL=C.UTF-8"}, []string{"-lang", "en"}, "usage: sportello [options]"},
		// Told in the desk's log, which -h does not open.
		{[]string{"LANG=garbage"}, nil, "uso: sportello [opzioni]"},
	} {
		cmd := exec.Command(bin, append(c.args, "-h")...)
		cmd.Env = append([]string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir}, c.env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("%s sportello %q: %v\n%s%s", c.env, c.args, err, stderr.String(), stdout.String())
		}
		if !strings.HasPrefix(stdout.String(), c.want) {
			t.Errorf("%s sportello %q does not start with %q:\n%s", c.env, c.args, c.want, stdout.String())
		}
		if stderr.Len() > 0 {
			t.Errorf("%s sportello %q said on its standard error:\n%s", c.env, c.args, stderr.String())
		}
	}
}

// Ensure that the desk, started under X with LC_ALL=C.UTF-8, opens its
// window with no word of its locale in its output or its log, and that
// one whose locale names no language tells it once, in its log (its
// standard error and sportello.log): Fyne's three lines came at every
// start, in the output only.
func TestLocaleStart(t *testing.T) {
	testclock.RealDayOnly(t, "the desk's locale")
	xtest.Need(t)
	bin := smokeBuild(t)
	display := smokeStartXvfb(t)
	const warned = `level=WARN msg="a locale variable names no language Fyne can read: ignored (the desk speaks its -lang)" variable=LC_ALL value=garbage`
	for _, c := range []struct {
		locale string
		told   int // how many times the desk's log says warned
	}{
		{"C.UTF-8", 0},
		{"garbage", 1},
	} {
		t.Setenv("LC_ALL", c.locale) // the desk's environment (xtest.Start)
		t.Setenv("LANGUAGE", "")
		dir := t.TempDir()
		app := smokeStartApp(t, bin, display, dir)
		if _, err := app.WaitMapped(xtest.UntilDeadline); err != nil {
			t.Fatalf("LC_ALL=%s: sportello window: %v", c.locale, err)
		}
		app.Stop(t)
		logged, err := os.ReadFile(filepath.Join(dir, "sportello.log"))
		if err != nil {
			t.Fatal(err)
		}
		for what, out := range map[string]string{"output": app.Output(), "sportello.log": string(logged)} {
			if strings.Contains(out, localeFault) {
				t.Errorf("LC_ALL=%s: Fyne told the locale as a fault in the desk's %s:\n%s", c.locale, what, out)
			}
			if n := strings.Count(out, warned); n != c.told {
				t.Errorf("LC_ALL=%s: the desk's %s tells the locale %d times, want %d:\n%s", c.locale, what, n, c.told, out)
			}
		}
	}
}
