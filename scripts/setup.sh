#!/usr/bin/env bash
# setup.sh installs what pinsede needs on a Debian machine that has Go.
#
# It reads scripts/apt-packages.txt, asks dpkg which of those packages are
# already installed (one dpkg-query call), and runs apt-get only for the
# missing ones. When everything is present it does nothing else, so it is
# cheap enough to run before every `make run` and `make test`.
#
# Go modules are not handled here: the go command downloads them itself.
# Go tools (fyne, benchstat) are installed into .bin/ by the Makefile, only
# by the targets that need them.
#
# Environment:
#   PINSEDE_APT_PACKAGES  another package list file (default: beside this script)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list=${PINSEDE_APT_PACKAGES:-$here/apt-packages.txt}

say() { printf 'setup: %s\n' "$*" >&2; }

# --- Go -------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
	if [ -x /usr/local/go/bin/go ]; then
		say "go is not on PATH; add it with: export PATH=\$PATH:/usr/local/go/bin"
	else
		say "Go is not installed: install Go (see go.mod for the version) into /usr/local/go"
	fi
	exit 1
fi

# --- Debian packages --------------------------------------------------------
if ! command -v dpkg-query >/dev/null 2>&1; then
	say "dpkg-query not found: this script supports Debian and its derivatives only"
	exit 1
fi

want=()
while IFS= read -r line; do
	line=${line%%#*}
	line=${line//[[:space:]]/}
	[ -n "$line" ] && want+=("$line")
done <"$list"
[ ${#want[@]} -eq 0 ] && exit 0

# One query for all packages. Unknown packages only print to stderr, and
# dpkg-query then exits non-zero; both are fine: absent means missing.
declare -A status=()
while IFS=$'\t' read -r name st; do
	status[$name]=$st
done < <(dpkg-query -W -f='${Package}\t${Status}\n' "${want[@]}" 2>/dev/null || true)

missing=()
for p in "${want[@]}"; do
	[ "${status[$p]:-}" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

say "installing missing Debian packages: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		say "not root and sudo is not installed: as root, run: apt-get install -y ${missing[*]}"
		exit 1
	fi
	sudo=(sudo)
	# Without a terminal (CI), sudo must not wait for a password.
	[ -t 0 ] || sudo=(sudo -n)
fi
apt_get=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
"${apt_get[@]}" update -q
"${apt_get[@]}" install -y -q "${missing[@]}"
say "done"
