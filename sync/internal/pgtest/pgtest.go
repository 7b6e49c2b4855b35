// Package pgtest starts a throw-away PostgreSQL server for tests: initdb in
// a temporary folder (as the postgres user when the tests run as root, since
// initdb refuses root), listening on a loopback port of its own (below the
// kernel's ephemeral range, agreed on with the test servers of the other
// test binaries through lock files) with its unix socket in the same
// folder, with one database made for the tests.
//
// # Caveats
//
// The server runs without fsync: it is for tests and benchmarks only. With
// PINSEDE_PG_STATEMENTS=1 in the environment it loads pg_stat_statements,
// for Statements to count what a benchmark sends. When
// the PostgreSQL binaries are missing, Main runs the tests without a
// server: DSN then skips the test, or fails it when CI=true.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running test PostgreSQL.
type Server struct {
	dir  string
	bin  string
	port int
	// portLock holds the lock on port's lock file (reservePort).
	portLock *os.File
	dsn      string
	user     *user.User // who runs the server; nil for the current user

	// mu guards admin, a connection to the maintenance database
	// "postgres" through which CreateDB makes the tests' databases, one
	// statement each: the createdb program, started for each, took 317
	// ms a database after a store's migration, the statement 184 (mean
	// of 8 each, alternated, at a load of 8).
	mu    sync.Mutex
	admin *pgx.Conn
}

// ErrNoPostgres is returned by Start when no PostgreSQL binaries are found.
var ErrNoPostgres = errors.New("PostgreSQL binaries (initdb, pg_ctl) not found: install the postgresql package (make setup does)")

// binDir finds the folder of initdb and pg_ctl: $PG_BIN, the newest
// /usr/lib/postgresql/*/bin, or $PATH.
func binDir() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNoPostgres
}

// The ports of the test servers are taken below the kernel's ephemeral
// range (ip_local_port_range), from portLow: the kernel hands the ports
// of that range to every listener of port 0 and every outgoing
// connection, and one free when looked at was taken by another test
// binary, side by side under go test, before pg_ctl could bind it.
// Below it, the test servers of every binary agree on a port through a
// lock file of its own (flock), held from the port's choice to Stop,
// across Down and Up; a port some other program holds makes pg_ctl fail
// to bind, and Start tries another, portTries in all.
const (
	portLow   = 20000
	portTries = 20
)

// pickPort returns a port to try in [lo, hi): at random, so that the
// binaries that start servers together seldom try the same.
var pickPort = func(lo, hi int) int { return lo + rand.IntN(hi-lo) }

// portRange returns the ports a test server may take: from portLow to
// the kernel's ephemeral range, from 1024 where that range starts lower
// than portLow+1000, and every unprivileged port where it starts lower
// than 2024 (the locks and pg_ctl's bind still keep the servers apart).
func portRange() (lo, hi int) {
	lo, hi = portLow, 32768 // Linux's default ephemeral range starts at 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if v, err := strconv.Atoi(f[0]); err == nil {
				hi = v
			}
		}
	}
	if hi < lo+1000 {
		lo = 1024
	}
	if hi < lo+1000 {
		hi = 65536
	}
	return lo, hi
}

// reservePort takes a port no other test server holds, and its lock
// file's lock, which s keeps until release.
func (s *Server) reservePort() error {
	dir := filepath.Join(os.TempDir(), "pinsede-pgtest-ports")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return fmt.Errorf("reserve a port: %w", err)
	}
	os.Chmod(dir, 0o777|os.ModeSticky) // for the tests of every user; best effort
	lo, hi := portRange()
	for range 1000 {
		port := pickPort(lo, hi)
		f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(port)+".lock"), os.O_RDONLY|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("reserve a port: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				continue // another test server's
			}
			return fmt.Errorf("reserve port %d: %w", port, err)
		}
		s.port, s.portLock = port, f
		return nil
	}
	return fmt.Errorf("reserve a port: every port tried in [%d, %d) is another test server's", lo, hi)
}

// releasePort gives s's port back to the other test servers.
func (s *Server) releasePort() {
	if s.portLock != nil {
		s.portLock.Close() // and its lock with it
		s.portLock = nil
	}
}

// Start initialises and starts a server, and creates the database "pinsede".
func Start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pinsede-pg-")
	if err != nil {
		return nil, fmt.Errorf("start test postgres: %w", err)
	}
	s := &Server{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		if s.user, err = user.Lookup("postgres"); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("start test postgres: running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(s.user.Uid)
		gid, _ := strconv.Atoi(s.user.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("start test postgres: %w", err)
		}
	}
	if err := s.start(); err != nil {
		s.Stop()
		return nil, fmt.Errorf("start test postgres in %s: %w", dir, err)
	}
	return s, nil
}

// start runs initdb, pg_ctl start and createdb.
func (s *Server) start() error {
	data := filepath.Join(s.dir, "data")
	if err := s.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"); err != nil {
		return err
	}
	for try := 1; ; try++ {
		if err := s.reservePort(); err != nil {
			return err
		}
		err := s.Up()
		if err == nil {
			break
		}
		if try == portTries || !errors.Is(err, errCouldNotBind) {
			return err
		}
		s.releasePort() // another program's port: try another
	}
	var err error
	if s.dsn, err = s.CreateDB("pinsede"); err != nil {
		return err
	}
	return nil
}

// errCouldNotBind is the error of Up when the server's port was another
// program's.
var errCouldNotBind = errors.New("the server could not bind its port")

// Up starts the server on its port: pg_ctl start, which waits until it
// accepts connections. When it does not start, the error holds the end
// of the server's log, and is errCouldNotBind when another program held
// the port.
func (s *Server) Up() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
		s.port, s.dir)
	if os.Getenv("PINSEDE_PG_STATEMENTS") == "1" {
		opts += " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on"
	}
	logPath := filepath.Join(s.dir, "log")
	os.Remove(logPath) // the log of this start alone
	err := s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-l", logPath, "-o", opts, "-w", "-t", "60", "start")
	if err == nil {
		return nil
	}
	log, _ := os.ReadFile(logPath)
	tail := strings.TrimSpace(string(log[max(0, len(log)-2000):]))
	if strings.Contains(string(log), "could not bind") {
		return fmt.Errorf("port %d: %w: %w\n%s", s.port, errCouldNotBind, err, tail)
	}
	return fmt.Errorf("port %d: %w\n%s", s.port, err, tail)
}

// Down stops the server as an operator's restart does (pg_ctl stop -m
// fast: the sessions are ended, 57P01, and their transactions rolled
// back), keeping its data and port for Up; it returns once the server
// has stopped.
func (s *Server) Down() error {
	s.mu.Lock()
	if s.admin != nil {
		s.admin.Close(context.Background())
		s.admin = nil
	}
	s.mu.Unlock()
	return s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "fast", "-w", "stop")
}

// Terminate ends the sessions of database db with pg_terminate_backend,
// as an operator or a failover does, and returns how many it ended.
func Terminate(tb testing.TB, db string) int {
	tb.Helper()
	if shared == nil {
		tb.Fatal("pgtest.Terminate: no server (pgtest.Main, DSN)")
	}
	return shared.Terminate(tb, db)
}

// Terminate ends the sessions of database db on s with
// pg_terminate_backend, and returns how many it ended.
func (s *Server) Terminate(tb testing.TB, db string) int {
	tb.Helper()
	conn, err := pgx.Connect(tb.Context(), s.url("postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(tb.Context(), `SELECT count(pg_terminate_backend(pid, 60000)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, db).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// run runs a PostgreSQL program as the server's user.
func (s *Server) run(prog string, args ...string) error {
	cmd := exec.Command(filepath.Join(s.bin, prog), args...)
	if s.user != nil {
		uid, _ := strconv.Atoi(s.user.Uid)
		gid, _ := strconv.Atoi(s.user.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		cmd.Env = append(os.Environ(), "HOME="+s.dir)
	}
	cmd.Dir = s.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", prog, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// DSN returns the connection string of the test database.
func (s *Server) DSN() string { return s.dsn }

// CreateDB makes another empty database and returns its connection
// string. It sends CREATE DATABASE, as the createdb program does, on one
// connection kept for them all.
func (s *Server) CreateDB(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx := context.Background()
	if s.admin == nil {
		conn, err := pgx.Connect(ctx, s.url("postgres"))
		if err != nil {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
		s.admin = conn
	}
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return s.url(name), nil
}

// url returns the connection string of database name on s.
func (s *Server) url(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// Stop stops the server and removes its folder.
func (s *Server) Stop() {
	s.mu.Lock()
	if s.admin != nil {
		s.admin.Close(context.Background())
		s.admin = nil
	}
	s.mu.Unlock()
	if _, err := os.Stat(filepath.Join(s.dir, "data", "postmaster.pid")); err == nil {
		s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	}
	s.releasePort()
	os.RemoveAll(s.dir)
}

// shared is the server Main started; nil when there is none.
var (
	shared   *Server
	startErr error
	dbs      atomic.Int64
)

// Main starts a server, runs the tests and stops it: call it from TestMain.
func Main(m *testing.M) {
	shared, startErr = Start()
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	os.Exit(code)
}

// need skips t, or fails it when CI=true, unless Main started a server.
func need(t testing.TB) {
	t.Helper()
	if shared == nil {
		if startErr == nil {
			startErr = errors.New("pgtest.Main was not called from TestMain")
		}
		if os.Getenv("CI") == "true" || !errors.Is(startErr, ErrNoPostgres) {
			t.Fatalf("PostgreSQL: %v", startErr)
		}
		t.Skipf("PostgreSQL: %v", startErr)
	}
}

// Private starts a server of tb's own, stopped when tb ends, for a test
// that stops it or ends its sessions (Down, Terminate): the server Main
// started serves the package's other tests. Its database is "pinsede"
// (Server.DSN). Without PostgreSQL it skips tb, or fails it under CI, as
// DSN does.
func Private(tb testing.TB) *Server {
	tb.Helper()
	need(tb)
	s, err := Start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// DSN returns the connection string of a fresh database on the server Main
// started. Without PostgreSQL it skips the test, or fails it when CI=true.
func DSN(t testing.TB) string {
	t.Helper()
	need(t)
	dsn, err := shared.CreateDB(fmt.Sprintf("t%d", dbs.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// CPU returns the processor time, user and system, that the server Main
// started has used so far: its postmaster's, that of the processes it
// forked and reaped (connections closed), and that of those alive
// (backends, WAL writer, checkpointer); read from /proc, so 0 where there
// is none or no server. For benchmarks that weigh PostgreSQL's share of
// the cores against the Go side's.
func CPU() time.Duration {
	if shared == nil {
		return 0
	}
	return shared.CPU()
}

// CPU returns the processor time, user and system, that server s has
// used so far, as the function CPU counts it for the server Main started.
func (s *Server) CPU() time.Duration {
	b, err := os.ReadFile(filepath.Join(s.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _, _ := strings.Cut(string(b), "\n")
	ticks := procTicks(pid, true)
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err == nil && procParent(d.Name()) == pid {
			ticks += procTicks(d.Name(), false)
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// ProcessCPU returns the processor time, user and system, that the
// process pid has used so far, read from /proc; 0 where there is none.
// For benchmarks that weigh a child process's share of the cores, such as
// a centrale process's.
func ProcessCPU(pid int) time.Duration {
	return time.Duration(procTicks(strconv.Itoa(pid), false)) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// procStat returns the fields of /proc/pid/stat after the command's
// closing parenthesis: state, ppid, ... (proc(5) numbers them from 3).
func procStat(pid string) []string {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return nil
	}
	return strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
}

// procParent returns the parent of process pid, "" when unknown.
func procParent(pid string) string {
	if f := procStat(pid); len(f) > 1 {
		return f[1]
	}
	return ""
}

// procTicks returns the clock ticks process pid has run, user and system,
// and with children those of its children it has waited for.
func procTicks(pid string, children bool) int64 {
	f := procStat(pid)
	if len(f) < 15 {
		return 0
	}
	n := 2 // utime and stime: fields 14 and 15, f[11] and f[12]
	if children {
		n = 4 // cutime and cstime follow
	}
	var t int64
	for _, s := range f[11 : 11+n] {
		v, _ := strconv.ParseInt(s, 10, 64)
		t += v
	}
	return t
}

// RequirePasswords restarts s so that every role but postgres logs in
// over TCP with its password (scram-sha-256), as a production server
// does; postgres, the tests' own, and the unix socket stay trusted. It
// returns once the server accepts connections under those rules.
func (s *Server) RequirePasswords() error {
	hba := "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
	if err := s.Down(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(s.dir, "data", "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		return fmt.Errorf("require passwords: %w", err)
	}
	if s.user != nil {
		uid, _ := strconv.Atoi(s.user.Uid)
		gid, _ := strconv.Atoi(s.user.Gid)
		if err := os.Chown(filepath.Join(s.dir, "data", "pg_hba.conf"), uid, gid); err != nil {
			return fmt.Errorf("require passwords: %w", err)
		}
	}
	return s.Up()
}

// RefusableRole makes the role name, a superuser, on the database of dsn
// (a connection string of the tests' own role, postgres), and returns
// dsn as that role, with refuse: refuse(true) makes PostgreSQL refuse
// the role's logins (NOLOGIN: SQLSTATE 28000, as a password rotated
// without its client's configuration) and ends its sessions,
// refuse(false) lets it log in again, as it does once tb ends.
func RefusableRole(tb testing.TB, dsn, name string) (string, func(refuse bool)) {
	tb.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	role := pgx.Identifier{name}.Sanitize()
	exec := func(sql string, args ...any) {
		tb.Helper()
		if _, err := admin.Exec(ctx, sql, args...); err != nil {
			tb.Fatal(err)
		}
	}
	exec(`CREATE ROLE ` + role + ` LOGIN SUPERUSER`)
	tb.Cleanup(func() {
		admin.Exec(ctx, `ALTER ROLE `+role+` LOGIN`)
		admin.Close(ctx)
	})
	return strings.Replace(dsn, "postgres://postgres@", "postgres://"+name+"@", 1), func(refuse bool) {
		tb.Helper()
		if !refuse {
			exec(`ALTER ROLE ` + role + ` LOGIN`)
			return
		}
		exec(`ALTER ROLE ` + role + ` NOLOGIN`)
		exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, name)
	}
}
