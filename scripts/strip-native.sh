#!/usr/bin/env bash
# Makes the engine library that ships in the jar: stripped, with its debug symbols kept beside it
# as a separate file (the release profile builds with debug = 1 for profiling and backtraces).
#
#   scripts/strip-native.sh PLATFORM LIBRARY OUT_DIR
#
# PLATFORM is the jar's folder name (linux-x86_64, macos-aarch64, windows-x86_64, ...). Writes
# OUT_DIR/<library file name>, stripped, and its debug symbols:
#   linux-*    <name>.debug  (objcopy --only-keep-debug; the stripped file names it in .gnu_debuglink,
#                             so gdb and perf find it when it sits beside the library or in
#                             /usr/lib/debug)
#   macos-*    <name>.dSYM   (dsymutil, from the object files cargo leaves in target/)
#   windows-*  <stem>.pdb    (the MSVC linker already keeps symbols out of the DLL: copied as built)
# Fails when the stripped library is larger than NATIVE_MAX_BYTES (default 6,000,000).
# A LIBRARY that does not exist only warns: `mvn -Dcargo.skip=true` without a cargo build has
# always packaged no library.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 PLATFORM LIBRARY OUT_DIR" >&2; exit 2; }
platform="$1" library="$2" out="$3"
max_bytes="${NATIVE_MAX_BYTES:-6000000}"

if [ ! -f "$library" ]; then
  echo "strip-native: $library does not exist (no cargo build?): no engine library for $platform" >&2
  exit 0
fi
name="$(basename "$library")"
library="$(cd "$(dirname "$library")" && pwd)/$name"
mkdir -p "$out"
stripped="$out/$name"
rm -rf "$stripped" "$stripped.debug" "$stripped.dSYM"

case "$platform" in
  linux-*)
    objcopy="${OBJCOPY:-objcopy}"
    "$objcopy" --only-keep-debug "$library" "$stripped.debug"
    # The debug link is added from inside OUT_DIR so that it records the bare file name.
    (cd "$out" && "$objcopy" --strip-all --add-gnu-debuglink="$name.debug" "$library" "$name")
    ;;
  macos-*)
    dsymutil "$library" -o "$stripped.dSYM"
    # -x: local symbols only; the exported JNI functions of a dylib must stay.
    strip -x -o "$stripped" "$library"
    ;;
  windows-*)
    cp "$library" "$stripped"
    pdb="$(dirname "$library")/${name%.dll}.pdb"
    if [ -f "$pdb" ]; then cp "$pdb" "$out/"; fi
    ;;
  *)
    echo "strip-native: unknown platform $platform" >&2
    exit 2
    ;;
esac

size=$(wc -c <"$stripped" | tr -d ' ')
if [ "$size" -gt "$max_bytes" ]; then
  echo "strip-native: $stripped is $size bytes, more than the $max_bytes allowed per platform" >&2
  exit 1
fi
echo "strip-native: $platform $name $(wc -c <"$library" | tr -d ' ') -> $size bytes"
