package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure that pinctl finds its store in the file -config or
// PINSEDE_PINCTL_CONFIG names, that PINSEDE_PINCTL_STORE overrides the
// file and a flag overrides both, and that a key of the file that names no
// option is refused by name.
func TestConfigFile(t *testing.T) {
	sb := setUp(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "pinctl.toml")
	write := func(text string) {
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pinctl := func(args ...string) result {
		var out, errOut strings.Builder
		code := run(args, strings.NewReader(""), &out, &errOut, sb.now)
		return result{code, out.String(), errOut.String()}
	}
	write("store = '" + sb.store + "'\nkey = '" + sb.key + "'\n")
	if r := pinctl("-config", conf, "operator", "list"); r.code != exitOK || !strings.Contains(r.stdout, "a.verdi") {
		t.Fatalf("-config: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Setenv(EnvPrefix+"CONFIG", conf)
	if r := pinctl("operator", "list"); r.code != exitOK || !strings.Contains(r.stdout, "a.verdi") {
		t.Fatalf("$%sCONFIG: exit %d\n%s%s", EnvPrefix, r.code, r.stdout, r.stderr)
	}
	elsewhere := filepath.Join(dir, "altro.db")
	t.Setenv(EnvPrefix+"STORE", elsewhere)
	if r := pinctl("operator", "list"); r.code == exitOK || !strings.Contains(r.stderr, "altro.db") {
		t.Errorf("$%sSTORE over the file: exit %d\n%s%s", EnvPrefix, r.code, r.stdout, r.stderr)
	}
	if r := pinctl("-store", sb.store, "operator", "list"); r.code != exitOK {
		t.Errorf("-store over $%sSTORE: exit %d\n%s", EnvPrefix, r.code, r.stderr)
	}
	t.Setenv(EnvPrefix+"STORE", "")
	// A value that is not true or false, of pinctl's option or of a
	// command's: it was the flag package's 'invalid boolean value
	// "forse" for -version: parse error'.
	for _, args := range [][]string{{"-version=forse"}, {"-store", sb.store, "-key", sb.key, "init", "-password-stdin=forse"}} {
		want := "pinctl: Il valore dell'opzione " + strings.TrimSuffix(args[len(args)-1], "=forse") + " non va bene («forse» non è true o false): correggilo."
		if r := pinctl(args...); r.code != exitUsage || !strings.Contains(r.stderr, want) {
			t.Errorf("pinctl %s: exit %d\n%s\nwant %q", strings.Join(args, " "), r.code, r.stderr, want)
		}
	}
	write("store = '" + sb.store + "'\nchiave = 'x'\n")
	if r := pinctl("operator", "list"); r.code != exitUsage || !strings.Contains(r.stderr, "pinctl: Nel file delle impostazioni "+conf+", alla riga 2, «chiave» non è un'impostazione di pinctl") {
		t.Errorf("an unknown key: exit %d\n%s", r.code, r.stderr)
	}
}
