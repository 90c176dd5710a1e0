# What the shell tests share, sourced after the test has set `bin` (maildoctor), `work` (its temp
# folder) and `data` (the data dir): one definition of each helper instead of one per script.
#
#   md ARGS...                    maildoctor on the test's data dir
#   fail MESSAGE                  says what failed, shows the end of every $work/*.out, *.err and
#                                 *.log (and of the files in $FAIL_SHOW), and exits 1
#   step TEXT                     a heading in the test's output
#   run RC NAME CMD...            CMD's output into $work/NAME.out and NAME.err; its exit must be RC
#   run_in RC NAME INPUT CMD...   the same with INPUT (printf %b) on standard input
#   js NAME EXPRESSION            a value of the JSON document in $work/NAME.out (JavaScript, the
#                                 document is d; s(id) is a step of a `check --json` report)
#   js_file FILE EXPRESSION       the same for any file
#   want NAME EXPRESSION VALUE    js's value must be VALUE
#   code_in NAME CODE             NAME.err names the failure code [CODE]
#   wait_for FILE PATTERN [TENTHS]  bounded wait (default 10 s) until grep finds PATTERN in FILE
#   start_proxy NAME LISTEN TARGET [fault_proxy options]
#                                 tests/tools/fault_proxy.py from port LISTEN to TARGET, its output
#                                 in $work/NAME.log; returns once it listens; its pid is $proxy_pid

# Tests never touch the desktop keyring of the person running them: the key file only, unless a
# test starts a session bus and keyring of its own (tests/integration/keyring_test.sh).
export MAILDOCTOR_KEY_STORE="${MAILDOCTOR_KEY_STORE:-file}"

md() { "$bin" --data-dir "$data" "$@"; }

fail() {
  echo "FAIL: $*"
  for f in "$work"/*.out "$work"/*.err "$work"/*.log ${FAIL_SHOW:-}; do
    [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
  done
  exit 1
}

step() { echo "== $*"; }

run() {
  want=$1 name=$2
  shift 2
  set +e
  "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
  set -e
  [ "$rc" -eq "$want" ] || fail "$name: exit $rc, wanted $want"
}

run_in() {
  want=$1 name=$2 input=$3
  shift 3
  set +e
  printf '%b' "$input" | "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
  set -e
  [ "$rc" -eq "$want" ] || fail "$name: exit $rc, wanted $want"
}

js_file() {
  node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
const s=id=>(d.steps||[]).find(x=>x.id===id)||{};
const v=eval(process.argv[2]);
console.log(typeof v==="object"?JSON.stringify(v):String(v))' "$1" "$2"
}
js() { js_file "$work/$1.out" "$2"; }

want() {
  got=$(js "$1" "$2")
  [ "$got" = "$3" ] || fail "$1: $2 is $got, wanted $3"
}

code_in() { grep -q "\[$2\]" "$work/$1.err" || fail "$1: stderr does not name [$2]"; }

wait_for() {
  i=0
  until grep -q -- "$2" "$1" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le "${3:-100}" ] || fail "timed out waiting for '$2' in $1"
    sleep 0.1
  done
}

start_proxy() {
  name=$1 listen=$2 target=$3
  shift 3
  # Emptied here, before the proxy starts: the background job's own redirection empties the file
  # only once it runs, and until then a previous proxy's "ready" would pass the wait below.
  : >"$work/$name.log"
  python3 "$(dirname "$0")/../tools/fault_proxy.py" "$listen" "$target" "$@" >"$work/$name.log" 2>&1 &
  proxy_pid=$!
  wait_for "$work/$name.log" ready
}
