#!/usr/bin/env bash
# Installs what the MailDoctor test lab needs on a Debian 12 machine: Dovecot, OpenSSL, Chromium,
# isync, curl from Debian, Cyrus IMAP (the second IMAP server, imap2.sh), and the lab's npm packages
# (from package-lock.json). Idempotent; run as root.
# Debian's own Dovecot, Cyrus and Exim services must never start (they would listen on every
# interface): a temporary /usr/sbin/policy-rc.d that exits 101 blocks them during the install.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkgs=(dovecot-core dovecot-imapd dovecot-pop3d dovecot-submissiond openssl chromium isync curl ca-certificates procps
      cyrus-common sasl2-bin python3)
# cyrus-imapd (only /usr/lib/cyrus/bin/imapd) cannot be installed next to dovecot-imapd: both provide and
# conflict with imap-server. Its .deb, of the same version as cyrus-common, is unpacked instead into:
CYRUS_IMAPD_ROOT=/usr/local/lib/maildoctor-lab/cyrus-imapd

if [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root" >&2
  exit 2
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install.sh: installing ${missing[*]}"
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, from MailDoctor tests/lab/install.sh: no service starts\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  remove_policy() { if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
  trap remove_policy EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  remove_policy
  trap - EXIT
else
  echo "install.sh: Debian packages already installed"
fi

# Keep Debian's Dovecot, Cyrus and Exim (cyrus-common needs an MTA) services off after a reboot too,
# where systemd runs (not in containers).
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  systemctl disable --now dovecot.service dovecot.socket cyrus-imapd.service exim4.service >/dev/null 2>&1 || true
fi

# Cyrus's imapd, unpacked (not installed: see CYRUS_IMAPD_ROOT above) from the cyrus-imapd .deb whose
# version matches the installed cyrus-common (its libraries and cyrmaster).
cyrus_ver="$(dpkg-query -W -f='${Version}' cyrus-common)"
if [ -x "$CYRUS_IMAPD_ROOT/usr/lib/cyrus/bin/imapd" ] && [ "$(cat "$CYRUS_IMAPD_ROOT/VERSION" 2>/dev/null)" = "$cyrus_ver" ]; then
  echo "install.sh: cyrus imapd $cyrus_ver already unpacked"
else
  echo "install.sh: unpacking cyrus-imapd $cyrus_ver into $CYRUS_IMAPD_ROOT"
  dl="$(mktemp -d)"
  chmod 755 "$dl"
  id -u _apt >/dev/null 2>&1 && chown _apt "$dl"   # apt-get download runs as _apt
  (cd "$dl" && apt-get download -q "cyrus-imapd=$cyrus_ver") || { rm -rf "$dl"; echo "install.sh: apt-get download cyrus-imapd=$cyrus_ver failed" >&2; exit 1; }
  rm -rf "$CYRUS_IMAPD_ROOT"
  mkdir -p "$CYRUS_IMAPD_ROOT"
  dpkg-deb -x "$dl"/cyrus-imapd_*.deb "$CYRUS_IMAPD_ROOT"
  echo "$cyrus_ver" >"$CYRUS_IMAPD_ROOT/VERSION"
  rm -rf "$dl"
fi

# The unprivileged user that owns the lab's mailboxes (lab.sh creates it too when missing).
if ! id -u maildoctor-lab >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin maildoctor-lab
fi

command -v node >/dev/null || { echo "install.sh: node (>= 20) is required and missing" >&2; exit 1; }
command -v npm >/dev/null || { echo "install.sh: npm is required and missing" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || { echo "install.sh: oidc-provider 9 needs Node >= 20.19 (found $(node --version))" >&2; exit 1; }

cd "$here"
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
   && node -e 'require.resolve("oidc-provider");require.resolve("smtp-server");require.resolve("playwright-core")' 2>/dev/null; then
  echo "install.sh: node_modules up to date"
else
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "install.sh: done"
