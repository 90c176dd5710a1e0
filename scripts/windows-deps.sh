#!/bin/sh
# Cross-builds, static, for x86_64 Windows (MinGW-w64), the same versions of the libraries the Linux
# build takes from Debian: OpenSSL, curl, SQLite, GLFW and Dear ImGui's sources. Their sources come
# from Debian's source packages (apt-get source) through a private sources list in a temporary
# folder: the system's apt configuration is left alone. Nothing else is downloaded.
#
# The result goes to a prefix cached outside the clone, keyed on the versions and this script:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/maildoctor/win-deps/<key>
# The prefix's path is printed on the last line of stdout (and written to $1 when given).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${JOBS:-2}
HOST=x86_64-w64-mingw32

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "windows-deps: run as root (or install sudo) to install: $*" >&2; exit 1
  fi
}

# The toolchain, Wine to run what it builds, and dpkg-dev for apt-get source: installed only when
# missing, as scripts/bootstrap.sh does.
PACKAGES="g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix binutils-mingw-w64-x86-64 wine64 dpkg-dev tcl
  libssl-dev libcurl4-openssl-dev libsqlite3-dev libglfw3-dev libimgui-dev python3-glad
  nlohmann-json3-dev doctest-dev libcpp-httplib-dev libstb-dev zip xvfb xauth"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "windows-deps: installing$missing" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
fi

# The source package and version behind each Linux -dev package: the same versions for Windows.
srcver() { dpkg-query -W -f='${source:Package}=${source:Version}' "$1"; }
SOURCES="$(srcver libssl-dev) $(srcver libcurl4-openssl-dev) $(srcver libsqlite3-dev) $(srcver libglfw3-dev) $(srcver libimgui-dev) $(srcver libcpp-httplib-dev)"
script_hash=$(sha256sum "$0" | cut -c1-12)
HEADERS="$(dpkg-query -W -f='${Version}' nlohmann-json3-dev doctest-dev libstb-dev)"
key=$(printf '%s %s %s %s' "$SOURCES" "$HEADERS" "$script_hash" "$($HOST-g++-posix -dumpversion)" | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/maildoctor/win-deps
PREFIX=$cache/$key
if [ -f "$PREFIX/.complete" ]; then
  echo "windows-deps: cached in $PREFIX ($SOURCES)" >&2
  [ $# -ge 1 ] && printf '%s\n' "$PREFIX" >"$1"
  echo "$PREFIX"
  exit 0
fi

start=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/maildoctor-win-deps.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
rm -rf "$PREFIX.partial"
mkdir -p "$PREFIX.partial"
P=$PREFIX.partial

# A private apt state: the system's own deb822 sources, turned into deb-src entries.
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  sed -n 's/^Types:.*/Types: deb-src/; p' "$f"
  echo
done >"$work/apt/private.sources"
if [ -f /etc/apt/sources.list ]; then
  sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list >"$work/apt/private.list"
else
  : >"$work/apt/private.list"
fi
mkdir -p "$work/apt/parts"
cp "$work/apt/private.sources" "$work/apt/parts/private.sources"
APT="-o Dir::Etc::SourceList=$work/apt/private.list -o Dir::Etc::SourceParts=$work/apt/parts
  -o Dir::State::Lists=$work/apt/lists -o Dir::Cache=$work/apt/cache -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $APT -qq update >&2
cd "$work/src"
# The exact installed version where the archive still serves it; else (the archive moved on to
# another Debian revision of the same upstream release) the newest revision that it serves.
fetched=""
for sv in $SOURCES; do
  name=${sv%%=*}
  # shellcheck disable=SC2086
  versions="${sv#*=} $(apt-cache $APT showsrc "$name" 2>/dev/null | sed -n 's/^Version: //p' | sort -rV)"
  ok=""
  for v in $versions; do
    # shellcheck disable=SC2086
    if apt-get $APT -qq --download-only source "$name=$v" >/dev/null 2>&1; then ok=$v; break; fi
    rm -f ./"${name}"_*
  done
  [ -n "$ok" ] || { echo "windows-deps: no source of $name can be fetched" >&2; exit 1; }
  [ "$ok" = "${sv#*=}" ] || echo "windows-deps: $name ${sv#*=} is no longer served; using $ok" >&2
done
for dsc in ./*.dsc; do dpkg-source -q -x "$dsc" >&2; fetched="$fetched ${dsc#./}"; done
echo "windows-deps: sources fetched in $(( $(date +%s) - start )) s" >&2

srcdir() { find "$work/src" -maxdepth 1 -mindepth 1 -type d -name "$1-*" | head -n1; }
export CC=$HOST-gcc-posix CXX=$HOST-g++-posix AR=$HOST-ar RANLIB=$HOST-ranlib

# OpenSSL: libcrypto and libssl only (no apps, tests, docs, engines or loadable modules).
cd "$(srcdir openssl)"
./Configure mingw64 --cross-compile-prefix= --prefix="$P" --libdir=lib --openssldir="$P/ssl" \
  no-shared no-tests no-module no-engine no-dso no-legacy no-comp no-ssl3 no-srp \
  no-idea no-mdc2 no-rc5 no-camellia no-seed no-sm2 no-sm3 no-sm4 >&2
make -j"$JOBS" build_libs >&2
make install_dev >&2
echo "windows-deps: openssl done at $(( $(date +%s) - start )) s" >&2

# curl: libcurl with OpenSSL, for HTTP(S), IMAP, POP3 and SMTP only.
cd "$(srcdir curl)"
[ -x configure ] || autoreconf -fi >&2
./configure --host=$HOST --prefix="$P" --disable-shared --enable-static --with-openssl="$P" \
  --without-zlib --without-brotli --without-zstd --without-libpsl --without-libidn2 \
  --without-nghttp2 --without-libssh2 --without-librtmp --disable-ldap --disable-ldaps \
  --disable-ftp --disable-file --disable-dict --disable-telnet --disable-tftp --disable-rtsp \
  --disable-gopher --disable-mqtt --disable-smb --disable-manual --disable-ntlm-wb \
  --disable-dependency-tracking >&2
make -j"$JOBS" -C lib >&2
make -C lib install >&2
make -C include install >&2
make install-pkgconfigDATA >&2 || true
echo "windows-deps: curl done at $(( $(date +%s) - start )) s" >&2

# SQLite: the amalgamation made from Debian's full source tree, compiled as one static library.
cd "$(srcdir sqlite3)"
mkdir -p build-native && cd build-native
CC=cc CXX=c++ AR=ar RANLIB=ranlib ../configure --disable-tcl >&2
make sqlite3.c >&2
$CC -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_JSON1 -c sqlite3.c -o sqlite3.o
$AR rcs "$P/lib/libsqlite3.a" sqlite3.o
cp sqlite3.h sqlite3ext.h "$P/include/"
echo "windows-deps: sqlite done at $(( $(date +%s) - start )) s" >&2

# GLFW: the static library, without examples, tests or docs.
cd "$(srcdir glfw3)"
cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE="$here/cmake/mingw-w64-x86_64.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$P" -DBUILD_SHARED_LIBS=OFF \
  -DGLFW_BUILD_EXAMPLES=OFF -DGLFW_BUILD_TESTS=OFF -DGLFW_BUILD_DOCS=OFF >&2
cmake --build build-win -j"$JOBS" >&2
cmake --install build-win >&2
echo "windows-deps: glfw done at $(( $(date +%s) - start )) s" >&2

# Dear ImGui: its sources (core and the GLFW/OpenGL3 backends), compiled by the project's build.
d=$(srcdir imgui)
mkdir -p "$P/share/imgui/backends" "$P/share/imgui/misc/cpp"
cp "$d"/misc/cpp/imgui_stdlib.* "$P/share/imgui/misc/cpp/"
cp "$d"/imgui*.cpp "$d"/imgui*.h "$d"/imconfig.h "$d"/imstb_*.h "$P/share/imgui/"
cp "$d"/backends/imgui_impl_glfw.* "$d"/backends/imgui_impl_opengl3* "$P/share/imgui/backends/"

# cpp-httplib: Debian's package splits it into a header and a shared library; its source package
# has the upstream single header, which carries the implementation inline.
mkdir -p "$P/share/licenses"
cp "$(srcdir cpp-httplib)/httplib.h" "$P/include/"
cp "$(srcdir cpp-httplib)/LICENSE" "$P/share/licenses/cpp-httplib.LICENSE"

# The header-only libraries, from the Debian packages installed for Linux (nlohmann-json3-dev,
# doctest-dev, libstb-dev): copied beside the others so the cross build never puts the host's
# /usr/include on its include path.
cp -r /usr/include/nlohmann /usr/include/doctest "$P/include/"
mkdir -p "$P/include/stb" "$P/share/cmake"
cp /usr/include/stb/stb_image_write.h /usr/include/stb/stb_image.h /usr/include/stb/stb_truetype.h "$P/include/stb/" 2>/dev/null ||
  cp /usr/include/stb/stb_image_write.h "$P/include/stb/"
cp -r /usr/share/cmake/nlohmann_json "$P/share/cmake/"

# The license texts of what the exe links, for the zip.
mkdir -p "$P/share/licenses"
for s in openssl curl sqlite3 glfw3 imgui cpp-httplib; do
  cp "$(srcdir "$s")/debian/copyright" "$P/share/licenses/$s.copyright"
done
cp "$(srcdir openssl)/LICENSE.txt" "$P/share/licenses/openssl.LICENSE.txt"
cp "$(srcdir curl)/COPYING" "$P/share/licenses/curl.COPYING"
cp "$(srcdir glfw3)/LICENSE.md" "$P/share/licenses/glfw.LICENSE.md"
cp "$(srcdir imgui)/LICENSE.txt" "$P/share/licenses/imgui.LICENSE.txt"
for pkg in nlohmann-json3-dev libstb-dev doctest-dev; do
  cp "/usr/share/doc/$pkg/copyright" "$P/share/licenses/$pkg.copyright"
done
cp /usr/share/doc/mingw-w64-common/copyright "$P/share/licenses/mingw-w64.copyright" 2>/dev/null || true
cp /usr/share/doc/gcc-mingw-w64-base/copyright "$P/share/licenses/gcc-mingw-w64.copyright" 2>/dev/null || true
echo "$fetched" >"$P/VERSIONS"

rm -rf "$PREFIX"
mv "$P" "$PREFIX"
touch "$PREFIX/.complete"
echo "windows-deps: built in $(( $(date +%s) - start )) s into $PREFIX" >&2
[ $# -ge 1 ] && printf '%s\n' "$PREFIX" >"$1"
echo "$PREFIX"
