package io.ballerina.lib.mqtt.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What else happened during a latency run, to tell a stall of the client from one of the machine:
 * the slowest message, how late the pacing thread (which only sleeps) woke past its deadline at
 * worst, the process's GC time, and the machine's steal time (the hypervisor running someone
 * else on our vCPUs, {@code /proc/stat}). A message that is slow while the pacer also woke late
 * and no GC ran was held up outside the client. Written as {@code max_us}, {@code pacer_late_max_us},
 * {@code gc_ms} and {@code steal_ms}, one value per counted run (the rumqttc bench writes the same
 * but {@code gc_ms}).
 */
final class Stalls {
    /** USER_HZ of {@code /proc/stat}: 100 on every Linux this bench runs on. */
    private static final double MS_PER_TICK = 10.0;

    private final List<Double> maxUs = new ArrayList<>();
    private final List<Double> pacerLateMaxUs = new ArrayList<>();
    private final List<Double> gcMs = new ArrayList<>();
    private final List<Double> stealMs = new ArrayList<>();
    private long pacerLateMax;
    private long gc0;
    private long steal0;

    /** At the start of a run. */
    void begin() {
        pacerLateMax = 0;
        gc0 = gcMillis();
        steal0 = stealTicks();
    }

    /** After the pacer's sleep until {@code deadline} ({@link System#nanoTime}). */
    void pacerWoke(long deadline) {
        pacerLateMax = Math.max(pacerLateMax, System.nanoTime() - deadline);
    }

    /** At the end of a counted run whose slowest message took {@code slowestUs}. */
    void end(double slowestUs) {
        maxUs.add(slowestUs);
        pacerLateMaxUs.add(pacerLateMax / 1000.0);
        gcMs.add((double) (gcMillis() - gc0));
        stealMs.add((stealTicks() - steal0) * MS_PER_TICK);
    }

    /** The four fields, without braces. */
    String json() {
        return String.format(Locale.ROOT, "\"max_us\":%s,\"pacer_late_max_us\":%s,\"gc_ms\":%s,\"steal_ms\":%s",
                Bench.list(maxUs), Bench.list(pacerLateMaxUs), Bench.list(gcMs), Bench.list(stealMs));
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    /** The eighth value of the aggregate {@code cpu} line: steal, in ticks. */
    private static long stealTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return f.length > 8 ? Long.parseLong(f[8]) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
