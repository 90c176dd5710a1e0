#!/bin/sh
# The menu entry is valid and starts maildoctor with its icon; every hicolor PNG is a PNG of the
# size its name says (a theme scales a wrong one, blurred), and the SVG is well-formed.
# Usage: assets_test.sh SOURCE_DIR
set -eu
pkg=$1/packaging
desktop=$pkg/maildoctor.desktop
for line in "Type=Application" "Name=MailDoctor" "Exec=maildoctor" "Icon=maildoctor" "Terminal=false"; do
  grep -qx "$line" "$desktop" || { echo "maildoctor.desktop lacks $line"; exit 1; }
done
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$desktop"
else
  echo "note: desktop-file-validate not installed (desktop-file-utils); checked the keys only"
fi
for size in 16 22 24 32 48 64 128 256; do
  png=$pkg/icons/maildoctor-$size.png
  [ -f "$png" ] || { echo "missing $png"; exit 1; }
  # The PNG signature, then the IHDR chunk: width and height, big-endian, at bytes 16..23.
  [ "$(od -An -tx1 -N8 "$png" | tr -d ' \n')" = 89504e470d0a1a0a ] || { echo "$png is not a PNG"; exit 1; }
  # shellcheck disable=SC2046 # eight numbers, split on purpose
  set -- $(od -An -tu1 -j16 -N8 "$png")
  w=$(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 )) h=$(( ($5 << 24) + ($6 << 16) + ($7 << 8) + $8 ))
  if [ "$w" -ne "$size" ] || [ "$h" -ne "$size" ]; then
    echo "$png is ${w}x$h, not ${size}x$size"
    exit 1
  fi
done
svg=$pkg/icons/maildoctor.svg
grep -q '<svg ' "$svg" || { echo "$svg is not an SVG"; exit 1; }
if command -v xmllint >/dev/null 2>&1; then xmllint --noout "$svg"; fi
echo "ok: desktop entry and icons"
