#!/usr/bin/env bash
# pg-test.sh starts and stops a throw-away PostgreSQL for trying centrale
# by hand (the Go tests start their own: sync/internal/pgtest).
#
#   scripts/pg-test.sh start   # prints the DSN: centrale -postgres "$DSN"
#   scripts/pg-test.sh stop
#
# The server lives in $PINSEDE_PG_DIR (default /tmp/pinsede-pg), runs as the
# postgres user when run as root (initdb refuses root), listens on a free
# loopback port with its unix socket in the same folder, without fsync:
# for tests only.
set -euo pipefail

dir=${PINSEDE_PG_DIR:-/tmp/pinsede-pg}
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
say() { printf 'pg-test: %s\n' "$*" >&2; }

if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
	say "PostgreSQL binaries not found: install the postgresql package (make setup does)"
	exit 1
fi

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case ${1:-} in
start)
	if [ -f "$dir/data/postmaster.pid" ]; then
		say "already running in $dir (stop it first)"
		exit 1
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync --locale=C >"$dir/initdb.log"
	# A random port in 20000-59999 that nothing answers on.
	while port=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do :; done
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off" start >/dev/null
	as_pg "$bin/createdb" -h "$dir" -p "$port" -U postgres pinsede
	echo "$port" >"$dir/port"
	echo "postgres://postgres@127.0.0.1:$port/pinsede?sslmode=disable"
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
