#!/usr/bin/env bash
# fyne-idle.sh MODFILE writes MODFILE, a copy of go.mod that builds the
# Fyne apps with the patched driver of third_party/fyne-idle (its README.md
# says why and how), and MODFILE's go.sum beside it: `go build
# -modfile=MODFILE` then compiles fyne.io/fyne/v2 from a copy of the module
# with the patch's files in place of upstream's. The Makefile runs it
# before every build of the Fyne apps, and the tests of cmd/sportello
# before they build the desk.
#
# The copy is made once for each patch and Fyne version, under
# ${XDG_CACHE_HOME:-~/.cache}/pinsede/fyne-idle/, with hard links to the
# module cache's files where it can: the same folder every time, so that
# the go command's build cache serves the next build. (go build -overlay
# cannot do it: the go command refuses to replace files beneath
# GOMODCACHE.)
#
# It fails, and writes nothing, when go.mod requires another Fyne than the
# one the patch was made for (third_party/fyne-idle/FYNE_VERSION), or when
# the upstream files the patch replaces are not those it was made from
# (third_party/fyne-idle/base.sha256): an upgrade must refresh the patch,
# not drop it or apply it to other code.
#
# Environment:
#   FYNE_IDLE  the patch's folder (default: third_party/fyne-idle; the
#              tests point it at altered copies)
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 MODFILE" >&2
	exit 2
fi
case $1 in
*.mod) ;;
*)
	echo "fyne-idle: $1: the name of a go.mod file must end in .mod" >&2
	exit 2
	;;
esac
modfile=$(realpath -m "$1")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
patch=$(cd "${FYNE_IDLE:-$root/third_party/fyne-idle}" && pwd)
refresh="refresh the patch as third_party/fyne-idle/README.md says"

want=$(<"$patch/FYNE_VERSION")
cd "$root"
go mod download fyne.io/fyne/v2
read -r version dir < <(go list -m -f '{{.Version}} {{.Dir}}' fyne.io/fyne/v2)
if [ "$version" != "$want" ]; then
	echo "fyne-idle: go.mod requires fyne.io/fyne/v2 $version, but the idle patch ($patch) was made for $want: $refresh" >&2
	exit 1
fi
if ! check=$(cd "$dir" && sha256sum --strict -c "$patch/base.sha256" 2>&1); then
	echo "fyne-idle: these files of fyne.io/fyne/v2 $version ($dir) are not those the idle patch was made from: $refresh" >&2
	grep -v ': OK$' <<<"$check" | sed 's/^/  /' >&2
	exit 1
fi

# The patched module: named by the version and the patch's content, in a
# folder named fyne, as in the module cache (fyne.io/fyne/v2@VERSION):
# Fyne's complaint of a call off its main goroutine names the first
# caller in a file whose path lacks /fyne/ (internal/async's
# logStackTop), which would otherwise be Fyne's own goroutine.go.
mapfile -t files < <(cd "$patch" && find internal app -name '*.go' | sort)
key=$( (echo "$version" && cd "$patch" && sha256sum "${files[@]}") | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pinsede/fyne-idle
tree=$cache/$version-$key/fyne
if [ ! -d "$tree" ]; then
	mkdir -p "$(dirname "$tree")"
	tmp=$(mktemp -d "$tree.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	cp -al "$dir/." "$tmp" 2>/dev/null || cp -a "$dir/." "$tmp"
	chmod -R u+w "$tmp"
	for f in "${files[@]}"; do
		rm -f "$tmp/$f"
		cp "$patch/$f" "$tmp/$f"
	done
	chmod -R a-w "$tmp"
	# Another build may have made it meanwhile: keep the first.
	mv -T "$tmp" "$tree" 2>/dev/null || chmod -R u+w "$tmp"
	trap - EXIT
	rm -rf "$tmp"
fi

mkdir -p "$(dirname "$modfile")"
{
	cat go.mod
	echo
	echo "// Made by scripts/fyne-idle.sh: Fyne with third_party/fyne-idle's patch."
	echo "replace fyne.io/fyne/v2 => $tree"
} >"$modfile.tmp"
cp go.sum "${modfile%.mod}.sum"
mv "$modfile.tmp" "$modfile"
