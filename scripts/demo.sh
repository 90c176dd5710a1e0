#!/bin/sh
# scripts/demo.sh [BINARY [WINDOW OPTIONS...]]: MailDoctor against real servers without a mail account of one's own.
# Starts the tests/lab servers on 127.0.0.1 (Dovecot needs root), seeds a mailbox, and opens the
# window on a fresh demo data dir with two accounts: "demo" (everything green: checks, token-free
# password sign-in, a synced mailbox) and "broken" (its server's certificate expired: a red cross to
# open). The admin "admin" (password "demo-admin-pw") can reset the counter. Closing the window
# stops the servers. `make demo` runs it.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-build/app/maildoctor}")
[ $# -gt 0 ] && shift
export LAB_PORT_BASE=${LAB_PORT_BASE:-17800}
lab=/tmp/maildoctor-demo-lab
data=$(mktemp -d /tmp/maildoctor-demo.XXXXXX)
cleanup() { "$here/tests/lab/lab.sh" stop "$lab" >/dev/null 2>&1 || true; rm -rf "$data"; }
trap cleanup EXIT INT TERM
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (the lab's Dovecot and its seeding need it): sudo make demo"; exit 2; }

echo "demo: starting the lab servers on 127.0.0.1 (port base $LAB_PORT_BASE)..."
"$here/tests/lab/lab.sh" stop "$lab" >/dev/null 2>&1 || true
"$here/tests/lab/lab.sh" start "$lab" >/dev/null
set -a; . "$lab/lab.env"; set +a
home=$(doveadm -c "$LAB_DOVECOT_CONF" user -f home "$LAB_SYNC_USER")
rm -rf "$home/Maildir"
"$here/tests/lab/seed.sh" "$LAB_SYNC_USER" 200 "$lab" >/dev/null

md() { "$bin" --data-dir "$data" "$@"; }
printf '%s\n' "$LAB_SYNC_PASSWORD" | md account add demo --provider custom --email "$LAB_SYNC_USER" --auth password \
  --password-stdin --imap "localhost:$LAB_IMAPS_PORT" --pop3 "localhost:$LAB_POP3S_PORT" \
  --smtp "localhost:$LAB_SUBMISSION_PORT" --smtp-security starttls --ca-file "$LAB_CA_FILE" --timeout 5 >/dev/null
printf '%s\n' "$LAB_SYNC_PASSWORD" | md account add broken --provider custom --email "$LAB_SYNC_USER" --auth password \
  --password-stdin --imap "localhost:$LAB_EXPIRED_TLS_PORT" --ca-file "$LAB_CA_FILE" --timeout 5 >/dev/null
printf 'demo-admin-pw\n' | md admin add admin --password-stdin >/dev/null
echo "demo: checking both accounts and syncing 'demo'..."
md check demo >/dev/null || true
md check broken >/dev/null || true
md sync demo >/dev/null || true
echo "demo: opening the window (data dir $data); close it to stop the servers."
"$bin" --data-dir "$data" "$@"
