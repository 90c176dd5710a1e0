#!/bin/sh
# Starts maildoctor's window (through maildoctor-harness, which adds the screenshot) under Xvfb with
# a fresh data dir, waits for the first frame plus a second, saves a screenshot and checks it is not
# blank; also checks imgui.ini lands in the data dir.
# usage: screenshot_test.sh HARNESS PNG_CHECK OUT.png
set -eu
bin=$1 check=$2 out=$3
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
cd "$data"   # imgui.ini must not appear in the working directory
rm -f "$out"
# timeout bounds a window that never draws; --capture makes the window close by itself after the shot.
timeout 60 xvfb-run -a -s "-screen 0 1280x800x24" \
  "$bin" --data-dir "$data/home" --capture "$out" --capture-after 1.5 --report-first-frame
[ -s "$out" ] || { echo "no screenshot written"; exit 1; }
"$check" "$out" 1000 600
[ -f "$data/home/imgui.ini" ] || { echo "imgui.ini is not in the data dir"; exit 1; }
[ ! -e "$data/imgui.ini" ] || { echo "imgui.ini was written to the working directory"; exit 1; }
[ -f "$data/home/maildoctor.db" ] || { echo "the database was not created in the data dir"; exit 1; }
echo "screenshot: $out"
