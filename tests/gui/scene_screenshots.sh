#!/bin/sh
# tests/gui/scene_screenshots.sh HARNESS PNG_CHECK OUTDIR [SCENE...]: photographs staged window
# states (tests/harness/scenes.h) in the real window (maildoctor-harness --scene) under Xvfb, one PNG per scene, each checked not to
# be blank. No account, network or browser is involved. `make screenshots` refreshes
# docs/screenshots/ with it.
set -eu
bin=$1 check=$2 out=$3
shift 3
scenes=${*:-setup-provider setup-details setup-custom-password setup-authenticate setup-device-code setup-signed-in setup-wrong-account checks-green checks-report-saved checks-failed checks-running quick-test token-countdown token-reauth-modal reauth-other-account edit-settings edit-remove-admin interface-scale-150 token-dead-no-admin token-consent token-expired log-100k log-filtered empty store-error sync-idle sync-progress reset-sign-in reset-confirm reset-confirm-signed-in reset-wrong-password reset-done admin-first-run admin-sign-in}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
mkdir -p "$out"
for scene in $scenes; do
  rm -f "$out/$scene.png"
  timeout 60 xvfb-run -a -s "-screen 0 1280x800x24" \
    "$bin" --data-dir "$data/home" --scene "$scene" --capture "$out/$scene.png" --capture-after 1.2
  [ -s "$out/$scene.png" ] || { echo "no screenshot for $scene"; exit 1; }
  "$check" "$out/$scene.png" 1000 600
  echo "screenshot: $out/$scene.png"
done
