#!/usr/bin/env bash
# deb-test.sh checks the packages that make deb built (make deb-test):
#
#  1. their contents and control data (dpkg-deb -c, -I): the files each
#     package installs, the conffiles, the modes, static binaries;
#  2. the systemd units (systemd-analyze verify, and the exposure score of
#     systemd-analyze security --offline);
#  3. dpkg -i of all four into a throw-away root (dpkg --root, with the
#     maintainer scripts run outside a chroot: --force-script-chrootless
#     sets DPKG_ROOT, which they honour): the system users are made in the
#     root's /etc/passwd, the settings get their group;
#  4. centrale started from the installed files, as its unit would: the
#     unit's ExecStart, as its User, in the root (chroot), with the state
#     folder the unit's StateDirectory makes, and a PKI made by the
#     installed pinctl; /healthz and /readyz answer on loopback, and the
#     installed `centrale healthcheck` says so; `centrale sedi` answers
#     through the admin socket in the unit's RuntimeDirectory. PID 1 here is not systemd,
#     so the unit itself cannot be started (systemctl start needs it).
#  5. dpkg --remove, then --purge: the files go, the conffiles at purge.
#
# Run as root (chroot, chown). Environment: DIST (default dist), VERSION as
# for scripts/deb.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
dist=${DIST:-$root/dist}
version=${VERSION:-$(git describe --always --dirty 2>/dev/null || echo dev)}
debver=$(bash scripts/deb.sh debversion "$version")
arch=$(go env GOARCH)
deb() { echo "$dist/${1}_${debver}-1_${arch}.deb"; }

fail() {
	echo "deb-test: FAIL: $*" >&2
	exit 1
}
step() { echo "deb-test: $*"; }

if [ "$(id -u)" != 0 ]; then
	fail "run as root (dpkg --root, chroot)"
fi
for p in pinsede-centrale pinsede-pinctl pinsede-sportello pinsede-chiosco; do
	[ -f "$(deb $p)" ] || fail "$(deb $p) is missing: make deb"
done

# 1. Contents.
has() { # package mode path: the package installs path with that mode
	local line
	line=$(dpkg-deb -c "$(deb "$1")" | awk -v p="./$3" '$6 == p')
	[ -n "$line" ] || fail "$1 lacks /$3"
	[[ $line == "$2 "* ]] || fail "$1: /$3 is ${line%% *}, want $2"
}
has pinsede-centrale -rwxr-xr-x usr/bin/centrale
has pinsede-centrale -rw-r--r-- usr/lib/systemd/system/centrale.service
has pinsede-centrale -rw-r--r-- usr/lib/sysusers.d/pinsede.conf
has pinsede-centrale -rw-r----- etc/pinsede/centrale.toml
has pinsede-centrale drwxr-x--- etc/pinsede/pki/
has pinsede-pinctl -rwxr-xr-x usr/bin/pinctl
has pinsede-sportello -rwxr-xr-x usr/bin/sportello
has pinsede-sportello -rw-r--r-- usr/share/applications/it.inps.pinsede.sportello.desktop
has pinsede-sportello -rw-r--r-- usr/share/icons/hicolor/512x512/apps/it.inps.pinsede.sportello.png
has pinsede-sportello -rw-r--r-- etc/pinsede/sportello.toml
has pinsede-chiosco -rwxr-xr-x usr/bin/chiosco
has pinsede-chiosco -rw-r--r-- usr/lib/systemd/system/chiosco.service
has pinsede-chiosco -rw-r--r-- usr/lib/sysusers.d/pinsede-chiosco.conf
has pinsede-chiosco -rw-r----- etc/pinsede/chiosco.toml
has pinsede-chiosco -rw-r--r-- usr/share/icons/hicolor/512x512/apps/it.inps.pinsede.chiosco.png
for p in centrale:centrale sportello:sportello chiosco:chiosco; do
	dpkg-deb -I "$(deb "pinsede-${p%%:*}")" conffiles | grep -qx "/etc/pinsede/${p#*:}.toml" ||
		fail "pinsede-${p%%:*}: /etc/pinsede/${p#*:}.toml is not a conffile"
done
for p in pinsede-centrale pinsede-chiosco; do
	dpkg-deb -I "$(deb $p)" postinst | grep -q systemd-sysusers || fail "$p: no postinst making its user"
	dpkg-deb -f "$(deb $p)" Version | grep -qx "$debver-1" || fail "$p: version is not $debver-1"
done
# The Debian versions of git describe, and their order.
for c in v1.2.3:1.2.3 v1.2.3-4-gabcdef1:1.2.3+4.gabcdef1 v1.2.3-4-gabcdef1-dirty:1.2.3+4.gabcdef1.dirty \
	abcdef1-dirty:+dirty dev:0.0.0~dev; do
	got=$(bash scripts/deb.sh debversion "${c%%:*}")
	[[ $got == *"${c#*:}" ]] || fail "debversion ${c%%:*} is $got, want …${c#*:}"
done
dpkg --compare-versions "$(bash scripts/deb.sh debversion abcdef1)" lt 0.1.0 || fail "an untagged version does not sort before 0.1.0"
dpkg --compare-versions 1.2.3 lt 1.2.3+4.gabcdef1 || fail "1.2.3+4.gabcdef1 does not sort after 1.2.3"
# The launcher.
if command -v desktop-file-validate >/dev/null; then
	dpkg-deb --fsys-tarfile "$(deb pinsede-sportello)" | tar -xO ./usr/share/applications/it.inps.pinsede.sportello.desktop >"${TMPDIR:-/tmp}/deb-test-$$.desktop"
	desktop-file-validate "${TMPDIR:-/tmp}/deb-test-$$.desktop" || fail "the .desktop file is not valid"
	rm -f "${TMPDIR:-/tmp}/deb-test-$$.desktop"
	grep -q '^Exec=sportello$' packaging/it.inps.pinsede.sportello.desktop || fail "the launcher must run sportello with no flags: the settings files say how"
fi
step "contents: $(for p in pinsede-centrale pinsede-pinctl pinsede-sportello pinsede-chiosco; do printf '%s %s files; ' "$p" "$(dpkg-deb -c "$(deb $p)" | grep -vc '^d')"; done)"

start_work deb-test

# 3 (first, so that 2 verifies the installed units). A throw-away root
# with an empty dpkg database.
r=$work/root
mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/var/log" "$r/etc"
touch "$r/var/lib/dpkg/status" "$r/var/lib/dpkg/available"
dpkg_r() { dpkg --root="$r" --force-script-chrootless --log=/dev/null "$@"; }
# The Fyne apps depend on X and OpenGL libraries the empty root lacks.
dpkg_r -i "$(deb pinsede-pinctl)" "$(deb pinsede-centrale)" >"$work/dpkg.log" 2>&1 ||
	{ cat "$work/dpkg.log"; fail "dpkg -i pinsede-centrale"; }
dpkg_r -i --force-depends "$(deb pinsede-sportello)" "$(deb pinsede-chiosco)" >>"$work/dpkg.log" 2>&1 ||
	{ cat "$work/dpkg.log"; fail "dpkg -i pinsede-sportello pinsede-chiosco"; }
installed=$(dpkg-query --admindir="$r/var/lib/dpkg" -W -f '${Package} ${Version} ${db:Status-Abbrev}\n')
step "installed into $r:"
echo "$installed" | awk '{ print "    " $0 }'
[ "$(echo "$installed" | grep -c ' ii $')" = 4 ] || fail "not every package is installed"

ids() { # user: uid:gid in the root's /etc/passwd
	awk -F: -v u="$1" '$1 == u { print $3 ":" $4 }' "$r/etc/passwd"
}
for u in pinsede pinsede-chiosco; do
	[ -n "$(ids $u)" ] || fail "postinst made no user $u in the root"
	grep -q "^$u:x:$(ids $u | cut -d: -f2):" "$r/etc/group" || fail "no group $u"
	if grep -q "^$u:" /etc/passwd; then fail "postinst made $u in the machine's /etc/passwd, not the root's"; fi
done
perm() { stat -c '%a %U:%g' "$r$1"; }
gid() { ids "$1" | cut -d: -f2; }
[ "$(perm /etc/pinsede/centrale.toml)" = "640 root:$(gid pinsede)" ] || fail "centrale.toml is $(perm /etc/pinsede/centrale.toml)"
[ "$(perm /etc/pinsede/pki)" = "750 root:$(gid pinsede)" ] || fail "pki is $(perm /etc/pinsede/pki)"
[ "$(perm /etc/pinsede/chiosco.toml)" = "640 root:$(gid pinsede-chiosco)" ] || fail "chiosco.toml is $(perm /etc/pinsede/chiosco.toml)"
step "users: pinsede $(ids pinsede), pinsede-chiosco $(ids pinsede-chiosco); centrale.toml $(perm /etc/pinsede/centrale.toml), chiosco.toml $(perm /etc/pinsede/chiosco.toml)"

# Static binaries: no cgo, no interpreter.
for b in centrale pinctl; do
	go version -m "$r/usr/bin/$b" | grep -q 'CGO_ENABLED=0' || fail "$b is not built with CGO_ENABLED=0"
	if readelf -l "$r/usr/bin/$b" | grep -q INTERP; then fail "$b is dynamically linked"; fi
done
"$r/usr/bin/centrale" -version | grep -q "$version" || fail "centrale -version does not say $version"
step "static: centrale, pinctl; $("$r/usr/bin/centrale" -version)"

# 2. The units.
if command -v systemd-analyze >/dev/null; then
	# Verified against this machine's systemd units (an empty root has no
	# sysinit.target), with the installed binaries' paths in the root.
	mkdir -p "$work/units"
	for u in centrale chiosco; do
		sed "s|^ExecStart=/usr/bin/$u|ExecStart=$r/usr/bin/$u|" "$r/usr/lib/systemd/system/$u.service" >"$work/units/$u.service"
		systemd-analyze verify --man=no "$work/units/$u.service" >"$work/verify.log" 2>&1 || true
		# The root lacks what the kiosk's unit runs X with (xinit, from
		# xinit): its package depends on it.
		if grep -v -e '/usr/bin/xinit' "$work/verify.log" | grep -q .; then
			cat "$work/verify.log"
			fail "systemd-analyze verify $u.service"
		fi
		score=$(systemd-analyze security --offline=yes "$work/units/$u.service" 2>/dev/null | tail -n1)
		step "systemd-analyze verify $u.service: ok$(grep -q . "$work/verify.log" && echo " (but: $(head -n1 "$work/verify.log"))"); security: ${score#→ }"
	done
else
	step "systemd-analyze is missing: units not verified"
fi

# 4. centrale from the installed files. Its PKI by the installed pinctl.
chroot "$r" /usr/bin/pinctl ca init -dir /etc/pinsede/pki >/dev/null
chroot "$r" /usr/bin/pinctl ca server -dir /etc/pinsede/pki -host 127.0.0.1,localhost >/dev/null
chgrp "$(gid pinsede)" "$r/etc/pinsede/pki/server.key"
chmod 0640 "$r/etc/pinsede/pki/server.key"
# What systemd does for StateDirectory=pinsede and StateDirectoryMode=0750.
install -d -m 0750 -o "$(ids pinsede | cut -d: -f1)" -g "$(gid pinsede)" "$r/var/lib/pinsede"
# And for RuntimeDirectory=pinsede: the admin socket's folder.
grep -q '^RuntimeDirectory=pinsede$' "$r/usr/lib/systemd/system/centrale.service" || fail "centrale.service makes no /run/pinsede"
install -d -m 0750 -o "$(ids pinsede | cut -d: -f1)" -g "$(gid pinsede)" "$r/run/pinsede"
unit=$r/usr/lib/systemd/system/centrale.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
user=$(sed -n 's/^User=//p' "$unit")
[ "$user" = pinsede ] || fail "centrale.service runs as '$user'"
api=127.0.0.1:$(free_port)
manage=127.0.0.1:$(free_port)
step "starting, as $user ($(ids pinsede)) in the root: $exec_start (API $api, management $manage)"
# shellcheck disable=SC2086 # ExecStart is words, as systemd splits them
PINSEDE_CENTRALE_LISTEN=$api PINSEDE_CENTRALE_MANAGE=$manage \
	chroot --userspec="$(ids pinsede)" "$r" $exec_start >"$work/centrale.log" 2>&1 &
pid=$!
wait_healthy "$r/usr/bin/centrale" healthcheck -manage "$manage" -timeout 1s || fail "centrale from the package"
"$r/usr/bin/centrale" healthcheck -manage "$manage" >"$work/health.out" || { cat "$work/centrale.log"; fail "/healthz"; }
step "centrale healthcheck: $(cat "$work/health.out")"
ready=$(curl -fsS "http://$manage/readyz") || { cat "$work/centrale.log"; fail "/readyz"; }
step "GET /readyz: $(echo "$ready" | tr '\n' ' ')"
[ "$(stat -c '%a %u:%g' "$r/var/lib/pinsede/centrale.db")" = "600 $(ids pinsede)" ] ||
	fail "the store is $(stat -c '%a %u:%g' "$r/var/lib/pinsede/centrale.db")"
grep -q '"msg"' "$work/centrale.log" || fail "the log is not JSON (log-format of centrale.toml)"
step "store /var/lib/pinsede/centrale.db: mode $(stat -c '%a, owner %u:%g' "$r/var/lib/pinsede/centrale.db") (pinsede in the root); the log is JSON"
[ "$(stat -c '%a %u:%g' "$r/run/pinsede/centrale.sock")" = "600 $(ids pinsede)" ] ||
	fail "the admin socket is $(stat -c '%a %u:%g' "$r/run/pinsede/centrale.sock")"
sedi=$(chroot "$r" /usr/bin/centrale sedi | tail -n1) || { cat "$work/centrale.log"; fail "centrale sedi through the admin socket"; }
step "admin socket /run/pinsede/centrale.sock: mode $(stat -c '%a, owner %u:%g' "$r/run/pinsede/centrale.sock"); centrale sedi as root: $sedi"
kill "$pid"
wait "$pid" || true
pid=

# 5. Remove, purge.
dpkg_r --remove pinsede-sportello pinsede-chiosco pinsede-centrale pinsede-pinctl >>"$work/dpkg.log" 2>&1 ||
	{ cat "$work/dpkg.log"; fail "dpkg --remove"; }
[ ! -e "$r/usr/bin/centrale" ] || fail "centrale left after remove"
[ -e "$r/etc/pinsede/centrale.toml" ] || fail "the conffile went at remove"
dpkg_r --purge pinsede-sportello pinsede-chiosco pinsede-centrale pinsede-pinctl >>"$work/dpkg.log" 2>&1 ||
	{ cat "$work/dpkg.log"; fail "dpkg --purge"; }
[ ! -e "$r/etc/pinsede/centrale.toml" ] || fail "the conffile left after purge"
step "removed and purged"
echo "deb-test: ok"
