package io.ballerina.lib.mqtt.bench;

import io.ballerina.lib.mqtt.engine.JniProbe;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The Java side of bench/run.sh: {@code java Bench IMPL HOST PORT CASE...} with IMPL {@code ours}
 * (the Java host API over JNI), {@code hivemq} (the HiveMQ MQTT client 1.3.7) or {@code paho}
 * (Eclipse Paho Java MQTT 5 1.2.5), and the same case syntax as bench/rumqttc (bench/README.md).
 * One JSON object per case on stdout. Throughput cases report, per run, msg/s, process CPU per
 * message and context switches per message (every thread of the process, {@link #contextSwitches}).
 */
public final class Bench {
    private Bench() {
    }

    /** The operations a case needs from a client library. */
    interface Impl {
        String name();

        Conn connect(String clientId) throws Exception;

        /** A subscriber that calls onMessage(payload) on the library's delivery thread. */
        Conn subscribe(String clientId, String topic, int qos, Receiver receiver) throws Exception;
    }

    interface Receiver {
        void onMessage(byte[] payload);
    }

    interface Conn {
        void publishSync(String topic, byte[] payload, int qos) throws Exception;

        /** Publishes; {@code done} runs once the QoS's delivery completed (or failed). */
        void publishAsync(String topic, byte[] payload, int qos, Runnable done) throws Exception;

        void close() throws Exception;
    }

    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    static final AtomicLong IDS = new AtomicLong();

    static String clientId(Impl impl) {
        return impl.name() + "-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
    }

    /**
     * Context switches of every thread of this process so far, {voluntary, nonvoluntary}: the sum
     * of {@code voluntary_ctxt_switches} and {@code nonvoluntary_ctxt_switches} over
     * {@code /proc/self/task/*}{@code /status}. A difference of two readings counts the switches of
     * the threads alive at the second one (a thread that ended in between takes its own away; none
     * of the clients ends threads while a case runs). Linux only.
     */
    static long[] contextSwitches() throws IOException {
        long voluntary = 0;
        long nonvoluntary = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(task.resolve("status"));
                } catch (IOException ended) {
                    continue;
                }
                for (String line : lines) {
                    if (line.startsWith("voluntary_ctxt_switches:")) {
                        voluntary += Long.parseLong(line.substring(24).trim());
                    } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                        nonvoluntary += Long.parseLong(line.substring(27).trim());
                    }
                }
            }
        }
        return new long[] {voluntary, nonvoluntary};
    }

    /** Context switches per message between two {@link #contextSwitches} readings: {all, voluntary}. */
    static double[] perMessage(long[] before, long[] after, int count) {
        long voluntary = after[0] - before[0];
        long all = voluntary + after[1] - before[1];
        return new double[] {all / (double) count, voluntary / (double) count};
    }

    static long get(Map<String, String> spec, String key, long dflt) {
        String v = spec.get(key);
        return v == null ? dflt : Long.parseLong(v);
    }

    /**
     * Which runs of a throughput case are warm-up: the first {@code warmup=} ones, and every one
     * that starts less than {@code warmupsecs=} seconds after the case began. A JVM keeps a core
     * busy while its JIT compiles, and on this VM a busy core wakes a sleeping thread faster: a
     * count of warm-up runs that a fast client finishes in 0.2 s measured HiveMQ's sync QoS 1 at
     * 43-53k msg/s for its first runs and 9-14k from its second second on (bench/analysis.md).
     */
    static final class WarmUp {
        private final long warmup;
        private final long runs;
        private final long until;
        private long started;
        private long counted;

        WarmUp(Map<String, String> spec) {
            warmup = get(spec, "warmup", 1);
            runs = get(spec, "runs", 3);
            until = System.nanoTime() + (long) (Double.parseDouble(spec.getOrDefault("warmupsecs", "0")) * 1e9);
        }

        /** Whether a counted run is still to come. */
        boolean more() {
            return counted < runs;
        }

        /** Starts a run: true when it is counted. */
        boolean start() {
            boolean counts = started++ >= warmup && System.nanoTime() >= until;
            if (counts) {
                counted++;
            }
            return counts;
        }
    }

    static byte[] payload(int size) {
        byte[] p = new byte[Math.max(size, 8)];
        Arrays.fill(p, (byte) 'x');
        ByteBuffer.wrap(p).putLong(System.nanoTime());
        return p;
    }

    static String list(List<Double> v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.size(); i++) {
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", v.get(i)));
        }
        return b.append(']').toString();
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.isEmpty() ? 0 : s.get(s.size() / 2);
    }

    // ------------------------------------------------------------------ publish

    static String publishCase(Impl impl, Map<String, String> spec) throws Exception {
        int qos = (int) get(spec, "qos", 1);
        int size = (int) get(spec, "size", 100);
        boolean sync = "sync".equals(spec.get("mode"));
        int count = (int) get(spec, "count", 10_000);
        int window = (int) get(spec, "window", 64);
        Conn conn = impl.connect(clientId(impl));
        String topic = "bench/" + impl.name() + "/pub/" + ProcessHandle.current().pid();
        byte[] body = payload(size);
        List<Double> rates = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        List<Double> ctx = new ArrayList<>();
        List<Double> vctx = new ArrayList<>();
        WarmUp warm = new WarmUp(spec);
        while (warm.more()) {
            boolean counted = warm.start();
            long[] c0 = contextSwitches();
            long cpu0 = OS.getProcessCpuTime();
            long t0 = System.nanoTime();
            if (sync) {
                for (int i = 0; i < count; i++) {
                    conn.publishSync(topic, body, qos);
                }
            } else {
                pipeline(conn, topic, body, qos, count, window);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = (OS.getProcessCpuTime() - cpu0) / 1000.0 / count;
            double[] switches = perMessage(c0, contextSwitches(), count);
            if (counted) {
                rates.add(count / secs);
                cpus.add(cpu);
                ctx.add(switches[0]);
                vctx.add(switches[1]);
            }
        }
        conn.close();
        return String.format(Locale.ROOT, "{\"impl\":\"%s\",\"case\":\"publish\",\"qos\":%d,\"size\":%d,\"mode\":\"%s\","
                        + "\"count\":%d,\"window\":%d,\"rate\":%s,\"cpu_us_per_msg\":%s,\"ctx_switches_per_msg\":%s,"
                        + "\"voluntary_ctx_switches_per_msg\":%s,\"median_rate\":%.1f}",
                impl.name(), qos, size, sync ? "sync" : "async", count, window, list(rates), list(cpus), list(ctx),
                list(vctx), median(rates));
    }

    /** One publisher, at most {@code window} publishes not yet completed; returns when all completed. */
    static void pipeline(Conn conn, String topic, byte[] body, int qos, int count, int window) throws Exception {
        Semaphore room = new Semaphore(window);
        CountDownLatch all = new CountDownLatch(count);
        Runnable done = () -> {
            room.release();
            all.countDown();
        };
        for (int i = 0; i < count; i++) {
            room.acquire();
            conn.publishAsync(topic, body, qos, done);
        }
        if (!all.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("publishes did not complete: " + all.getCount() + " left");
        }
    }

    // ------------------------------------------------------------------ end to end

    static String e2eCase(Impl impl, Map<String, String> spec) throws Exception {
        int qos = (int) get(spec, "qos", 1);
        int size = (int) get(spec, "size", 100);
        int count = (int) get(spec, "count", 10_000);
        int window = (int) get(spec, "window", 64);
        String topic = "bench/" + impl.name() + "/e2e/" + ProcessHandle.current().pid() + "/" + qos;
        AtomicLong received = new AtomicLong();
        Object signal = new Object();
        long[] target = {Long.MAX_VALUE};
        Conn sub = impl.subscribe(clientId(impl), topic, qos, payload -> {
            long n = received.incrementAndGet();
            if (n >= target[0]) {
                synchronized (signal) {
                    signal.notifyAll();
                }
            }
        });
        Conn pub = impl.connect(clientId(impl));
        byte[] body = payload(size);
        List<Double> rates = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        List<Double> ctx = new ArrayList<>();
        List<Double> vctx = new ArrayList<>();
        WarmUp warm = new WarmUp(spec);
        while (warm.more()) {
            boolean counted = warm.start();
            long start = received.get();
            synchronized (signal) {
                target[0] = start + count;
            }
            long[] c0 = contextSwitches();
            long cpu0 = OS.getProcessCpuTime();
            long t0 = System.nanoTime();
            pipeline(pub, topic, body, qos, count, window);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            synchronized (signal) {
                while (received.get() < start + count) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("received " + (received.get() - start) + " of " + count);
                    }
                    signal.wait(Math.max(1, left / 1_000_000));
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = (OS.getProcessCpuTime() - cpu0) / 1000.0 / count;
            double[] switches = perMessage(c0, contextSwitches(), count);
            if (counted) {
                rates.add(count / secs);
                cpus.add(cpu);
                ctx.add(switches[0]);
                vctx.add(switches[1]);
            }
        }
        pub.close();
        sub.close();
        return String.format(Locale.ROOT, "{\"impl\":\"%s\",\"case\":\"e2e\",\"qos\":%d,\"size\":%d,\"count\":%d,"
                        + "\"window\":%d,\"rate\":%s,\"cpu_us_per_msg\":%s,\"ctx_switches_per_msg\":%s,"
                        + "\"voluntary_ctx_switches_per_msg\":%s,\"median_rate\":%.1f}",
                impl.name(), qos, size, count, window, list(rates), list(cpus), list(ctx), list(vctx), median(rates));
    }

    // ------------------------------------------------------------------ latency

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(Math.max(i, 1), sorted.length) - 1];
    }

    static String latencyCase(Impl impl, Map<String, String> spec) throws Exception {
        int qos = (int) get(spec, "qos", 1);
        int size = (int) get(spec, "size", 100);
        long rate = get(spec, "rate", 2000);
        int count = (int) get(spec, "count", 10_000);
        int warmupCount = (int) get(spec, "warmupcount", 2000);
        long runs = get(spec, "runs", 3);
        String topic = "bench/" + impl.name() + "/lat/" + ProcessHandle.current().pid() + "/" + qos;
        double[][] samples = {new double[warmupCount]};
        AtomicLong received = new AtomicLong();
        CountDownLatch[] finished = {new CountDownLatch(1)};
        Conn sub = impl.subscribe(clientId(impl), topic, qos, payload -> {
            long now = System.nanoTime();
            long sent = ByteBuffer.wrap(payload).getLong();
            int i = (int) received.getAndIncrement();
            double[] s = samples[0];
            if (i < s.length) {
                s[i] = (now - sent) / 1000.0;
                if (i == s.length - 1) {
                    finished[0].countDown();
                }
            }
        });
        Conn pub = impl.connect(clientId(impl));
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> p999 = new ArrayList<>();
        Stalls stalls = new Stalls();
        byte[] body = payload(size);
        Runnable nothing = () -> {
        };
        for (long run = 0; run <= runs; run++) {
            int n = run == 0 ? warmupCount : count;
            samples[0] = new double[n];
            finished[0] = new CountDownLatch(1);
            received.set(0);
            long period = 1_000_000_000L / rate;
            stalls.begin();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long deadline = start + period * i;
                long wait;
                while ((wait = deadline - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                stalls.pacerWoke(deadline);
                byte[] p = body.clone();
                ByteBuffer.wrap(p).putLong(System.nanoTime());
                pub.publishAsync(topic, p, qos, nothing);
            }
            if (!finished[0].await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latency run: received " + received.get() + " of " + n);
            }
            if (run > 0) {
                double[] s = samples[0].clone();
                Arrays.sort(s);
                p50.add(percentile(s, 50));
                p99.add(percentile(s, 99));
                p999.add(percentile(s, 99.9));
                stalls.end(s[s.length - 1]);
            }
        }
        pub.close();
        sub.close();
        return String.format(Locale.ROOT, "{\"impl\":\"%s\",\"case\":\"latency\",\"qos\":%d,\"size\":%d,\"rate\":%d,"
                        + "\"count\":%d,\"p50_us\":%s,\"p99_us\":%s,\"p999_us\":%s,%s}",
                impl.name(), qos, size, rate, count, list(p50), list(p99), list(p999), stalls.json());
    }

    // ------------------------------------------------------------------ idle memory

    static long statusKib(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }

    static long heapUsedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    static String idleCase(Impl impl, Map<String, String> spec) throws Exception {
        int clients = (int) get(spec, "clients", 1);
        long settle = get(spec, "settle", 2);
        long heap0 = heapUsedAfterGc();
        long rss0 = statusKib("VmRSS:");
        // Connected from 32 threads at once (Paho takes 0.2-0.3 s per connect here), which end
        // before the measurement. Clients are not closed: the process exits after the case.
        List<Conn> conns = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(32);
        List<java.util.concurrent.Future<?>> started = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            started.add(pool.submit(() -> conns.add(impl.connect(clientId(impl)))));
        }
        for (java.util.concurrent.Future<?> f : started) {
            f.get();
        }
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
        Thread.sleep(settle * 1000);
        long heap = heapUsedAfterGc();
        long rss = statusKib("VmRSS:");
        long threads = ManagementFactory.getThreadMXBean().getThreadCount();
        String osThreads = String.valueOf(statusKib("Threads:"));
        String line = String.format(Locale.ROOT, "{\"impl\":\"%s\",\"case\":\"idle\",\"clients\":%d,\"rss_kib\":%d,"
                        + "\"rss_before_kib\":%d,\"native_delta_kib\":%d,\"heap_used_kib\":%d,"
                        + "\"heap_before_kib\":%d,\"heap_delta_kib\":%d,\"java_threads\":%d,\"os_threads\":%s}",
                impl.name(), clients, rss, rss0, rss - rss0, heap / 1024, heap0 / 1024, (heap - heap0) / 1024,
                threads, osThreads);
        return line;
    }

    // ------------------------------------------------------------------ JNI probe

    static String jniCase(String uri, Map<String, String> spec) throws Exception {
        int size = (int) get(spec, "size", 100);
        int iterations = (int) get(spec, "iterations", 200_000);
        JniProbe.Result r = JniProbe.measure(uri, size, iterations);
        return String.format(Locale.ROOT, "{\"impl\":\"ours\",\"case\":\"jni\",\"size\":%d,\"iterations\":%d,"
                        + "\"status_ns\":%.1f,\"publish_qos0_ns\":%.1f,\"credit_ns\":%.1f,\"ack_ns\":%.1f,"
                        + "\"encode_ns\":%.1f,\"poll_per_event_ns\":%.1f}",
                size, iterations, r.statusNs(), r.publishQos0Ns(), r.creditNs(), r.ackNs(), r.encodeNs(),
                r.pollPerEventNs());
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // Paho's non-daemon threads would keep the JVM alive
        }
        System.exit(0);
    }

    static void run(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: Bench ours|hivemq|paho HOST PORT CASE...");
            System.exit(2);
        }
        String uri = "tcp://" + args[1] + ":" + args[2];
        Impl impl = switch (args[0]) {
            case "ours" -> new OursImpl(uri);
            case "paho" -> new PahoImpl(uri);
            case "hivemq" -> new HiveMqImpl(args[1], Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("impl " + args[0]);
        };
        for (int i = 3; i < args.length; i++) {
            String[] parts = args[i].split(":");
            Map<String, String> spec = new HashMap<>();
            for (int k = 1; k < parts.length; k++) {
                String[] kv = parts[k].split("=", 2);
                spec.put(kv[0], kv[1]);
            }
            String line = switch (parts[0]) {
                case "publish" -> publishCase(impl, spec);
                case "e2e" -> e2eCase(impl, spec);
                case "latency" -> latencyCase(impl, spec);
                case "idle" -> idleCase(impl, spec);
                case "jni" -> jniCase(uri, spec);
                case "adapter" -> {
                    if (!"ours".equals(impl.name())) {
                        throw new IllegalArgumentException("the adapter case measures ours only");
                    }
                    yield AdapterPath.run(uri, spec);
                }
                default -> throw new IllegalArgumentException("case " + parts[0]);
            };
            System.out.println(line);
            System.out.flush();
        }
    }
}
