#!/usr/bin/env bash
# Checks the release jar's assembly without the other platforms' machines: makes a prebuilt folder
# with this host's library (stripped by scripts/strip-native.sh) and placeholder files for the four
# other platforms, builds the jar from it with `mvn -Dnative.prebuilt.dir=...` in a scratch copy of
# java-bridge/, then checks
#   * the jar holds exactly the five libraries under native/<os>-<arch>/, byte for byte;
#   * the loader, run from that jar, loads the host's library (a native call answers) and, told it
#     runs on another platform (-Dos.name/-Dos.arch), picks that platform's file;
#   * on a platform the jar lacks, the error names it and lists the five the jar holds;
#   * scripts/check-native-dir.sh refuses a folder with a platform missing.
# Needs the host library in target/release (cargo build --release -p mqtt-engine, or the bridge's
# mvn build) and bash 4. About 20 s, most of it Maven compiling the scratch copy.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/native-assembly.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host=linux-x86_64 ;;
  Linux-aarch64) host=linux-aarch64 ;;
  Darwin-x86_64) host=macos-x86_64 ;;
  Darwin-arm64) host=macos-aarch64 ;;
  *) echo "test-native-assembly: no release platform matches $(uname -s) $(uname -m)" >&2; exit 1 ;;
esac
declare -A libname=(
  [linux-x86_64]=libmqtt_engine.so [linux-aarch64]=libmqtt_engine.so
  [macos-x86_64]=libmqtt_engine.dylib [macos-aarch64]=libmqtt_engine.dylib
  [windows-x86_64]=mqtt_engine.dll
)
declare -A os_name=(
  [linux-x86_64]=Linux [linux-aarch64]=Linux [macos-x86_64]="Mac OS X" [macos-aarch64]="Mac OS X"
  [windows-x86_64]="Windows 11"
)
declare -A os_arch=(
  [linux-x86_64]=amd64 [linux-aarch64]=aarch64 [macos-x86_64]=x86_64 [macos-aarch64]=aarch64
  [windows-x86_64]=amd64
)
fail() { echo "test-native-assembly: FAILED: $*" >&2; exit 1; }

built="$ROOT/target/release/${libname[$host]}"
[ -f "$built" ] || fail "$built is missing: build it first (cargo build --release -p mqtt-engine)"
prebuilt="$WORK/prebuilt"
"$ROOT/scripts/strip-native.sh" "$host" "$built" "$prebuilt/$host" >/dev/null
for platform in "${!libname[@]}"; do
  [ "$platform" = "$host" ] && continue
  mkdir -p "$prebuilt/$platform"
  echo "placeholder for $platform, not a library" >"$prebuilt/$platform/${libname[$platform]}"
done
# Debug symbols sit beside each library in the workflow's artifacts too; they must stay out.
echo "debug symbols" >"$prebuilt/linux-aarch64/libmqtt_engine.so.debug"

# A scratch copy: the real java-bridge/target (the tests' jar) stays as it is.
mkdir -p "$WORK/repo/java-bridge/src"
cp "$ROOT/java-bridge/pom.xml" "$WORK/repo/java-bridge/"
cp -R "$ROOT/java-bridge/src/main" "$WORK/repo/java-bridge/src/"
cp -R "$ROOT/java-bridge/runtime-standin" "$ROOT/java-bridge/build-support" "$WORK/repo/java-bridge/"
cp -R "$ROOT/scripts" "$WORK/repo/"
mvn -B -q --no-transfer-progress -f "$WORK/repo/java-bridge/pom.xml" -Dmaven.test.skip=true \
    -Dnative.prebuilt.dir="$prebuilt" package >"$WORK/mvn.log" 2>&1 \
  || { cat "$WORK/mvn.log" >&2; fail "mvn -Dnative.prebuilt.dir=... package"; }
jar="$WORK/repo/java-bridge/target/mqtt-bridge.jar"

entries="$(cd "$WORK" && "${JAVA_HOME:+$JAVA_HOME/bin/}jar" tf "$jar" | grep '^native/.*[^/]$' | sort)"
want="$(for p in "${!libname[@]}"; do echo "native/$p/${libname[$p]}"; done | sort)"
[ "$entries" = "$want" ] || fail "the jar's native/ entries are
$entries
expected
$want"
mkdir -p "$WORK/unpacked"
(cd "$WORK/unpacked" && "${JAVA_HOME:+$JAVA_HOME/bin/}jar" xf "$jar" native)
for platform in "${!libname[@]}"; do
  cmp -s "$prebuilt/$platform/${libname[$platform]}" "$WORK/unpacked/native/$platform/${libname[$platform]}" \
    || fail "native/$platform/${libname[$platform]} in the jar differs from the prebuilt file"
done

cat >"$WORK/LoaderCheck.java" <<'JAVA'
import io.ballerina.lib.mqtt.engine.MqttClient;
import io.ballerina.lib.mqtt.engine.MqttException;

/** Loads the engine through the public API: a connect to a closed port must fail in the engine. */
public class LoaderCheck {
    public static void main(String[] args) {
        try {
            MqttClient.connect("tcp://127.0.0.1:1", "assembly-check", null).close();
            System.out.println("UNEXPECTED: connected to port 1");
        } catch (MqttException e) {
            System.out.println("ENGINE ANSWERED: " + e.getMessage());
        }
    }
}
JAVA
java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# The host: its own library is extracted and answers.
# (The host API reports a library that cannot load as an MqttException too: only the engine's
# own connect error shows the library runs.)
out="$("$java_cmd" -Dmqtt.engine.extractDir="$WORK/extract-host" -cp "$jar" "$WORK/LoaderCheck.java" 2>&1)" \
  || fail "loading the host library from the jar: $out"
case "$out" in *"ENGINE ANSWERED: Unable to connect to tcp://127.0.0.1:1"*) ;; *) fail "the engine did not answer: $out" ;; esac
extracted=("$WORK"/extract-host/*)
if [ ${#extracted[@]} -ne 1 ] || ! cmp -s "${extracted[0]}" "$prebuilt/$host/${libname[$host]}"; then
  fail "extracted ${extracted[*]}, not the host's library"
fi

# Another platform: the loader takes that platform's file (here a placeholder, which cannot load).
for platform in "${!libname[@]}"; do
  [ "$platform" = "$host" ] && continue
  out="$("$java_cmd" "-Dos.name=${os_name[$platform]}" "-Dos.arch=${os_arch[$platform]}" \
      -Dmqtt.engine.extractDir="$WORK/extract-$platform" -cp "$jar" "$WORK/LoaderCheck.java" 2>&1)" || true
  case "$out" in
    *"Unable to connect"*) fail "a placeholder loaded as the library of $platform: $out" ;;
    *"Could not load the MQTT engine library /native/$platform/${libname[$platform]}"*) ;;
    *) fail "$platform: $out" ;;
  esac
  cmp -s "$WORK/extract-$platform"/* "$prebuilt/$platform/${libname[$platform]}" \
    || fail "$platform: the loader extracted another platform's file"
done

# A platform the jar does not hold.
out="$("$java_cmd" -Dos.arch=riscv64 -cp "$jar" "$WORK/LoaderCheck.java" 2>&1)" || true
case "$out" in
  *"architecture 'riscv64'"*"the libraries of [linux-x86_64, linux-aarch64, macos-x86_64, macos-aarch64, windows-x86_64]"*) ;;
  *) fail "the error for riscv64 does not list the jar's platforms: $out" ;;
esac

# A prebuilt folder with a platform missing is refused before any jar is made.
rm "$prebuilt/macos-x86_64/libmqtt_engine.dylib"
out="$("$ROOT/scripts/check-native-dir.sh" "$prebuilt" 2>&1)" && fail "check-native-dir accepted a missing platform"
case "$out" in *"macos-x86_64/libmqtt_engine.dylib is missing"*) ;; *) fail "check-native-dir: $out" ;; esac

echo "test-native-assembly: jar of $(wc -c <"$jar" | tr -d ' ') bytes with 5 platforms; the loader picks each one: ok"
