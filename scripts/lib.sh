# shellcheck shell=bash
# lib.sh: what deb.sh, deb-test.sh, image.sh, windows.sh and
# windows-check.sh share; they source it.

# app_version prints the Version of FyneApp.toml (the desk's metadata),
# which a build of a tree without a tag takes as its base.
app_version() {
	sed -n 's/^Version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' FyneApp.toml | head -n1
}

# release_ldflags VERSION COMMIT BUILT prints the -ldflags of a release
# build: stripped, stamped as the Makefile stamps (internal/buildinfo).
release_ldflags() {
	local p=github.com/pinsede/pinsede/internal/buildinfo
	printf '%s' "-s -w -X $p.Version=$1 -X $p.Commit=$2 -X $p.Built=$3"
}

# start_work NAME makes $work, a temporary folder; $pid is a background
# process the caller may start. At exit the process is stopped and the
# folder removed.
start_work() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/$1-XXXXXX")
	pid=
	trap stop_work EXIT
}
stop_work() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}

# free_port prints a TCP port free on loopback.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_healthy CMD... runs the health check CMD until it succeeds, for
# 10 s at most; it fails, showing $work/centrale.log, if the process $pid
# stops first or the time runs out.
wait_healthy() {
	for _ in $(seq 100); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		if ! kill -0 "$pid" 2>/dev/null; then
			cat "$work/centrale.log" >&2
			echo "centrale stopped" >&2
			return 1
		fi
		sleep 0.1
	done
	cat "$work/centrale.log" >&2
	echo "centrale did not answer in 10 s" >&2
	return 1
}
