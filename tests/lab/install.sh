#!/usr/bin/env bash
# Installs what the MailDoctor test lab needs on a Debian 12 machine: Dovecot, OpenSSL, Chromium,
# isync, curl from Debian, and the lab's npm packages (from package-lock.json). Idempotent; run as root.
# Debian's own Dovecot service must never start (it would listen on every interface, ports 143/993):
# a temporary /usr/sbin/policy-rc.d that exits 101 blocks it during the install.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkgs=(dovecot-core dovecot-imapd dovecot-pop3d dovecot-submissiond openssl chromium isync curl ca-certificates procps)

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

# Keep Debian's Dovecot service off after a reboot too, where systemd runs (not in containers).
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
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
