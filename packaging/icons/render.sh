#!/bin/sh
# Renders maildoctor.svg to the PNG sizes of the hicolor icon theme. The PNGs are committed, so a
# build needs no SVG renderer; run this (needs rsvg-convert: apt-get install librsvg2-bin) after
# changing the SVG, and commit the results.
set -eu
cd "$(dirname "$0")"
for size in 16 22 24 32 48 64 128 256; do
  rsvg-convert --width "$size" --height "$size" maildoctor.svg --output "maildoctor-$size.png"
done
echo "rendered:" maildoctor-*.png
