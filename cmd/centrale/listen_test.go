package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Ensure that centrale, the real binary, started on an address another
// program holds, exits with a message that names the address, says
// another program holds it and where the address came from, and names the
// flag, the environment variable and the key of the settings file that
// choose another; for the management listener, whatever set its address,
// and for the API.
func TestListenAddressTaken(t *testing.T) {
	dir, _ := serverPKI(t) // observe_test.go
	bin := filepath.Join(t.TempDir(), "centrale")
	if out, err := exec.Command("go", "build", "-buildvcs=false", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	addr := held.Addr().String()
	const hint = "another program holds that address; give a free one with the flag -"
	for _, tc := range []struct {
		name string
		file string // the settings file's keys, after pki, bolt and admin
		args []string
		env  string // PINSEDE_CENTRALE_MANAGE
		want []string
	}{
		{"manage from the flag", `listen = "127.0.0.1:0"`, []string{"-manage", addr}, "",
			[]string{"the management listener cannot listen on " + addr + " (from the flag -manage): " + hint + "manage, the variable PINSEDE_CENTRALE_MANAGE or the key manage in ", "centrale.toml, each overriding the ones after it (\"\" for none)"}},
		{"manage from the environment", `listen = "127.0.0.1:0"`, nil, addr,
			[]string{"cannot listen on " + addr + " (from the variable PINSEDE_CENTRALE_MANAGE): " + hint + "manage"}},
		{"manage from the file", "listen = \"127.0.0.1:0\"\nmanage = \"" + addr + "\"", nil, "",
			[]string{"cannot listen on " + addr + " (from the key manage of " + filepath.Join(dir, "centrale.toml") + "): " + hint + "manage"}},
		{"the API", `manage = ""`, []string{"-listen", addr}, "",
			[]string{"centrale: the API cannot listen on " + addr + " (from the flag -listen): " + hint + "listen, the variable PINSEDE_CENTRALE_LISTEN or the key listen in ", "centrale.toml, each overriding the ones after it\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(dir, "centrale.toml")
			text := "pki = " + strconv.Quote(dir) + "\nbolt = " + strconv.Quote(filepath.Join(t.TempDir(), "c.db")) + "\nadmin = \"\"\n" + tc.file + "\n"
			if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append([]string{"-config", cfg}, tc.args...)...)
			cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
			if tc.env != "" {
				cmd.Env = append(cmd.Env, EnvPrefix+"MANAGE="+tc.env)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
				t.Fatalf("centrale: %v, want exit 1; stderr:\n%s", err, stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("centrale says:\n%s\nwant %q in it", stderr.String(), w)
				}
			}
		})
	}
}
