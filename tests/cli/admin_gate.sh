#!/bin/sh
# The admin gate of the counter reset through the real binary, without the lab: a scripted IMAP
# server on 127.0.0.1 (python3, PREAUTH, five messages) gives the account a real counter (last UID
# 5). Then no CLI path moves it without an admin's valid password: no --admin, an unknown admin,
# a wrong password, empty or missing standard input, no confirmation, and every read-only command
# (exit codes and failure codes as DESIGN.md says: 1 refused, 2 usage). Five wrong passwords lock
# the admin out; the lock is stored, so every later process (each CLI run is a new one) refuses
# even the right password until it ends, and a refused attempt does not extend it; once it ends
# the right password resets the counter. Real 600,000-iteration hashes; the 30 s lock's end is moved
# back in the store rather than waited out: ~15 s.
# The lock's length is checked against clock readings taken around the attempt that set it, never
# against the time the check happens to run (a loaded machine once made that 19 s).
# usage: admin_gate.sh MAILDOCTOR
set -eu
bin=$1
work=$(mktemp -d)
data="$work/data"
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
. "$(dirname "$0")/../lib.sh"
# unchanged: the counter is still the one the sync left, and no reset was ever recorded.
unchanged() {
  md status box --json >"$work/unchanged.out" 2>"$work/unchanged.err" || fail "status failed"
  want unchanged 'd["last_uid"]' 5
  want unchanged 'd["uidvalidity"]' 777
  want unchanged 'd["stored_messages"]' 5
  want unchanged 'd["last_reset"]' null
}

# A fake IMAP server: PREAUTH, INBOX with five messages (UIDVALIDITY 777), for 120 s.
python3 - "$work/imap.port" <<'PY' &
import os, re, socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(8); s.settimeout(120)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
msgs = [(b"From: a@example.test\r\nTo: box@example.test\r\nSubject: message %d\r\nMessage-ID: <m%d@example.test>\r\n"
         b"Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nBody of message %d.\r\n") % (i, i, i) for i in range(1, 6)]
def handle(c):
    c.settimeout(10)
    f = c.makefile("rwb")
    try:
        f.write(b"* PREAUTH fake IMAP, signed in already\r\n"); f.flush()
        for line in f:
            line = line.rstrip(b"\r\n"); tag = line.split(b" ")[0]; up = line.upper()
            if b" CAPABILITY" in up: f.write(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK done\r\n")
            elif b" EXAMINE" in up or b" SELECT" in up:
                f.write(b"* 5 EXISTS\r\n* OK [UIDVALIDITY 777] ok\r\n* OK [UIDNEXT 6] ok\r\n" + tag + b" OK [READ-ONLY] done\r\n")
            elif b" UID SEARCH" in up:
                low = int(re.search(rb"UID (\d+):\*", up).group(1))
                f.write(b"* SEARCH " + b" ".join(b"%d" % u for u in range(max(low, 1), 6)) + b"\r\n" + tag + b" OK done\r\n")
            elif b" UID FETCH" in up:
                low = int(re.search(rb"FETCH (\d+):\*", up).group(1))
                for u in range(max(low, 1), 6):
                    m = msgs[u - 1]
                    f.write(b"* %d FETCH (UID %d RFC822.SIZE %d FLAGS (\\Seen) BODY[] {%d}\r\n" % (u, u, len(m), len(m)) + m + b")\r\n")
                f.write(tag + b" OK done\r\n")
            elif b" LOGOUT" in up: f.write(b"* BYE\r\n" + tag + b" OK bye\r\n"); f.flush(); break
            else: f.write(tag + b" BAD what\r\n")
            f.flush()
    except Exception:
        pass
    c.close()
while True:
    try: c, _ = s.accept()
    except socket.timeout: break
    threading.Thread(target=handle, args=(c,), daemon=True).start()
PY
pids="$pids $!"
i=0; while [ ! -s "$work/imap.port" ]; do i=$((i+1)); [ $i -le 100 ] || fail "fake IMAP server did not start"; sleep 0.1; done
imap_port=$(cat "$work/imap.port")
root_pw='Root-pw-for-the-gate-1'
other_pw='Other-pw-for-the-gate-2'
reset() { md reset-counter box "$@"; }

step "an account synced to a real counter (UIDVALIDITY 777, last UID 5)"
run_in 0 add 'box-password\n' md account add box --provider custom --email box@example.test --auth password \
  --password-stdin --imap "127.0.0.1:$imap_port" --imap-security none --timeout 5
run_in 0 sync '' md sync box --json
want sync 'd["downloaded"]' 5
unchanged

step "no admin exists yet: nobody can reset (admin.bad_credentials, exit 1)"
run_in 1 noadmins "$root_pw\n" reset --admin root --password-stdin --yes
code_in noadmins admin.bad_credentials
unchanged
run_in 0 root "$root_pw\n" md admin add root --password-stdin
run_in 0 other "$root_pw\n$other_pw\n" md admin add other --admin root --password-stdin

step "no --admin: usage (exit 2), nothing asked, nothing changed"
run_in 2 noflag "$root_pw\n" reset --password-stdin --yes
code_in noflag usage
grep -q -- '--admin' "$work/noflag.err" || fail "the usage error does not name --admin"
unchanged

step "wrong password and unknown admin: the same admin.bad_credentials and words (exit 1)"
run_in 1 wrong 'not-the-password\n' reset --admin root --password-stdin --yes --json
want wrong 'd["failure"]["code"]' admin.bad_credentials
unchanged
run_in 1 unknown "$root_pw\n" reset --admin nobody --password-stdin --yes --json
want unknown 'd["failure"]["code"]' admin.bad_credentials
[ "$(js wrong 'd["failure"]["detail"]')" = "$(js unknown 'd["failure"]["detail"]')" ] \
  || fail "an unknown admin is told apart from a wrong password"
unchanged

step "no password given: empty standard input, an empty line, no --password-stdin off a terminal (exit 2)"
run_in 2 empty '' reset --admin root --password-stdin --yes
code_in empty usage
run_in 2 emptyline '\n' reset --admin root --password-stdin --yes
code_in emptyline usage
run_in 2 noterminal "$root_pw\n" reset --admin root --yes
code_in noterminal usage
unchanged
run_in 0 list1 '' md admin list --json
want list1 'd.admins.find(a=>a.name=="root").failed_attempts' 1  # only the wrong password counted

step "the right password without confirmation: admin.not_confirmed (exit 1); cut-off input: refused"
run_in 1 notconfirmed "$root_pw\nno\n" reset --admin root --password-stdin
code_in notconfirmed admin.not_confirmed
set +e; printf '%s\n' "$root_pw" | reset --admin root --password-stdin >"$work/noanswer.out" 2>"$work/noanswer.err"; rc=$?; set -e
[ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || fail "no confirmation line: exit $rc"
unchanged

step "read-only commands never move the counter"
for cmd in "status box" "status box --json" "account show box" "account list --json" "export box --maildir $work/md" \
           "report box --out $work/report.json" "log box --tail 5" "admin list"; do
  # shellcheck disable=SC2086
  md $cmd >/dev/null 2>&1 || true
  unchanged
done

step "removing the account forgets its counter, so it needs an admin: refused without one, nothing changed"
run_in 1 removenoadmin '' md account remove box
code_in removenoadmin admin.not_authorized
grep -q -- '--admin' "$work/removenoadmin.err" || fail "the refusal does not say how to remove it anyway"
unchanged
# (with the other admin: root's failed attempts are counted by the lockout step below)
run_in 1 removewrongpw 'not-the-password\n' md account remove box --admin other --password-stdin
code_in removewrongpw admin.bad_credentials
unchanged

# move_lock_end HOURS: moves root's stored lock end, in the store's own format.
move_lock_end() {
  python3 - "$data/maildoctor.db" "$1" <<'PY' || fail "could not move the lock's end"
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(until,) = db.execute("SELECT locked_until FROM admins WHERE username = 'root'").fetchone()
moved = datetime.datetime.fromisoformat(until.replace("Z", "+00:00")) + datetime.timedelta(hours=int(sys.argv[2]))
text = moved.strftime("%Y-%m-%dT%H:%M:%S") + (until[19:] if until.endswith("Z") else "")
db.execute("UPDATE admins SET locked_until = ? WHERE username = 'root'", (text,))
db.commit()
PY
}

step "five wrong passwords lock root out; each later process refuses even the right one"
for i in 1 2 3 4; do
  run_in 1 "wrong$i" 'still-not-the-password\n' reset --admin root --password-stdin --yes
done
# The fifth sets the lock at some moment between these two readings of the clock: its end is 30 s
# after that moment, however long a loaded machine takes to run the process.
before_lock=$(date +%s)
run_in 1 wrong5 'still-not-the-password\n' reset --admin root --password-stdin --yes
after_lock=$(date +%s)
run_in 1 locked "$root_pw\n" reset --admin root --password-stdin --yes --json
want locked 'd["failure"]["code"]' admin.locked_out
unchanged
run_in 0 list2 '' md admin list --json
want list2 'd.admins.find(a=>a.name=="root").locked' true
until=$(js list2 'd.admins.find(a=>a.name=="root").locked_until')
until_s=$(date -d "$until" +%s) || fail "locked_until '$until' is not a time"
# Whole seconds on both sides: one second of rounding either way.
[ $((until_s - before_lock)) -ge 29 ] && [ $((until_s - after_lock)) -le 31 ] ||
  fail "the first lock ends at $until: not 30 s after the fifth wrong password (sent $before_lock..$after_lock)"
# Root stays locked whatever it types, and trying does not extend the lock; the other admin is not locked.
# The lock's end moves an hour later first: under Wine or ASan the processes above can take most of
# its 30 s, and the check below must still meet a lock.
move_lock_end 1
run_in 0 list2b '' md admin list --json
until=$(js list2b 'd.admins.find(a=>a.name=="root").locked_until')
run_in 1 locked2 "$root_pw\n" reset --admin root --password-stdin --yes
code_in locked2 admin.locked_out
run_in 0 list3 '' md admin list --json
want list3 'd.admins.find(a=>a.name=="root").locked_until' "$until"
want list3 'd.admins.find(a=>a.name=="other").locked' false
unchanged

step "the lock ends on its own; then the right password resets, audited"
# Its 30 s (and the hour added above) pass in the store instead of on the wall clock (admin_test
# checks the lock's length and end with an injected clock).
move_lock_end -2
run_in 0 list5 '' md admin list --json
want list5 'd.admins.find(a=>a.name=="root").locked' false
run_in 0 reset "$root_pw\n" reset --admin root --password-stdin --yes --json
want reset 'd["old_last_uid"]' 5
want reset 'd["old_uidvalidity"]' 777
want reset 'd["admin"]' root
run_in 0 after '' md status box --json
want after 'd["last_uid"]' 0
want after 'd["stored_messages"]' 5
want after 'd["last_reset"]["admin"]' root
run_in 0 list4 '' md admin list --json
want list4 'd.admins.find(a=>a.name=="root").failed_attempts' 0
step "an admin removes the account: audited with the counter it forgot; re-adding starts from nothing, visibly"
run_in 0 removed "$root_pw\n" md account remove box --admin root --password-stdin --json
want removed 'd["admin"]' root
want removed 'd["forgotten"]["last_uid"]' 0
want removed 'd["forgotten"]["stored_messages"]' 5
grep -rqF "$root_pw" "$work"/*.out "$work"/*.err "$data" && fail "an admin password was written somewhere" || true
echo "admin gate: all scenarios passed"
