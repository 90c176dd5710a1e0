#!/bin/sh
# The vault's key in a real Secret Service: a session bus of the test's own (dbus-run-session) and a
# real gnome-keyring-daemon unlocked with a known password, in a throwaway HOME -- the desktop
# keyring of whoever runs the test is never asked. Proves:
#  - with no session bus the key file is the fallback, and status says so;
#  - a bus that accepts but never answers is given up on within MAILDOCTOR_KEYRING_TIMEOUT_MS;
#  - a fresh data folder keeps its key in the keyring (vault.key only names it), status says so;
#  - a folder with a key file and saved secrets moves into the keyring with every secret readable;
#  - a folder moved to another path finds its key under the old path;
#  - a move cut short (keyring written, file not yet replaced) is finished, nothing lost;
#  - a key file that differs from the keyring's entry (a restored folder) keeps working;
#  - a keyring that stops answering (SIGSTOP) is given up on within the bound;
#  - a removed or damaged keyring entry, a locked keyring, or MAILDOCTOR_KEY_STORE=file on a
#    keyring folder, gets a clear failure code -- and never a new key in its place.
# "Readable" is the report's redaction.saved_secrets_masked: true only when every saved secret of
# the account opened with the key. No key bytes reach any output.
# usage: keyring_test.sh MAILDOCTOR
set -eu
if [ "${1:-}" = --in-session ]; then
  shift
  in_session=1
else
  in_session=""
fi
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "$in_session" ]; then
  work=$(mktemp -d /tmp/maildoctor-keyring.XXXXXX)
  trap 'rm -rf "$work"' EXIT
else
  work=$2
fi
export MAILDOCTOR_KEY_STORE=auto
. "$here/../lib.sh"

FILE="key file (owner-only, mode 0600)"
SCHEMA=org.maildoctor.VaultKey
password='pw-K3y-ring-never-shown'
client_secret='cs-K3y-ring-never-shown'

# Two accounts with secrets: a password account and an OAuth client secret.
add_accounts() {
  printf '%s\n' "$password" | "$bin" --data-dir "$1" account add pw --provider custom --email pw@example.test \
    --auth password --imap 127.0.0.1:993 --password-stdin >"$work/add-pw.out" 2>"$work/add-pw.err" ||
    fail "account add pw in $1"
  "$bin" --data-dir "$1" account add oa --provider custom --email oa@example.test --imap 127.0.0.1:993 \
    --authorize-url https://127.0.0.1:1/auth --token-url https://127.0.0.1:1/token --client-id cid \
    --scope mail --client-secret "$client_secret" >"$work/add-oa.out" 2>"$work/add-oa.err" || fail "account add oa in $1"
}

# Every secret of both accounts opens with the folder's key (the report masks them all).
secrets_readable() {
  for a in pw oa; do
    run 0 "report-$a" "$bin" --data-dir "$1" report "$a" --out "$work/report-$a.json"
    [ "$(js_file "$work/report-$a.json" 'd.redaction.saved_secrets_masked')" = true ] ||
      fail "$1: the saved secrets of $a do not open: $(js_file "$work/report-$a.json" 'd.redaction')"
  done
}

protection_is() {
  run 0 status "$bin" --data-dir "$1" status pw --json
  want status 'd.key_protection' "$2"
  [ "$(js_file "$work/report-pw.json" 'd.system.key_protection')" = "$2" ] || [ "${3:-}" = no-report ] ||
    fail "$1: the report says $(js_file "$work/report-pw.json" 'd.system.key_protection'), wanted $2"
}

# A command that needs the key (adding a password account) fails, naming CODE; nothing is added.
key_fails() {
  dir=$1 name=$2 code=$3
  shift 3
  set +e
  printf '%s\n' "$password" | "$@" "$bin" --data-dir "$dir" account add "$name" --provider custom \
    --email "$name@example.test" --auth password --imap 127.0.0.1:993 --password-stdin >"$work/$name.out" \
    2>"$work/$name.err"
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || fail "$name: account add succeeded without its key"
  code_in "$name" "$code"
}

hex_of() { od -An -tx1 -v "$1" | tr -d ' \n'; }
is_marker() { [ "$(head -c 21 "$1/vault.key")" = MDKEY-SECRET-SERVICE1 ]; }
folder() { realpath "$1"; }
keyring_key() { secret-tool lookup xdg:schema "$SCHEMA" data-dir "$(folder "$1")" 2>/dev/null || true; }

# No key material in anything the commands printed or wrote (but the key files themselves).
no_key_shown() {
  if grep -rqa -e "$1" --exclude=vault.key "$work"/*.out "$work"/*.err "$work"/*.json; then
    fail "a vault key reached an output"
  fi
}

if [ -z "$in_session" ]; then
  step "no session bus: the key file, and status says so"
  d0="$work/old-folder"
  mkdir -m 700 "$d0" "$work/no-bus-runtime"
  (
    # No bus address, no runtime folder with a bus socket, no display to autolaunch one from.
    unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY
    export XDG_RUNTIME_DIR="$work/no-bus-runtime"
    add_accounts "$d0"
    [ "$(stat -c %s "$d0/vault.key")" = 32 ] || fail "no 32-byte key file without a bus"
    [ "$(stat -c %a "$d0/vault.key")" = 600 ] || fail "the key file is not 0600"
    secrets_readable "$d0"
    protection_is "$d0" "$FILE"
  )
  cp -p "$d0/vault.key" "$work/old-folder.key"

  step "a bus that never answers: given up within the bound, the key file used"
  d_hang="$work/hang-folder"
  mkdir -m 700 "$d_hang"
  # Accepts connections and never says a word (a hung bus); stopped below by its pid.
  python3 -c 'import socket,sys,signal
s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8); conns=[]
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
while True: conns.append(s.accept())' "$work/hung-bus" &
  hung=$!
  i=0
  until [ -S "$work/hung-bus" ]; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "the silent bus socket did not appear"
    sleep 0.1
  done
  set +e
  printf '%s\n' "$password" | env -u DISPLAY DBUS_SESSION_BUS_ADDRESS="unix:path=$work/hung-bus" \
    MAILDOCTOR_KEYRING_TIMEOUT_MS=1500 "$bin" --data-dir "$d_hang" account add pw --provider custom \
    --email pw@example.test --auth password --imap 127.0.0.1:993 --password-stdin >"$work/hang.out" 2>"$work/hang.err"
  rc=$?
  set -e
  kill "$hung"
  wait "$hung" 2>/dev/null || true
  [ "$rc" -eq 0 ] || fail "account add with a silent bus: exit $rc"
  [ "$(stat -c %s "$d_hang/vault.key")" = 32 ] || fail "no key file after the silent bus"

  step "the keyring tests, in a session bus of their own"
  rc=0
  dbus-run-session -- "$0" --in-session "$bin" "$work" || rc=$?
  exit "$rc"
fi

# ---- inside dbus-run-session: a keyring of our own, in a throwaway HOME ----
export HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share" XDG_CONFIG_HOME="$work/home/.config"
export XDG_RUNTIME_DIR="$work/runtime"
mkdir -p "$HOME" && mkdir -m 700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY
echo 'keyring-test-password' | gnome-keyring-daemon --foreground --unlock --components=secrets \
  >"$work/gnome-keyring.log" 2>&1 &
keyring_pid=$!
trap 'kill -CONT "$keyring_pid" 2>/dev/null; kill "$keyring_pid" 2>/dev/null || true' EXIT
# Ready when it owns org.freedesktop.secrets (before that, a call would start another by activation).
i=0
until gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null | grep -q true; do
  i=$((i + 1))
  [ $i -le 200 ] || fail "gnome-keyring-daemon did not take org.freedesktop.secrets in 20 s"
  sleep 0.1
done
KEYRING="Secret Service (GNOME Keyring)"

step "a fresh folder keeps its key in the keyring; vault.key only names it"
d1="$work/fresh-folder"
mkdir -m 700 "$d1"
add_accounts "$d1"
is_marker "$d1" || fail "vault.key of a fresh folder is not the keyring's marker"
[ "$(stat -c %a "$d1/vault.key")" = 600 ] || fail "the marker is not 0600"
k1=$(keyring_key "$d1")
[ "${#k1}" -eq 64 ] || fail "the keyring holds no 64-hex-digit key for $d1 (${#k1} characters)"
secrets_readable "$d1"
protection_is "$d1" "$KEYRING"
no_key_shown "$k1"
run 0 status-text "$bin" --data-dir "$d1" status pw
grep -q "key  *$KEYRING" "$work/status-text.out" || fail "status (text) does not name the keyring"

step "a folder with a key file and saved secrets moves into the keyring, no secret lost"
d0="$work/old-folder"
old_hex=$(hex_of "$work/old-folder.key")
[ -z "$(keyring_key "$d0")" ] || fail "the keyring held a key for the old folder before the move"
run 0 status-before "$bin" --data-dir "$d0" status pw --json
want status-before 'd.key_protection' "$FILE"  # status reads no secret, and moves nothing
[ "$(hex_of "$d0/vault.key")" = "$old_hex" ] || fail "status changed the key file"
secrets_readable "$d0"  # the first command that opens the vault moves the key
is_marker "$d0" || fail "the key file was not replaced by the marker after the move"
[ "$(keyring_key "$d0")" = "$old_hex" ] || fail "the keyring does not hold the key file's key"
secrets_readable "$d0"
protection_is "$d0" "$KEYRING"
no_key_shown "$old_hex"

step "a folder moved on this computer finds its key under its old name"
dm="$work/moved-folder"
cp -rp "$d0" "$dm"
secrets_readable "$dm"
[ "$(keyring_key "$dm")" = "$old_hex" ] || fail "the moved folder's key was not copied under its new name"
grep -q "data-dir=$(folder "$dm")\$" "$dm/vault.key" || fail "the marker does not name the moved folder"
[ "$(keyring_key "$d0")" = "$old_hex" ] || fail "the old folder's entry was removed"

step "a move cut short (keyring written, key file still there) is finished"
d2="$work/half-moved"
mkdir -m 700 "$d2"
cp "$work/old-folder.key" "$d2/vault.key" && chmod 600 "$d2/vault.key"
cp "$d0/maildoctor.db" "$d2/maildoctor.db"
printf '%s' "$old_hex" | secret-tool store --label="MailDoctor vault key ($(folder "$d2"))" xdg:schema "$SCHEMA" \
  data-dir "$(folder "$d2")"
secrets_readable "$d2"
is_marker "$d2" || fail "the half-finished move was not finished"
protection_is "$d2" "$KEYRING"

step "a key file that differs from the keyring's entry (a restored folder) is used as it is"
d3="$work/restored"
mkdir -m 700 "$d3"
cp "$work/old-folder.key" "$d3/vault.key" && chmod 600 "$d3/vault.key"
cp "$d0/maildoctor.db" "$d3/maildoctor.db"
other=0000000000000000000000000000000000000000000000000000000000000001
printf '%s' "$other" | secret-tool store --label=stale xdg:schema "$SCHEMA" data-dir "$(folder "$d3")"
secrets_readable "$d3"
[ "$(hex_of "$d3/vault.key")" = "$old_hex" ] || fail "the restored folder's key file was changed"
[ "$(keyring_key "$d3")" = "$other" ] || fail "the keyring's entry was changed"
protection_is "$d3" "$FILE"

step "a keyring that stops answering: given up within the bound; a clear code, or the key file for a new folder"
kill -STOP "$keyring_pid"
key_fails "$d1" stopped vault.keyring_unavailable env MAILDOCTOR_KEYRING_TIMEOUT_MS=1000
grep -q "no answer within 1.0 s" "$work/stopped.err" || fail "the failure does not say the keyring did not answer"
d5="$work/while-stopped"
mkdir -m 700 "$d5"
printf '%s\n' "$password" | MAILDOCTOR_KEYRING_TIMEOUT_MS=1000 "$bin" --data-dir "$d5" account add pw --provider custom \
  --email pw@example.test --auth password --imap 127.0.0.1:993 --password-stdin >"$work/stopped-new.out" \
  2>"$work/stopped-new.err" || fail "account add while the keyring does not answer"
[ "$(stat -c %s "$d5/vault.key")" = 32 ] || fail "no key file for a new folder while the keyring does not answer"
kill -CONT "$keyring_pid"
secrets_readable "$d1"  # answering again: the keyring's key, as before

step "MAILDOCTOR_KEY_STORE=file on a folder whose key is in the keyring: a clear code"
key_fails "$d1" forced vault.keyring_unavailable env MAILDOCTOR_KEY_STORE=file
run 0 forced-status env MAILDOCTOR_KEY_STORE=file "$bin" --data-dir "$d1" status pw --json
want forced-status 'd.key_protection_error.code' vault.keyring_unavailable

step "a damaged keyring entry: vault.key_unwrap_failed, status names it, nothing replaced"
printf 'not-a-key' | secret-tool store --label=damaged xdg:schema "$SCHEMA" data-dir "$(folder "$d1")"
key_fails "$d1" damaged vault.key_unwrap_failed env
run 0 damaged-report "$bin" --data-dir "$d1" report pw --out "$work/damaged-report.json"
[ "$(js_file "$work/damaged-report.json" 'd.system.key_protection')" = "unreadable (vault.key_unwrap_failed)" ] ||
  fail "the report does not say the key is unreadable"
run 0 damaged-status "$bin" --data-dir "$d1" status pw --json
want damaged-status 'd.key_protection_error.code' vault.key_unwrap_failed
want damaged-status 'd.key_protection' "unreadable (vault.key_unwrap_failed)"
[ "$(keyring_key "$d1")" = not-a-key ] || fail "the damaged entry was overwritten"
is_marker "$d1" || fail "vault.key changed after a damaged entry"

step "a removed keyring entry: vault.key_unwrap_failed, and no new key in its place"
secret-tool clear xdg:schema "$SCHEMA" data-dir "$(folder "$d1")"
key_fails "$d1" removed vault.key_unwrap_failed env
[ -z "$(keyring_key "$d1")" ] || fail "a new key was put in the keyring for a folder whose key is gone"
is_marker "$d1" || fail "vault.key changed after a removed entry"
printf '%s' "$k1" | secret-tool store --label=restored xdg:schema "$SCHEMA" data-dir "$(folder "$d1")"
secrets_readable "$d1"  # the entry restored: every secret opens again

# Last: nothing here unlocks the keyring again (that would take its unlock prompt).
step "a locked keyring: the key's entry is there but cannot be read: vault.keyring_locked"
# (Through the Secret Service's own Lock: libsecret 0.20.5's `secret-tool lock` hangs.) Unlocking
# asks gnome-keyring's prompter, which has no display here and fails at once: the entry stays locked.
gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
  --method org.freedesktop.Secret.Service.Lock "[objectpath '/org/freedesktop/secrets/collection/login']" \
  >"$work/lock.out" 2>"$work/lock.err" || fail "the Secret Service did not lock the login keyring"
key_fails "$d1" locked vault.keyring_locked  # with the default wait: a slow prompter is not a failure
run 0 locked-status "$bin" --data-dir "$d1" status pw --json
want locked-status 'd.key_protection_error.code' vault.keyring_locked
is_marker "$d1" || fail "vault.key changed while the keyring was locked"

echo ok
