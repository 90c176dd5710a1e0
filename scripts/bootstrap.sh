#!/bin/sh
# Installs everything MailDoctor's build, tests and lab servers need on Debian 12, idempotently:
# nothing is installed (and apt-get update does not run) when everything is already there.
set -eu
cd "$(dirname "$0")/.."

# clang's libFuzzer and sanitizer runtimes (libclang-rt-14-dev) are only a Recommends of clang:
# named here because recommends are not installed.
PACKAGES="
  build-essential cmake pkg-config git
  libimgui-dev libstb-dev libglfw3-dev python3-glad libgl-dev libgl1-mesa-dri
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libsqlite3-dev libcpp-httplib-dev doctest-dev libsecret-1-dev
  dbus-daemon gnome-keyring libsecret-tools
  fonts-dejavu-core xvfb xauth xdotool scrot clang-format groff-base desktop-file-utils clang libclang-rt-14-dev
  prometheus nagios4-core
"
# libsecret-1-dev keeps the vault key in the desktop keyring (Secret Service); dbus-daemon
# (with dbus-run-session), gnome-keyring and libsecret-tools (secret-tool) are the real
# session bus and keyring its test starts (tests/integration/keyring_test.sh).
# prometheus (with promtool) and nagios4-core are the monitoring engines the monitoring tests feed;
# their packages would start services: a temporary policy-rc.d keeps every service off during the
# install (the tests run their own instances on 127.0.0.1 from temporary configs).

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "bootstrap: run as root (or install sudo) to install: $*" >&2; exit 1
  fi
}

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "bootstrap: installing$missing"
  created_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\n# temporary, from MailDoctor scripts/bootstrap.sh: no service starts\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    created_policy=1
  fi
  rc=0
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing || rc=$?
  if [ -n "$created_policy" ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  [ "$rc" -eq 0 ] || exit "$rc"
else
  echo "bootstrap: build and test packages already installed"
fi

# The real servers the integration tests talk to (oidc-provider, Dovecot, Chromium...).
if [ -x tests/lab/install.sh ]; then
  as_root tests/lab/install.sh
fi
