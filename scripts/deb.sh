#!/usr/bin/env bash
# deb.sh builds the Debian packages with nfpm (make deb) into DIST:
#
#   pinsede-centrale   centrale (static), centrale.service, its sysusers
#                      file, /etc/pinsede/centrale.toml
#   pinsede-pinctl     pinctl (static), which centrale depends on
#   pinsede-sportello  the desk app, its .desktop file and icon (hicolor),
#                      /etc/pinsede/sportello.toml
#   pinsede-chiosco    the kiosk, chiosco.service, its sysusers file,
#                      /etc/pinsede/chiosco.toml, its icon
#
# The package definitions are packaging/pinsede-*.yaml; this script builds
# the binaries into a staging folder, fills in the maintainer scripts and
# the ${STAGE}, ${DEB_VERSION} and ${DEB_ARCH} of the definitions, and
# runs nfpm on each. The version is VERSION (git describe, as the Makefile
# stamps it) made a Debian version by debversion below.
#
# Environment:
#   NFPM      the nfpm tool (default: .bin/nfpm)
#   DIST      output folder (default: dist)
#   VERSION   the version to stamp (default: git describe --always --dirty)
#   COMMIT, BUILT  stamped too (the Makefile passes them)
#   TAGS      build tags of the Fyne apps (default: no_animations)
#   DEB_PKGS  the packages to build (default: all four)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
nfpm=${NFPM:-$root/.bin/nfpm}
dist=${DIST:-$root/dist}
version=${VERSION:-$(git describe --always --dirty 2>/dev/null || echo dev)}
commit=${COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || true)}
built=${BUILT:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
tags=${TAGS-no_animations}
pkgs=${DEB_PKGS:-pinsede-centrale pinsede-pinctl pinsede-sportello pinsede-chiosco}

# debversion turns a git describe into a Debian version: a tag v1.2.3 is
# 1.2.3, 4 commits after it 1.2.3+4.gHASH; with no tag, the Version of
# FyneApp.toml and the number of commits (0.1.0~git812.gHASH, which sorts
# before 0.1.0 and after the commits before it); -dirty is
# +dirty (or .dirty). A Debian version starts with a digit and has no
# hyphen (the revision is nfpm's release, 1).
debversion() {
	local v=${1#v} dirty=
	case $v in *-dirty) v=${v%-dirty} dirty=dirty ;; esac
	if [[ $v =~ ^([0-9][0-9A-Za-z.~+]*)-([0-9]+)-g([0-9a-f]+)$ ]]; then
		v="${BASH_REMATCH[1]}+${BASH_REMATCH[2]}.g${BASH_REMATCH[3]}"
	elif [[ $v =~ ^[0-9a-f]{7,40}$ ]]; then
		local base
		base=$(app_version)
		v="${base:-0.0.0}~git$(git rev-list --count HEAD 2>/dev/null || echo 0).g$v"
	elif ! [[ $v =~ ^[0-9][0-9A-Za-z.~+]*$ ]]; then
		v="0.0.0~$(printf '%s' "$v" | tr -c '0-9A-Za-z.~+' '.')"
	fi
	if [ -n "$dirty" ]; then
		case $v in *+*) v="$v.$dirty" ;; *) v="$v+$dirty" ;; esac
	fi
	printf '%s\n' "$v"
}

if [ "${1-}" = debversion ]; then # scripts/deb.sh debversion VERSION: the test
	debversion "$2"
	exit 0
fi

DEB_VERSION=$(debversion "$version")
DEB_ARCH=$(go env GOARCH)
mkdir -p "$dist"
STAGE=$(mktemp -d "$dist/.deb-stage-XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

ldflags=$(release_ldflags "$version" "$commit" "$built")
has() { [[ " $pkgs " == *" $1 "* ]]; }

# centrale and pinctl: static (no cgo), so the same binary runs on any
# Linux of the architecture, and in the container image.
static=()
has pinsede-centrale && static+=(./cmd/centrale)
has pinsede-pinctl && static+=(./cmd/pinctl)
if [ ${#static[@]} -gt 0 ]; then
	CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$STAGE/" "${static[@]}"
fi
# The Fyne apps need cgo (OpenGL, X11).
fyne=()
has pinsede-sportello && fyne+=(./cmd/sportello)
has pinsede-chiosco && fyne+=(./cmd/chiosco)
if [ ${#fyne[@]} -gt 0 ]; then
	# With Fyne's driver patched (third_party/fyne-idle).
	bash scripts/fyne-idle.sh "$STAGE/fyne-idle.mod"
	go build -trimpath -modfile "$STAGE/fyne-idle.mod" -tags "$tags" -ldflags "$ldflags" -o "$STAGE/" "${fyne[@]}"
fi

# postinst: packaging/sysuser.postinst for each package with a system user.
postinst() { # package user gecos files dirs
	sed -e "s|@PKG@|$1|g" -e "s|@USER@|$2|g" -e "s|@GECOS@|$3|g" \
		-e "s|@FILES@|$4|g" -e "s|@DIRS@|$5|g" packaging/sysuser.postinst >"$STAGE/$1.postinst"
	chmod 0755 "$STAGE/$1.postinst"
}
postinst pinsede-centrale pinsede "PIN Sede central records" /etc/pinsede/centrale.toml /etc/pinsede/pki
postinst pinsede-chiosco pinsede-chiosco "PIN Sede kiosk" /etc/pinsede/chiosco.toml ""

for p in $pkgs; do
	out="$dist/${p}_${DEB_VERSION}-1_${DEB_ARCH}.deb"
	rm -f "$out"
	# nfpm expands ${VAR} in some fields only (not in a file's src): fill
	# them all in first.
	sed -e "s|\${STAGE}|$STAGE|g" -e "s|\${DEB_VERSION}|$DEB_VERSION|g" -e "s|\${DEB_ARCH}|$DEB_ARCH|g" \
		"packaging/$p.yaml" >"$STAGE/$p.yaml"
	"$nfpm" package --config "$STAGE/$p.yaml" --packager deb --target "$out" >/dev/null
	echo "deb: $out"
done
