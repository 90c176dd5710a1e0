#!/bin/sh
# The tests/cli scripts against maildoctor.exe under Wine, through a wrapper named like the binary
# they expect. Run by scripts/windows-test.sh (in its fresh Wine prefix): cli.sh PATH/maildoctor.exe
# Scripts that cannot make sense under Wine are listed with their reason and not run.
set -u
exe=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
WINE=${MAILDOCTOR_WINE:-/usr/lib/wine/wine64}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maildoctor-wincli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Wine passes Unix paths through as Z:\...; the data dirs the scripts make are Unix paths.
cat >"$tmp/maildoctor" <<WRAP
#!/bin/sh
exec "$WINE" "$exe" "\$@"
WRAP
chmod +x "$tmp/maildoctor"

RUN="help_version.sh admin_commands.sh admin_gate.sh"
# Not run under Wine:
#   account_commands.sh    checks the POSIX mode 0600 of the vault's key file (Windows: an ACL and
#                          DPAPI, checked by the unit suite's platform cases)
#   log_report.sh          checks POSIX file modes (0600) of the report, and a python3 fake server
#   monitoring_commands.sh Prometheus and Nagios tools from Debian run beside it, Linux-only
passed=0 failed=0
for t in $RUN; do
  started=$(date +%s)
  if timeout 600 "$here/tests/cli/$t" "$tmp/maildoctor" >"$tmp/$t.log" 2>&1; then
    passed=$((passed + 1)); echo "windows cli: $t passed ($(( $(date +%s) - started )) s)"
  else
    failed=$((failed + 1)); echo "windows cli: $t FAILED ($(( $(date +%s) - started )) s):"; tail -n 20 "$tmp/$t.log"
  fi
done
echo "windows cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
