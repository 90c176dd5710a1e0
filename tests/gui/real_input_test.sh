#!/bin/sh
# The window as a person uses it: the real binary on an Xvfb display of its own, driven only by X
# input events (xdotool: a press, frames, a release; typed text; Tab, Enter, Escape), against the
# lab's Dovecot. No scene, no driver script: what the staged tests could not catch (a click on the
# setup form's Password field aborted the window) is caught here. Every state is asserted with the
# command line's --json on the same data dir, and photographed (OUTDIR/input-*.png).
#   1. the first-admin dialog, by keyboard alone (focus on the name, Tab, Enter submits);
#   2. a password account on "Another provider" (click the Password field: the window must live);
#      a CA file that does not exist is refused before anything is saved, the right one saves it
#      and its checks run green against the lab;
#   3. Edit: the CA file changed to another PEM (saved), then to a missing file (refused, unchanged);
#   4. Change password: a wrong one makes the next check fail with auth.bad_credentials, the right
#      one makes it pass again;
#   5. a counter reset by an admin who just signed in (top right): the confirmation comes without
#      the password, and the audit says so (status --json last_reset.confirmed_with);
#   6. an OAuth account set up in the browser (the lab's headless Chromium signs in at the lab's
#      oidc-provider): Tab reaches the CA file under Advanced, the footer brings Authenticate and
#      then Save into view; saved signed in, its checks green;
#   7. its refresh token revoked at the provider while another account is selected: the window's
#      own token refresh is refused and the admin's re-authentication pop-up comes up;
#   8. Remove, confirmed: the account is gone.
# The coordinates are those of the 1280x800 window at 100 % (the layout is fixed for a given font).
# usage: real_input_test.sh MAILDOCTOR LAB_ENV OUTDIR
set -eu
bin=$1
set -a; . "$2"; set +a
out=$3
mkdir -p "$out"
work=$(mktemp -d)
app_pid= xvfb_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  # The lab's token lifetime back to its default for the tests after this one.
  curl -fsS -X POST "$LAB_ADMIN_URL/ttl?seconds=3600" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
data="$work/data"
md() { "$bin" --data-dir "$data" "$@"; }
fail() { echo "FAIL: $*"; scrot -o "$out/input-failed.png" 2>/dev/null && echo "   the screen: $out/input-failed.png"; [ -f "$work/app.log" ] && { echo "--- window's output"; tail -n 30 "$work/app.log"; }; exit 1; }
t0=$(date +%s)
step() { echo "== [$(($(date +%s) - t0)) s] $*"; }
js() { node -e 'const d=JSON.parse(require("fs").readFileSync(0,"utf8")); const v=eval(process.argv[1]); console.log(typeof v==="object"?JSON.stringify(v):String(v))' "$1"; }
# until TRIES 'shell condition': polls it every 0.2 s, at most TRIES times.
until_true() { n=$1; shift; i=0; while ! sh -c "$*" >/dev/null 2>&1; do i=$((i + 1)); [ $i -le "$n" ] || return 1; sleep 0.2; done; }
alive() { kill -0 "$app_pid" 2>/dev/null || fail "the window is gone (exit: $(wait "$app_pid"; echo $?)) after: $1"; }
shot() { scrot -o "$out/input-$1.png" && echo "   screenshot $out/input-$1.png"; }
# A person's click: move there, press, a few frames, release.
click() { xdotool mousemove "$1" "$2"; sleep 0.05; xdotool mousedown 1; sleep 0.12; xdotool mouseup 1; sleep 0.25; alive "click at $1,$2"; }
type_text() { xdotool type --delay 25 "$1"; alive "typing"; }
key() { xdotool key --delay 60 "$@"; sleep 0.15; alive "key $*"; }
# What the screen shows, for waiting on the window rather than on the clock (a slow build draws
# slowly), from a fresh screenshot: `pixel X Y` prints the colour of one pixel, "R G B";
# `selection X1 X2 Y` succeeds when a pixel of that row shows the blue of selected text.
screen() {
  scrot -o "$work/screen.ppm" >/dev/null 2>&1 || return 1
  python3 - "$work/screen.ppm" "$@" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
fields, pos = [], 0
while len(fields) < 4:  # P6, width, height, maxval; comments skipped
    while data[pos:pos + 1].isspace(): pos += 1
    if data[pos:pos + 1] == b"#":
        pos = data.index(b"\n", pos) + 1
        continue
    end = pos
    while not data[end:end + 1].isspace(): end += 1
    fields.append(data[pos:end]); pos = end
pos += 1
width = int(fields[1])
def rgb(x, y):
    i = pos + 3 * (y * width + x)
    return data[i], data[i + 1], data[i + 2]
if sys.argv[2] == "pixel":
    print(*rgb(int(sys.argv[3]), int(sys.argv[4])))
else:  # selection: ImGui's TextSelectedBg over the field; glyphs are grey, the field near white
    x1, x2, y = map(int, sys.argv[3:6])
    sys.exit(0 if any(b - r > 40 and b > 200 for r, g, b in (rgb(x, y) for x in range(x1, x2, 2))) else 1)
PY
}
pixel() { screen pixel "$1" "$2"; }
# replace_text X Y TEXT: the field clicked at X,Y has its text selected (Ctrl+A, again until the
# selection shows: ImGui ignores shortcuts in the frame that activates a field, which a loaded
# machine can make the same frame as the click), then TEXT typed over it.
replace_text() {
  tries=0
  while :; do
    key ctrl+a
    polls=0
    while [ $polls -lt 5 ]; do
      screen selection 356 $(($1 + 40)) "$2" && break 2
      polls=$((polls + 1)); sleep 0.2
    done
    tries=$((tries + 1)); [ $tries -le 10 ] || fail "the field at $1,$2 never showed its text selected"
  done
  type_text "$3"
}
# wait_for WHAT X Y: polls (bounded, 30 s) until the pixel is a button's blue ("button") or red
# ("red-button", the Remove of the removal dialog, a red cross), a tick's green ("green"), the
# window's own background ("no-dialog": no modal dims it) or dimmed ("dialog").
wait_for() {
  i=0
  while :; do
    set -- "$1" "$2" "$3" $(pixel "$2" "$3" || echo 0 0 0)
    case $1 in
      button) [ $(($6 - $4)) -gt 40 ] && return 0 ;;
      red-button) [ $(($4 - $6)) -gt 80 ] && return 0 ;;
      green) [ $(($5 - $4)) -gt 60 ] && return 0 ;;
      no-dialog) [ "$4" -ge 225 ] && [ "$5" -ge 225 ] && return 0 ;;
      dialog) [ "$4" -lt 215 ] && return 0 ;;
    esac
    i=$((i + 1)); [ $i -le 150 ] || fail "the window never showed: $1 at $2,$3 (pixel $4 $5 $6)"
    sleep 0.2
    set -- "$1" "$2" "$3"
  done
}

# An X display of our own; the window alone on it, at 0,0, no window manager.
for n in $(seq 90 140); do [ -e "/tmp/.X$n-lock" ] || { display=":$n"; break; }; done
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY="$display"
until_true 50 "xdotool getmouselocation" || fail "Xvfb did not start"
# The browser a sign-in opens is the lab's headless Chromium, which signs in as the lab user.
MAILDOCTOR_BROWSER="$LAB_BROWSER" "$bin" --data-dir "$data" >"$work/app.log" 2>&1 &
app_pid=$!
timeout 30 xdotool search --sync --name '^MailDoctor$' >/dev/null || fail "no MailDoctor window"
until_true 50 "test -f '$data/maildoctor.db'" || fail "the window did not open its data dir"
wait_for dialog 1200 700               # the first-admin dialog, which takes the keyboard
sleep 0.3

step "1. the first admin, by keyboard alone: typed into the focused name, Tab, Enter submits"
type_text root
key Tab
type_text 'Root-admin-pw-1'
key Tab
type_text 'Root-admin-pw-1'
key Return
until_true 100 "'$bin' --data-dir '$data' admin list --json | grep -q '\"root\"'" || fail "Enter did not create the admin"
wait_for no-dialog 1200 700
shot 1-first-admin

step "2. Another provider: the Password field takes a click and the typing (it aborted the window)"
click 880 182
wait_for button 700 417               # the form's Servers header: the details are there
click 480 252
type_text "$LAB_USER"
click 480 384
type_text "$LAB_PASSWORD"
click 480 450
type_text "localhost:$LAB_IMAPS_PORT"
key Tab Tab Tab Tab                    # POP3, SMTP, Timeout, then the CA file under Advanced
type_text "$work/no-such-ca.pem"
wait_for button 574 535               # the footer: "Go to 3. Save", the button below the fold
click 574 535
wait_for button 328 535               # the footer went: Save is in view
click 328 535                        # Save
wait_for red-button 312 394           # the failure, scrolled into view under Save
shot 2-ca-file-missing
# Refused before anything was written: the list stays empty while the window says why.
[ "$(md account list --json | js 'd.accounts.length')" = 0 ] || fail "an account with a missing CA file was saved"
click 480 301                        # Extra CA file
replace_text 480 301 "$LAB_CA_FILE"
click 328 371                        # Save
until_true 100 "'$bin' --data-dir '$data' account list --json | grep -q '\"alice\"'" || fail "Save did not save the account"
until_true 150 "'$bin' --data-dir '$data' status alice --json | grep -q '\"started_at\"'" || fail "its checks did not run"
[ "$(md status alice --json | js 'd.last_check.ok')" = true ] || fail "its checks are not green: $(md status alice --json)"
[ "$(md account show alice --json | js 'd.ca_file')" = "$LAB_CA_FILE" ] || fail "the CA file was not saved"
wait_for green 312 566                # the live strip's tick: the checks it ran
shot 2-saved-green
step "3. Edit: the CA file changed to another PEM is saved; one that does not exist is refused"
cp "$LAB_CA_FILE" "$work/ca-copy.pem"
wait_for button 147 182               # the selected account's Edit settings...
click 147 182
wait_for button 376 592               # the dialog's Save: the form arrived and laid itself out
xdotool mousemove 640 400
for _ in 1 2 3 4 5; do xdotool click 5; sleep 0.05; done  # the form scrolls to its end
sleep 0.3
click 527 559                        # Extra CA file (the dialog opens with everything shown)
replace_text 527 559 "$work/ca-copy.pem"
shot 3-edit
click 376 592                        # Save
until_true 100 "test \"\$('$bin' --data-dir '$data' account show alice --json | node -e 'let s=\"\";process.stdin.on(\"data\",c=>s+=c).on(\"end\",()=>console.log(JSON.parse(s).ca_file))')\" = '$work/ca-copy.pem'" ||
  fail "Edit did not save the new CA file: $(md account show alice --json | js 'd.ca_file')"
wait_for no-dialog 1200 700
click 147 182
wait_for button 376 592
xdotool mousemove 640 400
for _ in 1 2 3 4 5; do xdotool click 5; sleep 0.05; done
sleep 0.3
click 527 559
replace_text 527 559 "$work/no-such-ca.pem"
click 376 592
wait_for button 376 673               # Save moved down under the failure the dialog now shows
shot 3-edit-refused
[ "$(md account show alice --json | js 'd.ca_file')" = "$work/ca-copy.pem" ] || fail "a missing CA file replaced the saved one"
key Escape
wait_for no-dialog 1200 700

step "4. Change password: a wrong one makes the check fail (auth.bad_credentials), the right one pass"
click 147 215                        # Change password...
wait_for dialog 1200 700
sleep 0.3                            # its field takes the keyboard as the form arrives
shot 4-change-password
type_text 'not-the-password'
key Return
until_true 100 "'$bin' --data-dir '$data' check alice --only imap --json | grep -q auth.bad_credentials" ||
  fail "the wrong password was not saved: $(md check alice --only imap --json | head -c 400)"
wait_for no-dialog 1200 700
click 147 215
wait_for dialog 1200 700
sleep 0.3
type_text "$LAB_PASSWORD"
key Return
until_true 100 "'$bin' --data-dir '$data' check alice --only imap --json" || fail "the right password was not saved"
wait_for no-dialog 1200 700
shot 4-password

step "5. A counter reset by an admin who just signed in: straight to the confirmation, audited so"
click 1100 13                        # Admin: root
click 1090 44                        # Sign out
click 1100 13                        # Admin sign-in...
wait_for dialog 1200 700
sleep 0.3                            # the name is filled in; the password field takes the keyboard
type_text 'Root-admin-pw-1'
key Return
wait_for no-dialog 1200 700
click 554 59                         # the Sync tab
wait_for button 396 303               # Reset Mailbox Counter...
click 396 303
wait_for button 417 493               # the confirmation's Reset counter: no fields to fill
shot 5-reset-confirm-signed-in
click 417 493
until_true 100 "'$bin' --data-dir '$data' status alice --json | grep -q recent_sign_in" ||
  fail "the reset was not confirmed by the recent sign-in: $(md status alice --json | js 'd.last_reset')"
[ "$(md status alice --json | js 'd.last_reset.admin')" = root ] || fail "the reset is not root's"
shot 5-reset-done
key Escape
wait_for no-dialog 1200 700

step "6. An OAuth account in the browser: the footer brings Authenticate, then Save, into view"
# Access tokens of 90 s: the window's own refresh (5 minutes before expiry) runs at its next sweep.
curl -fsS -X POST "$LAB_ADMIN_URL/ttl?seconds=90" >/dev/null || fail "lab ttl"
click 147 119                        # Add account
click 880 182                        # Another provider
wait_for button 700 417
click 405 318                        # OAuth 2.0 in the browser
wait_for button 700 483               # the OAuth fields are there
click 480 252
type_text "$LAB_USER"
click 480 285
replace_text 480 285 practice
click 480 351
type_text "$LAB_CLIENT_ID"
click 480 417
type_text "$LAB_ISSUER"
click 480 450
type_text "$LAB_MAIL_SCOPE openid email offline_access"
click 480 516
type_text "localhost:$LAB_IMAPS_PORT"
key Tab Tab Tab Tab
type_text "$LAB_CA_FILE"
wait_for button 601 535               # "Go to 3. Authenticate"
shot 6-oauth-details
click 601 535
wait_for button 356 465               # Authenticate in view (the form scrolled to its end)
click 356 465                        # Authenticate: the lab's Chromium signs in
wait_for green 312 566                # the strip: signed in (the form scrolls to Save)
shot 6-oauth-signed-in
click 328 535                        # Save
until_true 150 "'$bin' --data-dir '$data' status practice --json | grep -q '\"started_at\"'" || fail "the OAuth account's checks did not run"
[ "$(md token practice --json | js 'd.identity')" = "$LAB_USER" ] || fail "not signed in as $LAB_USER: $(md token practice --json)"
[ "$(md token practice --json | js 'd.refresh_token_saved')" = true ] || fail "no refresh token saved"
[ "$(md status practice --json | js 'd.last_check.ok')" = true ] || fail "its checks are not green: $(md status practice --json)"
shot 6-oauth-saved

step "7. Its refresh token revoked, another account selected: the admin's pop-up names it"
click 60 84                          # alice
curl -fsS -X POST "$LAB_ADMIN_URL/revoke-all?email=$LAB_USER" >/dev/null || fail "lab revoke-all"
# The window's token sweep (once a minute) refreshes the 90-second token and is refused. The sweep
# may have run just before the revocation: the bound is two sweeps, not one.
i=0; while [ "$(md token practice --json | js 'd.sign_in_dead')" != true ]; do
  i=$((i + 1)); [ $i -le 600 ] || fail "the window's refresh never recorded the refused sign-in"; sleep 0.2; done
wait_for dialog 1200 700
shot 7-reauth-popup
[ "$(md status alice --json | js 'd.account')" = alice ] || fail "alice's status"
key Escape                           # Later
wait_for no-dialog 1200 700

step "8. Remove, confirmed in the dialog: the account is gone"
click 147 271                        # Remove... (alice, selected; two accounts in the list)
wait_for red-button 423 444           # the dialog's Remove
shot 8-remove
click 423 444                        # Remove (the dialog's red button)
until_true 100 "test \"\$('$bin' --data-dir '$data' account list --json | node -e 'let s=\"\";process.stdin.on(\"data\",c=>s+=c).on(\"end\",()=>console.log(JSON.parse(s).accounts.map(a=>a.name).join()))')\" = practice" ||
  fail "the account was not removed"
alive "the removal"
shot 8-removed
echo "real input: all scenarios passed"
