package client_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testnet"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
)

// Ensure that centrale, the real binary, started on a PostgreSQL it
// cannot use exits 1 with one line on stderr, and the same as one error
// of its log, that says what is wrong and what to do: a password
// refused or not given, a role refused, a database that does not exist, an address
// where nothing listens, every one of several named (before, the first
// alone), one that never answers; with no pgx dump of
// the attempts nor SQLSTATE text. Before, it wrote pgx's error ("failed
// to connect to `user=… database=…`: … (SQLSTATE 28P01)") with no
// advice and nothing in the log, and on an address that never answered
// it waited for ever.
func TestCentraleStartStoreRefused(t *testing.T) {
	testclock.RealDayOnly(t, "centrale's words for a PostgreSQL it cannot use")
	pg := pgtest.Private(t)
	if err := pg.RequirePasswords(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE ROLE pinsede LOGIN PASSWORD 'giusta'; CREATE ROLE chiuso NOLOGIN PASSWORD 'giusta'`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := testenv.BuildCentrale(t, dir)
	pkiDir := filepath.Join(dir, "pki")
	if err := os.Mkdir(pkiDir, 0o700); err != nil {
		t.Fatal(err)
	}
	testenv.PKIDir(t, pkiDir)
	u, err := url.Parse(pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	dsn := func(user, host, db string) string {
		v := *u
		v.User, v.Host, v.Path = url.User(user), host, "/"+db
		return v.String()
	}
	nothing, nothing2 := testnet.RefusedAddr(t), testnet.RefusedAddr(t)
	// Connects complete into its backlog, and nobody reads them: a host
	// gone without closing its sockets, or a VM paused.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	for _, tc := range []struct {
		name, dsn, password string
		want                []string
	}{
		{"password", dsn("pinsede", u.Host, "pinsede"), "sbagliata", []string{
			`PostgreSQL at ` + u.Host + ` refuses the password of role "pinsede" (28P01): give the role's password`, "-pg-password-file", "PINSEDE_PG_PASSWORD"}},
		{"no password given", dsn("pinsede", u.Host, "pinsede"), "", []string{
			`PostgreSQL at ` + u.Host + ` refuses the password of role "pinsede" (28P01): give the role's password`}},
		{"role", dsn("chiuso", u.Host, "pinsede"), "giusta", []string{
			`PostgreSQL at ` + u.Host + ` refuses role "chiuso": role "chiuso" is not permitted to log in (28000): check the user of -postgres`, "pg_hba.conf"}},
		{"database", dsn("pinsede", u.Host, "nessuno"), "giusta", []string{
			`PostgreSQL at ` + u.Host + ` has no database "nessuno" (3D000): check the database of -postgres, or create it (createdb -O pinsede nessuno)`}},
		{"nothing listens", dsn("pinsede", nothing, "pinsede"), "giusta", []string{
			"nothing listens at " + nothing + ", PostgreSQL's address (connection refused): start PostgreSQL, or put its host and port right in -postgres"}},
		{"nothing listens at either host", dsn("pinsede", nothing+","+nothing2, "pinsede"), "giusta", []string{
			"nothing listens at " + nothing + ", " + nothing2 + ", PostgreSQL's addresses (connection refused): start PostgreSQL"}},
		{"no answer", dsn("pinsede", silent.Addr().String(), "pinsede"), "giusta", []string{
			"PostgreSQL at " + silent.Addr().String() + " did not answer within 5s: check that its host is up", "-postgres"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-pki", pkiDir, "-listen", "127.0.0.1:0", "-manage", "", "-admin", "", "-postgres", tc.dsn)
			cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
			if tc.password != "" {
				cmd.Env = append(cmd.Env, "PINSEDE_PG_PASSWORD="+tc.password)
			}
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || ctx.Err() != nil {
				t.Fatalf("centrale: %v (%v), want exit 1; stderr:\n%s", err, ctx.Err(), stderr.String())
			}
			said := stderr.String()
			line, rest, _ := strings.Cut(said, "\n")
			if !strings.HasPrefix(line, "centrale: ") || rest != "" {
				t.Errorf("centrale wrote on stderr:\n%s\nwant one line, \"centrale: …\"", said)
			}
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("centrale says:\n%s\nwant %q in it", line, w)
				}
			}
			for _, no := range []string{"SQLSTATE", "failed to connect", "user=", "giusta", "sbagliata", "goroutine"} {
				if strings.Contains(said, no) {
					t.Errorf("centrale says:\n%s\nwith %q in it", said, no)
				}
			}
			errs := 0
			for _, l := range strings.Split(stdout.String(), "\n") {
				if strings.Contains(l, "level=ERROR") {
					errs++
					if !strings.Contains(l, `msg="central store cannot be opened"`) || !strings.Contains(l, strings.ReplaceAll(tc.want[0], `"`, `\"`)) {
						t.Errorf("log's error %q, want the store that cannot be opened, and why", l)
					}
				}
			}
			if errs != 1 {
				t.Errorf("log has %d errors, want 1:\n%s", errs, stdout.String())
			}
		})
	}
}
