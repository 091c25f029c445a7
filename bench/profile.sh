#!/usr/bin/env bash
# Where the client-side CPU goes, per message, for one bench case: ours vs HiveMQ vs Paho vs rumqttc.
#
#   bench/profile.sh [CASE...]    (default: async QoS 1 publish and QoS 1 end to end, 100 B)
#
# Needs perf (Debian: linux-perf) and root or perf_event_paranoid <= 1, and the builds of
# bench/run.sh (run it once first). For each case and implementation it counts, over the whole
# process, CPU time, context switches and the syscalls that move data or threads (futex, send,
# recv, epoll_wait, write), divided by the messages the case handled (JVM start-up and JIT
# included, so CPU per message is higher than bench/run.sh reports); for ours it also samples
# which threads use the CPU. Prints Markdown; bench/analysis.md quotes a run of it.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
WORK="$(mktemp -d /tmp/mqtt-profile.XXXXXX)"
RUMQTTC="$HERE/rumqttc/target/release/rumqttc-bench"
[ -x "$RUMQTTC" ] && [ -f "$HERE/java/target/mqtt-bench.jar" ] \
    || { echo "build first: bench/run.sh (or BENCH_QUICK=1 bench/run.sh)" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 1; }
CP="$HERE/java/target/mqtt-bench.jar:$(cat "$HERE/java/target/classpath.txt")"
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(
    "publish:qos=1:size=100:mode=async:count=30000:window=20:warmup=1:runs=4"
    "e2e:qos=1:size=100:count=20000:window=20:warmup=1:runs=4"
)

# shellcheck source=bench/broker.sh
. "$HERE/broker.sh"
start_broker "$WORK"

EVENTS="task-clock,context-switches,syscalls:sys_enter_futex,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom"
EVENTS="$EVENTS,syscalls:sys_enter_read,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_write"
EVENTS="$EVENTS,syscalls:sys_enter_writev"

command_for() { # impl case -> the command line
    if [ "$1" = rumqttc ]; then echo "$RUMQTTC 127.0.0.1 $PORT $2"
    else echo "java -Xms1g -Xmx1g -XX:+UseG1GC -cp $CP io.ballerina.lib.mqtt.bench.Bench $1 127.0.0.1 $PORT $2"; fi
}

echo "| case | impl | msg/s | CPU µs/msg | ctx switches | futex | sendto | recvfrom + read | epoll_wait | write(v) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for case in "${CASES[@]}"; do
    for impl in ours hivemq paho rumqttc; do
        # shellcheck disable=SC2046
        perf stat -x, -e "$EVENTS" -o "$WORK/stat" $(command_for "$impl" "$case") >"$WORK/out" 2>>"$WORK/err"
        python3 - "$WORK/stat" "$WORK/out" "$impl" <<'PY'
import json, sys
stat = {}
for line in open(sys.argv[1]):
    p = line.strip().split(",")
    if len(p) > 3 and p[0][:1].isdigit():
        stat[p[2].replace("syscalls:sys_enter_", "")] = float(p[0])
d = json.loads(open(sys.argv[2]).readline())
n = d["count"] * (len(d["rate"]) + 1)  # the warm-up run is counted too
per = lambda k: stat.get(k, 0) / n
rate = sorted(d["rate"])[len(d["rate"]) // 2]
print(f"| {d['case']} QoS {d['qos']} {d.get('size')} B {d.get('mode', '')} | {sys.argv[3]} | {rate:,.0f} "
      f"| {per('task-clock') * 1000:.1f} | {per('context-switches'):.2f} | {per('futex'):.2f} "
      f"| {per('sendto'):.2f} | {per('recvfrom') + per('read'):.2f} | {per('epoll_wait'):.2f} "
      f"| {per('write') + per('writev'):.2f} |")
PY
    done
done

echo
echo "CPU share by thread, ours (perf record -e cpu-clock; JIT compiler threads included):"
echo
echo "| case | thread | share |"
echo "|---|---|---|"
for case in "${CASES[@]}"; do
    # shellcheck disable=SC2046
    perf record -q -F 1000 -e cpu-clock -o "$WORK/perf.data" $(command_for ours "$case") >/dev/null 2>>"$WORK/err"
    perf script -i "$WORK/perf.data" -F comm 2>/dev/null | python3 -c '
import collections, sys
names = {"mqtt-engine": "engine (tokio workers)", "java": "publisher (main)",
         "mqtt-engine-com": "publish completions", "mqtt-engine-eve": "event pump",
         "mqtt-listener-o": "listener dispatch", "C2 CompilerThre": "JIT", "C1 CompilerThre": "JIT"}
c = collections.Counter(names.get(l.strip(), "other JVM") for l in sys.stdin if l.strip())
total = sum(c.values())
for k, v in c.most_common():
    print(f"| {sys.argv[1].split(chr(58))[0]} | {k} | {100 * v / total:.0f} % |")
' "$case"
done
