#!/bin/sh
# log and report against the lab's real Dovecot and OAuth server: a password account checked on
# IMAPS, POP3S and submission, and an OAuth account of the confidential client (client secret)
# signed in through the browser, refreshed, checked and synced (also a POP3 sync and a refused
# sign-in). The protocol log then holds every
# protocol, each under its own label; the reports (JSON and HTML) hold the settings, token status
# and last check; and no token, password or client secret is in any report, log or output —
# raw, base64, unpadded base64 or URL-encoded (find_secrets.js), nor the password inside a SASL
# PLAIN payload.
# usage: report_secrets.sh MAILDOCTOR LAB_ENV
set -eu
bin=$1
set -a; . "$2"; set +a
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$work/data"
. "$(dirname "$0")/../lib.sh"

step "password account: every protocol checked"
printf '%s\n' "$LAB_PASSWORD" | md account add pw --provider custom --email "$LAB_USER" --auth password --password-stdin \
  --imap "localhost:$LAB_IMAPS_PORT" --pop3 "localhost:$LAB_POP3S_PORT" --smtp "localhost:$LAB_SUBMISSION_PORT" \
  --smtp-security starttls --ca-file "$LAB_CA_FILE" --timeout 5 >/dev/null
run 0 checkpw md check pw --json
run 0 logpw md log pw
for proto in imap pop3 smtp; do
  grep -q " $proto C: " "$work/logpw.out" || fail "no client line labelled $proto"
  grep -q " $proto S: " "$work/logpw.out" || fail "no server line labelled $proto"
done
grep -q ' http ' "$work/logpw.out" && fail "a password account's check wrote http lines"
grep -q ' imap C: [A-Za-z0-9]* AUTHENTICATE PLAIN <redacted>\| imap C: <redacted>' "$work/logpw.out" || fail "no redacted IMAP sign-in"
grep -q ' pop3 C: AUTH PLAIN <redacted>\| pop3 C: <redacted>\| pop3 C: PASS <redacted>' "$work/logpw.out" || fail "no redacted POP3 sign-in"

step "OAuth account with a client secret: browser sign-in, forced refresh, check"
md account add oa --provider custom --email "$LAB_USER" --imap "localhost:$LAB_IMAPS_PORT" \
  --smtp "localhost:$LAB_SUBMISSION_PORT" --smtp-security starttls \
  --authorize-url "$LAB_AUTHORIZE_URL" --token-url "$LAB_TOKEN_URL" --revoke-url "$LAB_REVOKE_URL" \
  --userinfo-url "$LAB_USERINFO_URL" --issuer "$LAB_ISSUER" --client-id "$LAB_SECRET_CLIENT_ID" \
  --client-secret "$LAB_SECRET_CLIENT_SECRET" --scope "$LAB_MAIL_SCOPE" --scope openid --scope email \
  --scope offline_access --ca-file "$LAB_CA_FILE" --timeout 5 >/dev/null
run 0 auth md auth oa --browser "$LAB_BROWSER" --consent-timeout 60
run 0 refresh md token oa --refresh --json
[ "$(js_file "$work/refresh.out" d.refreshed)" = true ] || fail "not refreshed"
run 0 checkoa md check oa --json
run 0 logoa md log oa
grep -q ' http C: POST ' "$work/logoa.out" || fail "no token endpoint POST labelled http"
grep -q ' imap C: [A-Za-z0-9]* AUTHENTICATE XOAUTH2 <redacted>' "$work/logoa.out" || fail "no redacted XOAUTH2 line"
grep -q ' smtp C: AUTH XOAUTH2 <redacted>\| smtp C: <redacted>' "$work/logoa.out" || fail "no redacted SMTP sign-in"
grep -q ' http C: [A-Za-z0-9]* AUTHENTICATE\| http C: AUTH ' "$work/logoa.out" && fail "mail lines labelled http"

step "sync over XOAUTH2 and over POP3 with a password; a refused sign-in"
run 0 syncoa md sync oa --json
[ "$(js_file "$work/syncoa.out" d.protocol)" = imap ] || fail "oa sync protocol"
stored_oa=$(js_file "$work/syncoa.out" d.stored_messages)
run 0 syncpw md sync pw --protocol pop3 --json
printf 'not-the-password\n' | md account add bad --provider custom --email "$LAB_USER" --auth password --password-stdin \
  --imap "localhost:$LAB_IMAPS_PORT" --ca-file "$LAB_CA_FILE" --timeout 5 >/dev/null
run 1 syncbad md sync bad
grep -q 'auth.bad_credentials' "$work/syncbad.err" || fail "a refused sync sign-in is not auth.bad_credentials"
run 1 checkbad md check bad --json

step "reports: JSON and HTML"
run 0 rpw md report pw --out "$work/pw-report.json"
run 0 roa md report oa --out "$work/oa-report.json"
run 0 roahtml md report oa --out "$work/oa-report.html"
r="$work/oa-report.json"
[ "$(js_file "$r" d.token.signed_in)" = true ] || fail "token status"
[ "$(js_file "$r" d.token.identity)" = "$LAB_USER" ] || fail "token identity"
[ "$(js_file "$r" d.last_check.ok)" = true ] || fail "last check"
[ "$(js_file "$r" "d.sync.protocol+' '+d.sync.stored_messages+' '+d.sync.last_sync_result")" = "imap $stored_oa ok" ] \
  || fail "sync status: $(js_file "$r" d.sync)"
[ "$(js_file "$r" d.account.secrets.client_secret)" = true ] || fail "client secret presence"
[ "$(js_file "$r" "[...new Set(d.log.entries.map(e=>e.protocol))].sort().join(',')")" = http,imap,smtp ] \
  || fail "report log protocols: $(js_file "$r" "[...new Set(d.log.entries.map(e=>e.protocol))].join(',')")"
[ "$(js_file "$work/pw-report.json" "[...new Set(d.log.entries.map(e=>e.protocol))].sort().join(',')")" = imap,pop3,smtp ] \
  || fail "pw report log protocols"
for f in "$work/pw-report.json" "$r" "$work/oa-report.html"; do
  [ "$(stat -c %a "$f")" = 600 ] || fail "$f is not 0600"
done

step "no token, password or client secret anywhere: reports, logs, outputs, the data dir"
EXTRA_SECRETS="$LAB_PASSWORD,$LAB_SECRET_CLIENT_SECRET" node "$(dirname "$0")/find_secrets.js" "$work" \
  || fail "a secret leaked"
# The password inside a SASL PLAIN payload ("\0user\0password", base64) is a form of its own.
plain=$(printf '\000%s\000%s' "$LAB_USER" "$LAB_PASSWORD" | base64 -w0)
grep -rqF -- "$plain" "$work" && fail "a PLAIN payload leaked"
grep -rqF -- "$(printf '%s' "$plain" | sed 's/=*$//')" "$work" && fail "a PLAIN payload leaked (unpadded)"
echo "report and log: no secret found"
