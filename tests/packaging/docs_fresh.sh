#!/bin/sh
# docs/failure-codes.md is generated from the explain catalogue and the matchers: regenerate it into
# the build folder and fail, showing the difference, when the committed copy is stale.
# Usage: docs_fresh.sh DOCGEN SOURCE_DIR OUT_DIR
set -eu
docgen=$1 src=$2 out=$3
mkdir -p "$out"
"$docgen" failure-codes --out "$out/failure-codes.md"
if ! diff -u "$src/docs/failure-codes.md" "$out/failure-codes.md"; then
  echo
  echo "docs/failure-codes.md is stale (the diff above: committed → generated)."
  echo "Regenerate it with: cmake --build <build> --target update-docs, and commit it."
  exit 1
fi
# Every code of the catalogue has its own section, under its own anchor.
for code in $("$docgen" codes); do
  grep -q "<a id=\"$code\"></a>" "$out/failure-codes.md" || { echo "no section for $code"; exit 1; }
done
echo "ok: docs/failure-codes.md matches the catalogue ($("$docgen" codes | wc -l) codes)"
