#!/usr/bin/env bash
# image.sh builds centrale's container image, packaging/centrale.Containerfile
# (make image), with podman, else docker. Where neither can build (no
# engine, no daemon, or no registry to pull the base images from), it says
# so and checks what the image would run, here: the static binary built as
# the Containerfile builds it, started with the image's environment as its
# user (65532) in a folder of its own, and the image's HEALTHCHECK command
# against it.
#
# Environment: IMAGE (default pinsede-centrale:VERSION), VERSION, COMMIT,
# BUILT as for scripts/deb.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
version=${VERSION:-$(git describe --always --dirty 2>/dev/null || echo dev)}
commit=${COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || true)}
built=${BUILT:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
image=${IMAGE:-pinsede-centrale:$version}
file=packaging/centrale.Containerfile

for engine in podman docker; do
	if command -v "$engine" >/dev/null && "$engine" info >/dev/null 2>&1; then
		"$engine" build -f "$file" --build-arg VERSION="$version" --build-arg COMMIT="$commit" \
			--build-arg BUILT="$built" -t "$image" .
		echo "image: $image ($engine)"
		exit 0
	fi
done
echo "image: no podman or docker that can build here ($(command -v podman docker | tr '\n' ' ')without a daemon);"
echo "image: checking what the image runs instead"

work=$(mktemp -d "${TMPDIR:-/tmp}/image-check-XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# The Containerfile's build step.
CGO_ENABLED=0 go build -trimpath -o "$work/" \
	-ldflags "-s -w -X github.com/pinsede/pinsede/internal/buildinfo.Version=$version \
-X github.com/pinsede/pinsede/internal/buildinfo.Commit=$commit \
-X github.com/pinsede/pinsede/internal/buildinfo.Built=$built" \
	./cmd/centrale ./cmd/pinctl
if readelf -l "$work/centrale" | grep -q INTERP; then
	echo "image: FAIL: centrale is not static" >&2
	exit 1
fi
echo "image: static: $("$work/centrale" -version)"

# The image's files and environment, under $work; its user, 65532.
pkidir=$work/etc/pinsede/pki
"$work/pinctl" ca init -dir "$pkidir" >/dev/null
"$work/pinctl" ca server -dir "$pkidir" -host 127.0.0.1 >/dev/null
chmod -R a+rX "$work"
install -d -o 65532 -g 65532 -m 0700 "$work/var/lib/pinsede"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
manage=0.0.0.0:$(port)
env=(PINSEDE_CENTRALE_PKI="$pkidir" PINSEDE_CENTRALE_BOLT="$work/var/lib/pinsede/centrale.db"
	"PINSEDE_CENTRALE_LISTEN=127.0.0.1:$(port)" PINSEDE_CENTRALE_MANAGE="$manage" PINSEDE_CENTRALE_LOG_FORMAT=json)
as_nonroot=()
if [ "$(id -u)" = 0 ]; then
	chmod 0644 "$pkidir/server.key" # the image mounts it read-only for nonroot
	as_nonroot=(setpriv --reuid=65532 --regid=65532 --clear-groups)
fi
env -i "${env[@]}" "${as_nonroot[@]}" "$work/centrale" >"$work/centrale.log" 2>&1 &
pid=$!
hc=(env -i "PINSEDE_CENTRALE_MANAGE=$manage" "${as_nonroot[@]}" "$work/centrale" healthcheck)
for _ in $(seq 100); do
	if "${hc[@]}" >/dev/null 2>&1; then break; fi
	kill -0 "$pid" 2>/dev/null || { cat "$work/centrale.log"; echo "image: FAIL: centrale stopped" >&2; exit 1; }
	sleep 0.1
done
echo "image: HEALTHCHECK (centrale healthcheck, as 65532, manage $manage): $("${hc[@]}")"
echo "image: readiness (centrale healthcheck -path /readyz): $("${hc[@]}" -path /readyz | tr '\n' ' ')"
echo "image: ok (the image itself not built)"
