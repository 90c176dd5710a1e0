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
#   5. Remove, confirmed: the account is gone.
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
  rm -rf "$work"
}
trap cleanup EXIT
data="$work/data"
md() { "$bin" --data-dir "$data" "$@"; }
fail() { echo "FAIL: $*"; [ -f "$work/app.log" ] && { echo "--- window's output"; tail -n 30 "$work/app.log"; }; exit 1; }
step() { echo "== $*"; }
js() { node -e 'const d=JSON.parse(require("fs").readFileSync(0,"utf8")); const v=eval(process.argv[1]); console.log(typeof v==="object"?JSON.stringify(v):String(v))' "$1"; }
# until TRIES 'shell condition': polls it every 0.2 s, at most TRIES times.
until_true() { n=$1; shift; i=0; while ! sh -c "$*" >/dev/null 2>&1; do i=$((i + 1)); [ $i -le "$n" ] || return 1; sleep 0.2; done; }
alive() { kill -0 "$app_pid" 2>/dev/null || fail "the window is gone (exit: $(wait "$app_pid"; echo $?)) after: $1"; }
shot() { scrot -o "$out/input-$1.png" && echo "   screenshot $out/input-$1.png"; }
# A person's click: move there, press, a few frames, release.
click() { xdotool mousemove "$1" "$2"; sleep 0.05; xdotool mousedown 1; sleep 0.12; xdotool mouseup 1; sleep 0.25; alive "click at $1,$2"; }
type_text() { xdotool type --delay 25 "$1"; alive "typing"; }
key() { xdotool key --delay 60 "$@"; sleep 0.15; alive "key $*"; }
replace_text() { key ctrl+a; type_text "$1"; }

# An X display of our own; the window alone on it, at 0,0, no window manager.
for n in $(seq 90 140); do [ -e "/tmp/.X$n-lock" ] || { display=":$n"; break; }; done
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY="$display"
until_true 50 "xdotool getmouselocation" || fail "Xvfb did not start"
"$bin" --data-dir "$data" >"$work/app.log" 2>&1 &
app_pid=$!
timeout 30 xdotool search --sync --name '^MailDoctor$' >/dev/null || fail "no MailDoctor window"
until_true 50 "test -f '$data/maildoctor.db'" || fail "the window did not open its data dir"
sleep 0.5  # the first frames: the first-admin dialog takes the keyboard as it appears

step "1. the first admin, by keyboard alone: typed into the focused name, Tab, Enter submits"
type_text root
key Tab
type_text 'Root-admin-pw-1'
key Tab
type_text 'Root-admin-pw-1'
key Return
until_true 100 "'$bin' --data-dir '$data' admin list --json | grep -q '\"root\"'" || fail "Enter did not create the admin"
shot 1-first-admin

step "2. Another provider: the Password field takes a click and the typing (it aborted the window)"
click 880 182
click 480 252
type_text "$LAB_USER"
click 480 384
type_text "$LAB_PASSWORD"
click 480 450
type_text "localhost:$LAB_IMAPS_PORT"
click 380 549                        # Advanced
click 480 615                        # Extra CA file
type_text "$work/no-such-ca.pem"
click 328 685                        # Save
shot 2-ca-file-missing
# Refused before anything was written: the list stays empty while the window says why.
[ "$(md account list --json | js 'd.accounts.length')" = 0 ] || fail "an account with a missing CA file was saved"
click 480 615
replace_text "$LAB_CA_FILE"
click 328 685
until_true 100 "'$bin' --data-dir '$data' account list --json | grep -q '\"alice\"'" || fail "Save did not save the account"
until_true 150 "'$bin' --data-dir '$data' status alice --json | grep -q '\"started_at\"'" || fail "its checks did not run"
[ "$(md status alice --json | js 'd.last_check.ok')" = true ] || fail "its checks are not green: $(md status alice --json)"
[ "$(md account show alice --json | js 'd.ca_file')" = "$LAB_CA_FILE" ] || fail "the CA file was not saved"
sleep 0.5
shot 2-saved-green

step "3. Edit: the CA file changed to another PEM is saved; one that does not exist is refused"
cp "$LAB_CA_FILE" "$work/ca-copy.pem"
click 147 182                        # Edit settings... (the selected account's)
sleep 0.6                            # the dialog sizes itself to the form
click 640 530                        # Advanced, in the dialog
xdotool mousemove 640 400
for _ in 1 2 3 4 5; do xdotool click 5; sleep 0.05; done  # the form scrolls to its end
sleep 0.3
click 527 559                        # Extra CA file
replace_text "$work/ca-copy.pem"
shot 3-edit
click 376 592                        # Save
until_true 100 "test \"\$('$bin' --data-dir '$data' account show alice --json | node -e 'let s=\"\";process.stdin.on(\"data\",c=>s+=c).on(\"end\",()=>console.log(JSON.parse(s).ca_file))')\" = '$work/ca-copy.pem'" ||
  fail "Edit did not save the new CA file: $(md account show alice --json | js 'd.ca_file')"
click 147 182
sleep 0.6
click 640 530
xdotool mousemove 640 400
for _ in 1 2 3 4 5; do xdotool click 5; sleep 0.05; done
sleep 0.3
click 527 559
replace_text "$work/no-such-ca.pem"
click 376 592
sleep 1
shot 3-edit-refused
[ "$(md account show alice --json | js 'd.ca_file')" = "$work/ca-copy.pem" ] || fail "a missing CA file replaced the saved one"
key Escape

step "4. Change password: a wrong one makes the check fail (auth.bad_credentials), the right one pass"
click 147 215                        # Change password...
sleep 0.5
shot 4-change-password
type_text 'not-the-password'
key Return
until_true 100 "'$bin' --data-dir '$data' check alice --only imap --json | grep -q auth.bad_credentials" ||
  fail "the wrong password was not saved: $(md check alice --only imap --json | head -c 400)"
click 147 215
sleep 0.5
type_text "$LAB_PASSWORD"
key Return
until_true 100 "'$bin' --data-dir '$data' check alice --only imap --json" || fail "the right password was not saved"
shot 4-password

step "5. Remove, confirmed in the dialog: the account is gone"
click 147 248                        # Remove...
sleep 0.6
shot 5-remove
click 423 444                        # Remove (the dialog's red button)
until_true 100 "test \"\$('$bin' --data-dir '$data' account list --json | node -e 'let s=\"\";process.stdin.on(\"data\",c=>s+=c).on(\"end\",()=>console.log(JSON.parse(s).accounts.length))')\" = 0" ||
  fail "the account was not removed"
alive "the removal"
shot 5-removed
echo "real input: all scenarios passed"
