package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.finish;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reliability scenario 6: sustained load through the host API, with RSS, heap (after
 * System.gc()), OS threads and file descriptors sampled at ten checkpoints during each run.
 *
 * <p>The default (the README's {@code mvn verify}) runs a shortened version with the same checks:
 * 10,000 messages over 50 clients × 50 listeners and 100,000 through one pair. The full numbers
 * (100,000 and 1,000,000) run with
 * {@code mvn -B verify -Dtest=LoadTest -Dsurefire.failIfNoSpecifiedTests=false -Dmqtt.reliability.full=true}
 * (Surefire forwards the user property to the forked JVM).
 */
@Timeout(900)
class LoadTest {
    /** {@code -Dmqtt.reliability.full=true}: the full message counts. */
    static final boolean FULL = Boolean.getBoolean("mqtt.reliability.full");
    private static final int CHECKPOINTS = 10;
    /** The checkpoint after which memory must stay flat (20 % of the run: JIT, pools, buffers warm); CHECKPOINTS >= WARM + 6. */
    private static final int WARM = 1;
    private static final long MIB = 1024L * 1024;
    /** RSS outside the heap may grow at most this much from the warm checkpoint to the last (malloc, JIT). */
    private static final long NATIVE_SLACK = 48 * MIB;
    /** Heap after GC may grow at most this much from the warm checkpoint to the last. */
    private static final long HEAP_SLACK = 16 * MIB;

    private static Broker broker;

    @BeforeAll
    static void startBroker() {
        broker = Broker.start();
        System.out.printf("LoadTest: mode %s (mqtt.reliability.full=%s)%n", FULL ? "FULL" : "short",
                System.getProperty("mqtt.reliability.full"));
        // Warm the engine (runtime threads, event pump, common pool) before any baseline is taken.
        MqttClient warm = Support.client(broker.url(), "load-warm");
        try {
            warm.publishAsync("load/warm", Message.of("x")).join();
        } finally {
            finish(warm);
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    // ------------------------------------------------------------------ measurements

    /**
     * One checkpoint. {@code heapKiB}: heap in use after System.gc(); {@code committedKiB}: heap
     * committed then; {@code nativeKiB} = RSS − committed heap, the memory outside the Java heap
     * (engine, malloc arenas, thread stacks, metaspace, code). RSS alone swings by the young
     * generation G1 commits and gives back, so the flatness checks use heap and native separately.
     */
    record Sample(String label, long sent, long received, long rssKiB, long heapKiB, long committedKiB,
                  long threads, long fds) {
        long nativeKiB() {
            return rssKiB - committedKiB;
        }

        @Override
        public String toString() {
            return String.format("%-10s sent %8d received %8d  RSS %7d KiB (native %7d, heap committed %7d)"
                    + "  heap used %6d KiB  threads %4d  fds %4d",
                    label, sent, received, rssKiB, nativeKiB(), committedKiB, heapKiB, threads, fds);
        }
    }

    static Sample sample(String label, long sent, long received) {
        System.gc();
        java.lang.management.MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new Sample(label, sent, received, LifecycleTest.rssBytes() / 1024, heap.getUsed() / 1024,
                heap.getCommitted() / 1024, LifecycleTest.osThreads(), LifecycleTest.fds());
    }

    /** Peaks between checkpoints (no GC), every 100 ms on its own thread. */
    static final class PeakSampler implements AutoCloseable {
        final AtomicLong rss = new AtomicLong();
        final AtomicLong threads = new AtomicLong();
        final AtomicLong fds = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        PeakSampler() {
            thread = new Thread(() -> {
                while (running.get()) {
                    rss.accumulateAndGet(LifecycleTest.rssBytes(), Math::max);
                    threads.accumulateAndGet(LifecycleTest.osThreads(), Math::max);
                    fds.accumulateAndGet(LifecycleTest.fds(), Math::max);
                    try {
                        Thread.sleep(100); // sampling period, not a wait for a condition
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "load-peak-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        /** Forgets the peaks so far (called at the warm checkpoint). */
        void reset() {
            rss.set(0);
            threads.set(0);
            fds.set(0);
        }

        @Override
        public void close() {
            running.set(false);
            thread.interrupt();
            try {
                thread.join(SOON.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Prints the samples and asserts that memory, threads and fds stayed flat after the warm checkpoint. */
    private static void assertFlat(String what, List<Sample> samples, PeakSampler peaks, long threadsInRun) {
        Sample warm = samples.get(WARM + 1); // samples[0] = before the first message
        Sample last = samples.get(samples.size() - 1);
        System.out.printf("%s: peaks after warm-up: RSS %d KiB, threads %d (of which %d are the test's own), fds %d%n",
                what, peaks.rss.get() / 1024, peaks.threads.get(), threadsInRun, peaks.fds.get());
        // Floors, not single samples: malloc arenas and the young generation swing by tens of MiB between
        // checkpoints and come back; a leak raises the floor. Warm window: 20-40 %; end window: 80-100 %.
        List<Sample> warmWindow = samples.subList(WARM + 1, WARM + 4);
        List<Sample> endWindow = samples.subList(samples.size() - 3, samples.size());
        long nativeGrowth = (floor(endWindow, Sample::nativeKiB) - floor(warmWindow, Sample::nativeKiB)) * 1024;
        long heapGrowth = (floor(endWindow, Sample::heapKiB) - floor(warmWindow, Sample::heapKiB)) * 1024;
        long rssGrowth = (floor(endWindow, Sample::rssKiB) - floor(warmWindow, Sample::rssKiB)) * 1024;
        System.out.printf("%s: floor of 80-100 %% minus floor of 20-40 %%: native memory %+d KiB, heap used %+d KiB,"
                + " RSS %+d KiB (last - warm: RSS %+d KiB)%n", what, nativeGrowth / 1024, heapGrowth / 1024,
                rssGrowth / 1024, last.rssKiB() - warm.rssKiB());
        assertTrue(nativeGrowth < NATIVE_SLACK, what + ": RSS outside the heap grew by " + nativeGrowth / 1024
                + " KiB after warm-up");
        assertTrue(heapGrowth < HEAP_SLACK, what + ": heap after GC grew by " + heapGrowth / 1024 + " KiB");
        for (Sample s : samples.subList(WARM + 1, samples.size())) {
            assertTrue(s.threads() <= warm.threads() + 4, what + ": threads " + warm + " -> " + s);
            assertTrue(Math.abs(s.fds() - warm.fds()) <= 4, what + ": fds " + warm + " -> " + s);
        }
        assertTrue(peaks.threads.get() <= warm.threads() + 4, what + ": peak threads " + peaks.threads.get());
        assertTrue(peaks.fds.get() <= warm.fds() + 4, what + ": peak fds " + peaks.fds.get());
    }

    private static long floor(List<Sample> window, java.util.function.ToLongFunction<Sample> f) {
        return window.stream().mapToLong(f).min().orElseThrow();
    }

    /** After everything was closed: threads and fds back to the baseline taken before the run. */
    private static void assertBackToBaseline(String what, Sample baseline) {
        boolean threadsBack = Wait.until(SOON, () -> LifecycleTest.osThreads() <= baseline.threads() + 2);
        boolean fdsBack = Wait.until(SOON, () -> LifecycleTest.fds() <= baseline.fds() + 2);
        Sample after = sample("closed", 0, 0);
        System.out.printf("%s: baseline %s%n%s: after close %s%n", what, baseline, what, after);
        assertTrue(threadsBack, what + ": threads " + baseline.threads() + " -> " + after.threads());
        assertTrue(fdsBack, what + ": fds " + baseline.fds() + " -> " + after.fds());
    }

    private static byte[] payload(int client, int k, int size) {
        byte[] head = (client + ":" + k + ":").getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(head, Math.max(size, head.length));
        Arrays.fill(out, head.length, out.length, (byte) ('a' + k % 26));
        return out;
    }

    /** Checks a payload made by {@link #payload}; returns k, or -1 (and records why) when it is wrong. */
    private static int parse(byte[] p, int client, int size, ConcurrentLinkedQueue<String> problems) {
        String s = new String(p, StandardCharsets.US_ASCII);
        String[] parts = s.split(":", 3);
        try {
            int c = Integer.parseInt(parts[0]);
            int k = Integer.parseInt(parts[1]);
            if (c != client || !Arrays.equals(p, payload(c, k, size))) {
                problems.add("payload mismatch: client " + client + " got " + s.substring(0, Math.min(40, s.length())));
                return -1;
            }
            return k;
        } catch (RuntimeException e) {
            problems.add("unparsable payload " + s.substring(0, Math.min(40, s.length())));
            return -1;
        }
    }

    /** A pipelined publish: a permit of {@code window} is released when the token (or error) comes. */
    private static void publishPipelined(MqttClient c, Semaphore window, String topic, byte[] body, int qos,
                                         AtomicLong acked, ConcurrentLinkedQueue<String> problems)
            throws InterruptedException {
        window.acquire();
        c.publishAsync(topic, Message.of(body).withQos(qos)).whenComplete((token, error) -> {
            window.release();
            if (error != null) {
                problems.add("publish to " + topic + " failed: " + error);
            } else if (!topic.equals(token.topic()) || (qos > 0 && token.messageId() == 0)) {
                problems.add("P2: wrong token " + token + " for " + topic);
            } else {
                acked.incrementAndGet();
            }
        });
    }

    private static void awaitCheckpoint(String what, long expected, AtomicLong acked, AtomicLong received,
                                        ConcurrentLinkedQueue<String> problems, Duration deadline) {
        boolean done = Wait.until(deadline, () -> !problems.isEmpty()
                || (acked.get() >= expected && received.get() >= expected));
        if (!problems.isEmpty()) {
            fail(what + ": " + problems.size() + " problems, first: " + new ArrayList<>(problems).subList(0,
                    Math.min(5, problems.size())));
        }
        assertTrue(done, what + ": expected " + expected + " acked and received, got " + acked.get() + " acked, "
                + received.get() + " received");
        assertEquals(expected, acked.get(), what + ": acked");
        assertEquals(expected, received.get(), what + ": received (a duplicate would show here)");
    }

    // ------------------------------------------------------------------ (a) 50 × 50

    @Test
    @DisplayName("Scenario 6a (P1, P2, C7, L2, L3, R1): 50 clients and 50 listeners in one JVM exchange 10,000 QoS 1 messages"
            + " (100,000 with -Dmqtt.reliability.full=true), pipelined; each arrives exactly once, in order per"
            + " publisher and topic; RSS, heap, threads and fds stay flat; threads and fds return to baseline after close")
    void fiftyClientsFiftyListeners() throws Exception {
        final int n = 50;
        final int total = FULL ? 100_000 : 10_000;
        final int perClient = total / n;
        final int perBatch = perClient / CHECKPOINTS;
        final int window = 64;
        final int size = 100;
        final String base = "load/a/" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicLong acked = new AtomicLong();
        AtomicLong received = new AtomicLong();
        // expected[listener][client]: the next k listener i must get from client j (k ≡ i - j mod n, increasing).
        int[][] expected = new int[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                expected[i][j] = Math.floorMod(i - j, n);
            }
        }
        Sample baseline = sample("baseline", 0, 0);
        List<Sample> samples = new ArrayList<>();
        List<MqttListener> listeners = new ArrayList<>();
        List<MqttClient> clients = new ArrayList<>();
        ExecutorService publishers = Executors.newFixedThreadPool(n);
        long start = System.nanoTime();
        try (PeakSampler peaks = new PeakSampler()) {
            for (int i = 0; i < n; i++) {
                final int li = i;
                final String prefix = base + "/L" + i + "/C";
                MqttListener l = MqttListener.connect(broker.url(), id("load-l" + i),
                        List.of(Subscription.of(base + "/L" + i + "/+", 1)), null);
                listeners.add(l);
                l.attach(new MessageHandler() {
                    @Override
                    public void onMessage(Message m, Caller caller) {
                        // One call at a time per listener (L2): expected[li] needs no lock.
                        String topic = m.topic();
                        if (topic == null || !topic.startsWith(prefix)) {
                            problems.add("listener " + li + " got topic " + topic);
                            return;
                        }
                        int j = Integer.parseInt(topic.substring(prefix.length()));
                        int k = parse(m.payload(), j, size, problems);
                        if (k < 0) {
                            return;
                        }
                        if (k != expected[li][j]) {
                            problems.add("listener " + li + " from client " + j + ": expected k=" + expected[li][j]
                                    + ", got " + k + (k < expected[li][j] ? " (duplicate)" : " (gap or reorder)"));
                        }
                        expected[li][j] = k + n;
                        if (m.qos() != 1) {
                            problems.add("qos " + m.qos());
                        }
                        received.incrementAndGet();
                    }

                    @Override
                    public void onError(MqttException error) {
                        problems.add("listener " + li + " onError: " + error.getMessage());
                    }
                });
                l.start();
            }
            for (int j = 0; j < n; j++) {
                clients.add(MqttClient.connect(broker.url(), id("load-c" + j), null));
            }
            samples.add(sample("connected", 0, 0));
            for (int b = 0; b < CHECKPOINTS; b++) {
                final int from = b * perBatch;
                List<Future<?>> batch = new ArrayList<>();
                for (int j = 0; j < n; j++) {
                    final int cj = j;
                    final MqttClient c = clients.get(j);
                    batch.add(publishers.submit(() -> {
                        Semaphore w = new Semaphore(window);
                        for (int k = from; k < from + perBatch; k++) {
                            int li = (cj + k) % n;
                            publishPipelined(c, w, base + "/L" + li + "/C" + cj, payload(cj, k, size), 1, acked,
                                    problems);
                        }
                        w.acquire(window); // this client's batch is acknowledged
                        return null;
                    }));
                }
                for (Future<?> f : batch) {
                    f.get(300, TimeUnit.SECONDS);
                }
                long sent = (long) (b + 1) * perBatch * n;
                awaitCheckpoint("6a batch " + b, sent, acked, received, problems, Duration.ofSeconds(120));
                samples.add(sample(String.format("after %2d%%", (b + 1) * 100 / CHECKPOINTS), sent, received.get()));
                if (b == WARM) {
                    peaks.reset();
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("LoadTest 6a: %d clients x %d listeners, %d QoS 1 messages (%d bytes) in %d ms"
                    + " (%.0f msg/s)%n", n, n, total, size, millis, total * 1000.0 / Math.max(1, millis));
            samples.forEach(s -> System.out.println("LoadTest 6a: " + s));
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(Math.floorMod(i - j, n) + perClient, expected[i][j],
                            "listener " + i + " from client " + j + ": every message exactly once");
                }
            }
            assertFlat("LoadTest 6a", samples, peaks, n + 1);
        } finally {
            publishers.shutdownNow();
            publishers.awaitTermination(30, TimeUnit.SECONDS);
            clients.forEach(Support::finish);
            listeners.forEach(Support::finish);
        }
        assertBackToBaseline("LoadTest 6a", baseline);
    }

    // ------------------------------------------------------------------ (b) one pair

    @Test
    @DisplayName("Scenario 6b (P1, P2, L2, L3): 100,000 QoS 1 messages (1,000,000 with -Dmqtt.reliability.full=true)"
            + " through one client/listener pair, pipelined (window 1000): each exactly once and in order;"
            + " RSS, heap, threads and fds stay flat; threads and fds return to baseline after close")
    void oneMillionThroughOnePair() throws Exception {
        final int total = FULL ? 1_000_000 : 100_000;
        final int perBatch = total / CHECKPOINTS;
        final int window = 1000;
        final int size = 32;
        final String topic = "load/b/" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicLong acked = new AtomicLong();
        AtomicLong received = new AtomicLong();
        int[] next = {0};
        Sample baseline = sample("baseline", 0, 0);
        List<Sample> samples = new ArrayList<>();
        MqttListener l = null;
        MqttClient c = null;
        long start = System.nanoTime();
        try (PeakSampler peaks = new PeakSampler()) {
            l = MqttListener.connect(broker.url(), id("load-pair-l"), List.of(Subscription.of(topic, 1)), null);
            l.attach(new MessageHandler() {
                @Override
                public void onMessage(Message m, Caller caller) {
                    int k = parse(m.payload(), 0, size, problems);
                    if (k >= 0 && k != next[0]) {
                        problems.add("expected k=" + next[0] + ", got " + k);
                    }
                    next[0] = k + 1;
                    received.incrementAndGet();
                }

                @Override
                public void onError(MqttException error) {
                    problems.add("onError: " + error.getMessage());
                }
            });
            l.start();
            c = MqttClient.connect(broker.url(), id("load-pair-c"), null);
            samples.add(sample("connected", 0, 0));
            Semaphore w = new Semaphore(window);
            for (int b = 0; b < CHECKPOINTS; b++) {
                for (int k = b * perBatch; k < (b + 1) * perBatch; k++) {
                    publishPipelined(c, w, topic, payload(0, k, size), 1, acked, problems);
                }
                long sent = (long) (b + 1) * perBatch;
                awaitCheckpoint("6b batch " + b, sent, acked, received, problems, Duration.ofSeconds(120));
                samples.add(sample(String.format("after %2d%%", (b + 1) * 100 / CHECKPOINTS), sent, received.get()));
                if (b == WARM) {
                    peaks.reset();
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("LoadTest 6b: %d QoS 1 messages (%d bytes) through one pair in %d ms (%.0f msg/s)%n",
                    total, size, millis, total * 1000.0 / Math.max(1, millis));
            samples.forEach(s -> System.out.println("LoadTest 6b: " + s));
            assertEquals(total, next[0], "every message exactly once, in order");
            assertFlat("LoadTest 6b", samples, peaks, 1);
        } finally {
            finish(c);
            finish(l);
        }
        assertBackToBaseline("LoadTest 6b", baseline);
    }
}
