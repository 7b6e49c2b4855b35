package config

import (
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// list is a repeatable flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// settings are the flags of the tests.
type settings struct {
	config, listen, dsn string
	after               int
	wait                time.Duration
	rate                float64
	debug               bool
	params              list
}

func flags(s *settings) *flag.FlagSet {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&s.config, Flag, "", "")
	fs.StringVar(&s.listen, "listen", "127.0.0.1:8443", "")
	fs.StringVar(&s.dsn, "postgres", "", "")
	fs.IntVar(&s.after, "lock-after", 5, "")
	fs.DurationVar(&s.wait, "verify-wait", 2*time.Second, "")
	fs.Float64Var(&s.rate, "verify-cert-rate", 100, "")
	fs.BoolVar(&s.debug, "debug", false, "")
	fs.Var(&s.params, "pin-params", "")
	return fs
}

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "prog.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Ensure that the file sets what the environment does not, the
// environment what the command line does not, and that each source is
// told.
func TestPrecedence(t *testing.T) {
	path := write(t, `
listen = "0.0.0.0:8443"
postgres = "postgres://pinsede@db/pinsede"
lock-after = 7
debug = true
pin-params = ["m=19456,t=2,p=1", "m=65536,t=1,p=2"]

[verify]
wait = "500ms"
cert-rate = 2.5
`)
	var s settings
	l := Loader{EnvPrefix: "PROG_", Environ: []string{"PROG_LOCK_AFTER=9", "PROG_LISTEN=10.0.0.1:8443", "OTHER=x"}}
	st, err := l.Parse(flags(&s), []string{"-config", path, "-listen", "127.0.0.1:9443"})
	if err != nil {
		t.Fatal(err)
	}
	if s.listen != "127.0.0.1:9443" || s.after != 9 || s.dsn != "postgres://pinsede@db/pinsede" || !s.debug ||
		s.wait != 500*time.Millisecond || s.rate != 2.5 || !slices.Equal(s.params, list{"m=19456,t=2,p=1", "m=65536,t=1,p=2"}) {
		t.Errorf("settings: %+v", s)
	}
	for name, want := range map[string]Source{"listen": Args, "lock-after": Env, "postgres": File, "verify-wait": File, "config": Args} {
		if got := st.Source(name); got != want {
			t.Errorf("source of %s: %s, want %s", name, got, want)
		}
	}
	if st.File != path {
		t.Errorf("file %q, want %q", st.File, path)
	}
	if v := l.EnvVar("lock-after"); v != "PROG_LOCK_AFTER" {
		t.Errorf("EnvVar(lock-after) = %q, want the variable that set it, PROG_LOCK_AFTER", v)
	}
}

// Ensure that the file comes from the environment when -config is not
// given, else from the first default that exists, and that without any
// the defaults stand.
func TestWhichFile(t *testing.T) {
	a, b := write(t, `lock-after = 1`), write(t, `lock-after = 2`)
	for _, tc := range []struct {
		l    Loader
		args []string
		want int
	}{
		{Loader{EnvPrefix: "PROG_", Environ: []string{"PROG_CONFIG=" + a}, DefaultFiles: []string{b}}, nil, 1},
		{Loader{EnvPrefix: "PROG_", Environ: []string{}, DefaultFiles: []string{a + ".none", b}}, nil, 2},
		{Loader{EnvPrefix: "PROG_", Environ: []string{}, DefaultFiles: []string{b}}, []string{"-config", ""}, 5},
		{Loader{EnvPrefix: "PROG_", Environ: []string{}}, nil, 5},
	} {
		var s settings
		if _, err := tc.l.Parse(flags(&s), tc.args); err != nil || s.after != tc.want {
			t.Errorf("%+v %q: lock-after %d, %v; want %d", tc.l, tc.args, s.after, err, tc.want)
		}
	}
}

// Ensure that an unknown key, a variable with the prefix that names no
// setting, a bad value and a missing file are errors that name them, and
// the line of the file where they are.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		file    string
		environ []string
		want    string
	}{
		{`lock-aftr = 5`, nil, `line 1: unknown key "lock-aftr"`},
		{"listen = \"x\"\n\n[verify]\nwiat = \"1s\"", nil, `line 4: unknown key "verify-wiat"`},
		{"verify = { wiat = \"1s\" }", nil, `line 1: unknown key "verify-wiat"`},
		{"\nverify.wiat = \"1s\"", nil, `line 2: unknown key "verify-wiat"`},
		{`config = "other.toml"`, nil, `line 1: unknown key "config"`},
		{"# the lock\n\nlock-after = \"five\"", nil, `line 3: lock-after: "five" is not a whole number`},
		{"pin-params = [\n  \"a\",\n]\nverify-wait = 2028-02-29", nil, "line 4: verify-wait: a date"},
		{"debug = true\nverify-cert-rate = [[1], [2]]", nil, "line 2: verify-cert-rate: an array of arrays"},
		{"[[listen]]\nx = 1", nil, "line 1: listen: a []map"},
		{"listen = \"x\"\nlisten = ", nil, "line 2"},
		{``, []string{"PROG_LISTN=x"}, "environment variable PROG_LISTN: no such setting"},
		{``, []string{"PROG_LOCK_AFTER=x"}, "PROG_LOCK_AFTER"},
	} {
		path := write(t, tc.file)
		var s settings
		_, err := Loader{EnvPrefix: "PROG_", Environ: tc.environ}.Parse(flags(&s), []string{"-config", path})
		if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.environ == nil && !strings.Contains(err.Error(), path)) {
			t.Errorf("%q %q: %v, want an error naming %q and the file", tc.file, tc.environ, err, tc.want)
		}
	}
	var s settings
	if _, err := (Loader{Environ: []string{}}).Parse(flags(&s), []string{"-config", "/nonexistent/prog.toml"}); err == nil {
		t.Error("a missing -config file accepted")
	}
}

// Ensure that the user's file comes before the machine's.
func TestDefaultFiles(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	if got := DefaultFiles("chiosco"); len(got) != 2 || got[0] != filepath.Join(home, "pinsede", "chiosco.toml") || got[1] != "/etc/pinsede/chiosco.toml" {
		t.Errorf("DefaultFiles: %q", got)
	}
}

// Ensure that a file larger than MaxFileBytes is refused unread, naming
// the file and saying why.
func TestFileTooLarge(t *testing.T) {
	path := write(t, strings.Repeat("# comment\n", MaxFileBytes/10+1))
	var s settings
	_, err := Loader{Environ: []string{}}.Parse(flags(&s), []string{"-config", path})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "more than 1048576 bytes") {
		t.Errorf("a file of %d bytes: %v, want an error naming it and its size", MaxFileBytes+10, err)
	}
}

// lineRE finds the line an error names.
var lineRE = regexp.MustCompile(`line [1-9][0-9]*\b`)

// FuzzParse feeds Loader.Parse files of settings: it must not panic, and
// a file it refuses is named in the error with the line of the problem.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"listen = \"0.0.0.0:8443\"\nlock-after = 5\ndebug = true\nverify-cert-rate = 2.5\npin-params = [\"m=19456,t=2,p=1\", \"m=65536,t=1,p=2\"]\n",
		"[verify]\nwait = \"1s\"\ncert-rate = 1e3\n",
		"verify = { wait = \"1s\" }\n",
		"lock-after = \"five\"\n",
		"verify-wait = 2028-02-29T10:00:00Z\n",
		"[[listen]]\nx = 1\n",
		"pin-params = [[1], [2]]\n",
		"listen = '''\nx'''\nlock-aftr = 1\n",
	} {
		f.Add([]byte(seed))
	}
	path := filepath.Join(f.TempDir(), "prog.toml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var s settings
		_, err := Loader{EnvPrefix: "PROG_", Environ: []string{}}.Parse(flags(&s), []string{"-config", path})
		if err != nil && (!strings.Contains(err.Error(), "config file "+path) || !lineRE.MatchString(err.Error())) {
			t.Fatalf("%v: want an error naming the file and the line", err)
		}
	})
}

// Ensure that each setting refused is an Error whose Message gives the
// key of its translation, the file, the line and the name, so that a
// program says it in its user's language; and that the values refused
// together are each told.
func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		file      string
		environ   []string
		key, name string
		line      int
	}{
		{"\nlock-aftr = 5", nil, "config.unknownkey", "lock-aftr", 2},
		{"lock-after = \"five\"", nil, "config.value", "lock-after", 1},
		{"listen = ", nil, "config.syntax", "", 1},
		{``, []string{"PROG_LISTN=x"}, "config.unknownvar", "PROG_LISTN", 0},
		{``, []string{"PROG_LOCK_AFTER=x"}, "config.value.env", "PROG_LOCK_AFTER", 0},
	} {
		path := write(t, tc.file)
		var s settings
		_, err := Loader{EnvPrefix: "PROG_", Environ: tc.environ}.Parse(flags(&s), []string{"-config", path})
		errs := Errors(err)
		if len(errs) != 1 {
			t.Errorf("%q %q: %d Errors in %v, want 1", tc.file, tc.environ, len(errs), err)
			continue
		}
		key, args := errs[0].Message()
		if key != tc.key || args["Name"] != tc.name || args["Line"] != tc.line || args["Program"] != "prog" {
			t.Errorf("%q %q: %s %v, want %s, name %q, line %d", tc.file, tc.environ, key, args, tc.key, tc.name, tc.line)
		}
		if tc.environ == nil && args["File"] != path {
			t.Errorf("%q: file %v, want %s", tc.file, args["File"], path)
		}
	}
	var s settings
	_, err := Loader{Environ: []string{}}.Parse(flags(&s), []string{"-config", write(t, "lock-after = \"five\"\nverify-wait = \"soon\"")})
	if errs := Errors(err); len(errs) != 2 {
		t.Errorf("two bad values: %d Errors in %v", len(errs), err)
	}
	_, err = Loader{Environ: []string{}}.Parse(flags(&s), []string{"-config", "/nonexistent/prog.toml"})
	if errs := Errors(err); len(errs) != 1 || !errors.Is(err, ErrNoFile) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}
