#!/bin/sh
# The test harness stays out of the product (issue 15): the shipped maildoctor refuses the
# harness's options as unknown, carries none of its strings (the harness binary, which must carry
# them, shows the search works), and an install of this build (the rules CPack packages) puts
# maildoctor alone in bin/ and nothing of the harness anywhere.
# usage: product_test.sh MAILDOCTOR HARNESS BUILD_DIR
set -eu
bin=$1 harness=$2 build=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for option in --capture --capture-after --report-first-frame --scene --drive; do
  set +e
  "$bin" --data-dir "$work/home" "$option" 1 >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "maildoctor $option exited $rc, wanted the usage error 2"
  grep -q "unknown option $option" "$work/err" || fail "maildoctor $option: $(cat "$work/err")"
  [ ! -s "$work/out" ] || fail "maildoctor $option wrote to stdout: $(cat "$work/out")"
done
"$bin" --help >"$work/help"
for word in capture report-first-frame scene drive harness; do
  ! grep -qi -- "$word" "$work/help" || fail "maildoctor --help mentions '$word'"
done

# Strings only the harness has: its options, its output, a scene's name, a driver step.
for s in --capture-after --report-first-frame first_frame_ms 'drive: captured' token-reauth-modal \
  reset-wrong-password reauth-prompt sign-in-url; do
  grep -qaF -- "$s" "$harness" || fail "the harness lacks '$s': this search would find nothing"
  ! grep -qaF -- "$s" "$bin" || fail "maildoctor carries the harness's '$s'"
done
# The environment variables that used to stage and drive the product's window (the harness takes
# options instead).
for s in MAILDOCTOR_SCENE MAILDOCTOR_DRIVE; do
  ! grep -qaF -- "$s" "$bin" "$harness" || fail "'$s' is still read"
done

cmake --install "$build" --prefix "$work/root" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "install"; }
ls "$work/root/bin" >"$work/bin-list"
[ "$(cat "$work/bin-list")" = maildoctor ] || fail "bin/ holds more than maildoctor: $(tr '\n' ' ' <"$work/bin-list")"
! find "$work/root" | grep -iE 'harness|scene|drive|png_check|bench' || fail "the install carries the files above"
echo "ok: maildoctor carries no harness; the install holds maildoctor alone in bin/"
