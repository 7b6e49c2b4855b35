package config

import (
	"errors"
	"flag"
	"io"
	"io/fs"
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

// Ensure that WriteNew makes a new file of the mode given with what its
// writer writes, refuses a path that exists (fs.ErrExist) and leaves it
// as it was, and leaves nothing, not even its temporary file, when the
// writer fails.
func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.csv")
	write := func(text string, err error) func(io.Writer) error {
		return func(w io.Writer) error {
			io.WriteString(w, text)
			return err
		}
	}
	if err := WriteNew(path, 0o600, write("a,b\n", nil)); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "a,b\n" {
		t.Fatalf("the file holds %q, %v", b, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", st.Mode(), err)
	}
	if err := WriteNew(path, 0o600, write("c,d\n", nil)); !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteNew over a file: %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "a,b\n" {
		t.Errorf("the file written over holds %q", b)
	}
	failed := errors.New("the disk is full")
	if err := WriteNew(filepath.Join(dir, "half.csv"), 0o600, write("half", failed)); !errors.Is(err, failed) {
		t.Errorf("WriteNew with a failing writer: %v, want its error", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("the folder holds %v, want the first file only", left)
	}
}
