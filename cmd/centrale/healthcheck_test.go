package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testnet"
)

// Ensure that centrale healthcheck exits 0 against a running centrale's
// management listener, 1 when nothing answers there or the path is not
// healthy, and 2 on a bad address; and that it takes its address from
// $PINSEDE_CENTRALE_MANAGE as centrale does.
func TestHealthcheck(t *testing.T) {
	dir, _ := serverPKI(t)
	c, err := parse([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-manage", "127.0.0.1:0", "-bolt", filepath.Join(dir, "c.db")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l, _, stop := start(t, c)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	_, port, _ := net.SplitHostPort(l.manage)
	// A port where nothing listens.
	closed := testnet.RefusedAddr(t)

	for _, tc := range []struct {
		name string
		args []string
		env  string
		code int
		out  string
	}{
		{"alive", []string{"-manage", l.manage}, "", 0, "/healthz: ok"},
		{"every address asked on loopback", []string{"-manage", "0.0.0.0:" + port}, "", 0, "http://127.0.0.1:" + port + "/healthz"},
		{"from the environment", nil, l.manage, 0, "/healthz: ok"},
		{"ready", []string{"-manage", l.manage, "-path", "/readyz"}, "", 0, "ready"},
		{"not found is not healthy", []string{"-manage", l.manage, "-path", "/nothing"}, "", 1, "404"},
		{"nothing listening", []string{"-manage", closed}, "", 1, "connection refused"},
		{"bad address", []string{"-manage", "localhost"}, "", 2, "missing port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvPrefix+"MANAGE", tc.env)
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"healthcheck"}, tc.args...), &out, &errOut)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, tc.code, out.String(), errOut.String())
			}
			if got := out.String() + errOut.String(); !strings.Contains(got, tc.out) {
				t.Errorf("output %q lacks %q", got, tc.out)
			}
		})
	}
}
