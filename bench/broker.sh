# Sourced by bench/run.sh and bench/profile.sh: start_broker WORKDIR starts the benchmark's
# mosquitto on a free loopback port (TCP_NODELAY, no queue limit, no persistence, all else
# default), sets PORT and BROKER, stops it on exit, and returns once it accepts connections.
start_broker() {
    local work=$1
    MOSQUITTO="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat >"$work/mosquitto.conf" <<CONF
listener $PORT 127.0.0.1
allow_anonymous true
set_tcp_nodelay true
max_queued_messages 0
persistence false
log_dest file $work/mosquitto.log
CONF
    [ "$(id -u)" -eq 0 ] && echo "user root" >>"$work/mosquitto.conf"
    "$MOSQUITTO" -c "$work/mosquitto.conf" &
    BROKER=$!
    trap 'kill "$BROKER" 2>/dev/null || true; wait "$BROKER" 2>/dev/null || true' EXIT
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
        sleep 0.1
    done
}
