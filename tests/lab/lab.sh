#!/usr/bin/env bash
# MailDoctor's test lab: real servers on 127.0.0.1 for the integration tests.
#   lab.sh start [DIR]    generate certificates and configs in DIR, start every server, wait until
#                         each accepts connections, then write DIR/lab.env
#   lab.sh stop [DIR]     stop what start started (only that); safe to run twice
#   lab.sh status [DIR]   show each server and port
# DIR defaults to ${LAB_DIR:-/tmp/maildoctor-lab}. Ports are LAB_PORT_BASE (default 17100) + offsets.
# Run as root (Dovecot starts as root and drops to the lab's mail user). See README.md.
set -euo pipefail

LAB_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CMD="${1:-}"
DIR="$(realpath -m "${2:-${LAB_DIR:-/tmp/maildoctor-lab}}")"
BASE="${LAB_PORT_BASE:-17100}"
ACCESS_TTL="${LAB_ACCESS_TOKEN_TTL:-3600}"
START_TIMEOUT="${LAB_START_TIMEOUT:-30}"
FAIL_DELAY="${LAB_AUTH_FAILURE_DELAY:-0}"
MAIL_USER="maildoctor-lab"
MARKER=".maildoctor-lab"
SERVICES=(oidc sink fakes dovecot)   # start order; stop goes in reverse

# Ports: fixed offsets from BASE.
P_OIDC=$((BASE + 0))
P_IMAPS=$((BASE + 1))
P_IMAP=$((BASE + 2))
P_POP3S=$((BASE + 3))
P_POP3=$((BASE + 4))
P_SUBMISSION=$((BASE + 5))
P_SUBMISSIONS=$((BASE + 6))
P_SINK=$((BASE + 7))
P_EXPIRED=$((BASE + 8))
P_MISMATCH=$((BASE + 9))
P_UNTRUSTED=$((BASE + 10))
P_NOTYETVALID=$((BASE + 11))
P_SILENT=$((BASE + 12))
P_NOSTARTTLS=$((BASE + 13))
P_CLOSED=$((BASE + 14))   # never bound by the lab: connections are refused

die() { echo "lab.sh: $*" >&2; exit 1; }
say() { echo "lab.sh: $*" >&2; }

# ---- process bookkeeping: DIR/pids/NAME.pid holds "PID STARTTIME" (STARTTIME guards against reuse)
proc_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }

recorded_pid() {   # prints the pid if the recorded process is still the one we started
  local f="$DIR/pids/$1.pid" pid st
  [ -f "$f" ] || return 1
  read -r pid st <"$f" || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(proc_starttime "$pid")" = "$st" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1   # a zombie is not running
  echo "$pid"
}

group_alive() { pgrep -g "$1" >/dev/null 2>&1; }

wait_group_gone() {   # bounded poll until process group $1 is empty
  local pgid=$1 tenths=$2 i
  for ((i = 0; i < tenths; i++)); do
    group_alive "$pgid" || return 0
    sleep 0.1
  done
  ! group_alive "$pgid"
}

# Members of process group $1 that are ours: a dead leader's group can only hold its own children
# (Linux does not reuse an id while its group exists); the name check guards against the rest.
ours_in_group() {
  local p cmd
  for p in $(pgrep -g "$1" 2>/dev/null); do
    cmd="$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null || true)"
    case "$cmd" in *"$DIR"* | *dovecot-mdlab-* | *"$LAB_HOME"*) echo "$p" ;; esac
  done
}

stop_service() {
  local name=$1 f="$DIR/pids/$1.pid" pid="" st="" left
  [ -f "$f" ] || return 0
  read -r pid st <"$f" || true
  [[ "$pid" =~ ^[0-9]+$ ]] || { rm -f "$f"; return 0; }
  if [ "$(proc_starttime "$pid")" = "$st" ]; then
    # Each server runs in its own session and process group (setsid), led by the recorded pid.
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_group_gone "$pid" 100; then
      say "$name (pid $pid) did not stop within 10 s of SIGTERM; killing its process group"
      kill -KILL -- "-$pid" 2>/dev/null || true
      wait_group_gone "$pid" 50 || true
    fi
  fi
  # Stragglers whose leader is gone (a crashed or SIGKILLed Dovecot master leaves its children).
  left="$(ours_in_group "$pid")"
  if [ -n "$left" ]; then
    kill -KILL $left 2>/dev/null || true
    wait_group_gone "$pid" 50 || say "WARNING: processes of group $pid survive: $(pgrep -g "$pid" | tr '\n' ' ')"
  fi
  rm -f "$f"
}

launch() {   # launch NAME LOGFILE COMMAND...: own session and process group, output to DIR/logs/LOGFILE
  local name=$1 logfile=$2 pid
  shift 2
  trap - PIPE   # servers get the default SIGPIPE disposition, not the one start uses for itself
  setsid "$@" >"$DIR/logs/$logfile" 2>&1 </dev/null &
  pid=$!
  trap '' PIPE
  # The forked child calls setsid() a moment after fork: until then it is still in our group.
  # Wait (bounded) for it to lead its own group rather than reading the pgid once.
  local pgid tries=0
  while :; do
    pgid="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ' || true)"
    [ -n "$pgid" ] || die "$name exited at once; $DIR/logs/$logfile says: $(tail -n 20 "$DIR/logs/$logfile" 2>/dev/null)"
    [ "$pgid" = "$pid" ] && break
    tries=$((tries + 1))
    if [ "$tries" -ge 100 ]; then
      kill "$pid" 2>/dev/null || true
      die "could not start $name in its own process group (still in group $pgid after 5 s)"
    fi
    sleep 0.05
  done
  echo "$pid $(proc_starttime "$pid")" >"$DIR/pids/$name.pid"
}

running_services() {
  local n
  for n in "${SERVICES[@]}"; do
    recorded_pid "$n" >/dev/null && echo "$n"
  done
  return 0
}

# ---- generated files ------------------------------------------------------------------------
gen_certs() {
  local t="$DIR/tls"
  mkdir -p "$t/db/new"
  : >"$t/db/index.txt"
  echo 1000 >"$t/db/serial"
  cat >"$t/openssl.cnf" <<EOF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ca ]
default_ca = lab_ca
[ lab_ca ]
dir = $t/db
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = $t/ca.pem
private_key = $t/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ leaf_common ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
[ srv_good ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[ srv_mismatch ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong.example.test
[ srv_selfsigned ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
EOF
  local cnf="$t/openssl.cnf"
  openssl req -x509 -config "$cnf" -extensions v3_ca -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -subj "/O=MailDoctor Lab/CN=MailDoctor Lab Test CA" -keyout "$t/ca.key" -out "$t/ca.pem" 2>/dev/null
  # leaf NAME SUBJECT_CN EXTENSIONS openssl-ca-date-options...
  leaf() {
    local name=$1 cn=$2 ext=$3
    shift 3
    openssl req -new -config "$cnf" -newkey rsa:2048 -nodes -keyout "$t/$name.key" -out "$t/$name.csr" \
      -subj "/O=MailDoctor Lab/CN=$cn" 2>/dev/null
    openssl ca -batch -config "$cnf" -extensions "$ext" -notext -in "$t/$name.csr" -out "$t/$name.pem" "$@" 2>"$t/$name.err" \
      || die "openssl ca failed for $name: $(cat "$t/$name.err")"
  }
  leaf server localhost srv_good -days 825
  leaf expired localhost srv_good -startdate 20200101000000Z -enddate 20210101000000Z
  leaf notyetvalid localhost srv_good -startdate 20990101000000Z -enddate 21000101000000Z
  leaf mismatch wrong.example.test srv_mismatch -days 825
  openssl req -x509 -config "$cnf" -extensions srv_selfsigned -newkey rsa:2048 -nodes -sha256 -days 825 \
    -subj "/O=Not The Lab CA/CN=localhost" -keyout "$t/untrusted.key" -out "$t/untrusted.pem" 2>/dev/null
  rm -f "$t"/*.csr "$t"/*.err
  chmod 644 "$t"/*.pem
  chmod 600 "$t"/*.key
  cp "$t/ca.pem" "$DIR/ca.pem"
}

write_users() {   # Dovecot's passwd-file from oidc/users.js: the same users and passwords
  node --input-type=module -e "
    import { USERS } from '$LAB_HOME/oidc/users.js';
    for (const u of USERS) if (u.mailbox) console.log(u.email + ':{PLAIN}' + u.password + '::::::');
  " >"$DIR/users.passwd"
  chmod 644 "$DIR/users.passwd"
}

write_dovecot_conf() {
  local dh=""
  [ -f /usr/share/dovecot/dh.pem ] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
  local debug="no"
  [ "${LAB_DOVECOT_DEBUG:-0}" = 1 ] && debug="yes"
  cat >"$DIR/dovecot-oauth2.conf.ext" <<EOF
# Bearer tokens are checked by introspection at the lab's oidc-provider (see REAL-SERVERS.md).
introspection_mode = post
introspection_url = http://$INTROSPECT_CLIENT_ID:$INTROSPECT_CLIENT_SECRET@127.0.0.1:$P_OIDC/token/introspection
force_introspection = yes
active_attribute = active
active_value = true
username_attribute = email
username_format = %Lu
scope = $MAIL_SCOPE
openid_configuration_url = http://127.0.0.1:$P_OIDC/.well-known/openid-configuration
timeout_msecs = 10000
EOF
  cat >"$DIR/dovecot.conf" <<EOF
# Generated by tests/lab/lab.sh for the MailDoctor test lab. Self-contained: nothing from /etc/dovecot.
instance_name = mdlab-$BASE
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/logs/dovecot.log
protocols = imap pop3 submission
listen = 127.0.0.1
hostname = mail.lab.example.test
login_greeting = Dovecot MailDoctor lab ready.
postmaster_address = postmaster@example.test

ssl = yes
ssl_cert = <$DIR/tls/server.pem
ssl_key = <$DIR/tls/server.key
ssl_min_protocol = TLSv1.2
$dh

disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2 oauthbearer
auth_username_format = %Lu
auth_verbose = yes
auth_debug = $debug
auth_cache_size = 0
# Dovecot's default waits 2 s before every failed-login reply; tests would crawl.
auth_failure_delay = $FAIL_DELAY secs

passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $DIR/dovecot-oauth2.conf.ext
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%Lu $DIR/users.passwd
}
userdb {
  driver = passwd-file
  args = username_format=%Lu $DIR/users.passwd
  default_fields = uid=$MAIL_USER gid=$MAIL_USER home=$DIR/mail/%Ld/%Ln
}

first_valid_uid = 100
mail_location = maildir:~/Maildir
mail_fsync = never

protocol imap {
  mail_max_userip_connections = 200
}
protocol pop3 {
  mail_max_userip_connections = 200
}

submission_relay_host = 127.0.0.1
submission_relay_port = $P_SINK
submission_relay_ssl = no
submission_relay_trusted = no

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $P_IMAP
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $P_IMAPS
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $P_POP3
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $P_POP3S
    ssl = yes
  }
}
service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = $P_SUBMISSION
  }
  inet_listener submissions {
    address = 127.0.0.1
    port = $P_SUBMISSIONS
    ssl = yes
  }
}
# Every test connects from 127.0.0.1: without this, one failed login delays the next ones by up
# to 15 s (auth penalty), and suites stall at random.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
EOF
}

write_fakes_conf() {
  cat >"$DIR/fakes.json" <<EOF
{"tlsDir": "$DIR/tls", "imapPlainPort": $P_IMAP,
 "ports": {"expired": $P_EXPIRED, "mismatch": $P_MISMATCH, "untrusted": $P_UNTRUSTED,
           "notyetvalid": $P_NOTYETVALID, "silent": $P_SILENT, "nostarttls": $P_NOSTARTTLS}}
EOF
}

load_table() {   # users and clients from oidc/users.js into shell variables
  eval "$(node --input-type=module -e "
    import * as t from '$LAB_HOME/oidc/users.js';
    const mail = t.USERS.filter((u) => u.mailbox);
    const nomail = t.USERS.find((u) => !u.mailbox);
    const out = {
      USER1: mail[0].email, PASS1: mail[0].password, USER2: mail[1].email, PASS2: mail[1].password,
      USER3: nomail.email, PASS3: nomail.password, USER4: mail[2].email, PASS4: mail[2].password,
      PUBLIC_CLIENT_ID: t.PUBLIC_CLIENT_ID, SECRET_CLIENT_ID: t.SECRET_CLIENT_ID,
      SECRET_CLIENT_SECRET: t.SECRET_CLIENT_SECRET, INTROSPECT_CLIENT_ID: t.INTROSPECT_CLIENT_ID,
      INTROSPECT_CLIENT_SECRET: t.INTROSPECT_CLIENT_SECRET, MAIL_SCOPE: t.MAIL_SCOPE,
    };
    for (const [k, v] of Object.entries(out)) {
      if (!/^[A-Za-z0-9@._:\/-]+\$/.test(v)) throw new Error('unsafe value for ' + k);
      console.log(k + '=' + v);
    }
  ")"
}

write_env() {
  local iss="http://127.0.0.1:$P_OIDC" tmp="$DIR/.lab.env.tmp"
  cat >"$tmp" <<EOF
# MailDoctor test lab: written by lab.sh start. KEY=value lines, no quoting needed; sourceable.
LAB_DIR=$DIR
LAB_PORT_BASE=$BASE
LAB_HOST=127.0.0.1
LAB_TLS_HOST=localhost
LAB_ISSUER=$iss
LAB_DISCOVERY_URL=$iss/.well-known/openid-configuration
LAB_AUTHORIZE_URL=$iss/auth
LAB_TOKEN_URL=$iss/token
LAB_DEVICE_URL=$iss/device/auth
LAB_DEVICE_VERIFY_URL=$iss/device
LAB_REVOKE_URL=$iss/token/revocation
LAB_INTROSPECT_URL=$iss/token/introspection
LAB_USERINFO_URL=$iss/me
LAB_JWKS_URL=$iss/jwks
LAB_ADMIN_URL=$iss/lab
LAB_OIDC_PORT=$P_OIDC
LAB_CLIENT_ID=$PUBLIC_CLIENT_ID
LAB_SECRET_CLIENT_ID=$SECRET_CLIENT_ID
LAB_SECRET_CLIENT_SECRET=$SECRET_CLIENT_SECRET
LAB_INTROSPECT_CLIENT_ID=$INTROSPECT_CLIENT_ID
LAB_INTROSPECT_CLIENT_SECRET=$INTROSPECT_CLIENT_SECRET
LAB_REDIRECT_URI=http://127.0.0.1/callback
LAB_MAIL_SCOPE=$MAIL_SCOPE
LAB_SCOPE_LIST=openid,email,offline_access,$MAIL_SCOPE
LAB_ACCESS_TOKEN_TTL=$ACCESS_TTL
LAB_CA_FILE=$DIR/ca.pem
LAB_SERVER_CERT=$DIR/tls/server.pem
LAB_IMAPS_PORT=$P_IMAPS
LAB_IMAP_STARTTLS_PORT=$P_IMAP
LAB_POP3S_PORT=$P_POP3S
LAB_POP3_STARTTLS_PORT=$P_POP3
LAB_SUBMISSION_PORT=$P_SUBMISSION
LAB_SUBMISSIONS_PORT=$P_SUBMISSIONS
LAB_SINK_PORT=$P_SINK
LAB_SINK_DIR=$DIR/sink
LAB_EXPIRED_TLS_PORT=$P_EXPIRED
LAB_MISMATCH_TLS_PORT=$P_MISMATCH
LAB_UNTRUSTED_TLS_PORT=$P_UNTRUSTED
LAB_NOTYETVALID_TLS_PORT=$P_NOTYETVALID
LAB_SILENT_PORT=$P_SILENT
LAB_IMAP_NO_STARTTLS_PORT=$P_NOSTARTTLS
LAB_CLOSED_PORT=$P_CLOSED
LAB_USER=$USER1
LAB_PASSWORD=$PASS1
LAB_USER2=$USER2
LAB_PASSWORD2=$PASS2
LAB_USER_NO_MAILBOX=$USER3
LAB_PASSWORD_NO_MAILBOX=$PASS3
LAB_SYNC_USER=$USER4
LAB_SYNC_PASSWORD=$PASS4
LAB_DOVECOT_CONF=$DIR/dovecot.conf
LAB_MAIL_ROOT=$DIR/mail
LAB_LOG_DIR=$DIR/logs
LAB_BROWSER=$LAB_HOME/browser.js
LAB_DEVICE_HELPER=$LAB_HOME/device.js
LAB_SEED=$LAB_HOME/seed.sh
EOF
  mv "$tmp" "$DIR/lab.env"
}

# ---- commands ---------------------------------------------------------------------------------
preflight() {
  [ "$(id -u)" = 0 ] || die "run as root (Dovecot starts as root and drops to $MAIL_USER)"
  local c
  for c in node openssl dovecot doveadm setsid pgrep; do
    command -v "$c" >/dev/null || die "$c not found: run tests/lab/install.sh"
  done
  for c in oidc-provider smtp-server playwright-core; do
    [ -f "$LAB_HOME/node_modules/$c/package.json" ] || die "npm package $c missing: run tests/lab/install.sh (npm ci in tests/lab)"
  done
  [[ "$BASE" =~ ^[0-9]+$ ]] && [ "$BASE" -ge 1024 ] && [ "$BASE" -le 65500 ] || die "LAB_PORT_BASE must be 1024..65500"
  [[ "$FAIL_DELAY" =~ ^[0-9]+$ ]] || die "LAB_AUTH_FAILURE_DELAY must be a whole number of seconds"
  [[ "$ACCESS_TTL" =~ ^[0-9]+$ ]] && [ "$ACCESS_TTL" -ge 1 ] || die "LAB_ACCESS_TOKEN_TTL must be a positive number of seconds"
  if ! id -u "$MAIL_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$MAIL_USER" \
      || die "cannot create the system user $MAIL_USER"
  fi
}

prepare_dir() {   # a clean DIR; refuses to wipe a folder that is not a lab folder
  if [ -e "$DIR" ]; then
    [ -d "$DIR" ] || die "$DIR exists and is not a directory"
    if [ -n "$(ls -A "$DIR")" ] && [ ! -e "$DIR/$MARKER" ]; then
      die "$DIR is not empty and is not a lab folder; refusing to use it"
    fi
    find "$DIR" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  fi
  mkdir -p "$DIR"
  touch "$DIR/$MARKER"
  mkdir -p "$DIR"/{logs,pids,run,state,sink,mail}
  # Dovecot's unprivileged processes must reach files in DIR (mktemp -d makes it 0700).
  chmod 755 "$DIR"
  chown "$MAIL_USER:$MAIL_USER" "$DIR/mail"
  local d="$DIR"
  while [ "$d" != / ]; do
    d="$(dirname "$d")"
    runuser -u "$MAIL_USER" -- test -x "$d" 2>/dev/null || die "$d is not searchable by $MAIL_USER: choose a DIR under /tmp"
  done
}

start_failed() {
  local rc=$? n
  [ "$rc" = 0 ] && return 0
  set +e
  trap '' PIPE INT TERM   # finish the clean-up even if whoever reads our output went away
  say "start failed; stopping what was started (logs in $DIR/logs)"
  for n in dovecot fakes sink oidc; do stop_service "$n"; done
  exit "$rc"
}

cmd_start() {
  preflight
  local up
  up="$(running_services | tr '\n' ' ')"
  [ -z "$up" ] || die "lab already running in $DIR ($up): run 'lab.sh stop $DIR' first"
  local t0=$SECONDS
  node "$LAB_HOME/lib/ports.js" free oidc=$P_OIDC imaps=$P_IMAPS imap=$P_IMAP pop3s=$P_POP3S pop3=$P_POP3 \
    submission=$P_SUBMISSION submissions=$P_SUBMISSIONS sink=$P_SINK expired-tls=$P_EXPIRED \
    mismatch-tls=$P_MISMATCH untrusted-tls=$P_UNTRUSTED notyetvalid-tls=$P_NOTYETVALID silent=$P_SILENT \
    imap-no-starttls=$P_NOSTARTTLS closed=$P_CLOSED
  prepare_dir
  load_table
  gen_certs
  write_users
  write_dovecot_conf
  write_fakes_conf

  # From here on, a failure (die, or set -e) stops whatever was started. SIGPIPE is ignored so a
  # reader that goes away (lab.sh start | head) makes a write fail instead of killing us mid-way.
  trap '' PIPE
  trap start_failed EXIT
  launch oidc oidc.log env LAB_OIDC_PORT="$P_OIDC" LAB_ACCESS_TOKEN_TTL="$ACCESS_TTL" node "$LAB_HOME/oidc/server.js" "$DIR"
  launch sink sink.log node "$LAB_HOME/smtp-sink.js" "$P_SINK" "$DIR/sink"
  launch fakes fakes.log node "$LAB_HOME/fakes.js" "$DIR/fakes.json"
  launch dovecot dovecot-stderr.log dovecot -F -c "$DIR/dovecot.conf"

  local pids n
  pids="$(for n in "${SERVICES[@]}"; do echo "$n:$(awk '{print $1}' "$DIR/pids/$n.pid")"; done | paste -sd, -)"
  if ! node "$LAB_HOME/lib/ports.js" wait "$START_TIMEOUT" "$pids" oidc=$P_OIDC imaps=$P_IMAPS imap=$P_IMAP \
      pop3s=$P_POP3S pop3=$P_POP3 submission=$P_SUBMISSION submissions=$P_SUBMISSIONS sink=$P_SINK \
      expired-tls=$P_EXPIRED mismatch-tls=$P_MISMATCH untrusted-tls=$P_UNTRUSTED notyetvalid-tls=$P_NOTYETVALID \
      silent=$P_SILENT imap-no-starttls=$P_NOSTARTTLS; then
    for n in oidc.log sink.log fakes.log dovecot-stderr.log dovecot.log; do
      echo "--- $DIR/logs/$n (tail)" >&2
      tail -n 15 "$DIR/logs/$n" >&2 2>/dev/null || true
    done
    exit 1
  fi
  node "$LAB_HOME/lib/ports.js" refused "$P_CLOSED"
  trap - EXIT
  write_env
  say "lab up in $((SECONDS - t0)) s: $DIR/lab.env (issuer http://127.0.0.1:$P_OIDC, IMAPS $P_IMAPS)"
}

cmd_stop() {
  [ -d "$DIR" ] || { say "nothing to stop in $DIR"; return 0; }
  [ -e "$DIR/$MARKER" ] || { say "$DIR is not a lab folder; nothing to stop"; return 0; }
  local i
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    stop_service "${SERVICES[$i]}"
  done
  rm -f "$DIR/lab.env"
  say "lab stopped ($DIR; logs kept in $DIR/logs)"
}

cmd_status() {
  local n pid up=0
  for n in "${SERVICES[@]}"; do
    if pid="$(recorded_pid "$n")"; then
      printf '%-8s running  pid %s\n' "$n" "$pid"
      up=$((up + 1))
    else
      printf '%-8s stopped\n' "$n"
    fi
  done
  if [ -f "$DIR/lab.env" ]; then
    echo "env: $DIR/lab.env"
    grep -E '_PORT=|^LAB_ISSUER=' "$DIR/lab.env" | sed 's/^/  /'
  fi
  [ "$up" = "${#SERVICES[@]}" ] && return 0
  [ "$up" = 0 ] && return 3
  return 1
}

case "$CMD" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: lab.sh start|stop|status [DIR]   (DIR default \${LAB_DIR:-/tmp/maildoctor-lab})" >&2; exit 2 ;;
esac
