#!/bin/sh
# Mailbox sync and counter reset against a second real IMAP server that is not Dovecot (issue 12):
# Cyrus IMAP 3.6.1 (Debian 12: cyrus-common 3.6.1-4+deb12u5 and the imapd of cyrus-imapd, started by
# tests/lab/imap2.sh on 127.0.0.1 with the lab's CA and certificate, users in its own sasldb).
# The scenarios of sync_test.sh with the real binary: check (IMAPS and STARTTLS), sync N then 0, new
# mail and only it, status, export byte-identical to what the server serves (Python's imaplib),
# reset-counter refused with a wrong admin password, accepted with the right one (everything again,
# still N stored), a UIDVALIDITY change (the admin deletes and recreates the INBOX) detected.
# What differs from Dovecot, as seen here:
# - Cyrus does not trust loopback: PLAIN/LOGIN are offered only inside TLS ("allowplaintext: no" is
#   its default). Before STARTTLS it announces LOGINDISABLED and only SCRAM-*, DIGEST-MD5, CRAM-MD5
#   and NTLM, so an account with security "none" gets auth.mechanism_unavailable (Dovecot lets it in).
# - A new mailbox's UIDVALIDITY starts from the clock, but a recreated one gets the old value + 1 (a
#   per-name counter, even within the same second); a deleted mailbox is only moved aside
#   (delete_mode: delayed).
# - Messages are appended over IMAP (MULTIAPPEND, LITERAL+), not written into a Maildir: Cyrus keeps
#   its own spool and index, and rewrites nothing in these (7-bit, CRLF) messages.
# - One APPEND is one fsync'd commit (~60 ms here), hence MULTIAPPEND batches in imap2.sh seed.
# - A failed sign-in is answered after 3 s (failedloginpause, Cyrus's default) with a bare
#   "NO authentication failure" (no [AUTHENTICATIONFAILED] code); MailDoctor still says auth.bad_credentials.
# - Its greeting carries CAPABILITY (with AUTH=PLAIN only on the TLS port) and names "Cyrus IMAP".
# The server gets its own folder and ports (LAB_PORT_BASE + 40 and + 41) and is stopped on exit.
# Needs root (Cyrus's master starts as root). Bounded waits only.
# usage: sync_imap2_test.sh MAILDOCTOR LAB_ENV
set -eu
bin=$1
lab_env=$2
set -a; . "$lab_env"; set +a
here=$(cd "$(dirname "$0")" && pwd)
imap2="$here/../lab/imap2.sh"
work=$(mktemp -d)
# The server's folder must be searchable by the cyrus user: not inside the 0700 work folder.
srv=$(mktemp -d /tmp/maildoctor-imap2-XXXXXX)
cleanup() {
  "$imap2" stop "$srv" >/dev/null 2>&1 || true
  rm -rf "$work" "$srv"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
data="$work/data"
. "$(dirname "$0")/../lib.sh"
server_hashes() { python3 "$here/server_messages.py" localhost "$IMAP2_PORT" "$IMAP2_USER" "$IMAP2_PASSWORD" "$IMAP2_CA_FILE" | sed '/^$/d'; }
server_uidvalidity() { "$imap2" uidvalidity "$srv"; }
exported_hashes() {  # exported_hashes MAILDIR [UIDVALIDITY]: "sha256 size" of its files, sorted
  (cd "$1/cur" && for f in maildoctor.${2:-}*; do printf '%s %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$(wc -c <"$f")"; done) | sort
}
admin_pw=correct-horse-battery
N=300

step "start the second IMAP server (Cyrus) on 127.0.0.1"
run 0 start "$imap2" start "$srv" "$lab_env"
set -a; . "$srv/imap2.env"; set +a
echo "   $IMAP2_KIND: IMAPS $IMAP2_PORT, STARTTLS $IMAP2_STARTTLS_PORT"
case "$IMAP2_KIND" in cyrus-3.*) ;; *) fail "not a Cyrus 3 server: $IMAP2_KIND" ;; esac

step "an INBOX with $N messages (APPENDed over IMAP), an account, an admin"
[ "$(server_hashes | wc -l)" -eq 0 ] || fail "a fresh Cyrus INBOX is not empty"
run 0 seed "$imap2" seed "$srv" $N
[ "$(server_hashes | wc -l)" -eq $N ] || fail "the server holds $(server_hashes | wc -l) messages after seeding $N"
printf '%s\n' "$IMAP2_PASSWORD" | md account add cy --provider custom --email "$IMAP2_USER" --auth password \
  --password-stdin --imap "localhost:$IMAP2_PORT" --imap-security tls --ca-file "$IMAP2_CA_FILE" --timeout 10 >/dev/null
printf '%s\n' "$admin_pw" | md admin add root --password-stdin >/dev/null

step "check: every IMAP step green over implicit TLS"
run 0 check md check cy --only imap --json
want check d.ok true
want check "d.steps.map(x=>x.id+'='+x.status).join(' ')" \
  "imap.dns=pass imap.tcp=pass imap.tls=pass imap.greeting=pass imap.capabilities=pass imap.auth=pass imap.mailbox=pass"
want check "/Cyrus IMAP/.test(s('imap.greeting').detail+JSON.stringify(s('imap.greeting').evidence))" true

step "check over STARTTLS: PLAIN appears only after STARTTLS, and the sign-in works"
printf '%s\n' "$IMAP2_PASSWORD" | md account add cy-starttls --provider custom --email "$IMAP2_USER" --auth password \
  --password-stdin --imap "localhost:$IMAP2_STARTTLS_PORT" --imap-security starttls --ca-file "$IMAP2_CA_FILE" \
  --timeout 10 >/dev/null
run 0 check-starttls md check cy-starttls --only imap --json
want check-starttls d.ok true
want check-starttls "d.steps.filter(x=>x.status!=='pass').map(x=>x.id).join(',')" ""
want check-starttls "['imap.tls','imap.capabilities_tls','imap.auth','imap.mailbox'].every(i=>s(i).status==='pass')" true

step "security none against Cyrus: no PLAIN/LOGIN before TLS, a clear auth.mechanism_unavailable"
printf '%s\n' "$IMAP2_PASSWORD" | md account add cy-plain --provider custom --email "$IMAP2_USER" --auth password \
  --password-stdin --imap "localhost:$IMAP2_STARTTLS_PORT" --imap-security none --timeout 10 >/dev/null
run 1 check-plain md check cy-plain --only imap --json
want check-plain "s('imap.auth').status" fail
grep -q "auth.mechanism_unavailable" "$work/check-plain.out" || fail "security none: no auth.mechanism_unavailable"
grep -q "LOGINDISABLED" "$work/check-plain.out" || fail "security none: the check does not show LOGINDISABLED"

step "a wrong password: imap.auth fails, nothing else is blamed"
printf 'not-the-password\n' | md account add cy-wrong --provider custom --email "$IMAP2_USER" --auth password \
  --password-stdin --imap "localhost:$IMAP2_PORT" --ca-file "$IMAP2_CA_FILE" --timeout 10 >/dev/null
run 1 check-wrong md check cy-wrong --only imap --json
want check-wrong "s('imap.tls').status+' '+s('imap.auth').status" "pass fail"
grep -q 'auth.bad_credentials' "$work/check-wrong.out" || fail "a wrong password is not auth.bad_credentials"

step "sync downloads all $N, then nothing"
run 0 first md sync cy --json
want first d.downloaded $N
want first d.server_messages $N
want first d.last_uid $N
want first d.stored_messages $N
want first "d.bytes>0 && d.seconds>=0 && Number.isInteger(d.uidvalidity)" true
want first d.uidvalidity_changed null
uidvalidity=$(js first d.uidvalidity)
[ "$uidvalidity" = "$(server_uidvalidity)" ] || fail "uidvalidity $uidvalidity is not the server's ($(server_uidvalidity))"
run 0 again md sync cy --json
want again d.downloaded 0
want again d.last_uid $N
want again d.stored_messages $N

step "new messages arrive: only they are downloaded"
run 0 seed-new "$imap2" seed "$srv" 7
run 0 new md sync cy --json
want new d.downloaded 7
want new d.last_uid $((N + 7))
want new d.stored_messages $((N + 7))
N=$((N + 7))
run 0 human md sync cy
grep -q "Downloaded 0 new message" "$work/human.out" || fail "human summary"
grep -q "last synced UID $N" "$work/human.out" || fail "human summary names the last UID"

step "status --json: counter, UIDVALIDITY, counts, last sync"
run 0 status md status cy --json
want status d.uidvalidity "$uidvalidity"
want status d.last_uid $N
want status d.stored_messages $N
want status "d.stored_bytes>0" true
want status d.last_sync_result ok
want status "/^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$/.test(d.last_sync_at)" true
want status d.last_reset null
want status d.token null

step "export --maildir is byte for byte what Cyrus serves"
run 0 export md export cy --maildir "$work/maildir" --json
want export d.exported $N
server_hashes >"$work/server.txt"
[ "$(wc -l <"$work/server.txt")" -eq $N ] || fail "the server lists $(wc -l <"$work/server.txt") messages, wanted $N"
exported_hashes "$work/maildir" >"$work/exported.txt"
cmp -s "$work/server.txt" "$work/exported.txt" || fail "the exported Maildir differs from the server's messages"

step "reset-counter with a wrong password changes nothing (exit 1)"
run 1 badreset sh -c "printf 'not-the-password\n' | '$bin' --data-dir '$data' reset-counter cy --admin root --password-stdin --yes"
grep -q "admin.bad_credentials" "$work/badreset.err" || fail "no admin.bad_credentials"
run 0 status2 md status cy --json
want status2 d.last_uid $N
want status2 d.uidvalidity "$uidvalidity"
want status2 d.last_reset null
run 0 after-bad md sync cy --json
want after-bad d.downloaded 0

step "reset-counter with the right password: the next sync downloads all again, the store still holds $N"
run 0 reset sh -c "printf '%s\nyes\n' '$admin_pw' | '$bin' --data-dir '$data' reset-counter cy --admin root --password-stdin --json"
want reset d.old_last_uid $N
want reset d.old_uidvalidity "$uidvalidity"
want reset d.admin root
run 0 status3 md status cy --json
want status3 d.last_uid 0
want status3 d.last_reset.admin root
run 0 resync md sync cy --json
want resync d.downloaded $N
want resync d.stored_messages $N
want resync d.last_uid $N
want resync d.uidvalidity_changed null
run 0 export2 md export cy --maildir "$work/maildir2" --json
want export2 d.exported $N
exported_hashes "$work/maildir2" >"$work/exported2.txt"
cmp -s "$work/server.txt" "$work/exported2.txt" || fail "after the reset the store differs from the server's messages"

step "UIDVALIDITY change (the admin deletes and recreates the INBOX) is detected"
# The same messages go back in (as a restore from backup would): new UIDs under a new UIDVALIDITY.
run 0 recreate "$imap2" recreate "$srv"
old_validity=$(cut -d' ' -f1 "$work/recreate.out")
new_validity=$(cut -d' ' -f2 "$work/recreate.out")
[ "$old_validity" = "$uidvalidity" ] || fail "the server's UIDVALIDITY was $old_validity, MailDoctor had $uidvalidity"
[ "$new_validity" != "$old_validity" ] || fail "recreating the INBOX did not change UIDVALIDITY ($old_validity)"
run 0 empty md sync cy --json
want empty d.uidvalidity "$new_validity"
want empty d.uidvalidity_changed.from "$old_validity"
want empty d.uidvalidity_changed.to "$new_validity"
want empty d.downloaded 0
want empty d.server_messages 0
want empty d.last_uid 0
run 0 status4 md status cy --json
want status4 d.uidvalidity "$new_validity"
want status4 d.last_uid 0
run 0 restore "$imap2" append "$srv" "$work/maildir/cur"
[ "$(server_hashes | wc -l)" -eq $N ] || fail "the restored INBOX holds $(server_hashes | wc -l) messages, wanted $N"
run 0 changed md sync cy --json
want changed d.uidvalidity "$new_validity"
want changed d.downloaded $N
want changed d.last_uid $N
# Messages stored under the old UIDVALIDITY are kept (docs/user-guide.md): N old + N new.
want changed d.stored_messages $((2 * N))
run 0 changed-human md status cy
grep -q "UIDVALIDITY $new_validity" "$work/changed-human.out" || fail "status does not show the new UIDVALIDITY"
grep -q "UIDVALIDITY changed" "$data/logs/"* || fail "the protocol log does not say UIDVALIDITY changed"
run 0 export3 md export cy --maildir "$work/maildir3" --json
want export3 d.exported $((2 * N))
server_hashes >"$work/server3.txt"
exported_hashes "$work/maildir3" "$new_validity." >"$work/exported3.txt"
cmp -s "$work/server3.txt" "$work/exported3.txt" || fail "the messages under the new UIDVALIDITY differ from the server's"

step "stop the server: stop twice is harmless, nothing is left listening"
run 0 stop1 "$imap2" stop "$srv"
run 0 stop2 "$imap2" stop "$srv"
node "$here/../lab/lib/ports.js" free "imap2=$IMAP2_PORT" "imap2-starttls=$IMAP2_STARTTLS_PORT" >/dev/null 2>&1 \
  || fail "a port of the stopped server is still bound"
echo "sync against $IMAP2_KIND: all scenarios passed"
