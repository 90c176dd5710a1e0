#!/bin/bash
# The generated bash completion completes commands, subcommands, flags, flag values and account
# names, the way a person pressing Tab would meet them.
# Usage: completion_test.sh COMPLETION_FILE MAILDOCTOR
set -u
completion=$1 bin=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if command -v shellcheck >/dev/null 2>&1; then
  shellcheck -s bash "$completion" || { echo "shellcheck finds fault with the generated completion"; exit 1; }
fi
# shellcheck source=/dev/null
. "$completion"
complete -p maildoctor >/dev/null || { echo "the file does not register a completion for maildoctor"; exit 1; }

failed=0
# complete "LINE" EXPECTED...: Tab at the end of LINE offers exactly EXPECTED (in any order).
expect() {
  local line=$1
  shift
  read -r -a COMP_WORDS <<<"$line"
  case $line in *" ") COMP_WORDS+=("") ;; esac
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _maildoctor 2>/dev/null
  local got want
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ')
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
  if [ "$got" != "$want" ]; then
    echo "FAIL: '$line<Tab>' offered [$got], expected [$want]"
    failed=1
  else
    echo "ok: '$line<Tab>' -> [$got]"
  fi
}

expect "$bin " account auth token check sync status reset-counter admin log export report metrics serve
expect "$bin ac" account
expect "$bin --" --data-dir --version --help
expect "$bin account " add edit list show remove
expect "$bin admin p" passwd
expect "$bin account add work --provider " gmail microsoft custom
expect "$bin account add work --provider gmail --security st" starttls
expect "$bin account add work --imap-security " tls starttls none
expect "$bin account add work --auth " oauth2 password
expect "$bin check --provider " gmail microsoft
expect "$bin check --only imap,s" imap,smtp
expect "$bin check --j" --json
expect "$bin token --" --refresh --json
expect "$bin reset-counter x --" --admin --json --password-stdin --protocol --yes
expect "$bin --data-dir /nowhere token " # no database there: no names, and nothing created
[ -e /nowhere ] && { echo "FAIL: completion created the data directory"; failed=1; }

# Account names come from the data directory named on the line, once it has a database.
data=$work/data
"$bin" --data-dir "$data" account add alice --provider gmail --email alice@example.com --client-id x >/dev/null 2>&1
"$bin" --data-dir "$data" account add bob --provider microsoft --email bob@example.com --client-id y >/dev/null 2>&1
if "$bin" --data-dir "$data" account list --json >/dev/null 2>&1; then
  expect "$bin --data-dir $data token " alice bob
  expect "$bin --data-dir $data check a" alice
  expect "$bin --data-dir $data check alice " # one NAME only
  expect "$bin --data-dir $data account add " # a new name: nothing to offer
  MAILDOCTOR_HOME=$data expect "$bin auth b" bob
else
  echo "FAIL: could not add the accounts the test completes"
  failed=1
fi
[ "$failed" -eq 0 ] || exit 1
echo "ok: bash completion"
