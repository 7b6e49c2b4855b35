#!/usr/bin/env bash
# windows.sh builds the desk app for Windows and its installer (make
# windows):
#
#   BIN/windows/sportello.exe   windows/amd64, cross-compiled with mingw-w64,
#                               with an icon, a manifest and version
#                               information
#   DIST/pinsede-sportello-WINVERSION-windows-amd64.msi
#                               its installer, made by wixl
#
# The resources come from packaging/windows/winres.json: the icon is
# assets/icon.png (FyneApp.toml's), which go-winres resizes to 256, 64, 48,
# 32 and 16 pixels; the manifest asks for no elevation (asInvoker), per-monitor
# DPI awareness (v2), the common controls v6, and declares Windows 10 and 11
# (one supportedOS id for both); the version information carries the same
# VERSION, COMMIT and BUILT that -ldflags stamps into internal/buildinfo
# (what `sportello -version` prints), and WINVERSION, the four numbers
# Windows wants. go-winres writes them into cmd/sportello/rsrc_windows_amd64.syso,
# which go build links into a windows/amd64 build only; the file lives for
# the build and is removed after it, so nothing generated is committed.
#
# The installer is packaging/windows/sportello.wxs (it says what it does).
#
# Environment:
#   GO_WINRES  the go-winres tool (default: .bin/go-winres)
#   CC         the C compiler for windows/amd64 (default: x86_64-w64-mingw32-gcc)
#   BIN, DIST  output folders (default: bin, dist)
#   VERSION, COMMIT, BUILT  the stamp (defaults as the Makefile's)
#   TAGS       build tags (default: no_animations)
#
# scripts/windows.sh winversion VERSION prints the WINVERSION of VERSION.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# winversion VERSION prints the four numbers of a Windows version from a
# git describe: a tag v1.2.3 is 1.2.3.0, 4 commits after it 1.2.3.4; with
# no tag (a bare commit) or another form, FyneApp.toml's Version and the
# number of commits (0.1.0.269). -dirty does not count. Windows Installer
# allows at most 255.255.65535 for the first three and compares only them;
# VERSIONINFO allows 65535 for each.
winversion() {
	local v=${1#v} w
	v=${v%-dirty}
	if [[ $v =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)(-([0-9]+)-g[0-9a-f]+)?$ ]]; then
		w="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}.${BASH_REMATCH[5]:-0}"
	else
		local base
		base=$(app_version)
		w="${base:-0.0.0}.$(git rev-list --count HEAD 2>/dev/null || echo 0)"
	fi
	local -a n
	IFS=. read -r -a n <<<"$w"
	if [ ${#n[@]} -ne 4 ] || ((n[0] > 255 || n[1] > 255 || n[2] > 65535 || n[3] > 65535)); then
		echo "windows: version $1 gives $w, which Windows cannot take" >&2
		return 1
	fi
	printf '%s\n' "$w"
}

if [ "${1-}" = winversion ]; then # scripts/windows.sh winversion VERSION
	winversion "$2"
	exit 0
fi

go_winres=${GO_WINRES:-$root/.bin/go-winres}
cc=${CC:-x86_64-w64-mingw32-gcc}
bin=${BIN:-$root/bin}
dist=${DIST:-$root/dist}
version=${VERSION:-$(git describe --always --dirty 2>/dev/null || echo dev)}
commit=${COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || true)}
built=${BUILT:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
tags=${TAGS-no_animations}
winver=$(winversion "$version")
msi=$dist/pinsede-sportello-$winver-windows-amd64.msi

# The stamp goes into winres.json as it is: refuse what would need quoting.
for v in "$version" "$commit" "$built"; do
	[[ $v =~ ^[0-9A-Za-z.:+_-]*$ ]] || { echo "windows: cannot stamp \"$v\"" >&2; exit 1; }
done

start_work pinsede-windows
syso=$root/cmd/sportello/rsrc_windows_amd64.syso
trap 'rm -f "$syso"; stop_work' EXIT

# go-winres reads the files that winres.json names from beside it.
cp assets/icon.png "$work/icon.png"
sed -e "s|@WINVERSION@|$winver|g" \
	-e "s|@VERSION@|$version|g" -e "s|@COMMIT@|$commit|g" -e "s|@BUILT@|$built|g" \
	packaging/windows/winres.json >"$work/winres.json"
"$go_winres" make --in "$work/winres.json" --arch amd64 --out "$root/cmd/sportello/rsrc"

mkdir -p "$bin/windows" "$dist"
echo "windows: sportello.exe $version ($winver)"
# With Fyne's driver patched (third_party/fyne-idle).
bash scripts/fyne-idle.sh "$work/fyne-idle.mod"
CGO_ENABLED=1 CC="$cc" GOOS=windows GOARCH=amd64 \
	go build -modfile "$work/fyne-idle.mod" -tags "$tags" -ldflags "$(release_ldflags "$version" "$commit" "$built") -H=windowsgui" \
	-o "$bin/windows/sportello.exe" ./cmd/sportello

echo "windows: $msi"
# The MSI's icon (Start menu, Installed apps) is the program's, as an
# .ico file. wixl takes the files it packs by paths relative to where it
# runs, so both go into the work folder.
convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 "$work/sportello.ico"
cp "$bin/windows/sportello.exe" "$work/sportello.exe"
(cd "$work" && wixl -a x64 -D Version="$winver" -D Exe=sportello.exe -D Icon=sportello.ico \
	-o sportello.msi "$root/packaging/windows/sportello.wxs")
# wixl (0.101) ignores IncludeMaximum, and MajorUpgrade's
# AllowSameVersionUpgrades: its upgrade row finds only older versions, so
# an MSI of the same first three numbers (a rebuild, or another commit of
# an untagged tree: 0.1.0.N) would install beside the installed one. The
# row is made again with IncludeMaximum (512) and MigrateFeatures (1);
# the key includes Attributes, so it is deleted and inserted, not updated.
upgrade_code=$(msiinfo export "$work/sportello.msi" Property | awk -F'\t' '$1 == "UpgradeCode" { print $2 }')
msibuild "$work/sportello.msi" \
	-q "DELETE FROM \`Upgrade\` WHERE \`ActionProperty\` = 'WIX_UPGRADE_DETECTED'" \
	-q "INSERT INTO \`Upgrade\` (\`UpgradeCode\`, \`VersionMax\`, \`Attributes\`, \`ActionProperty\`)
		VALUES ('$upgrade_code', '$winver', 513, 'WIX_UPGRADE_DETECTED')" >/dev/null
mv "$work/sportello.msi" "$msi"
