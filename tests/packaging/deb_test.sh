#!/bin/sh
# The .deb as a user gets it: cpack builds it from this build folder, `dpkg -x` unpacks it into a
# throwaway root, and the installed binary, man page, completion, menu entry and icons are checked
# there; the Depends field must name the Debian runtime libraries.
# Usage: deb_test.sh CPACK BUILD_DIR DOCGEN
set -eu
cpack=$1 build=$2 docgen=$3
work=$(mktemp -d /tmp/maildoctor-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}

# -B keeps cpack's staging out of the build folder, so tests running beside this one see no change.
if ! "$cpack" -G DEB -B "$work/out" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log"
  find "$work/out" -name '*.log' -exec tail -n 40 {} + 2>/dev/null || true
  fail "cpack could not build the package (build the project first: cpack packages what was built)"
fi
deb=$(ls "$work"/out/*.deb)
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
grep -i "warning" "$work/cpack.log" && fail "cpack warned (above)"

[ "$(dpkg-deb -f "$deb" Package)" = maildoctor ] || fail "package name is not maildoctor"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libstdc++6 libcurl4 libssl3 libsqlite3-0 libglfw3 libgl1 ca-certificates; do
  case ", $depends," in *", $lib,"* | *", $lib ("*) ;; *) fail "Depends does not name $lib" ;; esac
done

dpkg-deb -c "$deb" | awk '{print $NF}' >"$work/contents"
for f in ./usr/bin/maildoctor ./usr/share/man/man1/maildoctor.1.gz \
  ./usr/share/bash-completion/completions/maildoctor ./usr/share/applications/maildoctor.desktop \
  ./usr/share/icons/hicolor/scalable/apps/maildoctor.svg ./usr/share/icons/hicolor/16x16/apps/maildoctor.png \
  ./usr/share/icons/hicolor/48x48/apps/maildoctor.png ./usr/share/icons/hicolor/256x256/apps/maildoctor.png \
  ./usr/share/doc/maildoctor/user-guide.md ./usr/share/doc/maildoctor/failure-codes.md \
  ./usr/share/doc/maildoctor/CHANGELOG.md; do
  grep -qx "$f" "$work/contents" || fail "the package lacks $f"
done
# Build tools and tests stay out of the package.
grep -E 'docgen|unit_tests|png_check|harness|scenes' "$work/contents" && fail "the package carries build or test programs"

dpkg -x "$deb" "$work/root"
bin=$work/root/usr/bin/maildoctor
# A fresh user: no data directory of the developer's is read or written.
export HOME="$work/home" MAILDOCTOR_HOME="$work/home/data"
mkdir -p "$HOME"

ver=$("$bin" --version) || fail "--version exited $?"
echo "$ver"
echo "$ver" | grep -qi '^maildoctor [0-9]' || fail "--version does not name MailDoctor"
for lib in libcurl OpenSSL SQLite nlohmann/json GLFW "Dear ImGui"; do
  echo "$ver" | grep -q "$lib" || fail "--version does not name $lib"
done
"$bin" --help | grep -q "check --provider gmail|microsoft" || fail "--help lacks the command table"

gzip -dc "$work/root/usr/share/man/man1/maildoctor.1.gz" | grep -q '^\.TH MAILDOCTOR 1' || fail "man page header"
bash -c ". '$work/root/usr/share/bash-completion/completions/maildoctor' && complete -p maildoctor" >/dev/null ||
  fail "the completion does not load"
grep -qx "Exec=maildoctor" "$work/root/usr/share/applications/maildoctor.desktop" || fail "desktop entry Exec"

# The installer's quick test, in a network namespace of its own (no lookup leaves this machine):
# it must answer with catalogue failure codes, dns.* first, and exit 1.
set +e
timeout 180 unshare -n "$bin" check --provider gmail --json >"$work/check.json" 2>"$work/check.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || { cat "$work/check.err"; fail "check --provider exited $rc without a network, wanted 1"; }
"$docgen" codes >"$work/codes"
resolves=0
python3 - "$work/check.json" "$work/codes" "$rc" "$resolves" <<'PY' || { cat "$work/check.err"; fail "check --provider's JSON"; }
import json, sys
doc_path, codes_path, rc, resolves = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
with open(doc_path) as f:
    doc = json.load(f)  # stdout must be one JSON document and nothing else
codes = set(open(codes_path).read().split())
steps = doc.get("steps")
assert isinstance(steps, list) and steps, "no steps"
failed = []
for s in steps:
    assert isinstance(s.get("id"), str) and s["id"], f"step without id: {s}"
    assert s.get("status") in ("pass", "warn", "fail", "skip"), f"bad status: {s}"
    if s["status"] == "fail":
        code = (s.get("failure") or {}).get("code")
        assert code in codes, f"step {s['id']} fails with {code!r}, not a catalogue code"
        failed.append(code)
assert doc.get("ok") == (not failed), f"ok={doc.get('ok')} but failed steps: {failed}"
assert rc == (1 if failed else 0), f"exit code {rc} with failed steps {failed}"
if not resolves:
    assert any(c.startswith("dns.") for c in failed), f"names do not resolve here, yet no dns.* code: {failed}"
print("check --provider gmail:", "ok" if not failed else "failed with " + ", ".join(failed))
PY
echo "ok: the .deb installs and runs"
