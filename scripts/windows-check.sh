#!/usr/bin/env bash
# windows-check.sh checks what make windows built (make windows-check),
# reading it with other tools than those that wrote it:
#
#  1. sportello.exe is a 64-bit Windows GUI program (objdump -p);
#  2. its resources (wrestool, icoutils): the icon in 256, 64, 48, 32 and
#     16 pixels (icotool); the manifest: asInvoker, per-monitor DPI
#     awareness v2, the common controls v6, Windows 10/11; the version
#     information: the four numbers of scripts/windows.sh winversion, and
#     VERSION, COMMIT and BUILT, which must be the stamp that -ldflags put
#     into the program (the same strings are in its data);
#  3. the MSI's tables (msiinfo): per-machine, the product's version and
#     the upgrade code of packaging/windows/sportello.wxs, sportello.exe
#     under ProgramFiles64Folder\PIN Sede\Sportello in a 64-bit component,
#     the Start-menu shortcut, the upgrade rows (a same or older version is
#     replaced, a newer one stops the install), the icon of the shortcut;
#     its cabinet holds the same sportello.exe (msiextract);
#  4. winversion on a few forms of git describe.
#
# Environment: BIN, DIST, VERSION as for scripts/windows.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
bin=${BIN:-$root/bin}
dist=${DIST:-$root/dist}
version=${VERSION:-$(git describe --always --dirty 2>/dev/null || echo dev)}
winver=$(bash scripts/windows.sh winversion "$version")
exe=$bin/windows/sportello.exe
msi=$dist/pinsede-sportello-$winver-windows-amd64.msi

fail() {
	echo "windows-check: FAIL: $*" >&2
	exit 1
}
step() { echo "windows-check: $*"; }
# has FILE TEXT fails unless FILE holds TEXT (a fixed string).
has() { grep -qF -- "$2" "$1" || fail "$(basename "$1") has no $2"; }

[ -f "$exe" ] || fail "$exe: not built (make windows)"
[ -f "$msi" ] || fail "$msi: not built (make windows)"
start_work pinsede-windows-check

step "1. $exe"
x86_64-w64-mingw32-objdump -p "$exe" >"$work/pe.txt"
has "$work/pe.txt" "file format pei-x86-64"
grep -Eq '^Subsystem[[:space:]]+0+2[[:space:]]+\(Windows GUI\)' "$work/pe.txt" || fail "not a GUI program (-H=windowsgui)"

step "2. resources"
wrestool -l "$exe" | tee "$work/resources.txt"
for t in '--type=14 --name=APP' '--type=16' '--type=24'; do
	# shellcheck disable=SC2086 # $t is two options or one
	[ -n "$(wrestool -l $t "$exe")" ] || fail "no resource $t"
done
wrestool -x --type=14 --name=APP "$exe" >"$work/icon.ico"
icotool -l "$work/icon.ico" | tee "$work/icon.txt"
for size in 256 64 48 32 16; do
	grep -q -- "--width=$size --height=$size" "$work/icon.txt" || fail "the icon has no ${size}x$size image"
done
# The icon is assets/icon.png: its largest image differs little from the
# PNG made as small by ImageMagick (root mean square error, 0 to 1).
icotool -x -w 256 -o "$work/icon256.png" "$work/icon.ico"
convert assets/icon.png -resize 256x256 "$work/asset256.png"
# compare exits 1 when the images differ at all, and prints the error.
rmse=$({ compare -metric RMSE "$work/icon256.png" "$work/asset256.png" null: 2>&1 || true; } | sed -n 's/.*(\([0-9.e-]*\)).*/\1/p')
echo "  icon: 256 pixels against assets/icon.png: RMSE $rmse"
awk -v e="$rmse" 'BEGIN { exit !(e != "" && e < 0.02) }' || fail "the icon is not assets/icon.png"

wrestool -x --raw --type=24 "$exe" >"$work/manifest.xml"
python3 - "$work/manifest.xml" <<'EOF' || fail "the manifest is not what it should be"
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
found = {el.tag.split("}")[1]: el for el in root.iter()}
def attr(tag, name):
    return found[tag].get(name) if tag in found else None
checks = {
    "asInvoker": attr("requestedExecutionLevel", "level") == "asInvoker",
    "no uiAccess": attr("requestedExecutionLevel", "uiAccess") == "false",
    "PerMonitorV2": "permonitorv2" in found["dpiAwareness"].text.lower().replace(" ", "").split(","),
    "dpiAware": found["dpiAware"].text.strip().lower() in ("true/pm", "true"),
    "Windows 10/11": [el.get("Id") for el in root.iter() if el.tag.endswith("}supportedOS")]
        == ["{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"],
    "common controls v6": any(el.get("name") == "Microsoft.Windows.Common-Controls" and el.get("version") == "6.0.0.0"
        for el in root.iter() if el.tag.endswith("}assemblyIdentity")),
}
for name, ok in checks.items():
    print(f"  manifest: {name}: {'ok' if ok else 'NO'}")
sys.exit(0 if all(checks.values()) else 1)
EOF

wrestool -x --raw --type=16 "$exe" >"$work/version.res"
python3 - "$work/version.res" "$winver" "$version" >"$work/version.txt" <<'EOF' || fail "the version information is not what it should be"
import struct, sys

data = open(sys.argv[1], "rb").read()
winver, version = sys.argv[2], sys.argv[3]

def block(off):
    """Read the VERSIONINFO block at off: its key, value and children."""
    length, vlen, typ = struct.unpack_from("<3H", data, off)
    end, k = off + length, off + 6
    while data[k:k + 2] != b"\0\0":
        k += 2
    key = data[off + 6:k].decode("utf-16-le")
    pos = (k + 2 + 3) & ~3
    if typ == 1:  # text: vlen counts UTF-16 characters, with the NUL
        value = data[pos:pos + 2 * vlen].decode("utf-16-le").rstrip("\0")
    else:
        value = data[pos:pos + vlen]
    pos = (pos + (2 * vlen if typ == 1 else vlen) + 3) & ~3
    children = []
    while pos < end:
        child = block(pos)
        children.append(child)
        pos = (pos + struct.unpack_from("<H", data, pos)[0] + 3) & ~3
    return key, value, children

key, fixed, children = block(0)
assert key == "VS_VERSION_INFO", key
# VS_FIXEDFILEINFO: signature, structure version, then the file version
# (MS, LS) and the product version (MS, LS).
sig, _, fms, fls, pms, pls = struct.unpack_from("<6I", fixed)
assert sig == 0xFEEF04BD, hex(sig)
def four(ms, ls):
    return f"{ms >> 16}.{ms & 0xFFFF}.{ls >> 16}.{ls & 0xFFFF}"
strings = {}
for k, _, tables in children:
    if k == "StringFileInfo":
        for _, _, entries in tables:
            strings.update({name: value for name, value, _ in entries})
print("fixed file version", four(fms, fls))
print("fixed product version", four(pms, pls))
for k, v in strings.items():
    print(f"{k}={v}")
ok = (four(fms, fls) == winver and four(pms, pls) == winver and strings.get("FileVersion") == winver
      and strings.get("ProductVersion") == version and strings.get("OriginalFilename") == "sportello.exe"
      and strings.get("ProductName", "").startswith("PIN Sede") and strings.get("CompanyName", "").startswith("INPS")
      and strings.get("Comments", "").startswith("commit "))
sys.exit(0 if ok else 1)
EOF
sed 's/^/  version: /' "$work/version.txt"
# Comments is "commit COMMIT, built BUILT": the same strings that -X put
# into internal/buildinfo are in the program's data.
comments=$(sed -n 's/^Comments=//p' "$work/version.txt")
commit=${comments#commit }
commit=${commit%%,*}
built=${comments##*, built }
for s in "$version" "$commit" "$built"; do
	if [ -z "$s" ] || ! grep -qaF -- "$s" "$exe"; then
		fail "the version information says \"$s\", which the program's stamp does not hold"
	fi
done

step "3. $msi"
msiinfo suminfo "$msi" | tee "$work/suminfo.txt"
has "$work/suminfo.txt" "Template: x64;"
msiinfo tables "$msi" >"$work/tables.txt"
for t in Property Directory Component File Shortcut Feature FeatureComponents Upgrade Media Icon; do
	grep -qx "$t" "$work/tables.txt" || fail "the MSI has no $t table"
done
# table NAME: the rows of a table, after msiinfo's three header lines.
table() { msiinfo export "$msi" "$1" | tail -n +4 | tr -d '\r'; }
upgrade=$(sed -n 's/.*UpgradeCode="\([^"]*\)".*/{\1}/p' packaging/windows/sportello.wxs)
table Property >"$work/Property"
for p in "ALLUSERS	1" "ProductVersion	$winver" "UpgradeCode	$upgrade" "ProductName	PIN Sede – Sportello" "ARPPRODUCTICON	sportello.ico"; do
	grep -qxF -- "$p" "$work/Property" || fail "no property $p"
done
table Directory >"$work/Directory"
for d in "INSTALLDIR	PinSedeDir	Sportello" "PinSedeDir	ProgramFiles64Folder	PIN Sede" "ProgramMenuFolder	TARGETDIR	."; do
	grep -qxF -- "$d" "$work/Directory" || fail "no directory $d"
done
table Component >"$work/Component"
# 256: msidbComponentAttributes64bit.
awk -F'\t' '$1 == "SportelloExe" && $3 == "INSTALLDIR" && $4 == 256 { ok = 1 } END { exit !ok }' "$work/Component" ||
	fail "sportello.exe is not in a 64-bit component in INSTALLDIR"
size=$(stat -c %s "$exe")
table File | awk -F'\t' -v size="$size" '$3 == "sportello.exe" && $4 == size { ok = 1 } END { exit !ok }' ||
	fail "the File table has no sportello.exe of $size bytes"
table Shortcut | awk -F'\t' '$2 == "ProgramMenuFolder" && $3 == "PIN Sede – Sportello" && $12 == "INSTALLDIR" { ok = 1 } END { exit !ok }' ||
	fail "no Start-menu shortcut"
table Upgrade | tee "$work/Upgrade"
# 513: IncludeMaximum (512) and MigrateFeatures (1), no minimum: this
# version and every older one are removed first. 2: OnlyDetect, from this
# version up, excluded: a newer one is found, and the launch condition stops.
awk -F'\t' -v u="$upgrade" -v v="$winver" '$1 == u && $2 == "" && $3 == v && $5 == 513 && $7 == "WIX_UPGRADE_DETECTED" { ok = 1 } END { exit !ok }' "$work/Upgrade" ||
	fail "the MSI does not replace an installed same or older version"
awk -F'\t' -v u="$upgrade" -v v="$winver" '$1 == u && $2 == v && $5 == 2 && $7 == "WIX_DOWNGRADE_DETECTED" { ok = 1 } END { exit !ok }' "$work/Upgrade" ||
	fail "the MSI does not detect a newer version"
table LaunchCondition | grep -q '^NOT WIX_DOWNGRADE_DETECTED	' || fail "no launch condition against a downgrade"
# The icon of the shortcut and of Installed apps: the five sizes again.
msiinfo extract "$msi" Icon.sportello.ico >"$work/msi.ico"
for size in 256 64 48 32 16; do
	icotool -l "$work/msi.ico" | grep -q -- "--width=$size --height=$size" || fail "the MSI's icon has no ${size}x$size image"
done
mkdir "$work/extract"
msiextract -C "$work/extract" "$msi" >/dev/null
got=$(find "$work/extract" -type f -name sportello.exe)
if [ -z "$got" ] || ! cmp -s "$got" "$exe"; then
	fail "the MSI's sportello.exe is not $exe"
fi
step "   installs ${got#"$work/extract/"}"

step "4. winversion"
count=$(git rev-list --count HEAD)
base=$(app_version)
for c in v1.2.3:1.2.3.0 v1.2.3-dirty:1.2.3.0 v1.2.3-14-gabcdef1:1.2.3.14 v1.2.3-14-gabcdef1-dirty:1.2.3.14 \
	abcdef1:"$base.$count" abcdef1-dirty:"$base.$count" v1.2.3-rc1:"$base.$count"; do
	got=$(bash scripts/windows.sh winversion "${c%%:*}")
	[ "$got" = "${c#*:}" ] || fail "winversion ${c%%:*} is $got, want ${c#*:}"
done
! bash scripts/windows.sh winversion v256.0.0 2>/dev/null || fail "winversion took v256.0.0"

step "ok: $exe ($winver, $version) and $msi"
