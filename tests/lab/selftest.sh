#!/usr/bin/env bash
# Proves the lab works, with curl, openssl and node only (no MailDoctor binary involved):
# starts the lab in a temporary DIR (twice: start, stop, start), runs OAuth flows through the
# headless browser, logs in to IMAP/POP3/submission with tokens and passwords, seeds a mailbox,
# checks the broken-TLS and silent/closed ports, stops the lab and checks nothing is left.
# Exits non-zero at the first failure, saying what failed. Every wait is a bounded poll.
# Run as root after install.sh. LAB_PORT_BASE defaults to 17400 here (not the lab's 17100).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export LAB_PORT_BASE="${LAB_PORT_BASE:-17400}"
export LAB_ACCESS_TOKEN_TTL=1800
DIR="$(mktemp -d /tmp/maildoctor-lab-selftest.XXXXXX)"
WORK="$DIR/selftest"
PASSED=0
T0=$SECONDS

cleanup() {
  local rc=$?
  "$HERE/lab.sh" stop "$DIR" >/dev/null 2>&1 || true
  if [ "$rc" != 0 ]; then
    echo "selftest: FAILED; lab folder kept for inspection: $DIR (logs in $DIR/logs)" >&2
    echo "$PASSED passed, 1 failed"
  else
    rm -rf "$DIR"
  fi
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok $PASSED - $*"; }
fail() { echo "not ok - $*" >&2; exit 1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
contains() { grep -qF -- "$2" "$1" || { echo "  expected '$2' in $1:" >&2; sed 's/^/  | /' "$1" | head -40 >&2; return 1; }; }
lacks() { ! grep -qF -- "$2" "$1" || { echo "  did not expect '$2' in $1" >&2; return 1; }; }

# poll SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds; fail after SECONDS.
poll() {
  local limit=$1 start=$SECONDS
  shift
  until "$@" >/dev/null 2>&1; do
    [ $((SECONDS - start)) -lt "$limit" ] || return 1
    sleep 0.1
  done
}

# jget PATH < JSON: prints a field (dot path); objects as JSON; nothing when missing.
jget() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v==null?v:v[k];if(v!=null)console.log(typeof v==="object"?JSON.stringify(v):String(v))})' "$1"
}

# A JWT's payload as JSON.
jwt_payload() { node -e 'console.log(Buffer.from(process.argv[1].split(".")[1],"base64url").toString())' "$1"; }

# imap_xoauth2 OUT PORT USER TOKEN [starttls]: XOAUTH2 then SELECT INBOX over openssl s_client.
# The empty line answers the server's error challenge when the token is refused.
imap_xoauth2() {
  local out=$1 port=$2 user=$3 token=$4 mode=${5:-} b64
  b64="$(printf 'user=%s\001auth=Bearer %s\001\001' "$user" "$token" | base64 -w0)"
  local starttls=()
  [ "$mode" = starttls ] && starttls=(-starttls imap)
  printf 'a AUTHENTICATE XOAUTH2 %s\r\n\r\nb SELECT INBOX\r\nc LOGOUT\r\n' "$b64" \
    | timeout 20 openssl s_client -quiet -ign_eof "${starttls[@]}" -connect "127.0.0.1:$port" -servername localhost \
        -CAfile "$LAB_CA_FILE" -verify_return_error -verify_hostname localhost >"$out" 2>"$out.err" || true
}

# curl_imap OUT URL AUTH... : one IMAP command through curl (exit code kept in OUT.rc).
curl_mail() {
  local out=$1
  shift
  set +e
  curl -sS --max-time 20 --cacert "$LAB_CA_FILE" "$@" >"$out" 2>"$out.err"
  echo $? >"$out.rc"
  set -e
}
rc_is() { [ "$(cat "$1.rc")" = "$2" ] || { echo "  curl exit $(cat "$1.rc") (wanted $2): $(cat "$1.err")" >&2; return 1; }; }

# authcode OUT [args...]: full authorization-code + PKCE flow via browser.js (env LAB_BROWSER_*).
authcode() {
  local out=$1
  shift
  node "$HERE/lib/authcode.js" "$DIR/lab.env" "$@" >"$out" 2>"$out.browser" || { cat "$out.browser" >&2; return 1; }
}

token_post() { curl -sS --max-time 20 -o "$1" -w '%{http_code}' "$LAB_TOKEN_URL" "${@:2}"; }

# ---------------------------------------------------------------------------------------------
echo "selftest: lab in $DIR, ports from $LAB_PORT_BASE"
"$HERE/lab.sh" start "$DIR" >/dev/null 2>"$DIR.start1.log" || { cat "$DIR.start1.log" >&2; fail "lab.sh start"; }
ok "lab.sh start"
"$HERE/lab.sh" stop "$DIR" >/dev/null 2>&1
check "lab.sh stop removes lab.env" test ! -e "$DIR/lab.env"
ts=$SECONDS
"$HERE/lab.sh" start "$DIR" >/dev/null 2>"$DIR.start2.log" || { cat "$DIR.start2.log" >&2; fail "lab.sh start after stop"; }
ok "lab.sh start again after stop ($((SECONDS - ts)) s)"
rm -f "$DIR.start1.log" "$DIR.start2.log"
mkdir -p "$WORK"
if "$HERE/lab.sh" start "$DIR" >/dev/null 2>"$WORK/start3.err"; then fail "a second start while running must fail"; fi
check "start while running is refused" contains "$WORK/start3.err" "already running"
status_quiet() { "$HERE/lab.sh" status "$DIR" >"$WORK/status.txt"; }
check "lab.sh status says all running" status_quiet

set -a
# shellcheck disable=SC1091
. "$DIR/lab.env"
set +a
for k in LAB_ISSUER LAB_AUTHORIZE_URL LAB_TOKEN_URL LAB_DEVICE_URL LAB_REVOKE_URL LAB_USERINFO_URL \
  LAB_CLIENT_ID LAB_SECRET_CLIENT_ID LAB_SECRET_CLIENT_SECRET LAB_CA_FILE LAB_IMAPS_PORT LAB_IMAP_STARTTLS_PORT \
  LAB_POP3S_PORT LAB_POP3_STARTTLS_PORT LAB_SUBMISSION_PORT LAB_SINK_DIR LAB_EXPIRED_TLS_PORT \
  LAB_MISMATCH_TLS_PORT LAB_SILENT_PORT LAB_CLOSED_PORT LAB_USER LAB_PASSWORD LAB_USER2 LAB_PASSWORD2 LAB_MAIL_SCOPE; do
  [ -n "${!k:-}" ] || fail "lab.env lacks $k"
done
ok "lab.env has every key"

# --- OAuth server --------------------------------------------------------------------------------
curl -sS --max-time 10 "$LAB_DISCOVERY_URL" >"$WORK/discovery.json"
check "discovery: issuer" test "$(jget issuer <"$WORK/discovery.json")" = "$LAB_ISSUER"
check "discovery: iss in authorization responses (RFC 9207)" test "$(jget authorization_response_iss_parameter_supported <"$WORK/discovery.json")" = true
check "discovery: device, revocation, introspection endpoints" test "$(jget device_authorization_endpoint <"$WORK/discovery.json")" = "$LAB_DEVICE_URL" -a \
  "$(jget revocation_endpoint <"$WORK/discovery.json")" = "$LAB_REVOKE_URL" -a "$(jget introspection_endpoint <"$WORK/discovery.json")" = "$LAB_INTROSPECT_URL"

code=$(curl -sS --max-time 10 -o "$WORK/badredirect.html" -w '%{http_code}' \
  "$LAB_AUTHORIZE_URL?client_id=$LAB_CLIENT_ID&response_type=code&scope=openid&redirect_uri=http://127.0.0.1:4321/elsewhere&code_challenge=$(printf x%.0s {1..43})&code_challenge_method=S256&state=s")
check "unregistered redirect path: HTTP 400 invalid_redirect_uri, plain page" test "$code" = 400
check "error page names invalid_redirect_uri" contains "$WORK/badredirect.html" invalid_redirect_uri
check "error page loads nothing from outside" lacks "$WORK/badredirect.html" "https://"

# Authorization code + PKCE, public client, alice.
authcode "$WORK/alice.json" || fail "authorization-code flow (alice)"
check "redirect carries code, state and iss" test -n "$(jget redirect.code <"$WORK/alice.json")" -a "$(jget redirect.iss <"$WORK/alice.json")" = "$LAB_ISSUER"
check "token endpoint: 200" test "$(jget token_status <"$WORK/alice.json")" = 200
check "browser made no outside request" lacks "$WORK/alice.json.browser" "blocked outside requests"
AT="$(jget token.access_token <"$WORK/alice.json")"
RT="$(jget token.refresh_token <"$WORK/alice.json")"
check "granted scope includes $LAB_MAIL_SCOPE" grep -qw "$LAB_MAIL_SCOPE" <<<"$(jget token.scope <"$WORK/alice.json")"
check "refresh token issued for the mail scope" test -n "$RT"
check "access token is opaque (not a JWT)" test "$(tr -cd . <<<"$AT" | wc -c)" = 0
check "expires_in follows LAB_ACCESS_TOKEN_TTL" test "$(jget token.expires_in <"$WORK/alice.json")" = 1800
jwt_payload "$(jget token.id_token <"$WORK/alice.json")" >"$WORK/idtoken.json"
# oidc-provider's default (conformIdTokenClaims): the code flow's id_token names the subject only;
# the email is at UserInfo (OpenID Connect Core 5.4).
check "id_token subject is alice" test "$(jget sub <"$WORK/idtoken.json")" = "$LAB_USER"
check "id_token has no email claim (the default)" test "$(jget email <"$WORK/idtoken.json")" != "$LAB_USER"
curl -sS --max-time 10 -H "Authorization: Bearer $AT" "$LAB_USERINFO_URL" >"$WORK/userinfo.json"
check "userinfo email is alice" test "$(jget email <"$WORK/userinfo.json")" = "$LAB_USER"

imap_xoauth2 "$WORK/imaps-xoauth2.txt" "$LAB_IMAPS_PORT" "$LAB_USER" "$AT"
check "IMAPS: XOAUTH2 login" contains "$WORK/imaps-xoauth2.txt" "a OK"
check "IMAPS: SELECT INBOX" contains "$WORK/imaps-xoauth2.txt" "b OK [READ-WRITE]"
imap_xoauth2 "$WORK/imap-starttls-xoauth2.txt" "$LAB_IMAP_STARTTLS_PORT" "$LAB_USER" "$AT" starttls
check "IMAP STARTTLS: XOAUTH2 login and SELECT" contains "$WORK/imap-starttls-xoauth2.txt" "b OK [READ-WRITE]"
imap_xoauth2 "$WORK/imaps-wronguser.txt" "$LAB_IMAPS_PORT" "$LAB_USER2" "$AT"
check "IMAPS: alice's token for bob is refused" contains "$WORK/imaps-wronguser.txt" "a NO [AUTHENTICATIONFAILED]"
curl_mail "$WORK/imaps-oauthbearer.txt" "imaps://localhost:$LAB_IMAPS_PORT/" -u "$LAB_USER" --oauth2-bearer "$AT" -X "EXAMINE INBOX"
check "IMAPS: curl OAUTHBEARER + EXAMINE" rc_is "$WORK/imaps-oauthbearer.txt" 0

# Passwords.
curl_mail "$WORK/pop3s-plain.txt" "pop3s://localhost:$LAB_POP3S_PORT/" -u "$LAB_USER:$LAB_PASSWORD" --login-options AUTH=PLAIN
check "POP3S: PLAIN login + LIST" rc_is "$WORK/pop3s-plain.txt" 0
curl_mail "$WORK/pop3-starttls.txt" "pop3://localhost:$LAB_POP3_STARTTLS_PORT/" --ssl-reqd -u "$LAB_USER2:$LAB_PASSWORD2" --login-options AUTH=PLAIN
check "POP3 STARTTLS: PLAIN login (bob)" rc_is "$WORK/pop3-starttls.txt" 0
curl_mail "$WORK/pop3s-badpw.txt" "pop3s://localhost:$LAB_POP3S_PORT/" -u "$LAB_USER:wrong-pw" --login-options AUTH=PLAIN
check "POP3S: wrong password refused" rc_is "$WORK/pop3s-badpw.txt" 67
curl_mail "$WORK/pop3s-oauth.txt" "pop3s://localhost:$LAB_POP3S_PORT/" -u "$LAB_USER" --oauth2-bearer "$AT"
check "POP3S: bearer token login" rc_is "$WORK/pop3s-oauth.txt" 0

# Refresh with rotation; reuse of the consumed refresh token kills the grant.
st=$(token_post "$WORK/refresh1.json" -d grant_type=refresh_token -d client_id="$LAB_CLIENT_ID" --data-urlencode refresh_token="$RT")
check "refresh: 200" test "$st" = 200
AT2="$(jget access_token <"$WORK/refresh1.json")"
RT2="$(jget refresh_token <"$WORK/refresh1.json")"
check "refresh: new access and refresh tokens (rotation)" test -n "$AT2" -a -n "$RT2" -a "$AT2" != "$AT" -a "$RT2" != "$RT"
imap_xoauth2 "$WORK/imaps-refreshed.txt" "$LAB_IMAPS_PORT" "$LAB_USER" "$AT2"
check "IMAPS: refreshed token works" contains "$WORK/imaps-refreshed.txt" "b OK [READ-WRITE]"
st=$(token_post "$WORK/refresh-reuse.json" -d grant_type=refresh_token -d client_id="$LAB_CLIENT_ID" --data-urlencode refresh_token="$RT")
check "reused refresh token: 400 invalid_grant" test "$st" = 400 -a "$(jget error <"$WORK/refresh-reuse.json")" = invalid_grant
imap_xoauth2 "$WORK/imaps-after-reuse.txt" "$LAB_IMAPS_PORT" "$LAB_USER" "$AT2"
check "IMAPS: grant revoked after reuse, token refused" contains "$WORK/imaps-after-reuse.txt" "a NO [AUTHENTICATIONFAILED]"
challenge="$(grep -m1 '^+ ' "$WORK/imaps-after-reuse.txt" | cut -c3- | tr -d '\r' | base64 -d 2>/dev/null || true)"
check "IMAPS: XOAUTH2 error challenge is Dovecot's JSON ($challenge)" grep -q '"status":"401"' <<<"$challenge"

# Consent with the mail scope unticked, Deny, wrong password.
LAB_BROWSER_UNTICK="$LAB_MAIL_SCOPE" authcode "$WORK/untick.json" || fail "flow with mail unticked"
check "unticked mail: granted scope lacks it" test -n "$(jget token.scope <"$WORK/untick.json")" -a \
  -z "$(grep -w "$LAB_MAIL_SCOPE" <<<"$(jget token.scope <"$WORK/untick.json")" || true)"
imap_xoauth2 "$WORK/imaps-nomail.txt" "$LAB_IMAPS_PORT" "$LAB_USER" "$(jget token.access_token <"$WORK/untick.json")"
check "IMAPS: token without mail scope refused" contains "$WORK/imaps-nomail.txt" "a NO [AUTHENTICATIONFAILED]"
LAB_BROWSER_DENY=1 authcode "$WORK/deny.json" || fail "flow with Deny"
check "Deny: redirect error=access_denied with iss" test "$(jget redirect.error <"$WORK/deny.json")" = access_denied -a "$(jget redirect.iss <"$WORK/deny.json")" = "$LAB_ISSUER"
set +e
LAB_BROWSER_WAIT=1 LAB_BROWSER_PASSWORD=not-the-password "$HERE/browser.js" \
  "$LAB_AUTHORIZE_URL?client_id=$LAB_CLIENT_ID&response_type=code&scope=openid&redirect_uri=http://127.0.0.1:1/callback&code_challenge=$(printf y%.0s {1..43})&code_challenge_method=S256&state=s" \
  2>"$WORK/badpw.txt"
brc=$?
set -e
check "login checks the password (browser.js exit 4)" test "$brc" = 4
check "login page says so" contains "$WORK/badpw.txt" "Wrong email address or password"

# "Installed app" client with a secret (client_secret_post), as bob.
LAB_BROWSER_USER="$LAB_USER2" LAB_BROWSER_PASSWORD="$LAB_PASSWORD2" authcode "$WORK/bob.json" --client secret || fail "flow with the secret client"
check "secret client: token 200 for bob" test "$(jget token_status <"$WORK/bob.json")" = 200
BOB_RT="$(jget token.refresh_token <"$WORK/bob.json")"
st=$(token_post "$WORK/badsecret.json" -d grant_type=refresh_token -d client_id="$LAB_SECRET_CLIENT_ID" -d client_secret=wrong --data-urlencode refresh_token="$BOB_RT")
check "secret client: wrong secret gives 401 invalid_client" test "$st" = 401 -a "$(jget error <"$WORK/badsecret.json")" = invalid_client

# Device flow.
curl -sS --max-time 10 "$LAB_DEVICE_URL" -d client_id="$LAB_CLIENT_ID" --data-urlencode "scope=openid email $LAB_MAIL_SCOPE" >"$WORK/device.json"
DC="$(jget device_code <"$WORK/device.json")"
st=$(token_post "$WORK/device-pending.json" -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d client_id="$LAB_CLIENT_ID" -d device_code="$DC")
check "device flow: authorization_pending before sign-in" test "$(jget error <"$WORK/device-pending.json")" = authorization_pending
"$HERE/device.js" "$(jget user_code <"$WORK/device.json")" "$(jget verification_uri <"$WORK/device.json")" 2>"$WORK/device.browser" \
  || { cat "$WORK/device.browser" >&2; fail "device.js"; }
device_token() { [ "$(token_post "$WORK/device-token.json" -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d client_id="$LAB_CLIENT_ID" -d device_code="$DC")" = 200 ]; }
check "device flow: token issued" poll 15 device_token
DAT="$(jget access_token <"$WORK/device-token.json")"
curl_mail "$WORK/imap-device.txt" "imap://localhost:$LAB_IMAP_STARTTLS_PORT/" --ssl-reqd -u "$LAB_USER" --oauth2-bearer "$DAT" -X "EXAMINE INBOX"
check "IMAP STARTTLS: device-flow token works" rc_is "$WORK/imap-device.txt" 0

# Submission to the sink.
subject="lab selftest $$ $RANDOM"
printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <selftest-%s@lab.example.test>\r\n\r\nHello from the selftest.\r\n' \
  "$LAB_USER" "$LAB_USER2" "$subject" "$$" >"$WORK/msg.eml"
curl_mail "$WORK/submission.txt" "smtp://localhost:$LAB_SUBMISSION_PORT" --ssl-reqd -u "$LAB_USER:$LAB_PASSWORD" --login-options AUTH=PLAIN \
  --mail-from "$LAB_USER" --mail-rcpt "$LAB_USER2" --upload-file "$WORK/msg.eml"
check "submission STARTTLS: PLAIN + send" rc_is "$WORK/submission.txt" 0
sink_has() { grep -lF "Subject: $1" "$LAB_SINK_DIR"/*.eml; }
check "message arrives in the sink" poll 10 sink_has "$subject"
curl_mail "$WORK/submissions.txt" "smtps://localhost:$LAB_SUBMISSIONS_PORT" -u "$LAB_USER" --oauth2-bearer "$DAT" \
  --mail-from "$LAB_USER" --mail-rcpt "$LAB_USER2" --upload-file "$WORK/msg.eml"
check "submissions (implicit TLS): bearer token + send" rc_is "$WORK/submissions.txt" 0
sink_count_is() { [ "$(grep -lF "Subject: $1" "$LAB_SINK_DIR"/*.eml | wc -l)" = "$2" ]; }
check "both messages in the sink" poll 10 sink_count_is "$subject" 2

# Seeding.
"$HERE/seed.sh" "$LAB_USER" 100 "$DIR" >"$WORK/seed.txt" 2>&1 || { cat "$WORK/seed.txt" >&2; fail "seed.sh"; }
curl_mail "$WORK/exists.txt" "imaps://localhost:$LAB_IMAPS_PORT/" -u "$LAB_USER:$LAB_PASSWORD" -X "EXAMINE INBOX"
check "seeded INBOX: 100 EXISTS" contains "$WORK/exists.txt" "* 100 EXISTS"
curl_mail "$WORK/list.txt" "pop3s://localhost:$LAB_POP3S_PORT/" -u "$LAB_USER:$LAB_PASSWORD" --login-options AUTH=PLAIN
check "seeded INBOX: POP3 LIST has 100 messages" test "$(grep -c '^[0-9]* [0-9]*' "$WORK/list.txt")" = 100

# Token lifetime set at run time, then expiry.
curl -sS --max-time 10 -X POST "$LAB_ADMIN_URL/ttl?access_token=2" >/dev/null
st=$(token_post "$WORK/short.json" -d grant_type=refresh_token -d client_id="$LAB_SECRET_CLIENT_ID" -d client_secret="$LAB_SECRET_CLIENT_SECRET" --data-urlencode refresh_token="$BOB_RT")
check "POST /lab/ttl: next token lives 2 s" test "$st" = 200 -a "$(jget expires_in <"$WORK/short.json")" = 2
curl -sS --max-time 10 -X POST "$LAB_ADMIN_URL/ttl?access_token=$LAB_ACCESS_TOKEN_TTL" >/dev/null
token_refused() { imap_xoauth2 "$WORK/imaps-expired.txt" "$LAB_IMAPS_PORT" "$LAB_USER2" "$1"; grep -qF "a NO [AUTHENTICATIONFAILED]" "$WORK/imaps-expired.txt"; }
check "expired access token is refused by IMAP" poll 15 token_refused "$(jget access_token <"$WORK/short.json")"

# Revocation: the admin endpoint and the standard endpoint.
curl -sS --max-time 10 -X POST "$LAB_ADMIN_URL/revoke-all?email=$LAB_USER" >"$WORK/revoke-all.json"
check "POST /lab/revoke-all answers" test "$(jget ok <"$WORK/revoke-all.json")" = true
imap_xoauth2 "$WORK/imaps-revoked.txt" "$LAB_IMAPS_PORT" "$LAB_USER" "$DAT"
check "revoked (revoke-all) token is refused" contains "$WORK/imaps-revoked.txt" "a NO [AUTHENTICATIONFAILED]"
st=$(token_post "$WORK/bob-refresh.json" -d grant_type=refresh_token -d client_id="$LAB_SECRET_CLIENT_ID" -d client_secret="$LAB_SECRET_CLIENT_SECRET" --data-urlencode refresh_token="$BOB_RT")
check "bob's grant survives alice's revoke-all" test "$st" = 200
BOB_AT="$(jget access_token <"$WORK/bob-refresh.json")"
code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "$LAB_REVOKE_URL" -d client_id="$LAB_SECRET_CLIENT_ID" -d client_secret="$LAB_SECRET_CLIENT_SECRET" --data-urlencode token="$BOB_AT")
check "revocation endpoint: 200" test "$code" = 200
imap_xoauth2 "$WORK/imaps-bob-revoked.txt" "$LAB_IMAPS_PORT" "$LAB_USER2" "$BOB_AT"
check "revoked (RFC 7009) token is refused" contains "$WORK/imaps-bob-revoked.txt" "a NO [AUTHENTICATIONFAILED]"

# --- Broken TLS and other bad ports ------------------------------------------------------------
tls_verify() {   # OUT PORT: handshake with verification against the lab CA and hostname localhost
  echo | timeout 10 openssl s_client -connect "127.0.0.1:$2" -servername localhost -CAfile "$LAB_CA_FILE" \
    -verify_return_error -verify_hostname localhost >"$1" 2>&1 || true
}
tls_verify "$WORK/tls-good.txt" "$LAB_IMAPS_PORT"
check "TLS: lab certificate verifies for localhost" contains "$WORK/tls-good.txt" "Verify return code: 0 (ok)"
tls_verify "$WORK/tls-expired.txt" "$LAB_EXPIRED_TLS_PORT"
check "TLS: expired port fails with 'certificate has expired'" contains "$WORK/tls-expired.txt" "certificate has expired"
tls_verify "$WORK/tls-mismatch.txt" "$LAB_MISMATCH_TLS_PORT"
check "TLS: mismatch port fails with 'hostname mismatch'" contains "$WORK/tls-mismatch.txt" "hostname mismatch"
tls_verify "$WORK/tls-untrusted.txt" "$LAB_UNTRUSTED_TLS_PORT"
check "TLS: untrusted port fails with 'self-signed certificate'" contains "$WORK/tls-untrusted.txt" "self-signed certificate"
tls_verify "$WORK/tls-notyet.txt" "$LAB_NOTYETVALID_TLS_PORT"
check "TLS: not-yet-valid port fails with 'certificate is not yet valid'" contains "$WORK/tls-notyet.txt" "certificate is not yet valid"
curl_mail "$WORK/curl-expired.txt" "imaps://localhost:$LAB_EXPIRED_TLS_PORT/" -u "$LAB_USER:$LAB_PASSWORD" -X NOOP
check "curl refuses the expired certificate (exit 60)" rc_is "$WORK/curl-expired.txt" 60
curl_mail "$WORK/curl-expired-k.txt" "imaps://localhost:$LAB_EXPIRED_TLS_PORT/" -k -u "$LAB_USER:$LAB_PASSWORD" -X "EXAMINE INBOX"
check "expired port behind -k is a working IMAP server" contains "$WORK/curl-expired-k.txt" "* 100 EXISTS"
curl_mail "$WORK/curl-nostarttls.txt" "imap://localhost:$LAB_IMAP_NO_STARTTLS_PORT/" --ssl-reqd -u "$LAB_USER:$LAB_PASSWORD" -X NOOP
check "IMAP without STARTTLS: curl --ssl-reqd fails (exit 64)" rc_is "$WORK/curl-nostarttls.txt" 64
node -e '
  const s = require("net").connect(+process.argv[1], "127.0.0.1");
  let got = "";
  s.on("data", (d) => { got += d; });
  s.on("connect", () => setTimeout(() => { s.destroy(); process.exit(got ? 1 : 0); }, 1500));
  s.on("error", () => process.exit(2));' "$LAB_SILENT_PORT" \
  && ok "silent port accepts and says nothing for 1.5 s" || fail "silent port"
node "$HERE/lib/ports.js" refused "$LAB_CLOSED_PORT" && ok "closed port refuses connections" || fail "closed port"

# --- Stop: nothing left ----------------------------------------------------------------------------
pids="$(cat "$DIR"/pids/*.pid | awk '{print $1}')"
"$HERE/lab.sh" stop "$DIR" >/dev/null 2>&1 || fail "lab.sh stop"
ok "lab.sh stop"
for p in $pids; do
  ! kill -0 "$p" 2>/dev/null || fail "process $p still alive after stop"
done
ok "every recorded server process is gone"
check "no process mentions the lab folder or instance" test -z "$(pgrep -f "$DIR|mdlab-$LAB_PORT_BASE" || true)"
no_chromium() { ! pgrep -f maildoctor-lab-chromium- >/dev/null; }
check "no browser left behind" poll 20 no_chromium
node "$HERE/lib/ports.js" free oidc="$LAB_OIDC_PORT" imaps="$LAB_IMAPS_PORT" submission="$LAB_SUBMISSION_PORT" silent="$LAB_SILENT_PORT" \
  && ok "ports are free again" || fail "ports still taken after stop"
"$HERE/lab.sh" stop "$DIR" >/dev/null 2>&1 && ok "lab.sh stop twice is fine" || fail "second lab.sh stop"

echo "selftest: all good in $((SECONDS - T0)) s"
echo "$PASSED passed, 0 failed"
