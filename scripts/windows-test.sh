#!/bin/sh
# make test-windows: the Windows build's tests (BUILD_WIN, made by scripts/windows-build.sh) under
# Wine, in a fresh Wine prefix in a temporary folder, removed afterwards.
set -eu
cd "$(dirname "$0")/.."
BUILD_WIN=${BUILD_WIN:-build-win}
WINE=/usr/lib/wine/wine64
[ -x "$WINE" ] || WINE=$(command -v wine64 || command -v wine)
WINESERVER=$(dirname "$WINE")/wineserver
[ -x "$WINESERVER" ] || WINESERVER=$(command -v wineserver)
start=$(date +%s)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/maildoctor-wine.XXXXXX")
export WINEPREFIX="$tmp/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINESERVER
# No display for the suites: Wine's console programs need none.
unset DISPLAY
cleanup() {
  timeout 20 "$WINESERVER" -k >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Create the prefix, waiting for it with a bound (wineboot -i, then the server's exit).
timeout 300 "$WINE" wineboot -i >/dev/null 2>&1 || { echo "windows-test: wineboot -i did not finish in 300 s" >&2; exit 1; }
timeout 120 "$WINESERVER" -w || true
echo "windows-test: Wine prefix ready in $(( $(date +%s) - start )) s"

rc=0
ctest --test-dir "$BUILD_WIN" --output-on-failure -j "${JOBS:-2}" || rc=$?

# The command-line scripts of tests/cli through a wrapper that runs the exe under Wine.
if [ -x tests/windows/cli.sh ]; then
  MAILDOCTOR_WINE="$WINE" tests/windows/cli.sh "$BUILD_WIN/app/maildoctor.exe" || rc=$?
fi
echo "windows-test: done in $(( $(date +%s) - start )) s (rc=$rc)"
exit $rc
