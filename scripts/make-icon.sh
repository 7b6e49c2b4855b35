#!/usr/bin/env bash
# make-icon.sh draws assets/icon.png (512x512): a rounded square in the
# palette's primary blue #0066CC with "PIN" in white bold and a masked PIN
# field below it. The PNG is committed; run this (`make icon`) only to change
# the design. Needs ImageMagick and fonts-dejavu-core.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
[ -f "$font" ] || { echo "make-icon: $font missing: apt-get install fonts-dejavu-core" >&2; exit 1; }
out=${1:-assets/icon.png}
mkdir -p "$(dirname "$out")"
convert -size 512x512 xc:none \
	-fill '#0066CC' -draw 'roundrectangle 16,16 495,495 96,96' \
	-fill white -font "$font" -pointsize 188 -gravity center -annotate +0-62 'PIN' \
	-gravity northwest \
	-fill none -stroke white -strokewidth 14 -draw 'roundrectangle 92,318 419,420 40,40' \
	-stroke none -fill white \
	-draw 'circle 150,369 150,387' -draw 'circle 220,369 220,387' \
	-draw 'circle 291,369 291,387' -draw 'circle 361,369 361,387' \
	-depth 8 -strip -define png:color-type=6 "$out"
echo "make-icon: wrote $out"
