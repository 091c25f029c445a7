#!/usr/bin/env bash
# Benchmark: our Java host API (Java -> JNI -> Rust engine) vs the HiveMQ MQTT client 1.3.7 vs
# Eclipse Paho Java MQTT 5 1.2.5 vs rumqttc 0.25.1 used directly from Rust, against one mosquitto
# on loopback; plus the Ballerina adapter path (ClientAdapter.publish through the runtime
# stand-in) against MqttClient.publish. Cases and measures: bench/README.md.
#
#   bench/run.sh            full run (about 9-10 minutes on 2 cores, builds included)
#   BENCH_QUICK=1 bench/run.sh   short counts, 2 runs, 1 warm-up: a smoke run for development only
#   BENCH_OUT=DIR bench/run.sh   results and report into DIR/ instead (the checkout's stay as they are)
#
# Writes bench/results/*.jsonl (one JSON object per case and implementation, every run's
# value), bench/results/machine.json, docs/benchmarks.md and docs/benchmarks.png.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
RESULTS="$HERE/results"
REPORT_MD="$ROOT/docs/benchmarks.md"
REPORT_PNG="$ROOT/docs/benchmarks.png"
if [ -n "${BENCH_OUT:-}" ]; then
    mkdir -p "$BENCH_OUT"
    RESULTS="$BENCH_OUT/results"; REPORT_MD="$BENCH_OUT/benchmarks.md"; REPORT_PNG="$BENCH_OUT/benchmarks.png"
fi
WORK="$(mktemp -d /tmp/mqtt-bench.XXXXXX)"
START=$(date +%s)
log() { printf '[bench %4ss] %s\n' "$(( $(date +%s) - START ))" "$*" >&2; }

# ---------------------------------------------------------------- prerequisites
need_apt=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need_apt+=(mosquitto)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    log "installing ${need_apt[*]}"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! python3 -c 'import matplotlib' 2>/dev/null; then
    log "installing bench/requirements.txt"
    python3 -m pip install -q -r "$HERE/requirements.txt" 2>/dev/null \
        || python3 -m pip install -q --break-system-packages -r "$HERE/requirements.txt"
fi

# ---------------------------------------------------------------- build
log "building the engine and the bridge jar (cargo --release + mvn package)"
(cd "$ROOT/java-bridge" && mvn -B -q package -DskipTests) >"$WORK/build-bridge.log" 2>&1 \
    || { cat "$WORK/build-bridge.log"; exit 1; }
(cd "$ROOT" && mvn -B -q install:install-file -Dfile=java-bridge/target/mqtt-bridge.jar \
    -DgroupId=io.ballerina.lib -DartifactId=mqtt-bridge -Dversion=1.0.0 -Dpackaging=jar) \
    >"$WORK/build-install.log" 2>&1 || { cat "$WORK/build-install.log"; exit 1; }
log "building bench/java (HiveMQ client 1.3.7 and Paho 1.2.5 from Maven Central)"
(cd "$HERE/java" && mvn -B -q clean package) >"$WORK/build-java.log" 2>&1 || { cat "$WORK/build-java.log"; exit 1; }
log "building bench/rumqttc (its own workspace and target dir)"
(cd "$HERE/rumqttc" && cargo build --release -q) >"$WORK/build-rust.log" 2>&1 \
    || { cat "$WORK/build-rust.log"; exit 1; }
RUMQTTC="$HERE/rumqttc/target/release/rumqttc-bench"
CP="$HERE/java/target/mqtt-bench.jar:$(cat "$HERE/java/target/classpath.txt")"
JAVA_FLAGS=(-Xms1g -Xmx1g -XX:+UseG1GC)
# Idle memory: a fixed, pre-touched heap, so RSS growth is native memory (stacks, malloc, code).
IDLE_FLAGS=(-Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseG1GC)

# ---------------------------------------------------------------- broker
# shellcheck source=bench/broker.sh
. "$HERE/broker.sh"
start_broker "$WORK"
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true
log "mosquitto $("$MOSQUITTO" -h 2>/dev/null | head -1 | awk '{print $3}') on 127.0.0.1:$PORT (pid $BROKER)"

# ---------------------------------------------------------------- cases
# In-flight window of every async publisher = mosquitto's default Receive Maximum (20, from its
# max_inflight_messages default): Paho refuses more (32202); ours, HiveMQ (its send maximum) and
# rumqttc cap themselves at the broker's value too. All four get the same window.
W=20
# Warm-up runs per case (a fresh JVM per case: the JIT compiles during the first ones).
# And at least WS seconds of them: a JVM's JIT keeps a core busy in its first seconds, which makes
# a sleeping thread's wake-up faster on this VM (HiveMQ's sync QoS 1: 43-53k msg/s in its first
# runs, 9-14k from its second second on; bench/analysis.md), so the counted runs start after it.
if [ "${BENCH_QUICK:-0}" = 1 ]; then R=2; WU=1; WS=1; SCALE=5; LATN=3000; else R=5; WU=2; WS=3; SCALE=1; LATN=10000; fi
n() { echo $(( $1 / SCALE )); }
PUBLISH=()
for size in 100 4096; do
    PUBLISH+=("publish:qos=0:size=$size:mode=sync:count=$(n 10000):warmup=$WU:warmupsecs=$WS:runs=$R")
    PUBLISH+=("publish:qos=1:size=$size:mode=sync:count=$(n 4000):warmup=$WU:warmupsecs=$WS:runs=$R")
    PUBLISH+=("publish:qos=2:size=$size:mode=sync:count=$(n 2000):warmup=$WU:warmupsecs=$WS:runs=$R")
    PUBLISH+=("publish:qos=0:size=$size:mode=async:count=$(n 100000):window=$W:warmup=$WU:warmupsecs=$WS:runs=$R")
    PUBLISH+=("publish:qos=1:size=$size:mode=async:count=$(n 30000):window=$W:warmup=$WU:warmupsecs=$WS:runs=$R")
    PUBLISH+=("publish:qos=2:size=$size:mode=async:count=$(n 15000):window=$W:warmup=$WU:warmupsecs=$WS:runs=$R")
done
E2E=(
    "e2e:qos=0:size=100:count=$(n 50000):window=$W:warmup=$WU:warmupsecs=$WS:runs=$R"
    "e2e:qos=1:size=100:count=$(n 20000):window=$W:warmup=$WU:warmupsecs=$WS:runs=$R"
    "e2e:qos=2:size=100:count=$(n 10000):window=$W:warmup=$WU:warmupsecs=$WS:runs=$R"
)
LATENCY=(
    "latency:qos=0:size=100:rate=2000:count=$LATN:warmupcount=6000:runs=3"
    "latency:qos=1:size=100:rate=2000:count=$LATN:warmupcount=6000:runs=3"
)
# The Ballerina path: per run, the sync publish case's count through MqttClient.publish and
# through ClientAdapter.publish on the same connection, alternating which goes first. QoS 0 runs
# 100,000 publishes: 10,000 last 40 ms, and their ratio spread 0.42-2.16 (bench/analysis.md).
ADAPTER=(
    "adapter:qos=0:size=100:count=$(n 100000):warmup=$WU:warmupsecs=$WS:runs=$R"
    "adapter:qos=1:size=100:count=$(n 4000):warmup=$WU:warmupsecs=$WS:runs=$R"
    "adapter:qos=2:size=100:count=$(n 2000):warmup=$WU:warmupsecs=$WS:runs=$R"
)
IMPLS=(ours hivemq paho rumqttc)

mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.jsonl
uptime >"$WORK/uptime-before"

# Every client process gets CASE_TIMEOUT seconds (a case takes 2-30 s here): a client that hangs
# (say, in disconnect) fails the run with its name and case instead of stalling it.
CASE_TIMEOUT=${BENCH_CASE_TIMEOUT:-300}
failed() { # impl rc cases...
    local impl=$1 rc=$2; shift 2
    if [ "$rc" = 124 ]; then log "$impl timed out after $CASE_TIMEOUT s on: $*"; else log "$impl failed (exit $rc) on: $*"; fi
    tail -20 "$WORK/$impl.err" >&2
    exit 1
}
run_java() { # impl out flags... -- cases...
    local impl=$1 out=$2 rc=0; shift 2
    local flags=()
    while [ "$1" != "--" ]; do flags+=("$1"); shift; done
    shift
    timeout -k 10 "$CASE_TIMEOUT" java "${flags[@]}" -cp "$CP" io.ballerina.lib.mqtt.bench.Bench "$impl" 127.0.0.1 \
        "$PORT" "$@" >>"$RESULTS/$out.jsonl" 2>>"$WORK/$impl.err" || rc=$?
    [ "$rc" = 0 ] || failed "$impl" "$rc" "$@"
}
run_rust() { # out cases...
    local out=$1 rc=0; shift
    timeout -k 10 "$CASE_TIMEOUT" "$RUMQTTC" 127.0.0.1 "$PORT" "$@" >>"$RESULTS/$out.jsonl" \
        2>>"$WORK/rumqttc.err" || rc=$?
    [ "$rc" = 0 ] || failed rumqttc "$rc" "$@"
}

# The broker's CPU time (clock ticks of utime + stime) while each group runs: how close it is to a core.
broker_ticks() { awk '{print $14 + $15}' "/proc/$BROKER/stat"; }
TICK=$(getconf CLK_TCK)

# Interleaved by case (each case: ours, HiveMQ, Paho, rumqttc back to back, a fresh process
# each), so a change of machine load between cases hits all four alike. Broker CPU is summed per
# group.
for group in PUBLISH E2E LATENCY; do
    declare -n cases=$group
    log "$group: ${#cases[@]} cases x (${IMPLS[*]}), $WU warm-up + $R runs each"
    declare -A bticks=() wall=()
    for c in "${cases[@]}"; do
        for impl in "${IMPLS[@]}"; do
            b0=$(broker_ticks); t0=$(date +%s%N)
            if [ "$impl" = rumqttc ]; then run_rust throughput "$c"
            else run_java "$impl" throughput "${JAVA_FLAGS[@]}" -- "$c"; fi
            b1=$(broker_ticks); t1=$(date +%s%N)
            bticks[$impl]=$(( ${bticks[$impl]:-0} + b1 - b0 ))
            wall[$impl]=$(( ${wall[$impl]:-0} + (t1 - t0) / 1000000 ))
        done
    done
    for impl in "${IMPLS[@]}"; do
        python3 -c "b=${bticks[$impl]}/$TICK; w=${wall[$impl]}/1000; print('{\"group\":\"$group\",\"impl\":\"$impl\",\"broker_cpu_s\":%.2f,\"wall_s\":%.2f,\"broker_core_share\":%.3f}' % (b, w, b / w))" \
            >>"$RESULTS/broker.jsonl"
    done
    unset bticks wall
done

log "ADAPTER: ${#ADAPTER[@]} cases (MqttClient.publish vs ClientAdapter.publish, one process each)"
for c in "${ADAPTER[@]}"; do
    run_java ours adapter "${JAVA_FLAGS[@]}" -- "$c"
done

log "idle memory: a fresh process per case (1 and 1000 idle connected clients)"
for clients in 1 1000; do
    for impl in ours hivemq paho; do
        run_java "$impl" idle "${IDLE_FLAGS[@]}" -- "idle:clients=$clients:settle=3"
    done
    run_rust idle "idle:clients=$clients:settle=3"
done

log "JNI cost per call (Native.status/publish/credit/ack on a connected client, poll per event)"
run_java ours jni "${JAVA_FLAGS[@]}" -- "jni:size=100:iterations=200000"
run_rust jni "call:size=100:iterations=200000"

# ---------------------------------------------------------------- machine + report
uptime >"$WORK/uptime-after"
python3 - "$RESULTS/machine.json" "$WORK" "$MOSQUITTO" "$R" "$W" "$(( $(date +%s) - START ))" "$WU" "$WS" <<'PY'
import json, os, platform, subprocess, sys
out, work, mosq, runs, window, secs, warmup, warmup_secs = sys.argv[1:]
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return ""
cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
json.dump({
    "cpu": cpu, "cores": os.cpu_count(), "memory": mem,
    "kernel": platform.release(), "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
    "java": sh("java -version 2>&1 | head -1"), "rustc": sh("rustc --version"),
    "mosquitto": sh(f"{mosq} -h | head -1"),
    "load_before": open(f"{work}/uptime-before").read().strip(),
    "load_after": open(f"{work}/uptime-after").read().strip(),
    "runs": int(runs), "warmup": int(warmup), "warmup_secs": float(warmup_secs), "window": int(window), "seconds": int(secs),
    "quick": os.environ.get("BENCH_QUICK", "0") == "1",
    "commit": sh("git rev-parse --short HEAD"),
}, open(out, "w"), indent=1)
PY
python3 "$HERE/report.py" "$RESULTS" "$REPORT_MD" "$REPORT_PNG"
log "done in $(( $(date +%s) - START )) s: $REPORT_MD, $REPORT_PNG (logs in $WORK)"
