#!/bin/sh
# The admin gate of the counter reset through the real binary, without the lab: a scripted IMAP
# server on 127.0.0.1 (python3, PREAUTH, five messages) gives the account a real counter (last UID
# 5). Then no CLI path moves it without an admin's valid password: no --admin, an unknown admin,
# a wrong password, empty or missing standard input, no confirmation, and every read-only command
# (exit codes and failure codes as DESIGN.md says: 1 refused, 2 usage). Five wrong passwords lock
# the admin out; the lock is stored, so every later process (each CLI run is a new one) refuses
# even the right password until it ends, and a refused attempt does not extend it; once it ends
# the right password resets the counter. Real 600,000-iteration hashes and a 30 s lock: ~45 s.
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
md() { "$bin" --data-dir "$data" "$@"; }
fail() { echo "FAIL: $*"; for f in "$work"/*.out "$work"/*.err; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }
step() { echo "== $*"; }
# run RC NAME INPUT CMD...: CMD with INPUT (printf %b) on stdin, output in NAME.out/.err, exit RC.
run() { want=$1 name=$2 input=$3; shift 3; set +e; printf '%b' "$input" | "$@" >"$work/$name.out" 2>"$work/$name.err"; rc=$?; set -e
  [ "$rc" -eq "$want" ] || fail "$name: exit $rc, wanted $want"; }
# py NAME 'expression over d (the JSON document of NAME.out)': prints the value.
py() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(json.dumps(v) if isinstance(v,(dict,list,bool)) or v is None else v)' "$work/$1.out" "$2"; }
want() { got=$(py "$1" "$2"); [ "$got" = "$3" ] || fail "$1: $2 is $got, wanted $3"; }
code_in() { grep -q "\[$2\]" "$work/$1.err" || fail "$1: stderr does not name [$2]"; }
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
run 0 add 'box-password\n' md account add box --provider custom --email box@example.test --auth password \
  --password-stdin --imap "127.0.0.1:$imap_port" --imap-security none --timeout 5
run 0 sync '' md sync box --json
want sync 'd["downloaded"]' 5
unchanged

step "no admin exists yet: nobody can reset (admin.bad_credentials, exit 1)"
run 1 noadmins "$root_pw\n" reset --admin root --password-stdin --yes
code_in noadmins admin.bad_credentials
unchanged
run 0 root "$root_pw\n" md admin add root --password-stdin
run 0 other "$root_pw\n$other_pw\n" md admin add other --admin root --password-stdin

step "no --admin: usage (exit 2), nothing asked, nothing changed"
run 2 noflag "$root_pw\n" reset --password-stdin --yes
code_in noflag usage
grep -q -- '--admin' "$work/noflag.err" || fail "the usage error does not name --admin"
unchanged

step "wrong password and unknown admin: the same admin.bad_credentials and words (exit 1)"
run 1 wrong 'not-the-password\n' reset --admin root --password-stdin --yes --json
want wrong 'd["failure"]["code"]' admin.bad_credentials
unchanged
run 1 unknown "$root_pw\n" reset --admin nobody --password-stdin --yes --json
want unknown 'd["failure"]["code"]' admin.bad_credentials
[ "$(py wrong 'd["failure"]["detail"]')" = "$(py unknown 'd["failure"]["detail"]')" ] \
  || fail "an unknown admin is told apart from a wrong password"
unchanged

step "no password given: empty standard input, an empty line, no --password-stdin off a terminal (exit 2)"
run 2 empty '' reset --admin root --password-stdin --yes
code_in empty usage
run 2 emptyline '\n' reset --admin root --password-stdin --yes
code_in emptyline usage
run 2 noterminal "$root_pw\n" reset --admin root --yes
code_in noterminal usage
unchanged
run 0 list1 '' md admin list --json
want list1 '[a for a in d["admins"] if a["name"]=="root"][0]["failed_attempts"]' 1  # only the wrong password counted

step "the right password without confirmation: admin.not_confirmed (exit 1); cut-off input: refused"
run 1 notconfirmed "$root_pw\nno\n" reset --admin root --password-stdin
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
run 1 removenoadmin '' md account remove box
code_in removenoadmin admin.not_authorized
grep -q -- '--admin' "$work/removenoadmin.err" || fail "the refusal does not say how to remove it anyway"
unchanged
# (with the other admin: root's failed attempts are counted by the lockout step below)
run 1 removewrongpw 'not-the-password\n' md account remove box --admin other --password-stdin
code_in removewrongpw admin.bad_credentials
unchanged

step "five wrong passwords lock root out; each later process refuses even the right one"
for i in 1 2 3 4; do
  run 1 "wrong$i" 'still-not-the-password\n' reset --admin root --password-stdin --yes
done
# The fifth sets the lock at some moment between these two readings of the clock: its end is 30 s
# after that moment, however long a loaded machine takes to run the process.
before_lock=$(date +%s)
run 1 wrong5 'still-not-the-password\n' reset --admin root --password-stdin --yes
after_lock=$(date +%s)
run 1 locked "$root_pw\n" reset --admin root --password-stdin --yes --json
want locked 'd["failure"]["code"]' admin.locked_out
unchanged
run 0 list2 '' md admin list --json
want list2 '[a for a in d["admins"] if a["name"]=="root"][0]["locked"]' true
until=$(py list2 '[a for a in d["admins"] if a["name"]=="root"][0]["locked_until"]')
until_s=$(date -d "$until" +%s) || fail "locked_until '$until' is not a time"
# Whole seconds on both sides: one second of rounding either way.
[ $((until_s - before_lock)) -ge 29 ] && [ $((until_s - after_lock)) -le 31 ] ||
  fail "the first lock ends at $until: not 30 s after the fifth wrong password (sent $before_lock..$after_lock)"
# Root stays locked whatever it types, and trying does not extend the lock; the other admin is not locked.
run 1 locked2 "$root_pw\n" reset --admin root --password-stdin --yes
code_in locked2 admin.locked_out
run 0 list3 '' md admin list --json
want list3 '[a for a in d["admins"] if a["name"]=="root"][0]["locked_until"]' "$until"
want list3 '[a for a in d["admins"] if a["name"]=="other"][0]["locked"]' false
unchanged

step "the lock ends on its own (bounded wait to $until); then the right password resets, audited"
i=0; while [ "$(date +%s)" -le "$until_s" ]; do i=$((i + 1)); [ $i -le 400 ] || fail "the clock did not pass $until"; sleep 0.1; done
run 0 reset "$root_pw\n" reset --admin root --password-stdin --yes --json
want reset 'd["old_last_uid"]' 5
want reset 'd["old_uidvalidity"]' 777
want reset 'd["admin"]' root
run 0 after '' md status box --json
want after 'd["last_uid"]' 0
want after 'd["stored_messages"]' 5
want after 'd["last_reset"]["admin"]' root
run 0 list4 '' md admin list --json
want list4 '[a for a in d["admins"] if a["name"]=="root"][0]["failed_attempts"]' 0
step "an admin removes the account: audited with the counter it forgot; re-adding starts from nothing, visibly"
run 0 removed "$root_pw\n" md account remove box --admin root --password-stdin --json
want removed 'd["admin"]' root
want removed 'd["forgotten"]["last_uid"]' 0
want removed 'd["forgotten"]["stored_messages"]' 5
grep -rqF "$root_pw" "$work"/*.out "$work"/*.err "$data" && fail "an admin password was written somewhere" || true
echo "admin gate: all scenarios passed"
