package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Ensure that SetKeys creates the file (and its folder) with the mode
// given, keeps the other keys of a file it updates, starts a new file
// from the seed's keys, and that what it writes reads back as flags.
func TestSetKeys(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "etc", "sportello.toml")
	os.MkdirAll(filepath.Dir(seed), 0o755)
	if err := os.WriteFile(seed, []byte("# the machine's\nprinter = \"banco1\"\nidle = \"10m\"\ncentrale = \"https://vecchia:8443\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	user := filepath.Join(dir, "home", ".config", "pinsede", "sportello.toml")
	if err := SetKeys(user, map[string]string{"centrale": "https://nuova:8443", "cert": "/c/s.crt"}, seed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SetKeys(user, map[string]string{"cert": "/c/t.crt"}, "", 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(user); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("file %v, %v", fi, err)
	}
	fs := flag.NewFlagSet("sportello", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String(Flag, "", "")
	got := map[string]*string{}
	for _, name := range []string{"printer", "idle", "centrale", "cert"} {
		got[name] = fs.String(name, "", "")
	}
	if _, err := (Loader{EnvPrefix: "T_", Environ: []string{}, DefaultFiles: []string{user, seed}}).Parse(fs, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"printer": "banco1", "idle": "10m", "centrale": "https://nuova:8443", "cert": "/c/t.crt"}
	for k, v := range want {
		if *got[k] != v {
			t.Errorf("%s = %q, want %q", k, *got[k], v)
		}
	}
	if b, _ := os.ReadFile(seed); string(b) != "# the machine's\nprinter = \"banco1\"\nidle = \"10m\"\ncentrale = \"https://vecchia:8443\"\n" {
		t.Errorf("the seed changed:\n%s", b)
	}
}
