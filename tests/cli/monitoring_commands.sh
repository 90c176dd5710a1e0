#!/bin/sh
# metrics, check --nagios and serve through the real binary, without the lab: a password account on
# a closed port (tcp.refused) gives a red check. Checks the exposition with `promtool check metrics`
# (when installed), the textfile's atomic write and 0644 mode, the Nagios status line's format and
# exit codes (2 CRITICAL, 3 UNKNOWN for bad ranges, flags and accounts), the loopback rule of serve,
# and that SIGTERM and SIGINT stop serve within a bound. Bounded waits only.
# usage: monitoring_commands.sh MAILDOCTOR
set -eu
bin=$1
work=$(mktemp -d)
data="$work/data"
serve_pid=""
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
. "$(dirname "$0")/../lib.sh"
# The Monitoring Plugins guidelines' shape: "MAILDOCTOR STATE - text" then optional " | 'l'=v[uom];w;c;min;max ...".
nagios_line_ok() {
  [ "$(wc -l <"$1")" -eq 1 ] || return 1
  grep -Eq "^MAILDOCTOR $2 - [^|]+( \| ('[^'=]+'=-?[0-9.]+(s|B|c|%)?(;[^; ]*){0,4} ?)+)?$" "$1"
}
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

printf 'pw-not-shown-123\n' | md account add desk --provider custom --email desk@example.test --auth password \
  --password-stdin --imap "127.0.0.1:$closed_port" --security none --timeout 2 >/dev/null

step "metrics before any check: build info and the account, promtool-clean"
run 0 m0 md metrics
grep -q '^maildoctor_account_info{account="desk",provider="custom",protocol="imap",auth="password"} 1$' "$work/m0.out" \
  || fail "no account_info line"
if command -v promtool >/dev/null; then promtool check metrics <"$work/m0.out" || fail "promtool check metrics (m0)"; fi

step "check --nagios on a closed port: CRITICAL, exit 2, one line with perfdata"
run 2 crit md check desk --nagios
nagios_line_ok "$work/crit.out" CRITICAL || fail "not a plugin status line"
grep -q 'imap.tcp: .*\[tcp.refused\]' "$work/crit.out" || fail "the reason does not name imap.tcp and tcp.refused"
grep -q "'failed_steps'=1;;;0;" "$work/crit.out" || fail "no failed_steps perfdata"
[ ! -s "$work/crit.err" ] || fail "stderr is not empty"
cat "$work/crit.out"

step "metrics after it: the failed step and its code as labels; the textfile"
run 0 m1 md metrics
grep -q '^maildoctor_check_success{account="desk",provider="custom",protocol="imap",step="imap.tcp",code="tcp.refused"} 0$' \
  "$work/m1.out" || fail "no failed check_success line"
if command -v promtool >/dev/null; then promtool check metrics <"$work/m1.out" || fail "promtool check metrics (m1)"; fi
mkdir "$work/textfile"
run 0 tf md metrics --textfile "$work/textfile/maildoctor.prom"
[ ! -s "$work/tf.out" ] || fail "--textfile wrote to stdout"
[ "$(stat -c %a "$work/textfile/maildoctor.prom")" = 644 ] || fail "the textfile is not 0644"
[ "$(ls -A "$work/textfile")" = maildoctor.prom ] || fail "a temp file was left behind"
grep -q 'code="tcp.refused"' "$work/textfile/maildoctor.prom" || fail "the textfile lacks the check"
run 1 tf-bad md metrics --textfile "$work/no-such-dir/x.prom"
grep -q 'report.write_failed' "$work/tf-bad.err" || fail "no failure code for an unwritable textfile"
grep -rq 'pw-not-shown-123' "$work/m1.out" "$work/textfile" "$work/crit.out" && fail "the password is in the output"

step "check --nagios: UNKNOWN (3) for bad ranges, unknown flags and accounts, --json with --nagios"
for r in 'abc' '20:10' '' '1:2:3'; do
  run 3 bad md check desk --nagios --warn-token-expiry "$r"
  nagios_line_ok "$work/bad.out" UNKNOWN || fail "bad range '$r': not an UNKNOWN status line"
done
grep -q 'start 20 is above end 10' "$work/bad.out" 2>/dev/null || true
run 3 bad md check desk --nagios --crit-token-expiry 20:10
grep -q 'start 20 is above end 10' "$work/bad.out" || fail "the range error does not say why"
run 3 nobody md check nobody --nagios
nagios_line_ok "$work/nobody.out" UNKNOWN || fail "unknown account: not UNKNOWN"
run 3 flag md check desk --nagios --bogus
nagios_line_ok "$work/flag.out" UNKNOWN || fail "unknown flag: not UNKNOWN"
run 3 json md check desk --nagios --json
run 2 nonagios md check desk --warn-token-expiry 10:
run 2 ok-ranges md check desk --nagios --warn-token-expiry 600: --crit-token-expiry @~:120
nagios_line_ok "$work/ok-ranges.out" CRITICAL || fail "valid ranges refused"

step "serve refuses a non-loopback address without --allow-remote, and a bad one"
run 2 remote md serve --metrics 0.0.0.0:9860
grep -q -- '--allow-remote' "$work/remote.err" || fail "the refusal does not name --allow-remote"
run 2 badaddr md serve --metrics 127.0.0.1:99999
run 2 badmin md serve --check-every x
run 2 lonely md serve --allow-remote

for sig in TERM INT; do
  step "serve --metrics 127.0.0.1:0 answers /metrics; SIG$sig stops it within 15 s"
  : >"$work/serve.out"  # now: the job empties it only once it runs, and the last round's URL is there
  "$bin" --data-dir "$data" serve --metrics 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
  serve_pid=$!
  wait_for "$work/serve.out" '/metrics'
  url=$(sed -n 's/^maildoctor: metrics on \(http:[^ ]*\)$/\1/p' "$work/serve.out")
  [ -n "$url" ] || fail "serve did not say where"
  curl -fsS --max-time 5 "$url" >"$work/scrape.out" || fail "GET $url"
  grep -q '^maildoctor_check_success{account="desk"' "$work/scrape.out" || fail "the scrape lacks the account"
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${url%/metrics}/nope")" = 404 ] || fail "not 404"
  kill -s "$sig" "$serve_pid"
  i=0; while kill -0 "$serve_pid" 2>/dev/null; do i=$((i+1)); [ $i -le 150 ] || fail "serve still running 15 s after SIG$sig"; sleep 0.1; done
  set +e; wait "$serve_pid"; rc=$?; set -e
  serve_pid=""
  [ "$rc" -eq 0 ] || fail "serve exit $rc after SIG$sig"
  grep -q 'maildoctor: stopped' "$work/serve.out" || fail "serve did not say it stopped"
  curl -s --max-time 2 "$url" >/dev/null && fail "still answering after SIG$sig"
done
echo "PASS"
