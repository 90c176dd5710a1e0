#!/bin/sh
# bench/ui/run.sh [BUILD_DIR] [SECONDS]: the UI's figures in one go.
#  1. frame CPU time (NewFrame..Render, no GL) with every panel and 100,000 log lines, then the real
#     path (ProtoLog -> Workspace::frame() -> panels, lines arriving) and selecting a long log;
#  2. idle CPU of the real window under Xvfb (bench/gui_idle.sh), first with the data dir's own
#     state (nothing time-driven: the loop should not wake), then showing the token countdown
#     (one frame a second).
# A benchmark: it prints figures and asserts nothing.
set -eu
build=${1:-build}
seconds=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
"$build/bench/ui/maildoctor_bench_ui"
echo "idle window (empty data dir):"
"$here/../gui_idle.sh" "$build/tests/harness/maildoctor-harness" "$seconds"
echo "idle window showing the token countdown (--scene token-countdown):"
"$here/../gui_idle.sh" "$build/tests/harness/maildoctor-harness" "$seconds" --scene token-countdown
