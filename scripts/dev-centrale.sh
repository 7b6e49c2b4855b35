#!/usr/bin/env bash
# dev-centrale.sh BINDIR DATADIR SEDE LISTEN -- COMMAND [ARGS...] runs
# COMMAND connected to a development centrale, as `make run` does.
#
# Once, it makes a development CA in DATADIR/dev-pki with BINDIR/pinctl
# (ca init; ca server for localhost and 127.0.0.1; ca issue -role sede
# -code SEDE -desk 01 into DATADIR/dev-pki/sede-SEDE.crt/.key, the
# certificate of the sede's desk 01, and ca issue -role
# chiosco -code SEDE into DATADIR/dev-pki/chiosco-SEDE.crt/.key, for a
# development kiosk: go run ./cmd/chiosco -centrale URL -cert ... -certkey
# ... -ca ..., printed once centrale answers). Then it starts
# BINDIR/centrale on LISTEN with its bbolt store DATADIR/centrale.db and its
# log in DATADIR/centrale.log, waits until GET /v1/health answers, runs
# COMMAND with the flags that connect the desk to it appended
# (-centrale, -cert, -certkey, -ca), and stops centrale when COMMAND ends.
# A centrale already answering on LISTEN is used as it is, and left running.
#
# Safe to run again: what exists is kept.
set -euo pipefail

if [ $# -lt 6 ] || [ "$5" != "--" ]; then
	echo "usage: $0 BINDIR DATADIR SEDE LISTEN -- COMMAND [ARGS...]" >&2
	exit 2
fi
bindir=$1 data=$2 sede=$3 listen=$4
shift 5

pki=$data/dev-pki
cert=$pki/sede-$sede
kiosk=$pki/chiosco-$sede
url=https://$listen
log=$data/centrale.log
mkdir -p "$data"

if [ ! -f "$pki/ca.crt" ]; then
	"$bindir/pinctl" ca init -dir "$pki" -name "pinsede development CA"
fi
if [ ! -f "$pki/server.crt" ]; then
	"$bindir/pinctl" ca server -dir "$pki" -host localhost,127.0.0.1
fi
# A key without its certificate is what an issue cut short leaves (the
# key is written first): made again, as ca issue writes over nothing.
if [ ! -f "$cert.crt" ]; then
	rm -f "$cert.key"
	"$bindir/pinctl" ca issue -dir "$pki" -role sede -code "$sede" -desk 01 -out "$cert"
fi
if [ ! -f "$kiosk.crt" ]; then
	rm -f "$kiosk.key"
	"$bindir/pinctl" ca issue -dir "$pki" -role chiosco -code "$sede" -out "$kiosk"
fi

# centrale requires a client certificate at the handshake: the sede's
# answers for the health check.
healthy() {
	curl -fsS --max-time 2 --cacert "$pki/ca.crt" --cert "$cert.crt" --key "$cert.key" "$url/v1/health" >/dev/null 2>&1
}

centrale_pid=
cleanup() {
	if [ -n "$centrale_pid" ]; then
		kill -TERM "$centrale_pid" 2>/dev/null || true
		wait "$centrale_pid" 2>/dev/null || true
		echo "run: centrale stopped" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if healthy; then
	echo "run: centrale already answers on $url: the desk uses it" >&2
else
	# Its own session: a Ctrl-C meant for the desk must not stop centrale
	# first; the EXIT trap stops it after the desk.
	setsid "$bindir/centrale" -pki "$pki" -bolt "$data/centrale.db" -listen "$listen" -admin "$data/centrale.sock" >>"$log" 2>&1 &
	centrale_pid=$!
	for _ in $(seq 100); do
		healthy && break
		if ! kill -0 "$centrale_pid" 2>/dev/null; then
			centrale_pid=
			echo "run: centrale did not start; the end of $log:" >&2
			tail -n 5 "$log" >&2
			exit 1
		fi
		sleep 0.1
	done
	healthy || { echo "run: centrale gave no answer on $url in 10 s (log: $log)" >&2; exit 1; }
	echo "run: centrale on $url (store $data/centrale.db, log $log), sede $sede" >&2
fi
echo "run: a kiosk of sede $sede on it: go run ./cmd/chiosco -window -sede Sviluppo -ticket-dir /tmp/pinsede-tickets" \
	"-centrale $url -cert $kiosk.crt -certkey $kiosk.key -ca $pki/ca.crt" >&2

# The command runs in the background, so that the traps above run when it
# ends or when a signal comes.
"$@" -centrale "$url" -cert "$cert.crt" -certkey "$cert.key" -ca "$pki/ca.crt" &
cmd_pid=$!
trap 'kill -TERM "$cmd_pid" 2>/dev/null || true' INT TERM
while :; do
	status=0
	wait "$cmd_pid" || status=$?
	kill -0 "$cmd_pid" 2>/dev/null || break
done
exit "$status"
