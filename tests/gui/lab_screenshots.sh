#!/bin/sh
# tests/gui/lab_screenshots.sh MAILDOCTOR HARNESS PNG_CHECK LAB_ENV OUTDIR: photographs the real window under
# Xvfb against the real tests/lab servers (oidc-provider, Dovecot, headless Chromium; 127.0.0.1):
#   lab-setup-authenticate.png  the setup flow at Authenticate, waiting for the browser, address shown
#   lab-setup-signed-in.png     the same account signed in at the lab's oidc-provider: identity and scope checks
#   lab-setup-saved-checks.png  after Save: the new account's checks, run by Save, all green
#   lab-checks-green.png        all-green diagnostics of a signed-in OAuth account
#   lab-checks-failed.png       a red cross opened: a wrong password's auth.bad_credentials
#   lab-token-countdown.png     the access token's countdown of that OAuth account
#   lab-reset-sign-in.png       Reset Mailbox Counter, step 1 (no admin signed in: name and password)
#   lab-reset-confirm.png       step 2, with the real count of a synced lab mailbox
#   lab-reset-confirm-signed-in.png  an admin signed in to the window just now: straight to step 2
#   lab-token-reauth.png        "Re-authenticate Now" / "Later" after a refresh answered invalid_grant
# The window is maildoctor-harness --drive (tests/harness/drive.h); every PNG must not be blank, and
# the data dir and maildoctor's --json must show that the states were real. Refresh docs/screenshots/ with
# `make screenshots-lab` (root: the lab's Dovecot), or by hand with a running lab:
#   tests/gui/lab_screenshots.sh build/app/maildoctor build/tests/harness/maildoctor-harness build/tests/gui/png_check \
#     /tmp/maildoctor-lab/lab.env docs/screenshots
set -eu
bin=$1 harness=$2 check=$3
set -a; . "$4"; set +a
out=$5
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$work/data"
admin_pw='Lab-admin-pw-7'
. "$(dirname "$0")/../lib.sh"
# run RC NAME CMD...: runs CMD with output to NAME.out/.err and checks its exit code.
# window NAME: runs the window on the data dir with the drive script $work/NAME.drive under Xvfb.
window() {
  run 0 "$1" timeout 300 xvfb-run -a -s "-screen 0 1280x800x24" \
    "$harness" --data-dir "$data" --drive "$work/$1.drive"
}

step "accounts against the lab: OAuth (signed in with headless Chromium), a wrong password, a seeded mailbox"
md account add alice --provider custom --email "$LAB_USER" --imap "localhost:$LAB_IMAPS_PORT" \
  --pop3 "localhost:$LAB_POP3S_PORT" --smtp "localhost:$LAB_SUBMISSION_PORT" --smtp-security starttls \
  --authorize-url "$LAB_AUTHORIZE_URL" --token-url "$LAB_TOKEN_URL" --revoke-url "$LAB_REVOKE_URL" \
  --userinfo-url "$LAB_USERINFO_URL" --issuer "$LAB_ISSUER" --client-id "$LAB_CLIENT_ID" \
  --scope "$LAB_MAIL_SCOPE" --scope openid --scope email --scope offline_access --ca-file "$LAB_CA_FILE" \
  --timeout 10 >/dev/null
export LAB_BROWSER_RESULT="$work/browser-result.json"
run 0 auth md auth alice --browser "$LAB_BROWSER" --consent-timeout 60
i=0; while [ ! -s "$LAB_BROWSER_RESULT" ]; do i=$((i+1)); [ $i -le 300 ] || fail "browser result missing"; sleep 0.1; done
unset LAB_BROWSER_RESULT
printf '%s\n' "not-$LAB_PASSWORD" | md account add typo --provider custom --email "$LAB_USER" --auth password \
  --password-stdin --imap "localhost:$LAB_IMAPS_PORT" --ca-file "$LAB_CA_FILE" --timeout 10 >/dev/null
home=$(doveadm -c "$LAB_DOVECOT_CONF" user -f home "$LAB_SYNC_USER")
rm -rf "$home/Maildir"
"$LAB_SEED" "$LAB_SYNC_USER" 120 "$LAB_DIR" >/dev/null
printf '%s\n' "$LAB_SYNC_PASSWORD" | md account add mailbox --provider custom --email "$LAB_SYNC_USER" \
  --auth password --password-stdin --imap "localhost:$LAB_IMAPS_PORT" --ca-file "$LAB_CA_FILE" --timeout 10 >/dev/null
run 0 sync md sync mailbox --json
[ "$(js sync d.downloaded)" = 120 ] || fail "the lab mailbox did not sync 120 messages"
printf '%s\n' "$admin_pw" | md admin add admin --password-stdin >/dev/null

step "window 1: setup flow, checks green and red, token countdown, Reset Mailbox Counter"
# The setup flow signs a new account in at the lab's oidc-provider. Its first "browser" only notes
# the address (the window stays waiting, as it would for a person: the screenshot); the second is
# the lab's headless Chromium, which signs in.
cat >"$work/browser.sh" <<EOF
#!/bin/sh
if [ ! -e "$work/setup-url.txt" ]; then printf '%s\n' "\$1" >"$work/setup-url.txt"; exit 0; fi
exec "$LAB_BROWSER" "\$@"
EOF
chmod +x "$work/browser.sh"
rm -f "$out"/lab-*.png
cat >"$work/window1.drive" <<EOF
timeout 90
wait accounts 3
tab setup
setup custom name=front-desk email=$LAB_USER auth=oauth2 imap=localhost:$LAB_IMAPS_PORT issuer=$LAB_ISSUER client_id=$LAB_CLIENT_ID "scopes=$LAB_MAIL_SCOPE openid email offline_access" ca_file=$LAB_CA_FILE timeout=10
authenticate
wait sign-in-url
capture $out/lab-setup-authenticate.png
cancel-sign-in
wait sign-in-ended
authenticate
wait signed-in
capture $out/lab-setup-signed-in.png
save-setup
wait saved
wait checks front-desk ok
capture $out/lab-setup-saved-checks.png
select alice
tab diagnostics
run-checks alice
wait checks alice ok
expect-step alice imap.auth pass
expect-step alice oauth.token pass
capture $out/lab-checks-green.png
select typo
run-checks typo
wait checks typo failed
expect-step typo imap.auth fail auth.bad_credentials
open-step typo imap.auth
capture $out/lab-checks-failed.png
select alice
wait token alice
tab token
capture $out/lab-token-countdown.png
select mailbox
wait sync mailbox
tab sync
open-reset mailbox
capture $out/lab-reset-sign-in.png
reset-sign-in admin $admin_pw
wait reset-preview
capture $out/lab-reset-confirm.png
cancel-reset
admin-sign-in admin $admin_pw
wait admin admin
open-reset mailbox
wait reset-preview
capture $out/lab-reset-confirm-signed-in.png
cancel-reset
quit
EOF
MAILDOCTOR_BROWSER="$work/browser.sh" window window1

step "window 1 was real: the sign-in address, the saved check reports, the token, an untouched counter"
url=$(cat "$work/setup-url.txt" 2>/dev/null) || fail "the setup's sign-in opened no browser"
case "$url" in "$LAB_AUTHORIZE_URL?"*) ;; *) fail "setup sign-in address is not the lab's: $url" ;; esac
for part in code_challenge_method=S256 "client_id=$LAB_CLIENT_ID" redirect_uri=http%3A%2F%2F127.0.0.1%3A; do
  printf '%s' "$url" | grep -q "$part" || fail "setup sign-in address lacks $part: $url"
done
# The account the setup saved: signed in as the lab user, with a refresh token; Save ran its checks.
run 0 token-setup md token front-desk --json
[ "$(js token-setup d.identity)" = "$LAB_USER" ] || fail "the set-up account is not signed in as $LAB_USER"
[ "$(js token-setup d.refreshable)" = true ] || fail "the set-up account has no refresh token"
run 0 status-setup md status front-desk --json
[ "$(js status-setup d.last_check.ok)" = true ] || fail "the set-up account's checks were not all green"
run 0 status-alice md status alice --json
[ "$(js status-alice d.last_check.ok)" = true ] || fail "the window's checks of alice were not all green"
left=$(js status-alice d.token.seconds_left); [ "$left" -gt 60 ] || fail "alice's token: seconds_left $left"
run 0 report-typo md report typo --out "$work/typo-report.json"
cp "$work/typo-report.json" "$work/typo.out"
[ "$(js typo "d.last_check.steps.find(s=>s.id==='imap.auth').failure.code")" = auth.bad_credentials ] ||
  fail "the window's check of typo did not fail with auth.bad_credentials"
run 0 status-mailbox md status mailbox --json
[ "$(js status-mailbox d.stored_messages)" = 120 ] || fail "stored messages changed"
[ "$(js status-mailbox d.last_reset)" = null ] || fail "the cancelled reset changed the counter"

step "window 2: the refresh token revoked at the lab's oidc-provider; Refresh answers invalid_grant; the admin is asked"
curl -fsS -X POST "$LAB_ADMIN_URL/revoke-all?email=$LAB_USER" >/dev/null || fail "lab revoke-all"
cat >"$work/window2.drive" <<EOF
timeout 90
wait accounts 4
admin-sign-in admin $admin_pw
wait admin admin
select alice
wait token alice
tab token
refresh-token alice
wait reauth-prompt
capture $out/lab-token-reauth.png
quit
EOF
window window2
run 0 token-after md token alice --json
[ "$(js token-after d.last_error.code)" = oauth.invalid_grant ] || fail "the window's refresh did not record invalid_grant"

step "every screenshot is there and not blank"
for shot in setup-authenticate setup-signed-in setup-saved-checks checks-green checks-failed token-countdown reset-sign-in reset-confirm reset-confirm-signed-in token-reauth; do
  f="$out/lab-$shot.png"
  [ -s "$f" ] || fail "no screenshot $f"
  "$check" "$f" 1000 600
  echo "screenshot: $f"
done
echo "ok"
