#!/bin/sh
# Mailbox sync against the lab's real Dovecot (issue 5's scenarios): sync N then 0; new mail and
# only it; the exported Maildir byte-identical to what the server serves (checked with Python's
# imaplib, an independent client); reset with a wrong password changes nothing; reset with the
# right one re-downloads everything and the store still holds N; UIDVALIDITY change detected;
# lockout after five wrong passwords; kill -9 mid-sync loses and duplicates nothing; a second sync
# meanwhile is refused (sync.busy); a corrupt or foreign database file is a clear error; POP3 sync
# and reset. Uses the lab's sync user only. Needs root (seeding and doveadm). Bounded waits only.
# usage: sync_test.sh MAILDOCTOR LAB_ENV
set -eu
bin=$1
set -a; . "$2"; set +a
here=$(cd "$(dirname "$0")" && pwd)
lab_home=$(cd "$here/../lab" && pwd)
work=$(mktemp -d)
sync_pid=
trap '[ -n "$sync_pid" ] && kill -9 "$sync_pid" 2>/dev/null; rm -rf "$work"' EXIT
data="$work/data"
. "$(dirname "$0")/../lib.sh"
doveadm_() { doveadm -c "$LAB_DOVECOT_CONF" "$@"; }
home=$(doveadm_ user -f home "$LAB_SYNC_USER")
server_hashes() { python3 "$here/server_messages.py" localhost "$LAB_IMAPS_PORT" "$LAB_SYNC_USER" "$LAB_SYNC_PASSWORD" "$LAB_CA_FILE"; }
server_uidvalidity() { doveadm_ -f flow mailbox status -u "$LAB_SYNC_USER" uidvalidity INBOX | sed 's/.*uidvalidity=//'; }
admin_pw=correct-horse-battery
N=400
BIG=1500  # the mailbox a sync is killed and interrupted in

step "an empty INBOX with $N messages, an account, an admin"
rm -rf "$home/Maildir"
"$lab_home/seed.sh" "$LAB_SYNC_USER" $N "$LAB_DIR" >/dev/null
printf '%s\n' "$LAB_SYNC_PASSWORD" | md account add dave --provider custom --email "$LAB_SYNC_USER" --auth password \
  --password-stdin --imap "localhost:$LAB_IMAPS_PORT" --pop3 "localhost:$LAB_POP3S_PORT" --ca-file "$LAB_CA_FILE" \
  --timeout 10 >/dev/null
printf '%s\n' "$admin_pw" | md admin add root --password-stdin >/dev/null
printf '%s\n' "other-admin-pw-1" | { printf '%s\n' "$admin_pw"; cat; } | md admin add victim --admin root --password-stdin >/dev/null

step "sync downloads all $N, then nothing"
run 0 first md sync dave --json
want first d.downloaded $N
want first d.last_uid $N
want first d.stored_messages $N
want first "d.bytes>0 && d.seconds>=0 && Number.isInteger(d.uidvalidity)" true
uidvalidity=$(js first d.uidvalidity)
[ "$uidvalidity" = "$(server_uidvalidity)" ] || fail "uidvalidity $uidvalidity is not the server's"
run 0 again md sync dave --json
want again d.downloaded 0
want again d.last_uid $N
want again d.stored_messages $N

step "new messages arrive: only they are downloaded"
"$lab_home/seed.sh" "$LAB_SYNC_USER" 7 "$LAB_DIR" >/dev/null
run 0 new md sync dave --json
want new d.downloaded 7
want new d.last_uid $((N + 7))
want new d.stored_messages $((N + 7))
N=$((N + 7))
run 0 human md sync dave
grep -q "Downloaded 0 new message" "$work/human.out" || fail "human summary"
grep -q "last synced UID $N" "$work/human.out" || fail "human summary names the last UID"

step "status --json: counter, UIDVALIDITY, counts, last sync"
run 0 status md status dave --json
want status d.uidvalidity "$uidvalidity"
want status d.last_uid $N
want status d.stored_messages $N
want status d.last_sync_result ok
want status "/^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$/.test(d.last_sync_at)" true
want status d.last_reset null
want status d.token null

step "report carries the sync status"
run 0 report md report dave --out "$work/report.json"
cp "$work/report.json" "$work/report.out"
want report d.sync.last_uid $N
want report d.sync.stored_messages $N
grep -q "$LAB_SYNC_PASSWORD" "$work/report.json" && fail "the password is in the report"

step "export --maildir is byte for byte what the server serves"
run 0 export md export dave --maildir "$work/maildir" --json
want export d.exported $N
server_hashes >"$work/server.txt"
[ "$(wc -l <"$work/server.txt")" -eq $N ] || fail "the server lists $(wc -l <"$work/server.txt") messages, wanted $N"
(cd "$work/maildir/cur" && for f in *; do printf '%s %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$(wc -c <"$f")"; done) \
  | sort >"$work/exported.txt"
cmp -s "$work/server.txt" "$work/exported.txt" || fail "the exported Maildir differs from the server's messages"
run 0 export2 md export dave --maildir "$work/maildir" --json
[ "$(ls "$work/maildir/cur" | wc -l)" -eq $N ] || fail "exporting again added files"

step "reset-counter with a wrong password changes nothing (exit 1)"
run 1 badreset sh -c "printf 'not-the-password\n' | '$bin' --data-dir '$data' reset-counter dave --admin root --password-stdin --yes"
grep -q "admin.bad_credentials" "$work/badreset.err" || fail "no admin.bad_credentials"
run 0 status2 md status dave --json
want status2 d.last_uid $N
want status2 d.last_reset null

step "reset-counter without confirmation changes nothing"
run 1 noconfirm sh -c "printf '%s\nno\n' '$admin_pw' | '$bin' --data-dir '$data' reset-counter dave --admin root --password-stdin"
grep -q "admin.not_confirmed" "$work/noconfirm.err" || fail "no admin.not_confirmed"
run 0 status3 md status dave --json
want status3 d.last_uid $N

step "reset-counter with the right password and 'yes': audited; the next sync downloads all again, no duplicates"
run 0 reset sh -c "printf '%s\nyes\n' '$admin_pw' | '$bin' --data-dir '$data' reset-counter dave --admin root --password-stdin --json"
want reset d.old_last_uid $N
want reset d.old_uidvalidity "$uidvalidity"
want reset d.admin root
run 0 status4 md status dave --json
want status4 d.last_uid 0
want status4 d.uidvalidity "$uidvalidity"
want status4 d.last_reset.admin root
run 0 resync md sync dave --json
want resync d.downloaded $N
want resync d.stored_messages $N
want resync d.last_uid $N

step "UIDVALIDITY change (mailbox recreated) is detected and everything is downloaded again"
old_validity=$(server_uidvalidity)
sleep_until_next_second() { s=$(date +%s); while [ "$(date +%s)" = "$s" ]; do :; done; }
sleep_until_next_second  # Dovecot takes UIDVALIDITY from the clock
rm -f "$home/Maildir/dovecot-uidlist" "$home/Maildir"/dovecot.index*
doveadm_ force-resync -u "$LAB_SYNC_USER" INBOX
new_validity=$(server_uidvalidity)
[ "$new_validity" != "$old_validity" ] || fail "the lab did not change UIDVALIDITY ($old_validity)"
run 0 changed md sync dave --json
want changed d.uidvalidity "$new_validity"
want changed d.uidvalidity_changed.from "$old_validity"
want changed d.uidvalidity_changed.to "$new_validity"
want changed d.downloaded $N
run 0 changed-human md status dave
grep -q "UIDVALIDITY $new_validity" "$work/changed-human.out" || fail "status does not show the new UIDVALIDITY"
grep -q "UIDVALIDITY changed" "$data/logs/"* || fail "the protocol log does not say UIDVALIDITY changed"

step "five wrong admin passwords lock the admin out; the right one is then refused too"
for i in 1 2 3 4 5; do
  run 1 "wrong$i" sh -c "printf 'wrong\n' | '$bin' --data-dir '$data' reset-counter dave --admin victim --password-stdin --yes"
done
run 1 locked sh -c "printf 'other-admin-pw-1\n' | '$bin' --data-dir '$data' reset-counter dave --admin victim --password-stdin --yes"
grep -q "admin.locked_out" "$work/locked.err" || fail "no admin.locked_out after five failures"
run 0 status5 md status dave --json
want status5 d.last_uid $N

step "kill -9 in the middle of a sync loses nothing and duplicates nothing; a second sync meanwhile is refused"
# The sync goes through a proxy (200 KB/s) that holds the rest of the mailbox back once the first
# batch is stored, so it is surely mid-way when it is killed or interrupted, however slow the machine.
# The rate keeps it mid-way while the test sees that batch: under ASan each look takes seconds, and
# at 2 MB/s the whole 10 MB could arrive before the hold.
proxy_port=$((LAB_PORT_BASE + 60))
proxy_pid=
stop_proxy() { kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; proxy_pid=; }
trap '[ -n "$sync_pid" ] && kill -9 "$sync_pid" 2>/dev/null; [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null; rm -rf "$work"' EXIT
rm -rf "$home/Maildir"
"$lab_home/seed.sh" "$LAB_SYNC_USER" $BIG "$LAB_DIR" >/dev/null
printf '%s\n' "$admin_pw" | md account remove dave --admin root --password-stdin >/dev/null
printf '%s\n' "$LAB_SYNC_PASSWORD" | md account add dave --provider custom --email "$LAB_SYNC_USER" --auth password \
  --password-stdin --imap "localhost:$proxy_port" --pop3 "localhost:$LAB_POP3S_PORT" --ca-file "$LAB_CA_FILE" \
  --timeout 120 >/dev/null  # the read timeout outlasts the proxy's hold
hold=$work/hold
rm -f "$hold"
start_proxy proxy "$proxy_port" "$LAB_IMAPS_PORT" --rate 200000 --hold-while "$hold"
"$bin" --data-dir "$data" sync dave --batch 20 >"$work/killed.out" 2>&1 &
sync_pid=$!
stored=0
i=0
while [ $i -lt 300 ]; do  # up to 30 s for the first committed batch
  stored=$(md status dave --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{try{console.log(JSON.parse(s).stored_messages)}catch(e){console.log(0)}})')
  [ "$stored" -gt 0 ] && break
  i=$((i + 1)); sleep 0.1
done
[ "$stored" -gt 0 ] || fail "the background sync stored nothing within 30 s"
touch "$hold"
run 1 busy md sync dave
grep -q "sync.busy" "$work/busy.err" || fail "a second sync was not refused with sync.busy"
kill -9 "$sync_pid" 2>/dev/null || fail "the sync had already finished: nothing was killed mid-way"
wait "$sync_pid" 2>/dev/null || true
sync_pid=
stop_proxy
run 0 after-kill md status dave --json
stored=$(js after-kill d.stored_messages)
last=$(js after-kill d.last_uid)
[ "$stored" -lt $BIG ] || fail "the sync was not interrupted (stored $stored)"
[ "$stored" -eq "$last" ] || fail "after kill -9 the counter ($last) does not cover exactly the stored messages ($stored)"
echo "   killed after $stored of $BIG messages were committed"

step "Ctrl-C (SIGINT) stops a sync cleanly: sync.cancelled, exit 1, the counter covers what is stored"
rm -f "$hold"
start_proxy proxy "$proxy_port" "$LAB_IMAPS_PORT" --rate 200000 --hold-while "$hold"
"$bin" --data-dir "$data" sync dave --batch 20 >"$work/interrupted.out" 2>"$work/interrupted.err" &
sync_pid=$!
before=$stored
i=0
while [ $i -lt 300 ]; do
  stored=$(md status dave --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{try{console.log(JSON.parse(s).stored_messages)}catch(e){console.log(0)}})')
  [ "$stored" -gt "$before" ] && break
  i=$((i + 1)); sleep 0.1
done
[ "$stored" -gt "$before" ] || fail "the second background sync stored nothing within 30 s"
touch "$hold"
kill -INT "$sync_pid" 2>/dev/null || fail "the sync had already finished: nothing was interrupted"
rm -f "$hold"  # the next message arrives, and the sync sees the request to stop
i=0; while kill -0 "$sync_pid" 2>/dev/null; do i=$((i + 1)); [ $i -lt 300 ] || fail "the sync did not stop within 30 s of SIGINT"; sleep 0.1; done
set +e; wait "$sync_pid"; rc=$?; set -e
sync_pid=
[ "$rc" -eq 1 ] || fail "an interrupted sync exited $rc, wanted 1"
grep -q "sync.cancelled" "$work/interrupted.err" || fail "an interrupted sync does not say sync.cancelled"
stop_proxy
run 0 after-int md status dave --json
stored=$(js after-int d.stored_messages)
want after-int d.last_uid "$stored"
want after-int d.last_sync_result cancelled
[ "$stored" -lt $BIG ] || fail "the sync was not interrupted (stored $stored)"
echo "   interrupted after $stored of $BIG messages were committed"
start_proxy proxy "$proxy_port" "$LAB_IMAPS_PORT"
run 0 finish md sync dave --json
want finish d.downloaded $(($BIG - stored))
want finish d.stored_messages $BIG
run 0 export3 md export dave --maildir "$work/maildir3" --json
want export3 d.exported $BIG
server_hashes >"$work/server3.txt"
(cd "$work/maildir3/cur" && for f in *; do printf '%s %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$(wc -c <"$f")"; done) \
  | sort >"$work/exported3.txt"
cmp -s "$work/server3.txt" "$work/exported3.txt" || fail "after kill -9 and a new sync the store differs from the server"

stop_proxy

step "POP3: sync, then nothing, reset, everything again without duplicates"
run 0 pop md sync dave --protocol pop3 --json
want pop d.protocol pop3
want pop d.downloaded $BIG
run 0 pop-again md sync dave --protocol pop3 --json
want pop-again d.downloaded 0
run 0 pop-status md status dave --protocol pop3 --json
want pop-status d.pop3_uidls $BIG
want pop-status d.stored_messages $BIG
run 0 pop-reset sh -c "printf '%s\n' '$admin_pw' | '$bin' --data-dir '$data' reset-counter dave --admin root --password-stdin --yes --protocol pop3 --json"
want pop-reset d.old_uidl_count $BIG
run 0 pop-resync md sync dave --protocol pop3 --json
want pop-resync d.downloaded $BIG
want pop-resync d.stored_messages $BIG

step "a corrupt or foreign database file: a clear error, no crash"
for kind in corrupt foreign; do
  bad="$work/bad-$kind"
  mkdir -p "$bad" && chmod 700 "$bad"
  if [ $kind = corrupt ]; then
    cp "$data/maildoctor.db" "$bad/maildoctor.db"
    dd if=/dev/urandom of="$bad/maildoctor.db" bs=4096 seek=1 count=8 conv=notrunc 2>/dev/null
  else
    sqlite_header="SQLite format 3"
    { printf '%s' "$sqlite_header"; head -c 8192 /dev/urandom; } >"$bad/maildoctor.db"
  fi
  set +e; "$bin" --data-dir "$bad" status dave >"$work/$kind.out" 2>"$work/$kind.err"; rc=$?; set -e
  [ $rc -eq 1 ] || [ $rc -eq 2 ] || fail "$kind database: exit $rc (a crash?)"
  grep -q "store\.\(corrupt\|too_new\|open_failed\)" "$work/$kind.err" || fail "$kind database: no store.* failure code"
done
echo "sync: all scenarios passed"
