#!/bin/sh
# A real Nagios Core 4 (Debian's nagios4-core) runs `maildoctor check NAME --nagios` against the lab's
# servers: a green password account is OK (0), a wrong password is CRITICAL (2) naming imap.auth and
# auth.bad_credentials, an OAuth account with a threshold above its token's life is WARNING (1). The
# states, plugin output and performance data are read back from Nagios' own status.dat. Nagios runs
# in the foreground from a temporary config (1 s interval length), as the nagios user when root;
# every wait polls with a bound. Skips (77) when nagios4 is not installed.
# usage: nagios_test.sh MAILDOCTOR LAB_ENV
set -eu
bin=$(realpath "$1")
set -a; . "$2"; set +a
command -v nagios4 >/dev/null || { echo "SKIP: nagios4 is not installed (Debian package nagios4-core; scripts/bootstrap.sh)"; exit 77; }
work=$(mktemp -d)
chmod 755 "$work"
data="$work/data"
nagios_pid=""
cleanup() { [ -n "$nagios_pid" ] && kill "$nagios_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
. "$(dirname "$0")/../lib.sh"
FAIL_SHOW="$work/status.dat"
# The Monitoring Plugins guidelines' shape: "MAILDOCTOR STATE - text" then optional " | 'l'=v[uom];w;c;min;max ...".
nagios_line_ok() {
  [ "$(wc -l <"$1")" -eq 1 ] || return 1
  grep -Eq "^MAILDOCTOR $2 - [^|]+( \| ('[^'=]+'=-?[0-9.]+(s|B|c|%)?(;[^; ]*){0,4} ?)+)?$" "$1"
}

step "three accounts against the lab: green, wrong password, OAuth"
printf '%s\n' "$LAB_PASSWORD" | md account add green --provider custom --email "$LAB_USER" --auth password \
  --password-stdin --imap "localhost:$LAB_IMAPS_PORT" --ca-file "$LAB_CA_FILE" --timeout 5 >/dev/null
printf 'not-the-password\n' | md account add red --provider custom --email "$LAB_USER" --auth password \
  --password-stdin --imap "localhost:$LAB_IMAPS_PORT" --ca-file "$LAB_CA_FILE" --timeout 5 >/dev/null
md account add oauth --provider custom --email "$LAB_USER" --imap "localhost:$LAB_IMAPS_PORT" \
  --issuer "$LAB_ISSUER" --client-id "$LAB_CLIENT_ID" --scope "$LAB_MAIL_SCOPE" --scope openid --scope email \
  --scope offline_access --ca-file "$LAB_CA_FILE" --timeout 10 >/dev/null
run 0 auth md auth oauth --browser "$LAB_BROWSER" --consent-timeout 60

step "the plugin by hand: exit codes and the guidelines' line format"
run 0 green md check green --nagios
nagios_line_ok "$work/green.out" OK || fail "green: not an OK status line"
run 2 red md check red --nagios
nagios_line_ok "$work/red.out" CRITICAL || fail "red: not a CRITICAL status line"
grep -q 'imap.auth: .*\[auth.bad_credentials\]' "$work/red.out" || fail "red: the reason lacks the step and code"
run 1 warn md check oauth --nagios --warn-token-expiry 999999: --crit-token-expiry 60:
nagios_line_ok "$work/warn.out" WARNING || fail "oauth: not a WARNING status line"
grep -q "'token_seconds_left'=[0-9]*s;999999:;60:;0" "$work/warn.out" || fail "oauth: no token perfdata with thresholds"
run 3 unknown md check oauth --nagios --warn-token-expiry 10:5
cat "$work/green.out" "$work/red.out" "$work/warn.out" "$work/unknown.out"
grep -q "$LAB_PASSWORD" "$work"/*.out && fail "the password is in the plugin output"

step "Nagios Core 4 runs the three checks"
user=$(id -un) group=$(id -gn)
if [ "$(id -u)" -eq 0 ]; then user=nagios group=nagios; fi
mkdir "$work/checkresults"
cat >"$work/nagios.cfg" <<CFG
log_file=$work/nagios.log
cfg_file=$work/objects.cfg
object_cache_file=$work/objects.cache
precached_object_file=$work/objects.precache
status_file=$work/status.dat
status_update_interval=1
nagios_user=$user
nagios_group=$group
check_external_commands=0
command_file=$work/nagios.cmd
lock_file=$work/nagios.lock
temp_file=$work/nagios.tmp
temp_path=$work
check_result_path=$work/checkresults
state_retention_file=$work/retention.dat
retain_state_information=0
use_retained_program_state=0
interval_length=1
enable_notifications=0
enable_event_handlers=0
enable_flap_detection=0
max_service_check_spread=1
max_host_check_spread=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
check_for_updates=0
illegal_macro_output_chars=\`~\$&|'"<>
CFG
{
  cat <<'OBJ'
define timeperiod {
  timeperiod_name always
  alias always
  sunday 00:00-24:00
  monday 00:00-24:00
  tuesday 00:00-24:00
  wednesday 00:00-24:00
  thursday 00:00-24:00
  friday 00:00-24:00
  saturday 00:00-24:00
}
define command {
  command_name host_up
  command_line /bin/true
}
define contact {
  contact_name nobody
  host_notifications_enabled 0
  service_notifications_enabled 0
  host_notification_period always
  service_notification_period always
  host_notification_options n
  service_notification_options n
  host_notification_commands host_up
  service_notification_commands host_up
}
define host {
  host_name practice-pc
  address 127.0.0.1
  check_command host_up
  max_check_attempts 1
  check_period always
  contacts nobody
  notification_period always
}
OBJ
  for svc in "green:check green --nagios" "red:check red --nagios" \
             "oauth:check oauth --nagios --warn-token-expiry 999999: --crit-token-expiry 60:"; do
    name=${svc%%:*} args=${svc#*:}
    cat <<OBJ
define command {
  command_name maildoctor_$name
  command_line $bin --data-dir $data $args
}
define service {
  host_name practice-pc
  service_description MailDoctor $name
  check_command maildoctor_$name
  max_check_attempts 1
  check_interval 300
  retry_interval 300
  check_period always
  contacts nobody
  notification_period always
}
OBJ
  done
} >"$work/objects.cfg"
[ "$user" = nagios ] && chown -R nagios:nagios "$work"
nagios4 -v "$work/nagios.cfg" >"$work/verify.out" 2>&1 || fail "nagios4 -v refuses the config: $(grep -E 'Error' "$work/verify.out")"
nagios4 "$work/nagios.cfg" >"$work/nagios-run.out" 2>&1 &
nagios_pid=$!
# status.dat: one servicestatus block per service; wait until all three have been checked.
i=0
checked() { awk '/^servicestatus \{/{s=1} /^hoststatus \{/{s=0} s&&/^\thas_been_checked=1/{n++} END{print n+0}' "$work/status.dat" 2>/dev/null || echo 0; }
while [ "$(checked)" -lt 3 ]; do
  kill -0 "$nagios_pid" 2>/dev/null || fail "nagios4 exited"
  i=$((i+1)); [ $i -le 240 ] || fail "Nagios did not run the checks within 60 s"
  sleep 0.25
done
# service -> "state<TAB>output<TAB>perfdata" from status.dat
awk '/^servicestatus \{/{s=1; d=""; st=""; o=""; p=""} s&&/service_description=/{sub(/.*service_description=/,""); d=$0}
     s&&/^\tcurrent_state=/{sub(/.*=/,""); st=$0} s&&/^\tplugin_output=/{sub(/^\tplugin_output=/,""); o=$0}
     s&&/^\tperformance_data=/{sub(/^\tperformance_data=/,""); p=$0} s&&/^\t\}/{print d "\t" st "\t" o "\t" p; s=0}' \
  "$work/status.dat" >"$work/states.out"
cat "$work/states.out"
grep -q "^MailDoctor green	0	MAILDOCTOR OK - green: " "$work/states.out" || fail "Nagios: green is not OK"
grep -q "^MailDoctor red	2	MAILDOCTOR CRITICAL - red: imap.auth: " "$work/states.out" || fail "Nagios: red is not CRITICAL"
grep -q "^MailDoctor oauth	1	MAILDOCTOR WARNING - oauth: access token expires in " "$work/states.out" || fail "Nagios: oauth is not WARNING"
grep -q "'token_seconds_left'=[0-9]*s;999999:;60:;0" "$work/states.out" || fail "Nagios kept no token perfdata"
grep -E 'SERVICE ALERT' "$work/nagios.log" | sed 's/^\[[0-9]*\] //'
kill "$nagios_pid"; i=0; while kill -0 "$nagios_pid" 2>/dev/null; do i=$((i+1)); [ $i -le 100 ] || fail "nagios4 still running"; sleep 0.1; done
nagios_pid=""
echo "PASS"
