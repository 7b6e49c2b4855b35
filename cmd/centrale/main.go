// Command centrale is the central records server: it receives every sede's
// records, makes PINs valid everywhere, and answers PIN checks.
//
//	centrale [-config FILE] -pki DIR [-listen ADDR] [-manage ADDR] [-log-format text|json] [-log-level LEVEL] [-bolt FILE | -postgres DSN [-pg-stuck-after D]] [-lock-after N] [-lock-for D] [-lock-temporary N] [-lock-reset D] [-policy FILE]
//	centrale revoke [-admin SOCKET | -bolt FILE | -postgres DSN] -by OPERATOR -reason TEXT CREDENTIAL_ID
//	centrale unlock [-admin SOCKET | -bolt FILE | -postgres DSN] -by OPERATOR -cf CODICEFISCALE
//	centrale credentials [-admin SOCKET | -bolt FILE | -postgres DSN] -cf CODICEFISCALE
//	centrale sedi [-admin SOCKET | -bolt FILE | -postgres DSN]
//	centrale backup -bolt FILE -out FILE
//	centrale restore -bolt FILE | -postgres DSN [-force]
//	centrale healthcheck [-manage ADDR] [-path /healthz]
//	centrale audit forks [-admin SOCKET | -bolt FILE | -postgres DSN]
//	centrale audit reset [-admin SOCKET | -bolt FILE | -postgres DSN] -by OPERATOR -sede SEDE -chain HEX -to SEQ -reason TEXT
//
// It serves the API of sync/server over TLS 1.3 with client certificates
// (mutual TLS) from the CA that `pinctl ca` manages, and the eligibility
// policy of -policy to every sede. Run centrale -h for the flags. The
// API's listener bounds its connections, in all (-conn-max, by default
// from the descriptor limit) and per source address (-conn-per-source),
// resets those past a bound at their accept, and makes each TLS
// handshake within -conn-handshake (sync/server/listener.go); an HTTP/2
// connection that takes none of centrale's bytes for -conn-write-stall
// is closed; the management listener has bounds of its own
// (-manage-conn-max, -manage-conn-per-source).
//
// Settings come from the TOML file of -config, then PINSEDE_CENTRALE_*
// variables, then flags, each overriding the one before
// (internal/config); the PostgreSQL password from -pg-password-file or
// PINSEDE_PG_PASSWORD, never from the command line (pgpassword.go).
//
// A management listener, plain HTTP without client certificates on
// -manage (default 127.0.0.1:8442, none of the ports of Prometheus and
// its exporters), serves /healthz, /readyz, /metrics and the status page
// /status (observe.go, sync/server/manage.go, sync/server/status.go). An
// address another program holds stops centrale with a message that says
// which flag, variable and key choose another (listen.go). The log is
// -log-format text or json, at -log-level, with a request id on each
// request's lines.
//
// The operators' subcommands (revoke, unlock, credentials, sedi, audit)
// act on the records of the running centrale through its admin socket
// (-admin, a Unix socket only centrale's user and root may open:
// admin.go, sync/admin), or open the store directly with -postgres, or
// with -bolt while centrale is stopped (records.go).
//
// The revoke subcommand revokes a credential at the central records, by an
// operator of centrale; the credential's sede applies it at its next
// pull.
//
// The unlock subcommand lifts the wrong-PIN lock, temporary or permanent,
// of every credential of a codice fiscale (central.LockPolicy); no sede
// is told, as no sede is told of a lock.
//
// The credentials subcommand shows every credential of a codice fiscale,
// with its status and lock, never its hash; sedi lists the sedi's desks
// with their last push and pull, as the status page does.
//
// The audit subcommands look after the sedi's audit chains anchored at
// centrale (sync/central/audit.go): forks lists the audit heads refused
// and not resolved, and reset accepts a desk's chain from an entry on
// (after a restore from a copy, or for a desk PC set up again: a desk's
// first chain needs none), discarding the heads after it and resolving
// the forks of the sede's desk, recorded with who and why.
//
// The healthcheck subcommand GETs /healthz on the management listener
// and exits 0 when it answers 200: the container image's health check,
// which has no curl (healthcheck.go).
//
// The backup subcommand copies the bbolt store while centrale is stopped;
// a running centrale copies it itself with -backup-dir. PostgreSQL is
// backed up with scripts/pg-backup.sh (pg_dump). The restore subcommand
// gives a store put back from a copy a new epoch (restore.go): the desks
// find it, send again what they sent and pull again what they pulled
// since. It refuses a PostgreSQL database centrale replicas are
// connected to, unless -force.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals ask centrale to stop: it ends the requests in flight
// (after -drain-delay, which a second one ends) and returns.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
