#!/bin/sh
# core/mail's clients against real servers: starts a lab of its own (its own port base and folder,
# stopped at the end whatever happens), seeds alice's INBOX, gets a real access token through the
# lab's OAuth server and headless Chromium, then runs the driver (mail_clients_test.cpp).
# usage: mail_clients_test.sh DRIVER LAB_DIR PORT_BASE [MESSAGES]
set -eu
driver=$1 dir=$2 base=$3 messages=${4:-5000}
lab="$(cd "$(dirname "$0")/../lab" && pwd)"

stop_lab() {
  "$lab/lab.sh" stop "$dir" >/dev/null 2>&1 || true
  # The seeded mail (35 MiB) goes; the logs stay for a post-mortem. Only in a lab folder.
  if [ -f "$dir/.maildoctor-lab" ]; then rm -rf "$dir/mail" "$dir/sink"; fi
}
trap stop_lab EXIT
trap 'exit 130' INT TERM
stop_lab   # what an interrupted earlier run left behind

LAB_PORT_BASE=$base LAB_START_TIMEOUT=60 "$lab/lab.sh" start "$dir"
"$lab/seed.sh" alice@example.test "$messages" "$dir"

token_json=$(node "$lab/lib/authcode.js" "$dir/lab.env" --timeout 60)
token=$(printf '%s' "$token_json" | node -e '
  const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (d.token_status !== 200 || !d.token || !d.token.access_token) { console.error("no token:", d.error || d.token_status); process.exit(1); }
  process.stdout.write(d.token.access_token);')

home=$(doveadm -c "$dir/dovecot.conf" user -f home alice@example.test)
MAIL_LAB_ENV="$dir/lab.env" MAIL_LAB_TOKEN="$token" MAIL_LAB_SEEDED="$messages" MAIL_LAB_MAILDIR="$home/Maildir" \
  "$driver"
