#!/usr/bin/env bash
# package.sh builds the desk app's Linux package with the fyne tool:
# dist/pinsede-sportello-VERSION-linux-ARCH.tar.xz (binary, icon, .desktop
# file and a Makefile that installs them: `sudo make install` inside it).
#
# The metadata (app id, name, version, build) comes from the top-level
# FyneApp.toml, read through the cmd/sportello/FyneApp.toml symlink. The icon
# is passed as an absolute path because the fyne tool resolves a relative
# Icon against the main package folder, not against FyneApp.toml.
#
# `fyne package` also bumps Build in FyneApp.toml and rewrites the file
# (dropping its comments); we restore the file, so that packaging leaves the
# tree clean. Raise Version/Build by hand in FyneApp.toml for a release.
#
# Environment:
#   FYNE     the fyne tool (default: .bin/fyne)
#   DIST     output folder (default: dist)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
fyne=${FYNE:-$root/.bin/fyne}
dist=${DIST:-$root/dist}
app=sportello

toml_value() { sed -n "s/^$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" FyneApp.toml | head -n1; }
version=$(toml_value Version)
arch=$(go env GOARCH)
out="$dist/pinsede-$app-$version-linux-$arch.tar.xz"

mkdir -p "$dist"
stage=$(mktemp -d "$dist/.stage-XXXXXX")
saved="$stage/FyneApp.toml.orig"
cp FyneApp.toml "$saved"
restore() {
	# cat, not cp or mv: keep FyneApp.toml and its symlink as they are.
	cmp -s "$saved" FyneApp.toml || cat "$saved" >FyneApp.toml
	rm -rf "$stage"
}
trap restore EXIT

# The fyne tool runs go build, which takes -modfile from GOFLAGS: Fyne's
# driver patched (third_party/fyne-idle).
bash scripts/fyne-idle.sh "$stage/fyne-idle.mod"
(cd "$stage" && GOFLAGS="${GOFLAGS:+$GOFLAGS }-modfile=$stage/fyne-idle.mod" "$fyne" package --target linux --release --tags "${TAGS-no_animations}" \
	--src "$root/cmd/$app" --icon "$root/assets/icon.png")

made=("$stage"/*.tar.xz)
if [ ! -f "${made[0]}" ]; then
	echo "package: fyne produced no .tar.xz" >&2
	exit 1
fi
mv "${made[0]}" "$out"
echo "package: $out"
tar -tJvf "$out"
