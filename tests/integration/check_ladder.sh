#!/bin/sh
# The check ladder against the lab's real servers: all green with a password (IMAPS, POP3S,
# submission with STARTTLS) and with an OAuth token from a real browser sign-in; then each broken
# case with its exact failure code: wrong password, revoked token, expired / wrong-host / untrusted
# / not-yet-valid certificates, a silent port (timed), a closed port, no STARTTLS, an SMTP server
# spoken to as IMAP; and the provider quick test on this closed network. Bounded waits only.
# usage: check_ladder.sh MAILDOCTOR LAB_ENV
set -eu
bin=$1
set -a; . "$2"; set +a
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$work/data"
. "$(dirname "$0")/../lib.sh"
# expect NAME STEP STATUS [CODE]
expect() {
  got=$(js "$1" "s('$2').status"); [ "$got" = "$3" ] || fail "$1: $2 is $got, wanted $3"
  if [ $# -ge 4 ]; then got=$(js "$1" "(s('$2').failure||{}).code"); [ "$got" = "$4" ] || fail "$1: $2 code $got, wanted $4"; fi
}
# Steps that should pass get 10 s each: Dovecot starts a login process per connection, and a loaded
# machine can take seconds over one. Only the checks of the deadline itself use 3 s (deadline=3).
deadline=10
pw_account() { # NAME PASSWORD [flags]
  name=$1 pw=$2; shift 2
  printf '%s\n' "$pw" | md account add "$name" --provider custom --email "$LAB_USER" --auth password --password-stdin \
    --ca-file "$LAB_CA_FILE" --timeout "$deadline" "$@" >/dev/null
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

step "password account on IMAPS, POP3S and submission (STARTTLS): every step passes"
pw_account good "$LAB_PASSWORD" --imap "localhost:$LAB_IMAPS_PORT" --pop3 "localhost:$LAB_POP3S_PORT" \
  --smtp "localhost:$LAB_SUBMISSION_PORT" --smtp-security starttls
run 0 good md check good --json
[ "$(js good d.ok)" = true ] || fail "good: ok is not true"
[ "$(js good d.account)" = good ] || fail "good: account"
js good d.started_at | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' || fail "started_at"
for id in imap.dns imap.tcp imap.tls imap.greeting imap.capabilities imap.auth imap.mailbox \
          pop3.dns pop3.tcp pop3.tls pop3.greeting pop3.capabilities pop3.auth pop3.mailbox \
          smtp.dns smtp.tcp smtp.greeting smtp.capabilities smtp.tls smtp.capabilities_tls smtp.auth; do
  expect good "$id" pass
done
[ "$(js good "d.steps.every(x=>typeof x.id==='string'&&typeof x.title==='string'&&typeof x.status==='string'&&Number.isInteger(x.duration_ms)&&typeof x.detail==='string'&&Array.isArray(x.evidence))")" = true ] \
  || fail "good: a step lacks a key of the DESIGN shape"
js good "s('imap.mailbox').evidence.join(' ')" | grep -q 'UIDVALIDITY=[0-9]' || fail "no UIDVALIDITY evidence"
js good "s('imap.tls').evidence.join(' ')" | grep -q 'notAfter=' || fail "no certificate evidence"
js good "s('imap.auth').evidence.join(' ')" | grep -q 'mechanism=PLAIN' || fail "not PLAIN"
[ "$(js good "s('clock').status")" = skip ] || fail "clock should be skipped without an HTTP endpoint"
grep -q "$LAB_PASSWORD" "$work/good.out" && fail "the password is in the output"
grep -rq "$LAB_PASSWORD" "$data/logs" && fail "the password is in the protocol log"
run 0 good-human md check good
grep -q '✓ imap.mailbox' "$work/good-human.out" || fail "human output lacks the ✓ lines"

step "--send-test through submission reaches the sink"
run 0 send md check good --only smtp --send-test "$LAB_USER2" --json
expect send smtp.send pass

step "wrong password: auth.bad_credentials with the server's words"
pw_account wrong not-the-password --imap "localhost:$LAB_IMAPS_PORT" --pop3 "localhost:$LAB_POP3S_PORT"
run 1 wrong md check wrong --json
expect wrong imap.auth fail auth.bad_credentials
expect wrong imap.mailbox skip
expect wrong pop3.auth fail auth.bad_credentials
js wrong "s('imap.auth').evidence.join(' ')" | grep -q 'AUTHENTICATIONFAILED' || fail "no server words in evidence"
run 1 wrong-human md check wrong
grep -q 'auth.bad_credentials' "$work/wrong-human.out" || fail "human output lacks the code"

step "broken certificates: the code and the certificate's dates"
for pair in EXPIRED:tls.cert_expired MISMATCH:tls.hostname_mismatch UNTRUSTED:tls.cert_untrusted NOTYETVALID:tls.cert_not_yet_valid; do
  kind=${pair%%:*} code=${pair#*:}
  port=$(eval echo "\$LAB_${kind}_TLS_PORT")
  pw_account "tls$kind" "$LAB_PASSWORD" --imap "localhost:$port"
  run 1 "tls$kind" md check "tls$kind" --json
  expect "tls$kind" imap.tls fail "$code"
  js "tls$kind" "s('imap.tls').evidence.join(' ')" | grep -q 'notBefore=.*notAfter=' || fail "$kind: no dates in evidence"
  expect "tls$kind" imap.greeting skip
done

step "silent port: protocol.no_greeting within timeout + 2 s"
deadline=3
pw_account silent "$LAB_PASSWORD" --imap "127.0.0.1:$LAB_SILENT_PORT" --imap-security none
deadline=10
t0=$(now_ms); run 1 silent md check silent --json; t1=$(now_ms)
expect silent imap.greeting fail protocol.no_greeting
expect silent imap.tls warn
elapsed=$((t1 - t0)); echo "   silent-port ladder: ${elapsed} ms with a 3 s timeout"
# Ended by its own deadline (the detail names the 3 s it waited), not judged by the wall clock.
js silent "s('imap.greeting').detail" | grep -q 'waited 3 s' || fail "silent: $(js silent "s('imap.greeting').detail")"

step "closed port: tcp.refused"
pw_account closed "$LAB_PASSWORD" --imap "127.0.0.1:$LAB_CLOSED_PORT"
run 1 closed md check closed --json
expect closed imap.tcp fail tcp.refused
expect closed imap.tls skip

step "no STARTTLS where required: tls.starttls_unavailable"
pw_account nostls "$LAB_PASSWORD" --imap "127.0.0.1:$LAB_IMAP_NO_STARTTLS_PORT" --imap-security starttls
run 1 nostls md check nostls --json
expect nostls imap.tls fail tls.starttls_unavailable
expect nostls imap.auth skip

step "TLS spoken to a plain-text port: tls.handshake_failed naming plain text"
pw_account tlsonplain "$LAB_PASSWORD" --imap "localhost:$LAB_IMAP_STARTTLS_PORT" --imap-security tls
run 1 tlsonplain md check tlsonplain --json
expect tlsonplain imap.tls fail tls.handshake_failed
js tlsonplain "s('imap.tls').detail" | grep -q 'plain text' || fail "the detail does not say the port speaks plain text"
expect tlsonplain imap.greeting skip

step "plain text (STARTTLS) spoken to a TLS port: protocol.no_greeting within timeout + 2 s"
deadline=3
pw_account plainontls "$LAB_PASSWORD" --imap "localhost:$LAB_IMAPS_PORT" --imap-security starttls
deadline=10
t0=$(now_ms); run 1 plainontls md check plainontls --json; t1=$(now_ms)
expect plainontls imap.greeting fail protocol.no_greeting
echo "   plain text on a TLS port: $((t1 - t0)) ms with a 3 s timeout"
js plainontls "s('imap.greeting').detail" | grep -q 'waited 3 s' \
  || fail "plainontls: $(js plainontls "s('imap.greeting').detail")"

step "an SMTP server spoken to as IMAP: protocol.unexpected_greeting"
pw_account smtpasimap "$LAB_PASSWORD" --imap "127.0.0.1:$LAB_SUBMISSION_PORT" --imap-security none
run 1 smtpasimap md check smtpasimap --json
expect smtpasimap imap.greeting fail protocol.unexpected_greeting

step "OAuth account signed in through the browser: XOAUTH2, token and clock pass"
md account add oa --provider custom --email "$LAB_USER" --imap "localhost:$LAB_IMAPS_PORT" \
  --authorize-url "$LAB_AUTHORIZE_URL" --token-url "$LAB_TOKEN_URL" --revoke-url "$LAB_REVOKE_URL" \
  --userinfo-url "$LAB_USERINFO_URL" --issuer "$LAB_ISSUER" --client-id "$LAB_CLIENT_ID" \
  --scope "$LAB_MAIL_SCOPE" --scope openid --scope email --scope offline_access --ca-file "$LAB_CA_FILE" \
  --timeout 10 >/dev/null
run 0 auth md auth oa --browser "$LAB_BROWSER" --consent-timeout 60
run 0 oa md check oa --json
expect oa oauth.endpoints pass
expect oa oauth.token pass
expect oa clock pass
expect oa imap.auth pass
expect oa imap.mailbox pass
js oa "s('imap.auth').evidence.join(' ')" | grep -q 'mechanism=XOAUTH2' || fail "not XOAUTH2"

step "token revoked at the lab: oauth.invalid_grant (at oauth.token, or at imap.auth after a refresh is tried)"
curl -fsS -X POST "$LAB_ADMIN_URL/revoke-all?email=$LAB_USER" >/dev/null || fail "revoke-all"
run 1 revoked md check oa --json
tok=$(js revoked "s('oauth.token').status"); auth=$(js revoked "s('imap.auth').status")
if [ "$tok" = fail ]; then
  expect revoked oauth.token fail oauth.invalid_grant
  expect revoked imap.auth skip
else
  expect revoked imap.auth fail oauth.invalid_grant
  js revoked "s('imap.auth').evidence.join(' ')" | grep -q '"status":"401"' || fail "no decoded challenge"
  js revoked "s('imap.auth').evidence.join(' ')" | grep -q 'refresh after the refusal failed' || fail "no refresh evidence"
fi
echo "   revoked: oauth.token $tok, imap.auth $auth"

step "check --provider gmail with no network at all: dns codes, exit 1, quickly"
# In a network namespace of its own (only a loopback that is down): no lookup leaves this machine.
t0=$(now_ms); run 1 quick unshare -n "$bin" --data-dir "$data" check --provider gmail --json; t1=$(now_ms)
js quick "d.steps.filter(x=>x.id.endsWith('.dns')).map(x=>(x.failure||{}).code).join(' ')" | grep -Eq '^(dns\.(not_found|failed) ?)+$' \
  || fail "quick: dns codes $(js quick "d.steps.map(x=>x.id+':'+(x.failure||{}).code).join(' ')")"
[ "$(js quick "s('imap.tcp').status")" = skip ] || fail "quick: tcp not skipped"
[ "$(js quick "s('proxy').status")" != fail ] || fail "quick: proxy step"
echo "   quick test: $((t1 - t0)) ms"
# Quick by structure, not by the clock: every lookup ended on its own answer, none waited out the
# DNS timeout ("no DNS answer for ... within").
js quick "JSON.stringify(d.steps.filter(x=>x.id.endsWith('.dns')))" | grep -q 'no DNS answer' \
  && fail "quick: a lookup waited out its timeout: $(js quick "JSON.stringify(d.steps.filter(x=>x.id.endsWith('.dns')))")"

step "usage errors exit 2"
run 2 usage1 md check
run 2 usage2 md check good --only ftp
echo "check ladder: all scenarios passed"
