#!/usr/bin/env bash
# Renders the Teams app icons from their SVG sources (appPackage/icons-src/) into appPackage/.
# The PNGs are committed: neither the build nor CI runs this. Needs Debian's librsvg2-bin and imagemagick
# (apt-get install -y librsvg2-bin imagemagick).
#   color.png    192x192, opaque RGB (full bleed on the accent color)
#   outline.png  32x32, RGBA: every pixel white, only the alpha channel draws the glyph
set -euo pipefail
cd "$(dirname "$0")/../appPackage"
CONVERT=/usr/bin/convert   # Debian's ImageMagick 6 (a `convert` earlier on PATH may be something else)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rsvg-convert -w 192 -h 192 icons-src/color.svg -o "$tmp/color.png"
"$CONVERT" "$tmp/color.png" -background '#2B63D9' -alpha remove -alpha off -strip PNG24:color.png
rsvg-convert -w 32 -h 32 icons-src/outline.svg -o "$tmp/outline.png"
# Anti-aliased edges come out of cairo slightly off-white once un-premultiplied: force RGB to pure white and
# keep the coverage in alpha.
"$CONVERT" "$tmp/outline.png" -channel RGB -evaluate set 100% +channel -strip PNG32:outline.png
echo "rendered appPackage/color.png and appPackage/outline.png"
