#!/bin/sh
# make windows: the toolchain and the cross-built libraries (scripts/windows-deps.sh), then a
# static maildoctor.exe and its unit tests in BUILD_WIN, and a zip with the license texts of what
# the exe links: BUILD_WIN/maildoctor-windows-x86_64.zip.
set -eu
cd "$(dirname "$0")/.."
BUILD_WIN=${BUILD_WIN:-build-win}
JOBS=${JOBS:-2}
deps=$(scripts/windows-deps.sh | tail -n1)
cmake -S . -B "$BUILD_WIN" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/mingw-w64-x86_64.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DMAILDOCTOR_WERROR=ON -DMAILDOCTOR_WIN_DEPS="$deps" ${CMAKE_ARGS:-}
cmake --build "$BUILD_WIN" -j "$JOBS"

# The zip: the exe, its licence and those of everything linked into it.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/MailDoctor/licenses"
cp "$BUILD_WIN/app/maildoctor.exe" "$BUILD_WIN/app/maildoctor.com" "$stage/MailDoctor/"
cp README.md "$stage/MailDoctor/README.md"
[ -f LICENSE ] && cp LICENSE "$stage/MailDoctor/LICENSE.txt"
cp "$deps"/share/licenses/* "$stage/MailDoctor/licenses/"
cp "$deps/VERSIONS" "$stage/MailDoctor/licenses/VERSIONS.txt"
rm -f "$BUILD_WIN/maildoctor-windows-x86_64.zip"
(cd "$stage" && zip -qr "$OLDPWD/$BUILD_WIN/maildoctor-windows-x86_64.zip" MailDoctor)
echo "windows: $BUILD_WIN/app/maildoctor.exe and $BUILD_WIN/maildoctor-windows-x86_64.zip"
