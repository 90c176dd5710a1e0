#!/bin/sh
# maildoctor.com under Wine against the lab's real servers (issue 14): Dovecot over TLS on a real
# loopback socket and the npm oidc-provider. A password account, then an OAuth account signed in
# with the device-code grant (the lab's device.js approves the code in headless Chromium): for
# each, `check --json` must be all green and `sync --json` must download what was seeded, with the
# server's own UIDVALIDITY. Starts a lab of its own (own folder, ports from
# MAILDOCTOR_WIN_LAB_PORT_BASE, default 17900) and stops it on every exit. Every command is bounded.
# Run by scripts/windows-test.sh in its Wine prefix: lab.sh PATH/maildoctor.com. Needs root (the lab).
set -eu
exe=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
lab_home="$here/tests/lab"
WINE=${MAILDOCTOR_WINE:-/usr/lib/wine/wine64}
base=${MAILDOCTOR_WIN_LAB_PORT_BASE:-17900}
work=$(mktemp -d "${TMPDIR:-/tmp}/maildoctor-winlab.XXXXXX")
# The lab's folder must be searchable by its mail user: under /tmp, not in the build tree.
lab_dir=$(mktemp -d /tmp/maildoctor-winlab-servers.XXXXXX)
device_pid=
stop_all() {
  [ -n "$device_pid" ] && kill "$device_pid" 2>/dev/null
  "$lab_home/lab.sh" stop "$lab_dir" >/dev/null 2>&1 || true
  # The logs go too: the test prints what it needs when it fails (FAIL_SHOW).
  [ -f "$lab_dir/.maildoctor-lab" ] && rm -rf "$lab_dir"
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 143' INT TERM

# tests/lib.sh's md runs "$bin": a wrapper that runs the exe under Wine, each command bounded.
bin="$work/maildoctor"
cat >"$bin" <<WRAP
#!/bin/sh
exec timeout 120 "$WINE" "$exe" "\$@"
WRAP
chmod +x "$bin"
data="$work/data"
. "$here/tests/lib.sh"
FAIL_SHOW="$lab_dir/logs/dovecot.log $lab_dir/logs/oidc.log"

step "the lab on 127.0.0.1, ports from $base"
LAB_PORT_BASE=$base LAB_START_TIMEOUT=60 timeout 120 "$lab_home/lab.sh" start "$lab_dir" >"$work/lab-start.log" 2>&1 \
  || fail "the lab did not start"
set -a; . "$lab_dir/lab.env"; set +a
uidvalidity_of() { doveadm -c "$LAB_DOVECOT_CONF" -f flow mailbox status -u "$1" uidvalidity INBOX | sed 's/.*uidvalidity=//'; }
# Every step of a check report passes, except those named in $2 (id=status,...), which must have that status.
all_green() {
  got=$(js "$1" "d.ok===true && d.steps.length>=8 && d.steps.every(x=>x.status===(({$2})[x.id]||'pass'))")
  [ "$got" = true ] || fail "$1: not every step passed: $(js "$1" "d.steps.map(x=>x.id+'='+x.status).join(' ')")"
}
# The lab's CA is a private test CA: Windows's ROOT store (in a fresh Wine prefix, Wine's copy of the
# host's roots) does not hold it, as no real machine would. The account names it with --ca-file, the
# way an admin names a private CA; as a Windows path (Wine's drive Z: is the Unix root) so the exe
# reads it like any file a Windows user would give.
ca="Z:$LAB_CA_FILE"

step "password account on the lab's IMAPS: check is all green"
"$LAB_SEED" "$LAB_SYNC_USER" 5 "$lab_dir" >/dev/null
run_in 0 pw-add "$LAB_SYNC_PASSWORD\n" md account add pw --provider custom --email "$LAB_SYNC_USER" --auth password \
  --password-stdin --imap "localhost:$LAB_IMAPS_PORT" --ca-file "$ca" --timeout 10
run 0 pw-check md check pw --json
all_green pw-check "clock:'skip'"
[ "$(js pw-check "d.steps.map(x=>x.id).join(' ')")" = \
  "clock imap.dns imap.tcp imap.tls imap.greeting imap.capabilities imap.auth imap.mailbox" ] || fail "pw-check: steps"
js pw-check "s('imap.tls').evidence.join(' ')" | grep -q 'verify result=0' || fail "pw-check: the certificate was not verified"
js pw-check "s('imap.auth').evidence.join(' ')" | grep -q 'mechanism=PLAIN' || fail "pw-check: not PLAIN"
js pw-check "s('imap.mailbox').evidence.join(' ')" | grep -q 'EXISTS=5' || fail "pw-check: INBOX does not hold the 5 seeded"
grep -q "$LAB_SYNC_PASSWORD" "$work/pw-check.out" "$work/pw-check.err" && fail "the password is in the output"

step "password account: sync downloads the 5 seeded messages, then none"
run 0 pw-sync md sync pw --json
want pw-sync d.ok true
want pw-sync d.downloaded 5
want pw-sync d.last_uid 5
want pw-sync d.stored_messages 5
want pw-sync d.uidvalidity "$(uidvalidity_of "$LAB_SYNC_USER")"
run 0 pw-sync2 md sync pw --json
want pw-sync2 d.downloaded 0
want pw-sync2 d.last_uid 5

step "OAuth account: device-code sign-in at the lab's oidc-provider, approved in headless Chromium"
"$LAB_SEED" "$LAB_USER" 3 "$lab_dir" >/dev/null
run 0 oa-add md account add oa --provider custom --email "$LAB_USER" --imap "localhost:$LAB_IMAPS_PORT" \
  --issuer "$LAB_ISSUER" --authorize-url "$LAB_AUTHORIZE_URL" --token-url "$LAB_TOKEN_URL" \
  --device-url "$LAB_DEVICE_URL" --revoke-url "$LAB_REVOKE_URL" --userinfo-url "$LAB_USERINFO_URL" \
  --client-id "$LAB_CLIENT_ID" --scope "$LAB_MAIL_SCOPE" --scope openid --scope email --scope offline_access \
  --ca-file "$ca" --timeout 10
"$bin" --data-dir "$data" auth oa --device >"$work/oa-device.out" 2>"$work/oa-device.err" &
device_pid=$!
wait_for "$work/oa-device.out" '^  Code: ' 600
code=$(sed -n 's/^  Code: //p' "$work/oa-device.out" | tr -d '\r')
uri=$(sed -n 's/^  Address: //p' "$work/oa-device.out" | tr -d '\r')
[ "$uri" = "$LAB_DEVICE_VERIFY_URL" ] || fail "device: the address is $uri, wanted $LAB_DEVICE_VERIFY_URL"
timeout 120 "$LAB_DEVICE_HELPER" "$code" "$uri" >"$work/oa-helper.log" 2>&1 || fail "device.js did not approve $code"
wait "$device_pid" || fail "auth --device exited $?"
device_pid=
grep -q "Signed in as $LAB_USER" "$work/oa-device.out" || fail "device: no success line"
run 0 oa-token md token oa --json
want oa-token d.identity "$LAB_USER"
want oa-token d.refreshable true
want oa-token "d.scopes.includes('$LAB_MAIL_SCOPE')" true

step "OAuth account: check is all green, signing in to Dovecot with XOAUTH2"
run 0 oa-check md check oa --json
all_green oa-check ""
[ "$(js oa-check "d.steps.map(x=>x.id).join(' ')")" = \
  "oauth.endpoints oauth.token clock imap.dns imap.tcp imap.tls imap.greeting imap.capabilities imap.auth imap.mailbox" ] \
  || fail "oa-check: steps"
js oa-check "s('imap.auth').evidence.join(' ')" | grep -q 'mechanism=XOAUTH2' || fail "oa-check: not XOAUTH2"
js oa-check "s('imap.mailbox').evidence.join(' ')" | grep -q 'EXISTS=3' || fail "oa-check: INBOX does not hold the 3 seeded"

step "OAuth account: sync downloads the 3 seeded messages"
run 0 oa-sync md sync oa --json
want oa-sync d.ok true
want oa-sync d.downloaded 3
want oa-sync d.last_uid 3
want oa-sync d.stored_messages 3
want oa-sync d.uidvalidity "$(uidvalidity_of "$LAB_USER")"
echo "windows lab: check and sync green for a password and an OAuth account"
