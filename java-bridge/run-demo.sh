#!/bin/sh
# Builds the bridge jar (with the Rust engine inside) and runs the demo.
# MQTT_URL=tcp://host:port uses that broker instead of starting mosquitto.
set -e
cd "$(dirname "$0")"
mvn -q package -DskipTests "$@"
exec java -cp target/mqtt-bridge.jar io.ballerina.lib.mqtt.demo.Demo
