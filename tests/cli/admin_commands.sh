#!/bin/sh
# admin add | passwd | remove | list through the real binary, passwords on stdin: who may do what,
# the lockout, --json shapes, exit codes (0 done, 1 refused, 2 usage), and passwords that never
# reach stdout, stderr or the data directory in plaintext. Uses the product's hash cost (600,000
# PBKDF2 iterations), so it takes a few seconds.
set -eu
bin=$1
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
. "$(dirname "$0")/../lib.sh"
# expect_rc RC INPUT CMD...: runs CMD with INPUT (printf %b) on stdin; stdout in $data/out, stderr in $data/err.
expect_rc() { want=$1; input=$2; shift 2; set +e; printf '%b' "$input" | "$@" >"$data/out" 2>"$data/err"; rc=$?; set -e
  [ "$rc" -eq "$want" ] || { cat "$data/out" "$data/err"; fail "$* exited $rc, wanted $want"; }; }
has() { grep -q -- "$1" "$data/$2" || { cat "$data/out" "$data/err"; fail "$3"; }; }

pw_alice='Alice-pw-never-leaks-1'
pw_bob='Bob-pw-never-leaks-2'
pw_bob2='Bob-pw-never-leaks-3'
pw_bob3='Bob-pw-never-leaks-4'
pw_wrong='Wrong-pw-never-leaks-5'

# No admins yet.
expect_rc 0 '' md admin list --json
has '"admins": \[\]' out "empty list as JSON"
expect_rc 0 '' md admin list
has 'No admins yet' out "empty list in words"

# Usage errors (2): no terminal and no --password-stdin, no USER, a bad name, an unknown option.
expect_rc 2 '' md admin add alice
has 'password-stdin' err "asks for --password-stdin when stdin is no terminal"
expect_rc 2 '' md admin add --password-stdin
expect_rc 2 "$pw_alice\n" md admin add 'al ice' --password-stdin
has 'admin.invalid_name' err "invalid name names the code"
expect_rc 2 '' md admin add alice --password-stdin --frobnicate
has 'unknown option --frobnicate' err "unknown option named"
expect_rc 2 '' md admin add alice --password-stdin
has 'standard input' err "missing password line explained"

# A weak password is refused (1).
expect_rc 1 'short\n' md admin add alice --password-stdin
has 'admin.weak_password' err "weak password names the code"

# The first admin needs nobody's password.
expect_rc 0 "$pw_alice\n" md admin add alice --password-stdin --json
has '"added": "alice"' out "add --json names the admin"
has '"by": null' out "the first admin is added by nobody"
has '"ok": true' out "add --json ok"

# The next one needs an admin to sign in: line 1 that admin's password, line 2 the new one.
expect_rc 1 "$pw_bob\n" md admin add bob --password-stdin
has 'admin.not_authorized' err "adding without an admin is refused"
expect_rc 1 "$pw_wrong\n$pw_bob\n" md admin add bob --admin alice --password-stdin
has 'admin.bad_credentials' err "wrong admin password refused"
expect_rc 0 "$pw_alice\n$pw_bob\n" md admin add bob --admin alice --password-stdin --json
has '"added": "bob"' out "second admin added"
has '"by": "alice"' out "second admin added by alice"
expect_rc 1 "$pw_alice\n$pw_bob\n" md admin add bob --admin alice --password-stdin
has 'admin.exists' err "duplicate names the code"

md admin list --json >"$data/list.json"
for n in alice bob; do grep -q "\"name\": \"$n\"" "$data/list.json" || fail "list lacks $n"; done
grep -q '"locked": true' "$data/list.json" && fail "nobody is locked yet"
grep -q '"failed_attempts": 0' "$data/list.json" || fail "failed_attempts in list"
grep -q '"created_at": "20' "$data/list.json" || fail "created_at in list"
[ "$(md admin list | wc -l)" -eq 2 ] || fail "human list"

# Changing one's own password needs the current one (line 1), then the new one (line 2).
expect_rc 2 "$pw_bob\n" md admin passwd bob --password-stdin
has 'new password' err "missing new password explained"
expect_rc 0 "$pw_bob\n$pw_bob2\n" md admin passwd bob --password-stdin --json
has '"changed": "bob"' out "passwd --json"
expect_rc 1 "$pw_bob\n" md admin remove bob --password-stdin
has 'admin.bad_credentials' err "the old password no longer works"

# An unknown admin and a wrong password read the same.
cp "$data/err" "$data/err.wrong"
expect_rc 1 "$pw_bob\n" md admin remove nobody --password-stdin
has 'admin.bad_credentials' err "unknown admin gives bad_credentials"
cmp -s "$data/err" "$data/err.wrong" || fail "unknown admin and wrong password differ: $(cat "$data/err")"

# Five wrong passwords in a row lock bob out (one is above); then even the right one is refused.
for i in 2 3 4; do
  expect_rc 1 "$pw_wrong\n" md admin remove bob --password-stdin
  has 'admin.bad_credentials' err "wrong password $i"
done
expect_rc 1 "$pw_wrong\n" md admin remove bob --password-stdin
has 'admin.locked_out' err "fifth wrong password locks out"
has 'until 20' err "lockout says until when"
expect_rc 1 "$pw_bob2\n$pw_bob3\n" md admin passwd bob --password-stdin
has 'admin.locked_out' err "right password refused while locked"
expect_rc 0 '' md admin list --json
has '"locked": true' out "list shows the lock"
has '"lockouts": 1' out "list counts lockouts"

# Another admin sets a new password for bob, which lifts the lock.
expect_rc 0 "$pw_alice\n$pw_bob3\n" md admin passwd bob --admin alice --password-stdin
has 'lockout is lifted' out "passwd by another admin says the lock is lifted"
expect_rc 0 '' md admin list --json
grep -q '"locked": true' "$data/out" && fail "lock not lifted"

# Remove: unknown USER is a usage error (2), the last admin stays (1).
expect_rc 2 "$pw_alice\n" md admin remove carol --admin alice --password-stdin
has 'admin.not_found' err "unknown admin to remove names the code"
expect_rc 0 "$pw_bob3\n" md admin remove bob --password-stdin --json
has '"removed": "bob"' out "remove --json"
expect_rc 1 "$pw_alice\n" md admin remove alice --password-stdin
has 'admin.last_admin' err "the last admin cannot be removed"
[ "$(md admin list | wc -l)" -eq 1 ] || fail "one admin left"

# No password anywhere: not in the database, its WAL, or any captured output.
for pw in "$pw_alice" "$pw_bob" "$pw_bob2" "$pw_bob3" "$pw_wrong"; do
  if grep -rqa -- "$pw" "$data"; then fail "a password is stored or printed in plaintext"; fi
done
echo ok
