#!/usr/bin/env bash
# Checks a folder of prebuilt engine libraries before the jar is assembled from it
# (mvn -Dnative.prebuilt.dir=DIR): one sub-folder per platform of the release jar, each with its
# library, none empty or larger than NATIVE_MAX_BYTES (default 6,000,000). Lists every problem.
#
#   scripts/check-native-dir.sh DIR
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir="$1"
max_bytes="${NATIVE_MAX_BYTES:-6000000}"
# Keep in step with NativeLoader.PLATFORMS and the OS profiles of java-bridge/pom.xml.
expected=(
  linux-x86_64/libmqtt_engine.so
  linux-aarch64/libmqtt_engine.so
  macos-x86_64/libmqtt_engine.dylib
  macos-aarch64/libmqtt_engine.dylib
  windows-x86_64/mqtt_engine.dll
)
problems=()
for lib in "${expected[@]}"; do
  if [ ! -f "$dir/$lib" ]; then
    problems+=("$lib is missing")
    continue
  fi
  size=$(wc -c <"$dir/$lib" | tr -d ' ')
  if [ "$size" -eq 0 ]; then
    problems+=("$lib is empty")
  elif [ "$size" -gt "$max_bytes" ]; then
    problems+=("$lib is $size bytes, more than $max_bytes (not stripped?)")
  fi
done
if [ ${#problems[@]} -gt 0 ]; then
  echo "check-native-dir: $dir cannot make a jar for every platform:" >&2
  printf '  %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "check-native-dir: $dir holds the libraries of all ${#expected[@]} platforms"
