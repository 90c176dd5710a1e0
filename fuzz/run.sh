#!/bin/sh
# Runs every libFuzzer target of fuzz/ for SECONDS each, one after the other, and prints each one's
# executions per second and total executions. Usage: fuzz/run.sh SECONDS [BUILD_DIR]; with `build`
# instead of SECONDS it only configures and builds.
#
# Configures and builds the fuzz build (clang, -DMAILDOCTOR_FUZZ=ON, BUILD_DIR default build-fuzz)
# when needed. Each target starts from the seeds in tests/fuzz/corpus/<target>/ plus what earlier
# runs found, kept in BUILD_DIR/fuzz-corpus/<target>/ (the seed folders are never written).
# A crash, a hang or a memory blow-up of any target makes the exit status non-zero and prints the
# saved input's path (BUILD_DIR/fuzz-artifacts/<target>/); replay it with
#   BUILD_DIR/fuzz/fuzz_<target> <file>
set -eu

SECONDS_EACH=${1:?usage: fuzz/run.sh SECONDS|build [BUILD_DIR]}
case $SECONDS_EACH in
  build) ;;  # configure and build only (make test builds beside the sanitizer tests)
  *[!0-9]* | '') echo "run.sh: SECONDS must be a whole number, or 'build'" >&2; exit 2 ;;
esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${2:-$ROOT/build-fuzz}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
# The machine is shared with other builders: one compile at a time unless told otherwise.
JOBS=${FUZZ_JOBS:-1}

# A unity build (the sources of a target compiled in a few large batches): the core compiles in
# less than half the time, which make test's CI minutes need. The main build stays one file at a time.
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILDOCTOR_FUZZ=ON \
    -DMAILDOCTOR_BUILD_GUI=OFF -DMAILDOCTOR_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
fi
cmake --build "$BUILD" --target fuzz -j "$JOBS"
[ "$SECONDS_EACH" = build ] && exit 0

# The target names, from the list in fuzz/CMakeLists.txt.
TARGETS=$(sed -n '/^set(MAILDOCTOR_FUZZ_TARGETS/,/)/p' "$ROOT/fuzz/CMakeLists.txt" |
  sed '1s/^set(MAILDOCTOR_FUZZ_TARGETS//; s/)//' | tr -s ' \t' '\n' | sed '/^$/d')

# UBSan findings end the run like ASan's, with a stack; leaks are reported (LeakSanitizer).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

failed=0
summary=""
for t in $TARGETS; do
  corpus=$BUILD/fuzz-corpus/$t
  artifacts=$BUILD/fuzz-artifacts/$t
  log=$BUILD/fuzz-logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  [ -d "$ROOT/tests/fuzz/corpus/$t" ] && cp "$ROOT/tests/fuzz/corpus/$t"/* "$corpus"/
  echo "== $t: ${SECONDS_EACH} s"
  # -timeout: one input taking this long is a hang; -rss_limit_mb: bounded memory. The outer
  # timeout catches a target that stops responding altogether.
  status=0
  timeout -k 10 $((SECONDS_EACH + 120)) "$BUILD/fuzz/fuzz_$t" "$corpus" -max_total_time="$SECONDS_EACH" \
    -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
  line=$(printf '%-18s %10s exec/s %12s execs %6s MB peak' "$t" "${rate:-?}" "${execs:-?}" "${rss:-?}")
  if [ "$status" -ne 0 ]; then
    failed=1
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    grep -m 3 -E '^==[0-9]+==ERROR|runtime error|ALARM|out-of-memory|deadly signal|Timeout' "$log" || true
    line="$line  FAILED (exit $status): ${crash:-no input saved; see $log}"
  fi
  echo "$line"
  summary="$summary$line
"
done

echo
echo "== fuzz summary (${SECONDS_EACH} s per target; logs in $BUILD/fuzz-logs/)"
printf '%s' "$summary"
exit $failed
