#!/bin/sh
# account add | list | show | remove through the real binary: presets, --json shapes, exit codes,
# and a password that never reaches stdout, stderr or the database in plaintext.
set -eu
bin=$1
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
. "$(dirname "$0")/../lib.sh"
expect_rc() { want=$1; shift; set +e; "$@" >"$data/out" 2>"$data/err"; rc=$?; set -e
  [ "$rc" -eq "$want" ] || { cat "$data/out" "$data/err"; fail "$* exited $rc, wanted $want"; }; }

md account add alice --provider gmail --email alice@gmail.com --client-id 123.apps.example >/dev/null
md account show alice --json >"$data/show.json"
grep -q '"host": "imap.gmail.com"' "$data/show.json" || fail "gmail preset IMAP host"
grep -q '"token_url": "https://oauth2.googleapis.com/token"' "$data/show.json" || fail "gmail token endpoint"
grep -q '"client_id": "123.apps.example"' "$data/show.json" || fail "client id"

md account add bob --provider microsoft --email bob@contoso.example --tenant organizations --json >"$data/bob.json"
grep -q 'login.microsoftonline.com/organizations/oauth2/v2.0/authorize' "$data/bob.json" || fail "tenant"
grep -q '"port": 587' "$data/bob.json" || fail "microsoft smtp port"

secret='pw-Th1s-must-never-leak'
printf '%s\n' "$secret" | md account add carol --provider custom --email carol@example.test --auth password \
  --imap 127.0.0.1:993 --smtp 127.0.0.1:587 --password-stdin --json >"$data/carol.json"
grep -q '"password": true' "$data/carol.json" || fail "password not recorded as present"
grep -q '"security": "starttls"' "$data/carol.json" || fail "587 should default to STARTTLS"

md account list --json >"$data/list.json"
for n in alice bob carol; do grep -q "\"name\": \"$n\"" "$data/list.json" || fail "list lacks $n"; done
[ "$(md account list | wc -l)" -eq 3 ] || fail "human list"

# The password is sealed: not in any output, not in the database or its WAL.
if grep -rqa -- "$secret" "$data" ; then fail "the password is stored in plaintext"; fi
[ "$(stat -c %a "$data/vault.key")" = 600 ] || fail "vault key file is not 0600"

# Exit codes: usage/configuration 2, refused 1.
expect_rc 1 md account add alice --provider gmail --email alice@gmail.com
grep -q 'accounts.exists' "$data/err" || fail "duplicate names the code"
expect_rc 2 md account show nobody
grep -q 'accounts.not_found' "$data/err" || fail "unknown account names the code"
expect_rc 2 md account add x --provider custom --email x@example.test --auth password --imap host:99999
grep -q 'the port must be a number' "$data/err" || fail "bad port explained"
expect_rc 2 md account add y --provider nope --email y@example.test
expect_rc 2 md account add z --provider gmail --email z@gmail.com --frobnicate
grep -q 'unknown option --frobnicate' "$data/err" || fail "unknown option named"
expect_rc 2 md account show nobody --json
grep -q '"code": "accounts.not_found"' "$data/out" || fail "--json failure document"

md account remove carol >/dev/null
expect_rc 2 md account show carol
[ "$(md account list | wc -l)" -eq 2 ] || fail "remove"
echo ok
