#!/bin/sh
# The generated man page maildoctor(1) is valid troff and documents every command of --help.
# Usage: man_test.sh MAN_GZ MAILDOCTOR
set -eu
man_gz=$1 bin=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gzip -dc "$man_gz" >"$work/maildoctor.1"
head -3 "$work/maildoctor.1" | grep -q '^\.TH MAILDOCTOR 1 ' || { echo "no .TH MAILDOCTOR 1 header"; exit 1; }
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" ENVIRONMENT FILES "SEE ALSO"; do
  grep -q "^\.SH $section\$" "$work/maildoctor.1" || { echo "no $section section"; exit 1; }
done
if command -v groff >/dev/null 2>&1; then
  # -ww: every warning; -z: no output. A warning means a formatting mistake in the generator.
  groff -man -Tutf8 -ww -z "$work/maildoctor.1" 2>"$work/warnings"
  if [ -s "$work/warnings" ]; then
    cat "$work/warnings"
    exit 1
  fi
  groff -man -Tutf8 -P-cbou "$work/maildoctor.1" >"$work/text" 2>/dev/null
else
  echo "note: groff not installed; checking the troff source only"
  sed 's/\\f[BIRP]//g; s/\\-/-/g' "$work/maildoctor.1" >"$work/text"
fi
# Every command line of --help ("  account add NAME ...") is in the rendered page.
"$bin" --help | sed -n '/^Commands:/,/^$/p' | grep -E '^  [a-z]' | sed 's/^  //' | while read -r cmd rest; do
  case $rest in --provider*) cmd="$cmd --provider" ;; [a-z]*) cmd="$cmd ${rest%% *}" ;; esac
  grep -qF -- "$cmd" "$work/text" || { echo "man page lacks the command '$cmd'"; exit 1; }
done
grep -q "maildoctor.db" "$work/text" || { echo "man page lacks the data directory's files"; exit 1; }
echo "ok: maildoctor(1) renders cleanly and names every command"
