#!/usr/bin/env bash
# A second real IMAP server for the lab, not Dovecot: Cyrus IMAP 3.6 (Debian 12's cyrus-common, plus
# the imapd binary unpacked from the cyrus-imapd .deb by install.sh: cyrus-imapd conflicts with
# dovecot-imapd, both are "imap-server").
#   imap2.sh start DIR [LAB_ENV]   configure and start Cyrus in DIR, wait (bounded) until both ports
#                                  accept, create the user's INBOX, write DIR/imap2.env
#   imap2.sh stop DIR              stop what start started (only that); safe to run twice
#   imap2.sh status DIR            exit 0 running, 3 not running
#   imap2.sh seed DIR N            APPEND N realistic messages (tests/lab/lib/seed.js) to the user's
#                                  INBOX over IMAPS with Python's imaplib, keeping flags and dates
#   imap2.sh append DIR FOLDER     APPEND every file of FOLDER (e.g. a Maildir's cur/) the same way
#   imap2.sh uidvalidity DIR       print the INBOX's UIDVALIDITY (STATUS, as the user)
#   imap2.sh recreate DIR          the admin deletes and recreates the user's INBOX (empty, new
#                                  UIDVALIDITY); prints "OLD NEW"
# LAB_ENV (default ${LAB_DIR:-/tmp/maildoctor-lab}/lab.env) gives the lab's CA and server certificate,
# the sync user and password, and LAB_PORT_BASE. Ports: IMAP2_PORT_BASE (default LAB_PORT_BASE + 40)
# is implicit TLS, + 1 is STARTTLS. Everything listens on 127.0.0.1 only. Run as root (Cyrus's master
# starts as root and drops to the system user cyrus). Cyrus logs to syslog only; there is none here,
# so DIR/logs/master.log holds the master's stderr, and IMAP2_TELEMETRY=1 turns on Cyrus's per-user
# protocol telemetry (DIR/conf/log/USER/).
set -euo pipefail

LAB_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CMD="${1:-}"
[ -n "${2:-}" ] || { echo "usage: imap2.sh start|stop|status|seed|append|uidvalidity|recreate DIR [...]" >&2; exit 2; }
DIR="$(realpath -m "$2")"
MARKER=".maildoctor-imap2"
START_TIMEOUT="${IMAP2_START_TIMEOUT:-30}"
CYRUS_ROOT="${IMAP2_CYRUS_IMAPD_ROOT:-/usr/local/lib/maildoctor-lab/cyrus-imapd}"
IMAPD="$CYRUS_ROOT/usr/lib/cyrus/bin/imapd"
MASTER=/usr/sbin/cyrmaster
CYRUS_USER=cyrus
CYRUS_GROUP=mail
ADMIN=imap2admin

die() { echo "imap2.sh: $*" >&2; exit 1; }
say() { echo "imap2.sh: $*" >&2; }

# ---- process bookkeeping (as lab.sh): DIR/pids/cyrus.pid holds "PID STARTTIME"
proc_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }
recorded_pid() {
  local f="$DIR/pids/cyrus.pid" pid st
  [ -f "$f" ] || return 1
  read -r pid st <"$f" || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(proc_starttime "$pid")" = "$st" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  echo "$pid"
}
group_alive() { pgrep -g "$1" >/dev/null 2>&1; }
wait_group_gone() {
  local i
  for ((i = 0; i < $2; i++)); do group_alive "$1" || return 0; sleep 0.1; done
  ! group_alive "$1"
}

cmd_stop() {
  [ -d "$DIR" ] && [ -e "$DIR/$MARKER" ] || { say "no imap2 server in $DIR; nothing to stop"; return 0; }
  local f="$DIR/pids/cyrus.pid" pid="" st="" p left=""
  if [ -f "$f" ]; then
    read -r pid st <"$f" || true
    if [[ "$pid" =~ ^[0-9]+$ ]]; then
      if [ "$(proc_starttime "$pid")" = "$st" ]; then
        # The master is the leader of its own process group (setsid); SIGTERM makes it stop its children.
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_group_gone "$pid" 100; then
          say "cyrus master (pid $pid) did not stop within 10 s of SIGTERM; killing its process group"
          kill -KILL -- "-$pid" 2>/dev/null || true
          wait_group_gone "$pid" 50 || true
        fi
      fi
      # Children left by a dead master: only processes of that group that run from DIR's config.
      for p in $(pgrep -g "$pid" 2>/dev/null); do
        case "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null || true)" in *"$DIR"*) left="$left $p" ;; esac
      done
      if [ -n "$left" ]; then
        kill -KILL $left 2>/dev/null || true
        wait_group_gone "$pid" 50 || say "WARNING: processes of group $pid survive: $(pgrep -g "$pid" | tr '\n' ' ')"
      fi
    fi
    rm -f "$f"
  fi
  rm -f "$DIR/imap2.env"
  say "stopped ($DIR; logs kept in $DIR/logs)"
}

cmd_status() {
  local pid
  if pid="$(recorded_pid)"; then
    echo "cyrus running  pid $pid"
    [ -f "$DIR/imap2.env" ] && sed 's/^/  /' "$DIR/imap2.env" | grep -v PASSWORD
    return 0
  fi
  echo "cyrus stopped"
  return 3
}

load_env() {   # the running server's DIR/imap2.env
  [ -f "$DIR/imap2.env" ] || die "no running imap2 server in $DIR (imap2.sh start $DIR)"
  set -a
  # shellcheck disable=SC1091
  . "$DIR/imap2.env"
  set +a
}

# ---- IMAP from Python's imaplib (an independent client) ----------------------------------------
# py ACTION ARGS...: connects to IMAP2_PORT with the lab CA; ACTIONS below.
py() {
  python3 - "$@" <<'PY'
import imaplib, os, re, ssl, sys, time, email.utils
action, args = sys.argv[1], sys.argv[2:]
env = os.environ
def connect(user, password):
    ctx = ssl.create_default_context(cafile=env["IMAP2_CA_FILE"])
    last = None
    for _ in range(50):   # bounded: right after start the first imapd may still be forking
        try:
            c = imaplib.IMAP4_SSL("localhost", int(env["IMAP2_PORT"]), ssl_context=ctx, timeout=30)
            break
        except OSError as e:
            last = e; time.sleep(0.1)
    else:
        raise SystemExit(f"imap2.sh: cannot connect: {last}")
    c.login(user, password)
    return c
def admin():
    return connect(env["IMAP2_ADMIN"], env["IMAP2_ADMIN_PASSWORD"])
def user():
    return connect(env["IMAP2_USER"], env["IMAP2_PASSWORD"])
def user_mailbox():   # the admin's name for the user's INBOX (unixhierarchysep: yes, virtdomains)
    return '"user/' + env["IMAP2_USER"] + '"'
def check(r):
    typ, data = r
    if typ != "OK":
        raise SystemExit(f"imap2.sh: {action}: {typ} {data}")
    return data
def uidvalidity(c):
    data = check(c.status("INBOX", "(UIDVALIDITY)"))
    return re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1).decode()

if action == "greeting":          # prints the server's greeting line
    ctx = ssl.create_default_context(cafile=env["IMAP2_CA_FILE"])
    c = imaplib.IMAP4_SSL("localhost", int(env["IMAP2_PORT"]), ssl_context=ctx, timeout=30)
    print(c.welcome.decode())
    c.logout()
elif action == "create-inbox":
    c = admin()
    check(c.create(user_mailbox()))
    # The owner's rights are Cyrus's default on a new user mailbox ("lrswipkxtecdan").
    c.logout()
elif action == "uidvalidity":
    c = user(); print(uidvalidity(c)); c.logout()
elif action == "recreate":
    c = user(); old = uidvalidity(c); c.logout()
    c = admin()
    # delete_mode is "delayed" (default): the old mailbox moves to DELETED.*, the name is free again.
    check(c.setacl(user_mailbox(), env["IMAP2_ADMIN"], "lrswipkxtecdan"))
    check(c.delete(user_mailbox()))
    check(c.create(user_mailbox()))
    c.logout()
    c = user(); new = uidvalidity(c); c.logout()
    print(old, new)
elif action == "append":          # append DIR: every file of a Maildir's cur/, flags and date kept
    # MULTIAPPEND (RFC 3502) with LITERAL+ literals, 100 messages a command: Cyrus commits (and
    # fsyncs) once per APPEND command, so one message per APPEND costs ~60 ms each here.
    src = args[0]
    c = user()
    caps = c.capabilities
    if "MULTIAPPEND" not in caps or "LITERAL+" not in caps:
        raise SystemExit(f"imap2.sh: the server lacks MULTIAPPEND or LITERAL+: {caps}")
    names = sorted(os.listdir(src))
    for start in range(0, len(names), 100):
        parts = []
        for name in names[start:start + 100]:
            path = os.path.join(src, name)
            with open(path, "rb") as f:
                body = re.sub(rb"\r?\n", b"\r\n", f.read())
            flags = "(\\Seen)" if re.search(r":2,[A-Z]*S", name) else "()"
            when = imaplib.Time2Internaldate(os.stat(path).st_mtime)
            parts.append(f" {flags} {when} {{{len(body)}+}}\r\n".encode() + body)
        tag = f"MA{start}".encode()
        c.send(tag + b" APPEND INBOX" + b"".join(parts) + b"\r\n")
        while True:
            line = c.readline()
            if not line:
                raise SystemExit("imap2.sh: the server closed the connection during APPEND")
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise SystemExit(f"imap2.sh: APPEND: {line!r}")
                break
    c.logout()
    print(len(names))
else:
    raise SystemExit(f"imap2.sh: unknown python action {action}")
PY
}

cmd_seed() {
  local n="${3:-}" tmp t0
  [[ "$n" =~ ^[0-9]+$ ]] || die "usage: imap2.sh seed DIR N"
  load_env
  t0=$(date +%s.%N)
  tmp="$(mktemp -d)"
  # lib/seed.js writes the lab's realistic messages as a Maildir; each file is then APPENDed.
  node "$LAB_HOME/lib/seed.js" "$tmp/Maildir" "$n" "$(id -u)" "$(id -g)" "$IMAP2_USER" >/dev/null \
    || { rm -rf "$tmp"; die "seed.js failed"; }
  local got
  got="$(py append "$tmp/Maildir/cur")" || { rm -rf "$tmp"; die "APPEND failed"; }
  rm -rf "$tmp"
  [ "$got" = "$n" ] || die "appended $got messages, wanted $n"
  say "$IMAP2_USER INBOX: $n messages appended in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
}

# ---- start --------------------------------------------------------------------------------------
write_conf() {
  cat >"$DIR/imapd.conf" <<EOF
# Generated by tests/lab/imap2.sh: Cyrus IMAP for the MailDoctor lab. Cyrus's defaults, except:
# - every file lives in DIR (nothing from /etc/imapd.conf or /var/lib/cyrus):
configdirectory: $DIR/conf
partition-default: $DIR/spool
# - users are e-mail addresses (like at every provider): "dave@example.test" is user dave of domain
#   example.test, his INBOX the admin's "user/dave@example.test" (Cyrus's default hierarchy separator /).
virtdomains: userid
# - an admin, to create and delete the user's mailbox (a UIDVALIDITY change for the tests):
admins: $ADMIN
# - passwords from our own sasldb (saslpasswd2 -f), not /etc/sasldb2:
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $DIR/sasldb2
# - the lab's certificate (signed by the lab CA, names localhost and 127.0.0.1). TLS itself, the
#   mechanisms offered and "allowplaintext: no" (PLAIN/LOGIN only inside TLS) are Cyrus's defaults.
tls_server_cert: $DIR/tls/server.pem
tls_server_key: $DIR/tls/server.key
# - a fixed name: the SASL realm of a login without a domain (the admin's) and the greeting's host,
#   so neither depends on this machine's hostname.
servername: imap2.lab.example.test
EOF
  # The master's own file: which services run. (cyrus.conf has no defaults; this is the upstream
  # sample cut down to IMAP, bound to 127.0.0.1 on our ports.) The master does not hand its -C to
  # the processes it starts: without "-C" in each cmd they would use /etc/imapd.conf and /var/lib/cyrus.
  cat >"$DIR/cyrus.conf" <<EOF
# Generated by tests/lab/imap2.sh.
START {
  recover cmd="/usr/lib/cyrus/bin/ctl_cyrusdb -C $DIR/imapd.conf -r"
}
SERVICES {
  imap  cmd="$IMAPD -C $DIR/imapd.conf" listen="127.0.0.1:$P_STARTTLS" prefork=0
  imaps cmd="$IMAPD -C $DIR/imapd.conf -s" listen="127.0.0.1:$P_TLS" prefork=0
}
EVENTS {
  checkpoint cmd="/usr/lib/cyrus/bin/ctl_cyrusdb -C $DIR/imapd.conf -c" period=30
}
EOF
}

start_failed() {
  local rc=$?
  [ "$rc" = 0 ] && return 0
  set +e
  say "start failed; stopping what was started. master.log says:"
  tail -n 20 "$DIR/logs/master.log" >&2 2>/dev/null
  cmd_stop
  exit "$rc"
}

cmd_start() {
  local lab_env="${3:-${LAB_DIR:-/tmp/maildoctor-lab}/lab.env}" c
  [ "$(id -u)" = 0 ] || die "run as root (Cyrus's master starts as root and drops to $CYRUS_USER)"
  for c in "$MASTER" /usr/sbin/saslpasswd2 /usr/lib/cyrus/bin/ctl_cyrusdb; do
    [ -x "$c" ] || die "$c not found: run tests/lab/install.sh"
  done
  [ -x "$IMAPD" ] || die "$IMAPD not found: run tests/lab/install.sh (it unpacks cyrus-imapd there)"
  command -v python3 >/dev/null || die "python3 not found"
  id -u "$CYRUS_USER" >/dev/null 2>&1 || die "no system user $CYRUS_USER: run tests/lab/install.sh"
  [ -f "$lab_env" ] || die "no lab env file $lab_env (start the lab first: lab.sh start)"
  local LAB_PORT_BASE LAB_CA_FILE LAB_SERVER_CERT LAB_SYNC_USER LAB_SYNC_PASSWORD
  eval "$(grep -E '^(LAB_PORT_BASE|LAB_CA_FILE|LAB_SERVER_CERT|LAB_SYNC_USER|LAB_SYNC_PASSWORD)=[A-Za-z0-9@._:/-]*$' "$lab_env")"
  [ -n "${LAB_SERVER_CERT:-}" ] && [ -n "${LAB_SYNC_USER:-}" ] || die "$lab_env lacks LAB_SERVER_CERT or LAB_SYNC_USER"
  local key="${LAB_SERVER_CERT%.pem}.key"
  [ -f "$LAB_SERVER_CERT" ] && [ -f "$key" ] && [ -f "$LAB_CA_FILE" ] || die "the lab's certificate, key or CA is missing"
  local base="${IMAP2_PORT_BASE:-$((LAB_PORT_BASE + 40))}"
  [[ "$base" =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ "$base" -le 65534 ] || die "IMAP2_PORT_BASE must be 1024..65534"
  P_TLS=$base
  P_STARTTLS=$((base + 1))

  if recorded_pid >/dev/null; then die "already running in $DIR: run 'imap2.sh stop $DIR' first"; fi
  node "$LAB_HOME/lib/ports.js" free imap2-tls=$P_TLS imap2-starttls=$P_STARTTLS
  if [ -e "$DIR" ]; then
    [ -d "$DIR" ] || die "$DIR exists and is not a directory"
    if [ -n "$(ls -A "$DIR")" ] && [ ! -e "$DIR/$MARKER" ]; then die "$DIR is not empty and is not an imap2 folder; refusing to use it"; fi
    find "$DIR" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  fi
  mkdir -p "$DIR"/{logs,pids,tls,conf,spool}
  touch "$DIR/$MARKER"
  chmod 755 "$DIR"
  local d="$DIR"
  while [ "$d" != / ]; do
    d="$(dirname "$d")"
    runuser -u "$CYRUS_USER" -- test -x "$d" 2>/dev/null || die "$d is not searchable by $CYRUS_USER: choose a DIR under /tmp"
  done
  # Cyrus reads the key as its own user: a copy it owns (the lab's is root's, mode 600).
  cp "$LAB_SERVER_CERT" "$DIR/tls/server.pem"
  cp "$key" "$DIR/tls/server.key"
  cp "$LAB_CA_FILE" "$DIR/tls/ca.pem"
  chmod 644 "$DIR/tls/server.pem" "$DIR/tls/ca.pem"
  chmod 600 "$DIR/tls/server.key"
  write_conf

  local admin_pw
  admin_pw="imap2-admin-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s' "$LAB_SYNC_PASSWORD" | saslpasswd2 -p -c -f "$DIR/sasldb2" -u "${LAB_SYNC_USER#*@}" "${LAB_SYNC_USER%@*}"
  printf '%s' "$admin_pw" | saslpasswd2 -p -c -f "$DIR/sasldb2" -u imap2.lab.example.test "$ADMIN"
  chmod 640 "$DIR/sasldb2"
  chown -R "$CYRUS_USER:$CYRUS_GROUP" "$DIR/conf" "$DIR/spool" "$DIR/tls" "$DIR/sasldb2"

  trap start_failed EXIT
  # Foreground master (no -d), in its own session and process group; -D keeps its stderr (there is no
  # syslog here) going to master.log; -p: its pid file in DIR, not /run/cyrus-master.pid.
  [ "${IMAP2_TELEMETRY:-0}" = 1 ] && install -d -o "$CYRUS_USER" -g "$CYRUS_GROUP" "$DIR/conf/log/$LAB_SYNC_USER"
  setsid "$MASTER" -D -C "$DIR/imapd.conf" -M "$DIR/cyrus.conf" -p "$DIR/pids/master.pid" \
    >"$DIR/logs/master.log" 2>&1 </dev/null &
  local pid=$! pgid tries=0
  while :; do   # bounded wait until the child leads its own group (setsid runs just after fork)
    pgid="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ' || true)"
    [ -n "$pgid" ] || die "cyrus master exited at once"
    [ "$pgid" = "$pid" ] && break
    tries=$((tries + 1)); [ "$tries" -lt 100 ] || die "cyrus master is not in its own process group after 5 s"
    sleep 0.05
  done
  echo "$pid $(proc_starttime "$pid")" >"$DIR/pids/cyrus.pid"
  node "$LAB_HOME/lib/ports.js" wait "$START_TIMEOUT" "cyrus:$pid" imap2-tls=$P_TLS imap2-starttls=$P_STARTTLS

  local tmp="$DIR/.imap2.env.tmp"
  cat >"$tmp" <<EOF
# MailDoctor lab's second IMAP server: written by imap2.sh start. KEY=value, sourceable.
IMAP2_DIR=$DIR
IMAP2_HOST=localhost
IMAP2_PORT=$P_TLS
IMAP2_STARTTLS_PORT=$P_STARTTLS
IMAP2_USER=$LAB_SYNC_USER
IMAP2_PASSWORD=$LAB_SYNC_PASSWORD
IMAP2_ADMIN=$ADMIN
IMAP2_ADMIN_PASSWORD=$admin_pw
IMAP2_CA_FILE=$DIR/tls/ca.pem
IMAP2_CONF=$DIR/imapd.conf
EOF
  set -a; . "$tmp"; set +a
  py create-inbox
  # The real version, as the server announces it: "... Cyrus IMAP 3.6.1-Debian-3.6.1-4+deb12u5 server ready"
  local greeting ver
  greeting="$(py greeting)"
  ver="$(sed -n 's/.*Cyrus IMAP \([^ ]*\).*/\1/p' <<<"$greeting")"
  [ -n "$ver" ] || ver="$(cat "$CYRUS_ROOT/VERSION" 2>/dev/null || echo unknown)"
  echo "IMAP2_KIND=cyrus-$ver" >>"$tmp"
  mv "$tmp" "$DIR/imap2.env"
  trap - EXIT
  say "Cyrus $ver up: IMAPS 127.0.0.1:$P_TLS, STARTTLS 127.0.0.1:$P_STARTTLS ($DIR/imap2.env)"
}

case "$CMD" in
  start) cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  seed) cmd_seed "$@" ;;
  append)
    [ -d "${3:-}" ] || die "usage: imap2.sh append DIR FOLDER"
    load_env; py append "$3" >/dev/null ;;
  uidvalidity) load_env; py uidvalidity ;;
  recreate) load_env; py recreate ;;
  *) echo "usage: imap2.sh start|stop|status|seed|append|uidvalidity|recreate DIR [...]" >&2; exit 2 ;;
esac
