#!/bin/sh
# `maildoctor serve` runs the window's schedule with no window, against the lab's Dovecot: with
# --check-every 1 --sync-every 1 a password account is checked a minute after the start, as the
# metrics show; its sync waits while another process holds the account's sync lock (the flock that
# `maildoctor sync` and the window take) and runs at the next interval once it is free (sync time,
# result, messages downloaded, the counter). Bounded waits only (~2 min).
# usage: serve_schedule_test.sh MAILDOCTOR LAB_ENV
set -eu
bin=$1
set -a; . "$2"; set +a
work=$(mktemp -d)
data="$work/data"
serve_pid=""
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
. "$(dirname "$0")/../lib.sh"

step "a password account on the lab's IMAPS with 25 new messages, never checked or synced"
"$LAB_SEED" "$LAB_USER2" 25 "$LAB_DIR" >/dev/null || fail "seeding $LAB_USER2"
printf '%s\n' "$LAB_PASSWORD2" | md account add desk --provider custom --email "$LAB_USER2" --auth password \
  --password-stdin --imap "localhost:$LAB_IMAPS_PORT" --ca-file "$LAB_CA_FILE" --timeout 10 >/dev/null

step "serve --check-every 1 --sync-every 1, while another process holds the account's sync lock"
# The lock `maildoctor sync` and the window take: flock on DATA/sync-NAME.lock (core/sync/sync_lock).
flock -n "$data/sync-desk.lock" sh -c "touch '$work/locked'; while [ ! -e '$work/release' ]; do sleep 0.1; done" &
locker=$!
i=0; until [ -e "$work/locked" ]; do i=$((i+1)); [ $i -le 50 ] || fail "could not take the lock"; sleep 0.1; done
started=$(date +%s)
"$bin" --data-dir "$data" serve --metrics 127.0.0.1:0 --check-every 1 --sync-every 1 >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
wait_for "$work/serve.out" '/metrics'
grep -q 'checks every 1 min, syncs every 1 min' "$work/serve.out" || fail "serve does not say its schedule"
url=$(sed -n 's/^maildoctor: metrics on \(http:[^ ]*\)$/\1/p' "$work/serve.out")
L='account="desk",provider="custom",protocol="imap"'
curl -fsS --max-time 5 "$url" >"$work/before.out" || fail "scrape"
grep -q "^maildoctor_check_success{$L" "$work/before.out" && fail "checked before the first interval"
# until SECONDS PATTERN: polls the metrics until a line matches.
until_metric() {
  i=0
  while :; do
    curl -fsS --max-time 5 "$url" >"$work/scrape.out" || fail "scrape"
    grep -q "$2" "$work/scrape.out" && return 0
    i=$((i+1)); [ $i -le $(($1 * 5)) ] || fail "no '$2' within $1 s"
    sleep 0.2
  done
}
until_metric 90 "^maildoctor_check_success{$L,step=\"\",code=\"\"} 1$"
echo "scheduled check seen $(( $(date +%s) - started )) s after the start"
# The sync was due in the same frame as the check: it meets the lock and says so in the log.
wait_for "$data/logs/desk.log" 'Scheduled sync failed: \[sync.busy\]' 300
curl -fsS --max-time 5 "$url" >"$work/scrape.out" || fail "scrape"
grep -q "^maildoctor_sync_success{$L" "$work/scrape.out" && fail "the watcher synced while another process held the sync lock"
echo "the scheduled sync found the lock held and did not download"
touch "$work/release"; wait "$locker" || true
until_metric 90 "^maildoctor_sync_success{$L,result=\"ok\"} 1$"
echo "scheduled sync seen $(( $(date +%s) - started )) s after the start, once the lock was free"
grep -E "^maildoctor_(check_success|check_last_run_timestamp_seconds|sync_success|sync_last_run_timestamp_seconds|sync_last_downloaded_messages|mailbox_uidvalidity|mailbox_last_uid|stored_messages|stored_bytes)\{" \
  "$work/scrape.out"
grep -q "^maildoctor_mailbox_uidvalidity{$L} [1-9]" "$work/scrape.out" || fail "no UIDVALIDITY after the sync"
n=$(sed -n "s/^maildoctor_sync_last_downloaded_messages{$L} //p" "$work/scrape.out")
[ -n "$n" ] && [ "$n" -ge 25 ] || fail "the sync downloaded '$n' messages, not at least the 25 seeded"
grep -q "^maildoctor_stored_messages{$L} $n$" "$work/scrape.out" || fail "stored messages differ from downloaded"
grep -q "^maildoctor_mailbox_last_uid{$L} [1-9]" "$work/scrape.out" || fail "the counter did not move"
promtool check metrics <"$work/scrape.out" || fail "promtool check metrics"

step "SIGINT stops serve within 15 s, exit 0"
kill -INT "$serve_pid"
i=0; while kill -0 "$serve_pid" 2>/dev/null; do i=$((i+1)); [ $i -le 150 ] || fail "serve still running 15 s after SIGINT"; sleep 0.1; done
set +e; wait "$serve_pid"; rc=$?; set -e
serve_pid=""
[ "$rc" -eq 0 ] || fail "serve exit $rc"
echo "PASS"
