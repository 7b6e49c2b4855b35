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
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
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

start_work image-check

# The Containerfile's build step.
CGO_ENABLED=0 go build -trimpath -o "$work/" -ldflags "$(release_ldflags "$version" "$commit" "$built")" \
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
manage=0.0.0.0:$(free_port)
env=(PINSEDE_CENTRALE_PKI="$pkidir" PINSEDE_CENTRALE_BOLT="$work/var/lib/pinsede/centrale.db"
	"PINSEDE_CENTRALE_LISTEN=127.0.0.1:$(free_port)" PINSEDE_CENTRALE_MANAGE="$manage" PINSEDE_CENTRALE_LOG_FORMAT=json
	PINSEDE_CENTRALE_ADMIN="$work/var/lib/pinsede/centrale.sock")
as_nonroot=()
if [ "$(id -u)" = 0 ]; then
	chmod 0644 "$pkidir/server.key" # the image mounts it read-only for nonroot
	as_nonroot=(setpriv --reuid=65532 --regid=65532 --clear-groups)
fi
env -i "${env[@]}" "${as_nonroot[@]}" "$work/centrale" >"$work/centrale.log" 2>&1 &
pid=$!
hc=(env -i "PINSEDE_CENTRALE_MANAGE=$manage" "${as_nonroot[@]}" "$work/centrale" healthcheck)
wait_healthy "${hc[@]}" || { echo "image: FAIL" >&2; exit 1; }
echo "image: HEALTHCHECK (centrale healthcheck, as 65532, manage $manage): $("${hc[@]}")"
echo "image: readiness (centrale healthcheck -path /readyz): $("${hc[@]}" -path /readyz | tr '\n' ' ')"
sedi=(env -i "PINSEDE_CENTRALE_ADMIN=$work/var/lib/pinsede/centrale.sock" "${as_nonroot[@]}" "$work/centrale" sedi)
echo "image: centrale sedi (as 65532, through the admin socket): $("${sedi[@]}" | tail -1)"
echo "image: ok (the image itself not built)"
