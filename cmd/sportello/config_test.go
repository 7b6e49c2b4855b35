package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	settings "github.com/pinsede/pinsede/internal/config"
)

// Ensure that the desk started with no flags, as the installed launcher
// starts it, reads the user's sportello.toml and so connects to
// centrale; that a PINSEDE_SPORTELLO_* variable overrides it, and a flag
// both; and that an unknown key is refused naming it and the file.
func TestConfigFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	files := configFiles()
	if want := filepath.Join(home, "pinsede", "sportello.toml"); len(files) == 0 || files[0] != want {
		t.Fatalf("config files %q, want %q first", files, want)
	}
	os.MkdirAll(filepath.Dir(files[0]), 0o755)
	os.WriteFile(files[0], []byte(`
centrale = "https://centrale.example:8443"
cert = "/etc/pinsede/roma01.crt"
certkey = "/etc/pinsede/roma01.key"
ca = "/etc/pinsede/ca.crt"
idle = "10m"
`), 0o600)
	fs, f, idle := deskFlags()
	if _, err := parseSettings(fs, nil, []string{"PINSEDE_SPORTELLO_IDLE=15m"}, files); err != nil {
		t.Fatal(err)
	}
	if f.url != "https://centrale.example:8443" || f.cert != "/etc/pinsede/roma01.crt" || f.key != "/etc/pinsede/roma01.key" || f.ca != "/etc/pinsede/ca.crt" || *idle != 15*time.Minute {
		t.Errorf("settings: %+v, idle %s", f, *idle)
	}
	fs, f, _ = deskFlags()
	if _, err := parseSettings(fs, []string{"-centrale", "https://127.0.0.1:8443"}, nil, files); err != nil || f.url != "https://127.0.0.1:8443" {
		t.Errorf("-centrale: %q, %v", f.url, err)
	}
	os.WriteFile(files[0], []byte("centrale = \"https://c\"\nprinter-queue = \"banco1\"\n"), 0o600)
	fs, _, _ = deskFlags()
	if _, err := parseSettings(fs, nil, nil, files); err == nil || !strings.Contains(err.Error(), `unknown key "printer-queue"`) || !strings.Contains(err.Error(), files[0]) {
		t.Errorf("unknown key: %v", err)
	}
}

// deskFlags returns a flag set of the desk's settings that sportello.toml
// sets: the connection to centrale and the idle lock.
func deskFlags() (*flag.FlagSet, *syncFlags, *time.Duration) {
	fs := flag.NewFlagSet("sportello", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &syncFlags{}
	fs.String(settings.Flag, "", "")
	fs.StringVar(&f.url, "centrale", "", "")
	fs.StringVar(&f.cert, "cert", "", "")
	fs.StringVar(&f.key, "certkey", "", "")
	fs.StringVar(&f.ca, "ca", "", "")
	return fs, f, fs.Duration("idle", 5*time.Minute, "")
}

// FuzzParseSettings feeds parseSettings a sportello.toml: it must not
// panic, and a file it refuses is named in the error with the line.
func FuzzParseSettings(f *testing.F) {
	f.Add([]byte("centrale = \"https://centrale.example:8443\"\ncert = \"/etc/pinsede/roma01.crt\"\ncertkey = \"/etc/pinsede/roma01.key\"\nca = \"/etc/pinsede/ca.crt\"\nidle = \"10m\"\n"))
	f.Add([]byte("centrale = \"https://c\"\nprinter-queue = \"banco1\"\n"))
	f.Add([]byte("idle = 10\n"))
	f.Add([]byte("idle = [\"1m\", \"2m\"]\n"))
	path := filepath.Join(f.TempDir(), "sportello.toml")
	lineRE := regexp.MustCompile(`line [1-9][0-9]*\b`)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fs, _, _ := deskFlags()
		read, err := parseSettings(fs, nil, []string{}, []string{path})
		if err != nil && (!strings.Contains(err.Error(), "config file "+path) || !lineRE.MatchString(err.Error())) {
			t.Fatalf("%v: want an error naming the file and the line", err)
		}
		if err == nil && fileRead(read) != path {
			t.Fatalf("read %q, want %q", read, path)
		}
	})
}
