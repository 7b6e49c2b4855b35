#!/usr/bin/env bash
# pg-backup.sh backs up and restores centrale's PostgreSQL database.
#
#   scripts/pg-backup.sh dump DSN FILE      # a consistent copy, centrale running or not
#   scripts/pg-backup.sh restore FILE DSN   # into an empty database of DSN's role (createdb -O ROLE first)
#   scripts/pg-backup.sh counts DSN         # rows of each table, to compare
#   scripts/pg-backup.sh -pg-password-file FILE dump|restore|counts ...
#
# The role's password is taken as centrale takes it: from the first line
# of -pg-password-file FILE, else from $PINSEDE_PG_PASSWORD, else as
# libpq finds it ($PGPASSWORD, ~/.pgpass). It is given to the PostgreSQL
# tools in a password file of the script's own (0600, removed at the end),
# never on a command line.
#
# dump runs pg_dump in the custom format (-Fc, compressed): one snapshot of
# the whole database, taken while centrale goes on serving. restore runs
# pg_restore in one transaction and stops at the first error: a database
# is restored whole or not at all; it refuses a database that has tables.
# It does not give the copy an epoch of its own (a dump cannot carry one):
# it says to run `centrale restore -postgres DSN` before centrale serves it.
# Keep the dumps off the database's machine, readable by their owner only
# (the script writes them 0600): they hold every credential's PIN hash.
#
# The pg_dump and pg_restore are $PG_BIN's when set, else the newest in
# /usr/lib/postgresql/*/bin, else $PATH's: they must be at least the
# server's version.
set -euo pipefail

say() { printf 'pg-backup: %s\n' "$*" >&2; }
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
tool() {
	if [ -n "$bin" ] && [ -x "$bin/$1" ]; then echo "$bin/$1"; else command -v "$1" || { say "$1 not found: install the postgresql-client package"; exit 1; }; fi
}
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# The password, as centrale takes it, put in a password file of libpq's
# (PGPASSFILE) for every host, port, database and user: ':' and '\'
# escaped, as .pgpass wants them.
password=
if [ "${1:-}" = -pg-password-file ]; then
	[ $# -ge 2 ] || usage
	if [ ! -f "$2" ] || [ ! -r "$2" ]; then say "-pg-password-file $2: not a file this user can read"; exit 1; fi
	password=$(head -c 4096 "$2" | head -n 1)
	if [ -z "$password" ]; then say "-pg-password-file $2: its first line is empty: the password goes there"; exit 1; fi
	shift 2
elif [ -n "${PINSEDE_PG_PASSWORD:-}" ]; then
	password=$PINSEDE_PG_PASSWORD
fi
if [ -n "$password" ]; then
	passfile=$(umask 077 && mktemp)
	trap 'rm -f "$passfile"' EXIT
	password=${password//\\/\\\\}
	printf '*:*:*:*:%s\n' "${password//:/\\:}" >"$passfile"
	export PGPASSFILE=$passfile
	unset PGPASSWORD
fi

tables() {
	"$(tool psql)" -X -q -At -v ON_ERROR_STOP=1 -d "$1" \
		-c "SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
}

case ${1:-} in
dump)
	[ $# -eq 3 ] || usage
	dsn=$2 out=$3
	if [ -e "$out" ]; then say "$out exists: choose another name"; exit 1; fi
	umask 077
	# A dump that fails leaves no part behind: on a full disk it would
	# keep the disk full, night after night, each holding PIN hashes.
	trap 'rm -f "$out.part" ${passfile:+"$passfile"}' EXIT
	if ! "$(tool pg_dump)" -Fc --no-owner --no-privileges -f "$out.part" -d "$dsn"; then
		say "the dump failed (above): nothing was written to $out"
		exit 1
	fi
	mv "$out.part" "$out"
	say "dump of the database written to $out ($(wc -c <"$out") bytes)"
	;;
restore)
	[ $# -eq 3 ] || usage
	in=$2 dsn=$3
	if [ -n "$(tables "$dsn")" ]; then say "the database has tables: restore into a new, empty one (createdb -O ROLE)"; exit 1; fi
	if [ "$("$(tool psql)" -X -q -At -v ON_ERROR_STOP=1 -d "$dsn" -c "SELECT has_schema_privilege('public', 'CREATE')")" != t ]; then
		say "the role of $dsn may not create tables in the database (PostgreSQL 15 gives schema public to the database's owner only): make it with createdb -O ROLE, or ALTER DATABASE ... OWNER TO ROLE; nothing was restored"
		exit 1
	fi
	"$(tool pg_restore)" --no-owner --no-privileges --single-transaction --exit-on-error -d "$dsn" "$in"
	say "database restored from $in"
	# A dump carries the epoch of the database dumped: only centrale gives
	# the copy one of its own, which the desks find.
	say "NOW, before any centrale serves it, give the database an epoch of its own: centrale restore -postgres '${dsn//\'/\'\\\'\'}' (with centrale's -pg-password-file FILE, or PINSEDE_PG_PASSWORD): the dump carries the epoch of the database dumped, and without it the desks are not told: what they pushed after the dump is lost at centrale"
	;;
counts)
	[ $# -eq 2 ] || usage
	for t in $(tables "$2"); do
		printf '%s %s\n' "$t" "$("$(tool psql)" -X -q -At -v ON_ERROR_STOP=1 -d "$2" -c "SELECT count(*) FROM $t")"
	done
	;;
*) usage ;;
esac
