#!/bin/sh
# bench/sync.sh [BINARY] [MESSAGES] [RUNS]: `maildoctor sync` against the reference client mbsync
# (isync) on the same loopback Dovecot, the same messages and the same kind of disk (tmpfs), run
# alternately with fresh local state each time, each including its own process start, TLS and
# sign-in. Starts its own lab (tests/lab, as root: Dovecot and seeding need it) on LAB_PORT_BASE
# (default 17900) and stops it at the end. Prints each run, the medians, messages/s and the ratio.
# A benchmark, not a test: it prints figures and asserts nothing.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-build/app/maildoctor}")
messages=${2:-5000}
runs=${3:-5}
export LAB_PORT_BASE=${LAB_PORT_BASE:-17900}
lab=/tmp/maildoctor-bench-lab
tmp=$(mktemp -d -p /dev/shm maildoctor-bench.XXXXXX)  # tmpfs: the disk is not what is measured
cleanup() { "$here/tests/lab/lab.sh" stop "$lab" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

command -v mbsync >/dev/null || { echo "bench/sync.sh: mbsync (Debian isync) is missing: run tests/lab/install.sh"; exit 2; }
"$here/tests/lab/lab.sh" stop "$lab" >/dev/null 2>&1 || true
"$here/tests/lab/lab.sh" start "$lab" >/dev/null
set -a; . "$lab/lab.env"; set +a
user=$LAB_SYNC_USER password=$LAB_SYNC_PASSWORD
home=$(doveadm -c "$LAB_DOVECOT_CONF" user -f home "$user")
rm -rf "$home/Maildir"
"$here/tests/lab/seed.sh" "$user" "$messages" "$lab" >/dev/null
bytes=$(du -sb "$home/Maildir/cur" | cut -f1)
echo "bench/sync: $messages messages ($(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1048576}') MiB) in the lab's INBOX, $runs runs each, IMAPS on localhost:$LAB_IMAPS_PORT, local state on tmpfs"

now_ns() { date +%s%N; }
run_maildoctor() {
  d="$tmp/md"; rm -rf "$d"
  printf '%s\n' "$password" | "$bin" --data-dir "$d" account add bench --provider custom --email "$user" \
    --auth password --password-stdin --imap "localhost:$LAB_IMAPS_PORT" --ca-file "$LAB_CA_FILE" >/dev/null
  t0=$(now_ns)
  "$bin" --data-dir "$d" sync bench --json >"$tmp/md.json"
  t1=$(now_ns)
  got=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).downloaded)' "$tmp/md.json")
  [ "$got" = "$messages" ] || { echo "maildoctor downloaded $got, not $messages"; exit 1; }
  echo $(( (t1 - t0) / 1000000 ))
}
run_mbsync() {
  d="$tmp/mbs"; rm -rf "$d"; mkdir -p "$d/mail"
  cat >"$d/config" <<CFG
IMAPAccount lab
Host localhost
Port $LAB_IMAPS_PORT
User $user
Pass $password
SSLType IMAPS
CertificateFile $LAB_CA_FILE

IMAPStore lab-remote
Account lab

MaildirStore lab-local
Path $d/mail/
Inbox $d/mail/INBOX

Channel lab
Far :lab-remote:INBOX
Near :lab-local:INBOX
Create Near
Sync Pull
SyncState *
CFG
  t0=$(now_ns)
  mbsync -q -c "$d/config" lab
  t1=$(now_ns)
  got=$(ls "$d/mail/INBOX/new" "$d/mail/INBOX/cur" 2>/dev/null | grep -c '^[0-9]') || true
  [ "$got" = "$messages" ] || { echo "mbsync downloaded $got, not $messages"; exit 1; }
  echo $(( (t1 - t0) / 1000000 ))
}

: >"$tmp/md.ms"; : >"$tmp/mbs.ms"
run_maildoctor >/dev/null; run_mbsync >/dev/null  # warm-up: page cache, Dovecot's index
i=1
while [ $i -le "$runs" ]; do
  a=$(run_maildoctor); b=$(run_mbsync)
  echo "$a" >>"$tmp/md.ms"; echo "$b" >>"$tmp/mbs.ms"
  printf '  run %d: maildoctor %5d ms   mbsync %5d ms\n' "$i" "$a" "$b"
  i=$((i + 1))
done
median() { sort -n "$1" | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
m=$(median "$tmp/md.ms"); s=$(median "$tmp/mbs.ms")
awk -v m="$m" -v s="$s" -v n="$messages" 'BEGIN{
  printf "median: maildoctor %.2f s (%d messages/s), mbsync %.2f s (%d messages/s)\n", m/1000, n/(m/1000), s/1000, n/(s/1000)
  printf "ratio maildoctor/mbsync: %.2f (below 1: maildoctor is faster)\n", m/s }'
