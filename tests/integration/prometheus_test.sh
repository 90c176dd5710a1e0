#!/bin/sh
# The real Prometheus (Debian's package) against `maildoctor serve --metrics` and the lab's servers,
# all on 127.0.0.1: an OAuth account signed in through the lab's browser and checked green, a password
# account checked red. serve's watcher refreshes the short-lived token on its own; Prometheus scrapes
# every second, its HTTP API answers the token's seconds left and the checks' results, and after the
# lab revokes the sign-in the example rule MailDoctorSignInRefused fires. Prometheus runs with a
# temporary storage dir on a free loopback port; every wait polls with a bound.
# usage: prometheus_test.sh MAILDOCTOR LAB_ENV
set -eu
bin=$1
set -a; . "$2"; set +a
here=$(cd "$(dirname "$0")" && pwd)
rules="$here/../../docs/examples/maildoctor-alerts.yml"
command -v prometheus >/dev/null || { echo "FAIL: prometheus is not installed (Debian package prometheus; scripts/bootstrap.sh)"; exit 1; }
work=$(mktemp -d)
data="$work/data"
serve_pid="" prom_pid=""
cleanup() {
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  curl -fsS -X POST "$LAB_ADMIN_URL/ttl?access_token=${LAB_ACCESS_TOKEN_TTL:-3600}" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
. "$(dirname "$0")/../lib.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_field() { node -e 'const d=JSON.parse(require("fs").readFileSync(0,"utf8")); const v=process.argv[1].split(".").reduce((o,k)=>o==null?o:o[k], d); console.log(typeof v==="object"?JSON.stringify(v):String(v))' "$1"; }
# query PROMQL: the API's result array as JSON ([] while nothing matches).
query() { curl -fsS --max-time 5 -G "$prom/api/v1/query" --data-urlencode "query=$1" | json_field data.result; }
# until_query SECONDS PROMQL NODE_PREDICATE_ON_r: polls the API until the predicate holds; prints the result.
until_query() {
  limit=$(( $1 * 4 )) i=0
  while :; do
    r=$(query "$2" 2>/dev/null || echo '[]')
    if node -e 'const r=JSON.parse(process.argv[1]); process.exit(('"$3"')?0:1)' "$r"; then echo "$r"; return 0; fi
    i=$((i+1)); [ $i -le "$limit" ] || fail "Prometheus never answered $2 as wanted ($3); last: $r"
    sleep 0.25
  done
}

step "an OAuth account signed in through the lab's browser, with 120 s access tokens"
curl -fsS -X POST "$LAB_ADMIN_URL/ttl?access_token=120" >/dev/null || fail "lab ttl"
md account add alice --provider custom --email "$LAB_USER" --imap "localhost:$LAB_IMAPS_PORT" \
  --issuer "$LAB_ISSUER" --client-id "$LAB_CLIENT_ID" --scope "$LAB_MAIL_SCOPE" --scope openid --scope email \
  --scope offline_access --ca-file "$LAB_CA_FILE" --timeout 10 >/dev/null
run 0 auth md auth alice --browser "$LAB_BROWSER" --consent-timeout 60
run 0 check-alice md check alice --json
run 0 token0 md token alice --json
before=$(json_field last_refresh_at <"$work/token0.out")  # the check may have refreshed it (120 s < its margin)

step "a password account whose check fails (wrong password)"
printf 'not-the-password\n' | md account add broken --provider custom --email "$LAB_USER" --auth password \
  --password-stdin --imap "localhost:$LAB_IMAPS_PORT" --ca-file "$LAB_CA_FILE" --timeout 5 >/dev/null
run 1 check-broken md check broken --json

step "serve --metrics on a free loopback port; its watcher refreshes the 120 s token by itself"
"$bin" --data-dir "$data" serve --metrics 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
wait_for "$work/serve.out" '/metrics'
target=$(sed -n 's|^maildoctor: metrics on http://\([^/]*\)/metrics$|\1|p' "$work/serve.out")
[ -n "$target" ] || fail "serve did not say where it listens"
i=0
while :; do
  md token alice --json >"$work/token1.out" 2>"$work/token1.err" || true
  now_at=$(json_field last_refresh_at <"$work/token1.out")
  [ "$now_at" != null ] && [ "$now_at" != "$before" ] && break
  i=$((i+1)); [ $i -le 375 ] || fail "serve's watcher did not refresh the token within 75 s (it sweeps every 60 s)"
  sleep 0.2
done
echo "watcher refreshed the token at $(json_field last_refresh_at <"$work/token1.out")"
curl -fsS --max-time 5 "http://$target/metrics" >"$work/scrape.out" || fail "scrape"
promtool check metrics <"$work/scrape.out" || fail "promtool check metrics finds fault with the scrape"
echo "--- scrape excerpt"
grep -E '^maildoctor_(access_token_remaining_seconds|token_refreshable|check_success|check_last_run_timestamp_seconds|mailbox_resets_total)\{' \
  "$work/scrape.out" || fail "the scrape lacks the account metrics"

step "Prometheus (temporary storage, 127.0.0.1, free port) scrapes it every second"
pport=$(free_port)
prom="http://127.0.0.1:$pport"
cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $rules
scrape_configs:
  - job_name: maildoctor
    static_configs:
      - targets: ['$target']
YML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$pport" --log.level=warn >"$work/prometheus.log" 2>&1 &
prom_pid=$!
i=0; until curl -fsS --max-time 2 "$prom/-/ready" >/dev/null 2>&1; do
  kill -0 "$prom_pid" 2>/dev/null || fail "prometheus exited"
  i=$((i+1)); [ $i -le 120 ] || fail "prometheus not ready within 30 s"; sleep 0.25
done
prometheus --version 2>&1 | head -1

step "the API answers the token's seconds left and the checks' results"
r=$(until_query 30 'maildoctor_access_token_remaining_seconds{account="alice"}' 'r.length===1 && +r[0].value[1]>0 && +r[0].value[1]<=120')
echo "query maildoctor_access_token_remaining_seconds{account=\"alice\"} -> $r"
r=$(until_query 30 'maildoctor_check_success{account="alice"}' 'r.length===1 && r[0].value[1]==="1"')
echo "query maildoctor_check_success{account=\"alice\"} -> $r"
r=$(until_query 30 'maildoctor_check_success{account="broken"}' 'r.length===1 && r[0].value[1]==="0" && r[0].metric.code==="auth.bad_credentials" && r[0].metric.step==="imap.auth"')
echo "query maildoctor_check_success{account=\"broken\"} -> $r"
r=$(until_query 30 'maildoctor_token_refreshable{account="alice"}' 'r.length===1 && r[0].value[1]==="1"')
alerts=$(curl -fsS --max-time 5 "$prom/api/v1/alerts" | json_field data.alerts)
node -e 'const a=JSON.parse(process.argv[1]); process.exit(a.some(x=>x.labels.alertname==="MailDoctorSignInRefused")?1:0)' "$alerts" \
  || fail "MailDoctorSignInRefused fires before the revocation: $alerts"

step "the lab revokes the sign-in; the next refresh is refused; MailDoctorSignInRefused fires"
curl -fsS -X POST "$LAB_ADMIN_URL/revoke-all?email=$LAB_USER" >/dev/null || fail "lab revoke-all"
# The watcher's sweep (every 60 s, these tokens always being inside its margin) or this command,
# whichever comes first, meets the refusal; both record it.
md token alice --refresh --json >"$work/revoked.out" 2>"$work/revoked.err" || true
i=0
while :; do
  md token alice --json >"$work/token2.out" 2>"$work/token2.err" || true
  [ "$(json_field last_error.code <"$work/token2.out")" = oauth.invalid_grant ] && break
  i=$((i+1)); [ $i -le 300 ] || fail "the refusal was not recorded within 60 s"
  sleep 0.2
done
i=0
while :; do
  alerts=$(curl -fsS --max-time 5 "$prom/api/v1/alerts" | json_field data.alerts)
  if node -e 'const a=JSON.parse(process.argv[1]); process.exit(a.some(x=>x.labels.alertname==="MailDoctorSignInRefused"&&x.labels.account==="alice"&&x.state==="firing")?0:1)' "$alerts"; then break; fi
  i=$((i+1)); [ $i -le 120 ] || fail "MailDoctorSignInRefused did not fire within 30 s: $alerts"
  sleep 0.25
done
echo "fired: $(node -e 'const a=JSON.parse(process.argv[1]).find(x=>x.labels.alertname==="MailDoctorSignInRefused"); console.log(JSON.stringify({labels:a.labels,state:a.state,activeAt:a.activeAt,value:a.value,summary:a.annotations.summary}))' "$alerts")"
r=$(until_query 10 'maildoctor_token_refresh_error{account="alice"}' 'r.length===1 && r[0].value[1]==="1" && r[0].metric.code==="oauth.invalid_grant"')
echo "query maildoctor_token_refresh_error{account=\"alice\"} -> $r"

step "SIGTERM stops serve within 15 s, exit 0"
kill -TERM "$serve_pid"
i=0; while kill -0 "$serve_pid" 2>/dev/null; do i=$((i+1)); [ $i -le 150 ] || fail "serve still running 15 s after SIGTERM"; sleep 0.1; done
set +e; wait "$serve_pid"; rc=$?; set -e
serve_pid=""
[ "$rc" -eq 0 ] || fail "serve exit $rc"
kill "$prom_pid"; i=0; while kill -0 "$prom_pid" 2>/dev/null; do i=$((i+1)); [ $i -le 150 ] || fail "prometheus still running"; sleep 0.1; done
prom_pid=""
echo "PASS"
