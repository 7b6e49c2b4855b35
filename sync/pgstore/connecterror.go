package pgstore

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pinsede/pinsede/sync/central"
)

// ConnectReason is why Open could not connect to the database.
type ConnectReason int

// The reasons.
const (
	// ConnectOther: any other failure; ConnectError.Detail says it.
	ConnectOther ConnectReason = iota
	// ConnectPassword: PostgreSQL refuses the role's password (28P01).
	ConnectPassword
	// ConnectRole: PostgreSQL refuses the role (28000): no such role,
	// one without LOGIN, or no line of pg_hba.conf lets it in from this
	// host.
	ConnectRole
	// ConnectDatabase: the database does not exist (3D000).
	ConnectDatabase
	// ConnectNotListening: nothing listens at the address (connection
	// refused): PostgreSQL not running, or another host or port.
	ConnectNotListening
	// ConnectNoAnswer: the address did not answer within the connect
	// timeout (ConnectTimeout, or the connection string's).
	ConnectNoAnswer
	// ConnectUnknownHost: the host's name is not known.
	ConnectUnknownHost
)

// ConnectError is Open's error when it cannot connect to the database,
// and the one the error of a call wraps when the pool could not reach
// it: where, as which role, to which database, and why, told in one line by
// Error, never the connection string's password. It unwraps to
// central.ErrRefused for a refusal of the role, password or database,
// to central.ErrUnavailable for an address that refuses or does not
// answer, and to pgx's error.
type ConnectError struct {
	Reason ConnectReason
	// Addr is the address tried, host:port (a socket's folder for a
	// unix socket), or every address of a connection string that names
	// several (host=a,b), in its order, separated by ", "; User and
	// Database are the connection string's.
	Addr, User, Database string
	// Wait is the connect timeout that ran out (ConnectNoAnswer).
	Wait time.Duration
	// Detail is PostgreSQL's message of its refusal, or the network's,
	// on one line.
	Detail string
	// hosts is how many addresses Addr names.
	hosts int
	err   error
}

// Error says what failed, on one line.
func (e *ConnectError) Error() string {
	switch e.Reason {
	case ConnectPassword:
		return fmt.Sprintf("PostgreSQL at %s refuses the password of role %q (28P01)", e.Addr, e.User)
	case ConnectRole:
		return fmt.Sprintf("PostgreSQL at %s refuses role %q: %s (28000)", e.Addr, e.User, e.Detail)
	case ConnectDatabase:
		return fmt.Sprintf("PostgreSQL at %s has no database %q (3D000)", e.Addr, e.Database)
	case ConnectNotListening:
		if e.hosts > 1 {
			return fmt.Sprintf("nothing listens at %s, PostgreSQL's addresses (connection refused)", e.Addr)
		}
		return fmt.Sprintf("nothing listens at %s, PostgreSQL's address (connection refused)", e.Addr)
	case ConnectNoAnswer:
		if e.hosts > 1 {
			return fmt.Sprintf("PostgreSQL at %s did not answer within %v each", e.Addr, e.Wait)
		}
		return fmt.Sprintf("PostgreSQL at %s did not answer within %v", e.Addr, e.Wait)
	case ConnectUnknownHost:
		return fmt.Sprintf("the host of PostgreSQL's address %s is not known: %s", e.Addr, e.Detail)
	}
	return fmt.Sprintf("cannot connect to PostgreSQL at %s as role %q, database %q: %s", e.Addr, e.User, e.Database, e.Detail)
}

// Unwrap returns the error classified (central.ErrRefused or
// central.ErrUnavailable, around pgx's).
func (e *ConnectError) Unwrap() error { return e.err }

// connectError returns err, a connect's to the database of cfg, as a
// *ConnectError when it is one (pgconn.ConnectError), else err.
func connectError(cfg *pgconn.Config, err error) error {
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		return err
	}
	as := addrs(cfg)
	e := &ConnectError{Addr: strings.Join(as, ", "), hosts: len(as), User: cfg.User, Database: cfg.Database, err: err, Detail: oneLine(err)}
	var pe *pgconn.PgError
	var dns *net.DNSError
	switch {
	case errors.As(err, &pe):
		e.Detail = pe.Message
		switch pe.Code {
		case "28P01":
			e.Reason = ConnectPassword
		case "28000":
			e.Reason = ConnectRole
		case "3D000":
			e.Reason = ConnectDatabase
		}
	case pgconn.Timeout(err):
		e.Reason, e.Wait = ConnectNoAnswer, cfg.ConnectTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Reason = ConnectNotListening
	case errors.As(err, &dns):
		e.Reason, e.Detail = ConnectUnknownHost, dns.Err
	}
	switch {
	case refused(err):
		e.err = fmt.Errorf("%w: %w", central.ErrRefused, err)
	case unreachable(err):
		e.err = fmt.Errorf("%w: %w", central.ErrUnavailable, err)
	}
	return e
}

// addrs are the addresses of cfg, each once, in their order: host:port,
// or a unix socket's folder. pgx keeps the first in cfg and the others
// in its fallbacks, with a fallback more for each when sslmode allows
// connecting with TLS and without.
func addrs(cfg *pgconn.Config) []string {
	out := []string{addr(cfg.Host, cfg.Port)}
	for _, f := range cfg.Fallbacks {
		if a := addr(f.Host, f.Port); !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// addr is host:port, or host alone when it is a unix socket's folder.
func addr(host string, port uint16) string {
	if strings.HasPrefix(host, "/") {
		return host
	}
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}

// oneLine is err's text on one line: pgx joins the errors of each
// address it tried with newlines.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
