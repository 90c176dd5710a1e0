#!/bin/sh
# bench/gui_idle.sh [HARNESS] [SECONDS] [HARNESS OPTIONS...]: opens the real window (maildoctor's
# loop, through maildoctor-harness --report-first-frame) on a private Xvfb display and prints the
# time to first frame and the window's CPU use while idle (user+system time over wall time).
# Options after SECONDS go to the harness, e.g. --scene token-countdown.
# A benchmark, not a test: it prints figures and asserts nothing.
set -eu
bin=${1:-build/tests/harness/maildoctor-harness}
seconds=${2:-10}
[ $# -gt 2 ] && shift 2 || set --
work=$(mktemp -d)
xvfb_pid= app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# -displayfd hands back a free display number once the server is ready: no guessing, no sleep.
exec 3>"$work/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
i=0
while [ ! -s "$work/display" ]; do
  i=$((i + 1)); [ $i -le 200 ] || { echo "Xvfb did not start"; exit 1; }
  sleep 0.05
done
export DISPLAY=":$(cat "$work/display")"

start_ns=$(date +%s%N)
"$bin" --data-dir "$work/home" --report-first-frame "$@" >"$work/out" 2>"$work/err" &
app_pid=$!
i=0
while ! grep -q first_frame_ms "$work/out" 2>/dev/null; do
  i=$((i + 1)); [ $i -le 600 ] || { echo "no first frame in 30 s"; cat "$work/err"; exit 1; }
  kill -0 "$app_pid" 2>/dev/null || { echo "the window exited"; cat "$work/err"; exit 1; }
  sleep 0.05
done
seen_ns=$(date +%s%N)
inner=$(sed -n 's/^first_frame_ms=//p' "$work/out")

# Let start-up work (database open, font upload) finish before measuring idleness.
sleep 1
ticks() { awk '{print $14 + $15}' "/proc/$app_pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks); w0=$(date +%s%N)
sleep "$seconds"
t1=$(ticks); w1=$(date +%s%N)

awk -v inner="$inner" -v outer_ms="$(( (seen_ns - start_ns) / 1000000 ))" \
    -v dt="$((t1 - t0))" -v hz="$hz" -v wall_ns="$((w1 - w0))" 'BEGIN {
  cpu = dt / hz; wall = wall_ns / 1e9;
  printf "time to first frame: %.1f ms inside the process, %d ms from exec (Xvfb, Mesa llvmpipe)\n", inner, outer_ms;
  printf "idle CPU over %.1f s: %.2f s of CPU = %.2f %% of one core\n", wall, cpu, 100 * cpu / wall;
}'
