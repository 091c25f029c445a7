#!/usr/bin/env bash
# Runs every test of the project: Rust format and lints, the engine's unit
# and integration tests and the fixture's self-tests (each test starts its
# own mosquitto on free loopback ports), the Java bridge's JUnit tests
# (which build the release library into the jar), and the Ballerina
# package's API checks.
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-deps.sh

echo "== Rust: format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

echo "== Rust: engine and fixture tests"
cargo test --workspace

if [ -f java-bridge/pom.xml ]; then
  echo "== Java bridge: build the jar with the native library, JUnit tests"
  mvn -B --no-transfer-progress -f java-bridge/pom.xml verify

  echo "== Java bridge: one jar from prebuilt libraries of every platform (host + placeholders)"
  scripts/test-native-assembly.sh
  echo "== Java bridge on Java 21 (Ballerina 2201.11's runtime): adapter and virtual-thread tests, no pinned carrier"
  scripts/java21-pinning.sh
fi

echo "== Ballerina package: public API and @java:Method checks, reason codes, conformance table"
python3 -m pytest -q tools

echo "== Ballerina package: bal test"
if command -v bal >/dev/null 2>&1; then
  (
    cd ballerina
    sh tests/resources/brokers.sh start
    trap 'sh tests/resources/brokers.sh stop' EXIT
    bal test
  )
else
  echo "SKIPPED: bal test — no 'bal' command on PATH (install Ballerina 2201.11 to run the package's"
  echo "own suite here; .github/workflows/ballerina.yml runs it on GitHub)"
fi

echo "== GitHub workflows: actionlint (with shellcheck)"
scripts/actionlint.sh
