#!/usr/bin/env bash
# The main job: builds the Rust engine and the Java bridge jar, then runs the
# Java demo through Java -> JNI -> Rust against a mosquitto it starts itself on
# a free loopback port (MQTT_URL=tcp://host:port uses another broker).
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-deps.sh
exec java-bridge/run-demo.sh "$@"
