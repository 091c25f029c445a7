#!/bin/sh
# brokers.sh start|stop — the mosquitto brokers that `bal test` expects (see tests/Config.toml).
#
# Run from the package directory (ballerina/). Builds the brokers from the shared templates in
# ../tests/broker and the TLS material from ../tests/certs/gen-certs.sh, all under
# target/test-brokers/ (ignored by git):
#   anonymous broker  plain 127.0.0.1:1883, TLS :8883, mutual TLS :8884
#   auth broker       plain 127.0.0.1:1884, user "ballerina" / password "ballerinamqtt"
# plus certs/truststore.p12 (the CA) and certs/client-keystore.p12 (client cert + key),
# both with the password "changeit".
set -eu

ROOT=$(pwd)/target/test-brokers
TEMPLATES=$(pwd)/../tests/broker
CERTS=$ROOT/certs
STORE_PASSWORD=changeit

render() { # render OUT TEMPLATE... — concatenate templates, fill the placeholders
    out=$1; shift
    for template in "$@"; do
        cat "$template"
        echo # a template may lack its final newline
    done | sed -e "s|{{DIR}}|$(dirname "$out")|g" -e "s|{{CERTS}}|$CERTS|g" \
        -e "s|{{SERVER_CERT}}|$CERTS/server.pem|g" -e "s|{{SERVER_KEY}}|$CERTS/server.key|g" \
        -e "s|{{PORT}}|$PORT|g" -e "s|{{TLS_PORT}}|$TLS_PORT|g" > "$out"
}

start() {
    [ -f "$TEMPLATES/base.conf" ] || { echo "brokers.sh: run from ballerina/ ($TEMPLATES missing)" >&2; exit 2; }
    mkdir -p "$ROOT/anonymous" "$ROOT/auth"
    sh "$(pwd)/../tests/certs/gen-certs.sh" "$CERTS"
    openssl pkcs12 -export -nokeys -in "$CERTS/ca.pem" -out "$CERTS/truststore.p12" \
        -passout "pass:$STORE_PASSWORD"
    openssl pkcs12 -export -in "$CERTS/client.pem" -inkey "$CERTS/client.key" -certfile "$CERTS/ca.pem" \
        -out "$CERTS/client-keystore.p12" -passout "pass:$STORE_PASSWORD"
    chmod 644 "$CERTS"/*.p12

    # listener-mtls.conf also uses {{TLS_PORT}}: give it its own port before rendering.
    sed "s|{{TLS_PORT}}|8884|g" "$TEMPLATES/listener-mtls.conf" > "$ROOT/anonymous/listener-mtls.conf"
    PORT=1883 TLS_PORT=8883
    render "$ROOT/anonymous/mosquitto.conf" "$TEMPLATES/base.conf" "$TEMPLATES/anonymous.conf" \
        "$TEMPLATES/listener-plain.conf" "$TEMPLATES/listener-tls.conf" "$ROOT/anonymous/listener-mtls.conf"

    PORT=1884
    mosquitto_passwd -b -c "$ROOT/auth/passwd" ballerina ballerinamqtt
    chmod 644 "$ROOT/auth/passwd"
    render "$ROOT/auth/mosquitto.conf" "$TEMPLATES/base.conf" "$TEMPLATES/auth.conf" "$TEMPLATES/listener-plain.conf"

    for broker in anonymous auth; do
        mosquitto -c "$ROOT/$broker/mosquitto.conf" > "$ROOT/$broker/stdout.log" 2>&1 &
        echo $! > "$ROOT/$broker/pid"
    done
    sleep 0.5
    for broker in anonymous auth; do
        kill -0 "$(cat "$ROOT/$broker/pid")" 2>/dev/null || {
            echo "brokers.sh: the $broker broker did not start; see $ROOT/$broker/" >&2; exit 1; }
    done
    echo "brokers started under $ROOT"
}

stop() {
    for broker in anonymous auth; do
        if [ -f "$ROOT/$broker/pid" ]; then
            kill "$(cat "$ROOT/$broker/pid")" 2>/dev/null || true
            rm -f "$ROOT/$broker/pid"
        fi
    done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
