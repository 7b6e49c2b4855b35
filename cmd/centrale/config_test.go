package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/server"
)

// writeFile writes text to name in a temporary folder and returns its
// path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Ensure that centrale reads its settings from -config, that
// PINSEDE_CENTRALE_* variables override the file and flags override
// both, and that an unknown key is refused naming it and the file.
func TestConfigFile(t *testing.T) {
	path := writeFile(t, "centrale.toml", `
pki = "/etc/pinsede/pki"
listen = "0.0.0.0:8443"
manage = "127.0.0.1:9191"
log-format = "json"
lock-after = 3
lock-for = "30m"
pin-params = ["m=19456,t=2,p=1", "m=65536,t=1,p=2"]

manage-conn-max = 16
manage-conn-per-source = 4

[verify]
memory = 512
cf-rate = 30

[conn]
max = 2000
per-source = 0
handshake = "3s"
`)
	t.Setenv("PINSEDE_CENTRALE_LOCK_AFTER", "4")
	t.Setenv("PINSEDE_CENTRALE_LOG_LEVEL", "debug")
	c, err := parse([]string{"-config", path, "-listen", "127.0.0.1:9443"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.pkiDir != "/etc/pinsede/pki" || c.caFile != "/etc/pinsede/pki/ca.crt" || c.listen != "127.0.0.1:9443" || c.manage != "127.0.0.1:9191" ||
		c.logFormat != "json" || c.logLevel != "debug" || c.lock.After != 4 || c.lock.For != 30*time.Minute ||
		len(c.limits.PINParams) != 2 || c.limits.PINParams[1] != (pinsede.Argon2Params{Time: 1, MemoryKiB: 65536, Threads: 2}) ||
		c.verify.MemoryBudget != 512<<20 || c.verify.CFRate != 0.5 || c.configFile != path ||
		c.conns != (server.ConnLimits{Max: 2000, PerSource: 0, Handshake: 3 * time.Second}) || c.manageConns != (server.ConnLimits{Max: 16, PerSource: 4}) {
		t.Errorf("settings: %+v", c)
	}

	bad := writeFile(t, "centrale.toml", "pki = \"x\"\n[verify]\nmemroy = 512\n")
	if _, err := parse([]string{"-config", bad}, io.Discard); err == nil || !strings.Contains(err.Error(), `unknown key "verify-memroy"`) || !strings.Contains(err.Error(), bad) {
		t.Errorf("unknown key: %v", err)
	}
	t.Setenv("PINSEDE_CENTRALE_LISTN", "x")
	if _, err := parse([]string{"-pki", "x"}, io.Discard); err == nil || !strings.Contains(err.Error(), "PINSEDE_CENTRALE_LISTN") {
		t.Errorf("unknown variable: %v", err)
	}
}

// Ensure that a PostgreSQL password on the command line is refused with
// a message that says where to put it; that one in the config file or
// the environment is taken; and that -pg-password-file and
// PINSEDE_PG_PASSWORD add it to the connection string.
func TestPGPassword(t *testing.T) {
	for _, dsn := range []string{"postgres://pinsede:secret@db/pinsede", "postgres://pinsede@db/pinsede?password=secret", "host=db user=pinsede password=secret"} {
		_, err := parse([]string{"-pki", "x", "-postgres", dsn}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-pg-password-file") || strings.Contains(err.Error(), "secret") {
			t.Errorf("%q on the command line: %v", dsn, err)
		}
		var out, errOut strings.Builder
		if code := run(context.Background(), []string{"revoke", "-postgres", dsn, "-by", "rossi", "-reason", "furto d'identità denunciato", "C1"}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "process list") {
			t.Errorf("revoke with %q: exit %d, %q", dsn, code, errOut.String())
		}
	}
	password := func(c config) string {
		t.Helper()
		dsn, err := c.pg.dsn()
		if err != nil {
			t.Fatal(err)
		}
		pc, err := pgconn.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		return pc.Password
	}
	inFile := writeFile(t, "centrale.toml", `postgres = "postgres://pinsede:from-file@db/pinsede"`)
	c, err := parse([]string{"-pki", "x", "-config", inFile}, io.Discard)
	if err != nil || password(c) != "from-file" {
		t.Errorf("a password in the config file: %v", err)
	}
	pwFile := writeFile(t, "pg.pw", "it's a \\ secret\n")
	for _, dsn := range []string{"postgres://pinsede@db/pinsede", "host=db user=pinsede dbname=pinsede"} {
		c, err := parse([]string{"-pki", "x", "-postgres", dsn, "-pg-password-file", pwFile}, io.Discard)
		if err != nil || password(c) != `it's a \ secret` {
			t.Errorf("%q with -pg-password-file: %v", dsn, err)
		}
	}
	t.Setenv(PasswordEnv, "from-env")
	if c, err := parse([]string{"-pki", "x", "-postgres", "postgres://pinsede@db/pinsede"}, io.Discard); err != nil || password(c) != "from-env" {
		t.Errorf("with %s: %v", PasswordEnv, err)
	}
	if _, err := parse([]string{"-pki", "x", "-config", inFile}, io.Discard); err == nil {
		t.Errorf("a password in the file and in %s: accepted", PasswordEnv)
	}
}

// Ensure that the README's example file, docs/centrale.toml, is one
// centrale reads.
func TestConfigExample(t *testing.T) {
	c, err := parse([]string{"-config", "../../docs/centrale.toml", "-policy", "", "-pg-password-file", ""}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.pg.DSN == "" || c.lock.After != 5 || c.verify.MemoryBudget != 1<<30 || c.logFormat != "json" || c.conns.PerSource != 0 {
		t.Errorf("settings: %+v", c)
	}
}

// FuzzConfigFile feeds centrale's parse a centrale.toml: it must not
// panic, and an error of the file names it and the line.
func FuzzConfigFile(f *testing.F) {
	f.Add([]byte("pki = \"/etc/pinsede/pki\"\nlisten = \"0.0.0.0:8443\"\nlog-format = \"json\"\nlock-after = 3\nlock-for = \"30m\"\n" +
		"pin-params = [\"m=19456,t=2,p=1\", \"m=65536,t=1,p=2\"]\n\n[verify]\nmemory = 512\ncf-rate = 30\n\n[conn]\nmax = 2000\nper-source = 0\nhandshake = \"3s\"\n"))
	f.Add([]byte("pki = \"/etc/pinsede/pki\"\n[verify]\nwiat = \"1s\"\n"))
	f.Add([]byte("pki = \"/etc/pinsede/pki\"\npin-params = \"m=1\"\n"))
	f.Add([]byte("bolt = \"/var/lib/pinsede/centrale.db\"\npostgres = \"host=db\"\n"))
	path := filepath.Join(f.TempDir(), "centrale.toml")
	lineRE := regexp.MustCompile(`config file .*: line [1-9][0-9]*\b`)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := parse([]string{"-config", path}, io.Discard)
		if err != nil && strings.Contains(err.Error(), "config file") && !lineRE.MatchString(err.Error()) {
			t.Fatalf("%v: want an error naming the file and the line", err)
		}
	})
}

// Ensure that the management listener's default is the one the example
// files, the Debian package's settings and the container image use, and
// that it is none of Prometheus's ports: 9090 (the server), 9091, 9093,
// 9094 (Pushgateway, Alertmanager) and 9100-9999 (its exporters' default
// port allocations), so that centrale starts on the host of the
// Prometheus that scrapes it.
func TestManageDefault(t *testing.T) {
	_, port, err := net.SplitHostPort(DefaultManage)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(port); n >= 9090 && n <= 9999 {
		t.Errorf("DefaultManage %s: a port of Prometheus or of its exporters", DefaultManage)
	}
	for _, file := range []string{"../../docs/centrale.toml", "../../packaging/centrale.toml"} {
		c, err := parse([]string{"-config", file, "-policy", "", "-pg-password-file", ""}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if c.manage != DefaultManage {
			t.Errorf("%s: manage = %q, want %q", file, c.manage, DefaultManage)
		}
	}
	image, err := os.ReadFile("../../packaging/centrale.Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PINSEDE_CENTRALE_MANAGE=0.0.0.0:" + port + " ", "EXPOSE 8443 " + port + "\n", "-p 127.0.0.1:" + port + ":" + port + " "} {
		if !strings.Contains(string(image), want) {
			t.Errorf("packaging/centrale.Containerfile does not say %q", want)
		}
	}
}
