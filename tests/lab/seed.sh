#!/usr/bin/env bash
# Seeds a lab user's INBOX: seed.sh USER N [DIR]
# Writes N realistic messages (average ~7 KB; a tenth with a base64 attachment; unique Message-IDs)
# straight into the user's Maildir/cur, then makes Dovecot index them (doveadm force-resync).
# DIR defaults to ${LAB_DIR:-/tmp/maildoctor-lab}; the lab must be running. Run as root.
set -euo pipefail
LAB_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
USER_ARG="${1:-}"
N="${2:-}"
DIR="$(realpath -m "${3:-${LAB_DIR:-/tmp/maildoctor-lab}}")"
MAIL_USER="maildoctor-lab"
[ -n "$USER_ARG" ] && [[ "$N" =~ ^[0-9]+$ ]] || { echo "usage: seed.sh USER N [DIR]" >&2; exit 2; }
CONF="$DIR/dovecot.conf"
[ -f "$CONF" ] || { echo "seed.sh: no lab in $DIR (run lab.sh start)" >&2; exit 1; }

home="$(doveadm -c "$CONF" user -f home "$USER_ARG" 2>/dev/null)" || true
[ -n "$home" ] || { echo "seed.sh: Dovecot knows no user $USER_ARG" >&2; exit 1; }
t0=$(date +%s.%N)
# The domain folder too: created by root here it would stop Dovecot (running as $MAIL_USER) from
# creating the other users' homes in it later.
install -d -o "$MAIL_USER" -g "$MAIL_USER" -m 755 "$(dirname "$home")"
install -d -o "$MAIL_USER" -g "$MAIL_USER" -m 700 "$home"
node "$LAB_HOME/lib/seed.js" "$home/Maildir" "$N" "$(id -u "$MAIL_USER")" "$(id -g "$MAIL_USER")" "$USER_ARG"
doveadm -c "$CONF" force-resync -u "$USER_ARG" INBOX
echo "seed.sh: $USER_ARG INBOX seeded with $N messages in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
