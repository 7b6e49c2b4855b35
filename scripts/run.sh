#!/usr/bin/env bash
# run.sh BINARY [ARGS...] runs a desktop binary of pinsede.
#
# With $DISPLAY set, it simply runs the binary there. Without one (a server,
# an ssh session, a container) it starts a virtual X screen (Xvfb), says so,
# and runs the binary on it: useful for demos and screenshots.
#
# Environment:
#   PINSEDE_XVFB_SCREEN  the virtual screen, WIDTHxHEIGHTxDEPTH (default 1280x800x24)
set -euo pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 BINARY [ARGS...]" >&2
	exit 2
fi
bin=$1
shift

# Fyne reads the locale from the environment when it starts and logs an
# error for the C/POSIX locale of servers and containers; a desk PC has an
# Italian one. (The interface language is -lang's, whatever the locale.)
run=("$bin")
case "${LC_ALL:-${LC_MESSAGES:-${LANG:-C}}}" in
C | C.* | POSIX) run=(env -u LC_ALL -u LC_MESSAGES LANG=it_IT.UTF-8 "$bin") ;;
esac

if [ -n "${DISPLAY:-}" ]; then
	exec "${run[@]}" "$@"
fi

screen=${PINSEDE_XVFB_SCREEN:-1280x800x24}
numfile=$(mktemp)
xvfb_pid=
cleanup() {
	if [ -n "$xvfb_pid" ]; then
		kill "$xvfb_pid" 2>/dev/null || true
		wait "$xvfb_pid" 2>/dev/null || true
	fi
	rm -f "$numfile"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Xvfb picks a free display number itself and writes it to fd 3.
# Its own session: a Ctrl-C meant for the app must not stop the X server first.
# -noreset: the server stays up, accepting clients, when the last one leaves
# (the app restarted, a screenshot taken), instead of resetting meanwhile.
setsid Xvfb -displayfd 3 -screen 0 "$screen" -nolisten tcp -noreset 3>"$numfile" 2>/dev/null &
xvfb_pid=$!
for _ in $(seq 100); do
	[ -s "$numfile" ] && break
	kill -0 "$xvfb_pid" 2>/dev/null || { echo "run: Xvfb failed to start (bash scripts/setup.sh installs it)" >&2; exit 1; }
	sleep 0.1
done
num=$(tr -d '[:space:]' <"$numfile")
if [ -z "$num" ]; then
	echo "run: Xvfb gave no display number in 10 s" >&2
	exit 1
fi
export DISPLAY=:$num

cat >&2 <<MSG
run: \$DISPLAY is not set, so there is no screen to show the app on.
run: started a virtual screen (Xvfb) on $DISPLAY ($screen); the app runs there, unseen.
run:   screenshot:  DISPLAY=$DISPLAY import -window root /tmp/pinsede.png
run:   to see it:   run 'make run' from a desktop session, or over 'ssh -X'.
run: Ctrl-C stops the app and the virtual screen.
MSG

# The app runs in the background so that a Ctrl-C or a kill reaches it as
# SIGTERM first (it closes its store and quits), and only then the X server
# goes away.
"${run[@]}" "$@" &
app_pid=$!
trap 'kill -TERM "$app_pid" 2>/dev/null || true' INT TERM
while :; do
	status=0
	wait "$app_pid" || status=$?
	kill -0 "$app_pid" 2>/dev/null || break
done
exit "$status"
