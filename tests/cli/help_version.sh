#!/bin/sh
# The binary answers --help and --version without a display and with the documented exit codes.
set -eu
bin=$1
out=$("$bin" --help)
echo "$out" | grep -q "reset-counter NAME --admin USER" || { echo "--help lacks the reset-counter contract"; exit 1; }
echo "$out" | grep -q "check --provider gmail|microsoft" || { echo "--help lacks the quick test"; exit 1; }
ver=$("$bin" --version)
echo "$ver" | grep -Eq '^maildoctor [0-9]+\.[0-9]+\.[0-9]+' || { echo "--version: $ver"; exit 1; }
for lib in libcurl OpenSSL SQLite; do
  echo "$ver" | grep -q "$lib" || { echo "--version does not name $lib"; exit 1; }
done
set +e
"$bin" --no-such-option >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || { echo "unknown option exited $rc, not 2"; exit 1; }
"$bin" frobnicate >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || { echo "unknown command exited $rc, not 2"; exit 1; }
echo ok
