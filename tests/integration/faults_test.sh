#!/bin/sh
# Faults in the middle of a conversation with the lab's real servers (issue 6), each with the exact
# failure code: the connection dropped inside a FETCH literal during a sync (then a healthy sync
# leaves the store equal to the server's: nothing lost, nothing twice); a TLS handshake that stalls
# (bounded by the account's timeout); a reset while the client sends AUTHENTICATE (a network code,
# not a credentials one); a token endpoint that answers an HTML page, a 500, or JSON of the wrong
# shape (oauth.* codes with the server's words, no token shown). Then concurrency: a slow sync and,
# at the same time, a counter reset with the right admin password (sync.busy, nothing changed), and
# the account's sync lock held by another process (the window's Workspace takes that same flock).
# Faults come from tests/tools/fault_proxy.py (TCP) and tests/tools/fake_token_endpoint.py (HTTP),
# both on 127.0.0.1. Needs root (seeding). Bounded waits only.
# usage: faults_test.sh MAILDOCTOR LAB_ENV
set -eu
bin=$1
set -a; . "$2"; set +a
here=$(cd "$(dirname "$0")" && pwd)
tools=$(cd "$here/../tools" && pwd)
lab_home=$(cd "$here/../lab" && pwd)
work=$(mktemp -d)
data="$work/data"
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  # The lab is shared with later tests: put its token lifetime back.
  curl -fsS -X POST "$LAB_ADMIN_URL/ttl?access_token=$LAB_ACCESS_TOKEN_TTL" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
. "$(dirname "$0")/../lib.sh"
# expect NAME STEP STATUS [CODE]: a step of a `check --json` document.
expect() {
  want "$1" "s('$2').status" "$3"
  [ $# -lt 4 ] || want "$1" "(s('$2').failure||{}).code" "$4"
}
# contains NAME 'expression' TEXT: the expression's value contains TEXT.
contains() { js "$1" "$2" | grep -qF -- "$3" || fail "$1: $2 lacks '$3': $(js "$1" "$2")"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# start_proxy (tests/lib.sh) gives its pid in $proxy_pid; every proxy is stopped on exit.
proxy() { start_proxy "$@" && pids="$pids $proxy_pid"; }
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
doveadm_() { doveadm -c "$LAB_DOVECOT_CONF" "$@"; }
home=$(doveadm_ user -f home "$LAB_SYNC_USER")
server_hashes() { python3 "$here/server_messages.py" localhost "$LAB_IMAPS_PORT" "$LAB_SYNC_USER" "$LAB_SYNC_PASSWORD" "$LAB_CA_FILE"; }
stored_hashes() {  # DIR: "sha256 size" of every exported message, sorted
  (cd "$1/cur" && for f in *; do printf '%s %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$(wc -c <"$f")"; done) | sort
}
status_field() {  # ACCOUNT FIELD: a field of `status --json`, or "" while the store is busy
  md status "$1" --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{try{console.log(JSON.parse(s)[process.argv[1]])}catch(e){console.log("")}})' "$2"
}
port_cut=$((LAB_PORT_BASE + 70))
port_stall=$((LAB_PORT_BASE + 71))
port_reset=$((LAB_PORT_BASE + 72))
port_token=$((LAB_PORT_BASE + 73))
port_slow=$((LAB_PORT_BASE + 74))
admin_pw=correct-horse-battery-staple
N=300

pw_account() {  # NAME HOST:PORT [flags]: a password account of the sync user
  name=$1 imap=$2; shift 2
  printf '%s\n' "$LAB_SYNC_PASSWORD" | md account add "$name" --provider custom --email "$LAB_SYNC_USER" \
    --auth password --password-stdin --imap "$imap" --ca-file "$LAB_CA_FILE" "$@" >/dev/null
}

step "$N messages on the server (~2 MB), an account that reads them through a proxy that cuts the"
step "   connection after 600000 bytes from the server: inside the UID FETCH, inside a message"
rm -rf "$home/Maildir"
"$lab_home/seed.sh" "$LAB_SYNC_USER" $N "$LAB_DIR" >/dev/null
server_hashes >"$work/server.txt"
[ "$(wc -l <"$work/server.txt")" -eq $N ] || fail "the server lists $(wc -l <"$work/server.txt") messages, wanted $N"
pw_account dave "localhost:$port_cut" --timeout 10
proxy cut "$port_cut" "$LAB_IMAPS_PORT" --cut-after 600000
cut_pid=$proxy_pid

step "sync: protocol.connection_lost naming the message it was in, exit 1"
run 1 cut md sync dave --batch 20 --json
grep -q "fault: cut after 600000 bytes" "$work/cut.log" || fail "the proxy did not cut the connection"
want cut d.ok false
want cut d.failure.code protocol.connection_lost
# The cut came while a message (a FETCH literal) was arriving: "N of M bytes of a message ... still to come".
contains cut d.failure.detail "of a message (a FETCH literal) still to come"
contains cut d.failure.detail "were downloaded and stored before this"

step "status: the counter covers exactly what is stored, the failure is recorded"
run 0 after-cut md status dave --json
stored=$(js after-cut d.stored_messages)
[ "$stored" -gt 0 ] && [ "$stored" -lt $N ] || fail "after the cut $stored of $N messages are stored"
want after-cut d.last_uid "$stored"  # UIDs 1..N on a fresh mailbox: the counter is the count
want after-cut d.last_sync_result protocol.connection_lost
echo "   cut after $stored of $N messages were committed"

step "the next sync through a healthy proxy finishes: the store equals the server's, none twice"
stop "$cut_pid"
proxy healthy "$port_cut" "$LAB_IMAPS_PORT"
healthy_pid=$proxy_pid
run 0 resume md sync dave --batch 20 --json
want resume d.downloaded $((N - stored))
want resume d.stored_messages $N
want resume d.last_uid $N
run 0 export md export dave --maildir "$work/maildir" --json
want export d.exported $N
stored_hashes "$work/maildir" >"$work/stored.txt"
cmp -s "$work/server.txt" "$work/stored.txt" || fail "the stored messages differ from the server's (lost or duplicated)"
dups=$(cat "$work/maildir/cur"/* | grep -i '^Message-ID:' | sort | uniq -d | wc -l)
ids=$(cat "$work/maildir/cur"/* | grep -ic '^Message-ID:')
[ "$ids" -eq $N ] && [ "$dups" -eq 0 ] || fail "$ids Message-IDs, $dups of them twice"
stop "$healthy_pid"

# 8 s: the proxy's first 5 bytes come from a Dovecot login process started for this connection,
# which a loaded machine can take seconds to start.
step "TLS handshake stalls after 5 bytes from the server: imap.tls tcp.timeout within --timeout 8"
pw_account stall "localhost:$port_stall" --timeout 8
proxy stall "$port_stall" "$LAB_IMAPS_PORT" --stall-after 5
stall_pid=$proxy_pid
t0=$(now_ms); run 1 stall md check stall --json; t1=$(now_ms)
grep -q "fault: stall after 5 bytes" "$work/stall.log" || fail "the proxy did not stall the handshake"
expect stall imap.tcp pass
expect stall imap.tls fail tcp.timeout
contains stall "s('imap.tls').detail" "TLS handshake"
contains stall "s('imap.tls').detail" "5 bytes came from the server"
expect stall imap.greeting skip
expect stall imap.auth skip
tls_ms=$(js stall "s('imap.tls').duration_ms")
echo "   stalled handshake: imap.tls ${tls_ms} ms, whole check $((t1 - t0)) ms (timeout 8 s)"
# Ended by its own deadline, not by the clock of a loaded machine: the detail names the 8 s it
# waited, and the step did wait them (a lower bound, which load cannot break).
contains stall "s('imap.tls').detail" "nothing more came for 8 s"
[ "$tls_ms" -ge 7900 ] || fail "imap.tls gave up after $tls_ms ms, before its 8 s timeout"
stop "$stall_pid"

step "reset while the client sends AUTHENTICATE (plain-text IMAP, so the proxy sees it):"
step "   imap.auth protocol.connection_lost, not a credentials code"
pw_account reset "127.0.0.1:$port_reset" --imap-security none --timeout 10  # ended by the reset
proxy reset "$port_reset" "$LAB_IMAP_STARTTLS_PORT" --reset-on AUTHENTICATE
reset_pid=$proxy_pid
run 1 reset md check reset --json
grep -q "fault: reset on 'AUTHENTICATE'" "$work/reset.log" || fail "the proxy did not reset on AUTHENTICATE"
expect reset imap.greeting pass
expect reset imap.capabilities pass
expect reset imap.auth fail protocol.connection_lost
contains reset "s('imap.auth').detail" "reset the connection (TCP RST) while we waited for the reply to AUTHENTICATE"
contains reset "s('imap.auth').evidence.join(' ')" "mechanism=PLAIN"
expect reset imap.mailbox skip
grep -q "$LAB_SYNC_PASSWORD" "$work/reset.out" "$work/reset.err" && fail "the password is in the output"
run 1 reset-human md check reset
grep -q 'protocol.connection_lost' "$work/reset-human.out" || fail "the human output lacks the code"
stop "$reset_pid"

step "OAuth: sign in through a token endpoint stand-in that forwards to the lab's (short-lived"
step "   access tokens, so every check refreshes)"
fake_secret="at-fake-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
echo forward >"$work/token-mode"
python3 "$tools/fake_token_endpoint.py" "$port_token" "$LAB_TOKEN_URL" "$work/token-mode" "$fake_secret" \
  >"$work/token.log" 2>&1 &
pids="$pids $!"
wait_for "$work/token.log" ready
curl -fsS -X POST "$LAB_ADMIN_URL/ttl?access_token=120" >/dev/null || fail "lab ttl"
md account add oa --provider custom --email "$LAB_USER" --imap "localhost:$LAB_IMAPS_PORT" \
  --authorize-url "$LAB_AUTHORIZE_URL" --token-url "http://127.0.0.1:$port_token/token" \
  --revoke-url "$LAB_REVOKE_URL" --userinfo-url "$LAB_USERINFO_URL" --issuer "$LAB_ISSUER" \
  --client-id "$LAB_CLIENT_ID" --scope "$LAB_MAIL_SCOPE" --scope openid --scope email --scope offline_access \
  --ca-file "$LAB_CA_FILE" --timeout 10 >/dev/null
run 0 signin md auth oa --browser "$LAB_BROWSER" --consent-timeout 60
curl -fsS -X POST "$LAB_ADMIN_URL/ttl?access_token=$LAB_ACCESS_TOKEN_TTL" >/dev/null || fail "lab ttl back"
grep -q "POST /token -> forward 200" "$work/token.log" || fail "the code exchange did not go through the stand-in"
run 0 token0 md token oa --json
want token0 d.refreshable true
want token0 "d.seconds_left <= 120" true

# token_fault MODE CODE TEXT...: forced refresh and the ladder both fail with CODE, their details
# carry each TEXT (the server's words), the tokens saved before are kept.
token_fault() {
  mode=$1 code=$2; shift 2
  echo "$mode" >"$work/token-mode"
  before=$(grep -c " -> $mode " "$work/token.log" || true)
  run 1 "refresh-$mode" md token oa --refresh --json
  want "refresh-$mode" d.failure.code "$code"
  want "refresh-$mode" d.refreshed false
  want "refresh-$mode" d.refreshable true
  run 0 "status-$mode" md token oa --json
  want "status-$mode" d.last_error.code "$code"
  run 1 "check-$mode" md check oa --only oauth,imap --json
  expect "check-$mode" oauth.endpoints pass
  expect "check-$mode" oauth.token fail "$code"
  expect "check-$mode" imap.auth skip
  for text in "$@"; do
    contains "refresh-$mode" d.failure.detail "$text"
    contains "check-$mode" "s('oauth.token').evidence.join(' ')" "$text"
  done
  after=$(grep -c " -> $mode " "$work/token.log" || true)
  [ $((after - before)) -ge 2 ] || fail "$mode: the refreshes did not reach the stand-in"
  run 1 "human-$mode" md token oa --refresh
  grep -q "\[$code\]" "$work/human-$mode.err" || fail "$mode: the human output lacks [$code]"
  echo "   $mode: $code"
}
step "token endpoint answers a captive portal's HTML page: oauth.bad_response"
token_fault html oauth.bad_response "HTTP 200" "HTML page" "Guest Wi-Fi"
step "token endpoint answers 500: oauth.server_error"
token_fault 500 oauth.server_error "HTTP 500" "token store unavailable: upstream database timeout"
step "token endpoint answers JSON without token_type (with a token in it): oauth.bad_response, token masked"
token_fault wrong-shape oauth.bad_response "no token_type" "access_token" "<redacted>"
step "token endpoint answers a JSON array: oauth.bad_response"
token_fault array oauth.bad_response "JSON that is not an object"

step "healthy again: the refresh token kept through the faults still works; the error is cleared"
echo forward >"$work/token-mode"
run 0 refreshed md token oa --refresh --json
want refreshed d.refreshed true
want refreshed d.last_error null
run 0 check-ok md check oa --only oauth,imap --json
expect check-ok oauth.token pass
expect check-ok imap.auth pass

step "no token (the lab's or the stand-in's) in the data dir, the protocol log or any output"
grep -rqF "$fake_secret" "$work"/*.out "$work"/*.err "$data" && fail "the stand-in's token was shown or stored" || true
EXTRA_SECRETS="$fake_secret,$LAB_SYNC_PASSWORD" node "$here/find_secrets.js" "$data" "$work" || fail "a secret leaked"

step "a slow sync (150 KB/s) and, meanwhile, a counter reset with the right admin password: sync.busy;"
step "   the reset changes nothing, leaves no audit row; the sync then finishes complete"
printf '%s\n' "$admin_pw" | md admin add root --password-stdin >/dev/null
run 0 reset1 sh -c "printf '%s\n' '$admin_pw' | '$bin' --data-dir '$data' reset-counter dave --admin root --password-stdin --yes --json"
want reset1 d.old_last_uid $N
run 0 after-reset1 md status dave --json
want after-reset1 d.last_uid 0
want after-reset1 d.last_reset.admin root
first_reset_at=$(js after-reset1 d.last_reset.at)
want after-reset1 d.stored_messages $N
# Held back by the proxy once the first batch is stored, so the sync is surely still running while
# the reset and the second sync are tried, however slow the machine; released after. The account's
# read timeout outlasts the hold.
hold=$work/hold-slow
rm -f "$hold"
md account edit dave --timeout 120 >/dev/null
proxy slow "$port_cut" "$LAB_IMAPS_PORT" --rate 150000 --hold-while "$hold"
slow_pid=$proxy_pid
"$bin" --data-dir "$data" sync dave --batch 10 --json >"$work/slow.out" 2>"$work/slow.err" &
sync_pid=$!
pids="$pids $sync_pid"
i=0; last=0
while [ $i -lt 300 ]; do  # up to 30 s for the first committed batch
  last=$(status_field dave last_uid); [ -n "$last" ] && [ "$last" -gt 0 ] && break
  i=$((i + 1)); sleep 0.1
done
[ -n "$last" ] && [ "$last" -gt 0 ] || fail "the slow sync committed nothing within 30 s"
touch "$hold"
run 1 busy-reset sh -c "printf '%s\n' '$admin_pw' | '$bin' --data-dir '$data' reset-counter dave --admin root --password-stdin --yes --json"
want busy-reset d.failure.code sync.busy
contains busy-reset d.failure.detail "process $sync_pid"
kill -0 "$sync_pid" 2>/dev/null || fail "the slow sync had finished before the reset was tried: nothing was tested"
run 1 busy-sync md sync dave --json
want busy-sync d.failure.code sync.busy
rm -f "$hold"
i=0; while kill -0 "$sync_pid" 2>/dev/null; do i=$((i + 1)); [ $i -le 600 ] || fail "the slow sync did not end within 60 s"; sleep 0.1; done
set +e; wait "$sync_pid"; rc=$?; set -e
[ "$rc" -eq 0 ] || fail "the slow sync exited $rc"
want slow d.downloaded $N
want slow d.stored_messages $N
want slow d.last_uid $N
run 0 after-slow md status dave --json
want after-slow d.last_uid $N
want after-slow d.stored_messages $N
want after-slow d.last_reset.admin root
want after-slow d.last_reset.at "$first_reset_at"

step "the account's sync lock held by another process (as the window's Workspace holds it while it"
step "   syncs: same file, same flock): CLI sync and reset-counter refuse with sync.busy"
lockfile="$data/sync-dave.lock"
[ -f "$lockfile" ] || fail "no sync lock file at $lockfile"
touch "$work/hold"
flock -n "$lockfile" sh -c "touch '$work/held'; i=0; while [ -e '$work/hold' ] && [ \$i -lt 600 ]; do i=\$((i+1)); sleep 0.1; done" &
holder=$!
pids="$pids $holder"
i=0; while [ ! -e "$work/held" ]; do i=$((i + 1)); [ $i -le 100 ] || fail "flock did not take the lock"; sleep 0.1; done
run 1 held-sync md sync dave --json
want held-sync d.failure.code sync.busy
run 1 held-reset sh -c "printf '%s\n' '$admin_pw' | '$bin' --data-dir '$data' reset-counter dave --admin root --password-stdin --yes --json"
want held-reset d.failure.code sync.busy
run 0 held-status md status dave --json
want held-status d.last_uid $N
rm -f "$work/hold"
wait "$holder" || fail "the lock holder failed"
run 0 free-sync md sync dave --json
want free-sync d.downloaded 0
want free-sync d.stored_messages $N
stop "$slow_pid"
echo "faults: all scenarios passed"
