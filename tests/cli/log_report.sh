#!/bin/sh
# log and report through the real binary, without the lab: a scripted IMAP server on 127.0.0.1
# (python3) refuses the password, a closed port stands in for an OAuth server. Checks the protocol
# labels in the log (imap and http, never imap as http), --tail, --follow across appends,
# truncation and rotation until SIGTERM/SIGINT (exit 0), the report's keys, its 0600 mode, that a
# failed write leaves no file, and that no password or client secret (raw, base64, URL-encoded)
# is in the log or the report.
# usage: log_report.sh MAILDOCTOR
set -eu
bin=$1
work=$(mktemp -d)
data="$work/data"
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
. "$(dirname "$0")/../lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A fake IMAP server: greeting, CAPABILITY with AUTH=PLAIN, every sign-in refused, for 120 s.
python3 - "$work/imap.port" <<'PY' &
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(8); s.settimeout(120)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
def handle(c):
    c.settimeout(10)
    f = c.makefile("rwb")
    try:
        f.write(b"* OK fake IMAP ready\r\n"); f.flush()
        pending = None  # the tag of an AUTHENTICATE waiting for its SASL answer
        for line in f:
            line = line.rstrip(b"\r\n"); tag = line.split(b" ")[0]; up = line.upper()
            if pending: f.write(pending + b" NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"); pending = None
            elif b"CAPABILITY" in up: f.write(b"* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
            elif b"AUTHENTICATE" in up and up.rstrip().endswith(b"PLAIN"): f.write(b"+ \r\n"); pending = tag
            elif b"AUTHENTICATE" in up or b" LOGIN " in up: f.write(tag + b" NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
            elif b"LOGOUT" in up: f.write(b"* BYE\r\n" + tag + b" OK bye\r\n"); f.flush(); break
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
closed=$(free_port)

password='pw-Zq8-never-in-a-report'
client_secret='cs-Wk5-never-in-a-report'
printf '%s\n' "$password" | md account add pw --provider custom --email pw@example.test --auth password \
  --password-stdin --imap "127.0.0.1:$imap_port" --imap-security none --timeout 3 >/dev/null
md account add oa --provider custom --email oa@example.test --imap "127.0.0.1:$imap_port" --imap-security none \
  --authorize-url "http://127.0.0.1:$closed/authorize" --token-url "http://127.0.0.1:$closed/token" \
  --client-id lab-client --client-secret "$client_secret" --scope mail --timeout 3 --no-verify-tls >/dev/null
logs="$data/logs"

step "no log yet: log.missing (exit 1); unknown account and bad --tail: exit 2"
run 1 missing md log pw
grep -q 'log.missing' "$work/missing.err" || fail "log.missing not named"
run 2 nobody md log nobody
grep -q 'accounts.not_found' "$work/nobody.err" || fail "accounts.not_found not named"
for bad in abc -1 1.5 '' 9x; do
  run 2 badtail md log pw --tail "$bad"
  grep -q 'usage' "$work/badtail.err" || fail "--tail '$bad' not a usage error"
done
run 2 noname md log
run 2 unknownflag md log pw --frobnicate

step "a check against the fake IMAP server: imap lines, labelled imap, password redacted"
run 1 checkpw md check pw --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s={x["id"]:x for x in d["steps"]}; assert s["imap.auth"]["failure"]["code"]=="auth.bad_credentials", s["imap.auth"]' \
  "$work/checkpw.out" || fail "imap.auth is not auth.bad_credentials"
run 0 logpw md log pw
grep -q ' imap C: ' "$work/logpw.out" || fail "no client line labelled imap"
grep -q ' imap S: \* OK fake IMAP ready' "$work/logpw.out" || fail "no greeting labelled imap"
grep -q ' imap C: [A-Za-z0-9]* AUTHENTICATE PLAIN' "$work/logpw.out" || fail "no AUTHENTICATE line"
grep -q ' http ' "$work/logpw.out" && fail "an IMAP-only check wrote http lines"
cmp -s "$work/logpw.out" "$logs/pw.log" || fail "log differs from the persisted file"

step "an OAuth account: its HTTP lines are http, its mail lines imap"
run 1 checkoa md check oa --json
run 0 logoa md log oa
grep -q ' http C: GET http://127.0.0.1:' "$work/logoa.out" || fail "no http line"
grep -q ' imap \*: imap: connecting to' "$work/logoa.out" || fail "no imap note"
grep -q ' http \*: imap: connecting' "$work/logoa.out" && fail "an imap line is labelled http"

step "--tail N"
total=$(wc -l <"$logs/pw.log")
[ "$total" -ge 6 ] || fail "only $total lines in the log"
run 0 tail2 md log pw --tail 2
[ "$(wc -l <"$work/tail2.out")" -eq 2 ] || fail "--tail 2 printed $(wc -l <"$work/tail2.out") lines"
tail -n 2 "$logs/pw.log" | cmp -s - "$work/tail2.out" || fail "--tail 2 is not the last two lines"
run 0 tail0 md log pw --tail 0
[ ! -s "$work/tail0.out" ] || fail "--tail 0 printed lines"
run 0 tailbig md log pw --tail=100000
cmp -s "$work/tailbig.out" "$logs/pw.log" || fail "--tail larger than the log"

# read_to_end PID FILE: bounded wait until process PID has read its open FILE to the end (the
# offset of its descriptor, from /proc): what it would print of the bytes there, it has printed.
read_to_end() {
  i=0
  while :; do
    size=$(stat -c %s "$2")
    for fd in /proc/"$1"/fd/*; do
      [ "$(readlink "$fd" 2>/dev/null)" = "$2" ] || continue
      pos=$(sed -n 's/^pos:[[:space:]]*//p' "/proc/$1/fdinfo/${fd##*/}" 2>/dev/null)
      [ -n "$pos" ] && [ "$pos" -ge "$size" ] && return 0
    done
    i=$((i + 1)); [ $i -le 100 ] || fail "pid $1 did not read $2 to its end within 10 s"
    sleep 0.1
  done
}

step "--follow: appends, truncation, rotation; SIGTERM ends it with exit 0"
"$bin" --data-dir "$data" log pw --follow --tail 1 >"$work/follow.out" 2>"$work/follow.err" &
fpid=$!; pids="$pids $fpid"
wait_for "$work/follow.out" ' imap '
[ "$(wc -l <"$work/follow.out")" -eq 1 ] || fail "--follow --tail 1 started with more than one line"
md check pw --only imap >/dev/null 2>&1 || true
wait_for "$work/follow.out" 'AUTHENTICATIONFAILED'
: >"$logs/pw.log"
printf '2026-01-01T00:00:00.000Z imap *: after truncation\n' >>"$logs/pw.log"
wait_for "$work/follow.out" 'after truncation'
wait_for "$work/follow.err" 'truncated'
printf '2026-01-01T00:00:01.000Z imap *: old file, last' >>"$logs/pw.log"
read_to_end "$fpid" "$logs/pw.log"
grep -q 'old file, last' "$work/follow.out" && fail "a half-written line was printed"
printf ' line\n' >>"$logs/pw.log"
mv "$logs/pw.log" "$logs/pw.log.1"
printf '2026-01-01T00:00:02.000Z imap *: new file\n' >"$logs/pw.log"
wait_for "$work/follow.out" 'new file'
grep -q 'old file, last line' "$work/follow.out" || fail "the rotated file's last line was lost"
wait_for "$work/follow.err" 'replaced'
kill -TERM "$fpid"
set +e; wait "$fpid"; rc=$?; set -e
[ "$rc" -eq 0 ] || fail "--follow exited $rc on SIGTERM"

step "--follow on an account without a log waits for one; SIGINT ends it with exit 0"
md account add quiet --provider custom --email q@example.test --auth password --imap "127.0.0.1:$closed" >/dev/null
"$bin" --data-dir "$data" log quiet --follow >"$work/follow2.out" 2>"$work/follow2.err" &
fpid=$!; pids="$pids $fpid"
wait_for "$work/follow2.err" 'waiting'
printf '2026-01-01T00:00:03.000Z imap *: first line\n' >>"$logs/quiet.log"
wait_for "$work/follow2.out" 'first line'
kill -INT "$fpid"
set +e; wait "$fpid"; rc=$?; set -e
[ "$rc" -eq 0 ] || fail "--follow exited $rc on SIGINT"

step "report: usage errors, unknown account"
run 2 rnoout md report pw
run 2 rnobody md report nobody --out "$work/x.json"
grep -q 'accounts.not_found' "$work/rnobody.err" || fail "report: accounts.not_found"
[ ! -e "$work/x.json" ] || fail "report for an unknown account wrote a file"

step "report (JSON): keys, mode 0600, versions, settings, last check, log"
md check pw >/dev/null 2>&1 || true
run 0 rpw md report pw --out "$work/pw-report.json"
r="$work/pw-report.json"
[ "$(stat -c %a "$r")" = 600 ] || fail "report mode $(stat -c %a "$r")"
[ "$(js_file "$r" 'd["report"]["generator"]')" = MailDoctor ] || fail "generator"
[ "$(js_file "$r" 'd["report"]["version"]')" = "$(md --version | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' | head -1)" ] || fail "version"
for lib in libcurl openssl sqlite nlohmann_json; do
  [ -n "$(js_file "$r" "d['system']['libraries']['$lib']")" ] || fail "no $lib version"
done
[ "$(js_file "$r" 'd["system"]["os"]["sysname"]')" = "$(uname -s)" ] || fail "os"
[ "$(js_file "$r" 'd["system"]["os"]["distribution"]')" = "$(. /etc/os-release && echo "$PRETTY_NAME")" ] ||
  fail "the report's distribution is not os-release's PRETTY_NAME"
[ "$(js_file "$r" 'd["account"]["name"]')" = pw ] || fail "account name"
[ "$(js_file "$r" 'd["account"]["secrets"]["password"]')" = true ] || fail "password presence"
[ "$(js_file "$r" 'd["tls_verification"]')" = on ] || fail "tls_verification"
[ "$(js_file "$r" '[d.sync.last_uid, d.sync.stored_messages, d.sync.last_sync_at]')" = "[0,0,null]" ] \
  || fail "sync status of a never-synced account"
[ "$(js_file "$r" 'd["token"]')" = null ] || fail "a password account has token status"
[ "$(js_file "$r" 'd.last_check.steps.find(x=>x.id=="imap.auth").failure.code')" = auth.bad_credentials ] \
  || fail "last check"
[ "$(js_file "$r" 'd.log.lines == d.log.entries.length && d.log.entries.length > 0')" = true ] || fail "log entries"
[ "$(js_file "$r" 'd.log.entries.filter(e=>"protocol" in e).every(e=>e.protocol=="imap")')" = true ] || fail "log protocols"
[ "$(js_file "$r" 'Object.keys(d).slice(0, 4)')" = '["report","account_name","warnings","tls_verification"]' ] || fail "key order"
grep -q "written to $r" "$work/rpw.out" || fail "no confirmation"

step "report of an OAuth account with verification off: shown at the top, token status, no client secret"
run 0 roa md report oa --out "$work/oa-report.json"
r="$work/oa-report.json"
[ "$(js_file "$r" 'd["tls_verification"]')" = OFF ] || fail "tls_verification OFF not shown"
js_file "$r" 'd["warnings"][0]' | grep -q 'TLS certificate verification is OFF' || fail "no warning"
grep -q 'WARNING: TLS certificate verification is OFF' "$work/roa.out" || fail "no warning on stdout"
[ "$(js_file "$r" 'd["token"]["signed_in"]')" = false ] || fail "token status"
[ "$(js_file "$r" 'd["account"]["secrets"]["client_secret"]')" = true ] || fail "client secret presence"
[ "$(js_file "$r" 'd.log.entries.some(e=>e.protocol=="http")')" = true ] || fail "no http lines in report"

step "report (HTML)"
run 0 rhtml md report oa --out "$work/oa-report.html"
grep -q '<!DOCTYPE html>' "$work/oa-report.html" || fail "not HTML"
grep -q 'class=warn>TLS certificate verification is OFF' "$work/oa-report.html" || fail "HTML warning"
[ "$(stat -c %a "$work/oa-report.html")" = 600 ] || fail "HTML mode"

step "a report that cannot be written leaves nothing behind; an old one is replaced whole"
run 1 rnodir md report pw --out "$work/no-such-dir/r.json"
grep -q 'report.write_failed' "$work/rnodir.err" || fail "an unwritable --out is not report.write_failed"
[ ! -e "$work/no-such-dir" ] || fail "created a folder"
mkdir "$work/adir"
run 1 risdir md report pw --out "$work/adir"
ls -A "$work/adir" | grep -q . && fail "left a file in the folder"
ls -A "$work" | grep -q '\.tmp-' && fail "left a temp file"
printf 'old content that is longer than nothing %0500d\n' 0 >"$work/old.json"
run 0 rold md report pw --out "$work/old.json"
grep -q 'old content' "$work/old.json" && fail "old content survived"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/old.json" || fail "replaced report is not JSON"

step "a password that is also a word of the report does not break it"
printf 'lines\n' | md account add words --provider custom --email w@example.test --auth password --password-stdin \
  --imap "127.0.0.1:$closed" >/dev/null
printf '2026-01-01T00:00:04.000Z imap *: lines and entries\n' >>"$logs/words.log"
run 0 rwords md report words --out "$work/words.json"
[ "$(js_file "$work/words.json" 'd["log"]["lines"]')" = 1 ] || fail "report keys were masked"
js_file "$work/words.json" 'd["log"]["entries"][0]["text"]' | grep -q '^<redacted> and entries$' || fail "value not masked"
run 0 rwordshtml md report words --out "$work/words.html"

step "no secret in any log or report (raw, base64, URL-encoded)"
# Everything: outputs, reports, the logs, and the store (whose secrets are sealed).
python3 - "$password" "$client_secret" "$work" <<'PY' || fail "a secret leaked"
import base64, os, sys, urllib.parse
secrets, roots = sys.argv[1:3], sys.argv[3:]
forms = []
for s in secrets:
    b = base64.b64encode(s.encode()).decode()
    forms += [s, b, b.rstrip("="), urllib.parse.quote(s, safe="")]
    # AUTH PLAIN's payload: \0user\0password, as the client sends it.
    for user in ("pw@example.test", "oa@example.test"):
        p = base64.b64encode(("\0" + user + "\0" + s).encode()).decode()
        forms += [p, p.rstrip("=")]
found = files = 0
for root in roots:
    for dirpath, _, names in os.walk(root):
        for name in names:
            files += 1
            blob = open(os.path.join(dirpath, name), "rb").read()
            for f in forms:
                if f.encode() in blob:
                    print("LEAK:", os.path.join(dirpath, name), f[:6] + "..."); found += 1
print("searched", files, "files for", len(forms), "forms:", found, "found")
sys.exit(1 if found else 0)
PY
echo "log and report: all passed"
