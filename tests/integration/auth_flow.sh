#!/bin/sh
# The OAuth sign-in end to end against the lab's real oidc-provider with a real headless Chromium
# playing the user: consent flow, token status, refresh with rotation, revocation, device code, and
# each way it goes wrong (denied, unticked mail scope, wrong account, wrong state, timeout). Then
# the tokens must not appear anywhere in the data dir, the protocol log or the output.
# usage: auth_flow.sh MAILDOCTOR LAB_ENV
set -eu
bin=$1
set -a; . "$2"; set +a
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$work/data"
. "$(dirname "$0")/../lib.sh"
# run RC NAME CMD...: runs CMD with output to NAME.out/.err and checks its exit code.
json_field() { node -e 'const d=JSON.parse(require("fs").readFileSync(0,"utf8")); const v=process.argv[1].split(".").reduce((o,k)=>o==null?o:o[k], d); console.log(typeof v==="object"?JSON.stringify(v):String(v))' "$1"; }

add_account() { # NAME EMAIL [extra flags]
  name=$1 email=$2; shift 2
  md account add "$name" --provider custom --email "$email" --imap "localhost:$LAB_IMAPS_PORT" \
    --authorize-url "$LAB_AUTHORIZE_URL" --token-url "$LAB_TOKEN_URL" --device-url "$LAB_DEVICE_URL" \
    --revoke-url "$LAB_REVOKE_URL" --userinfo-url "$LAB_USERINFO_URL" --issuer "$LAB_ISSUER" \
    --client-id "$LAB_CLIENT_ID" --scope "$LAB_MAIL_SCOPE" --scope openid --scope email --scope offline_access \
    --ca-file "$LAB_CA_FILE" --timeout 10 "$@" >/dev/null
}

step "no client id: oauth.no_client, exit 2"
md account add noclient --provider gmail --email someone@gmail.com >/dev/null
run 2 noclient md auth noclient --browser /bin/true
grep -q 'oauth.no_client' "$work/noclient.err" || fail "no_client not explained"

step "consent flow through headless Chromium"
add_account alice "$LAB_USER"
export LAB_BROWSER_RESULT="$work/browser-result.json"
run 0 auth md auth alice --browser "$LAB_BROWSER" --consent-timeout 60
grep -q "http://127.0.0.1:" "$work/auth.out" || fail "the sign-in address was not printed"
grep -q "Signed in as $LAB_USER" "$work/auth.out" || fail "no success line"
# The browser saw MailDoctor's success page.
i=0; while [ ! -s "$LAB_BROWSER_RESULT" ]; do i=$((i+1)); [ $i -le 200 ] || fail "browser result missing"; sleep 0.1; done
grep -q "You can close this window" "$LAB_BROWSER_RESULT" || fail "browser did not land on the success page: $(cat "$LAB_BROWSER_RESULT")"
unset LAB_BROWSER_RESULT

step "token --json"
run 0 token md token alice --json
[ "$(json_field identity <"$work/token.out")" = "$LAB_USER" ] || fail "identity"
[ "$(json_field refreshable <"$work/token.out")" = true ] || fail "refreshable"
json_field scopes <"$work/token.out" | grep -q '"mail"' || fail "scopes lack mail"
left=$(json_field seconds_left <"$work/token.out"); [ "$left" -gt 60 ] || fail "seconds_left $left"
json_field expires_at <"$work/token.out" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' || fail "expires_at"
age=$(json_field refresh_token_age_s <"$work/token.out"); [ "$age" -ge 0 ] || fail "refresh_token_age_s"
cp "$work/token.out" "$work/token-before.json"

step "refresh twice: the lab rotates refresh tokens and refuses a used one, so the second refresh"
step "   succeeds only if the rotated token was stored"
run 0 refresh md token alice --refresh --json
[ "$(json_field refreshed <"$work/refresh.out")" = true ] || fail "not refreshed"
[ "$(json_field last_refresh_at <"$work/refresh.out")" != null ] || fail "last_refresh_at"
run 0 refresh2 md token alice --refresh --json
[ "$(json_field refreshed <"$work/refresh2.out")" = true ] || fail "second refresh"

step "revoked at the server -> oauth.invalid_grant, recorded in the status"
curl -fsS -X POST "$LAB_ADMIN_URL/revoke-all?email=$LAB_USER" >/dev/null || fail "lab revoke-all"
run 1 revoked md token alice --refresh --json
[ "$(json_field failure.code <"$work/revoked.out")" = oauth.invalid_grant ] || fail "revoked: $(cat "$work/revoked.out")"
run 0 after md token alice --json
[ "$(json_field last_error.code <"$work/after.out")" = oauth.invalid_grant ] || fail "last_error not recorded"

step "re-authentication clears the error"
run 0 reauth md auth alice --browser "$LAB_BROWSER" --consent-timeout 60
run 0 after2 md token alice --json
[ "$(json_field last_error <"$work/after2.out")" = null ] || fail "error not cleared"

step "user denies consent -> oauth.access_denied"
add_account denier "$LAB_USER"
LAB_BROWSER_DENY=1 run 1 deny md auth denier --browser "$LAB_BROWSER" --consent-timeout 60
grep -q 'oauth.access_denied' "$work/deny.err" || fail "deny code"

step "mail scope unticked -> auth.scope_missing, nothing saved"
add_account unticked "$LAB_USER"
LAB_BROWSER_UNTICK=mail run 1 untick md auth unticked --browser "$LAB_BROWSER" --consent-timeout 60
grep -q 'auth.scope_missing' "$work/untick.err" || fail "scope code"
run 1 untoken md token unticked
grep -q 'oauth.not_signed_in' "$work/untoken.err" || fail "tokens were saved despite the missing scope"

step "another account signs in -> auth.identity_mismatch"
add_account mismatch "$LAB_USER"
LAB_BROWSER_USER=$LAB_USER2 LAB_BROWSER_PASSWORD=$LAB_PASSWORD2 run 1 mismatch md auth mismatch --browser "$LAB_BROWSER" --consent-timeout 60
grep -q 'auth.identity_mismatch' "$work/mismatch.err" || fail "identity code"
grep -q "$LAB_USER2" "$work/mismatch.err" || fail "mismatch names the signed-in address"

step "browser never comes back -> oauth.consent_timeout"
add_account slow "$LAB_USER"
run 1 timeout md auth slow --browser /bin/true --consent-timeout 2
grep -q 'oauth.consent_timeout' "$work/timeout.err" || fail "timeout code"

step "a stale tab's redirect with the wrong state -> oauth.state_mismatch"
cat >"$work/stale-tab.sh" <<'STALE'
#!/bin/sh
# Plays a stale browser tab: goes straight to the loopback listener with a code for another state.
url=$(printf '%s' "$1" | sed -n 's/.*redirect_uri=\([^&]*\).*/\1/p' | sed 's/%3A/:/g; s/%2F/\//g')
curl -s -o /dev/null "${url}?code=stale&state=not-the-right-one" &
STALE
chmod +x "$work/stale-tab.sh"
# The listener waits out its deadline for the right state; 10 s leave the stale tab's curl time to
# start on a loaded machine.
run 1 state md auth slow --browser "$work/stale-tab.sh" --consent-timeout 10
grep -q 'oauth.state_mismatch' "$work/state.err" || fail "state code"

step "device flow"
add_account dev "$LAB_USER"
md auth dev --device >"$work/device.out" 2>"$work/device.err" &
pid=$!
i=0; while ! grep -q '^  Code: ' "$work/device.out"; do i=$((i+1)); [ $i -le 100 ] || fail "no user code"; sleep 0.1; done
code=$(sed -n 's/^  Code: //p' "$work/device.out")
uri=$(sed -n 's/^  Address: //p' "$work/device.out")
"$LAB_DEVICE_HELPER" "$code" "$uri" >"$work/device-helper.out" 2>&1 || fail "device helper"
wait $pid || fail "auth --device exited $?"
grep -q "Signed in as $LAB_USER" "$work/device.out" || fail "device success"

step "account remove revokes the refresh token at the server"
run 0 remove md account remove dev --json
[ "$(json_field revocation <"$work/remove.out")" = revoked ] || fail "not revoked: $(cat "$work/remove.out")"

step "no token in the data dir, the log, or any output"
node "$(dirname "$0")/find_secrets.js" "$data" "$work" || fail "a token leaked"
echo "ok"
