package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.finish;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** C7: close/disconnect in every order, nothing leaked over 1000 cycles, Cleaner of unreachable clients. */
@Timeout(120)
class LifecycleTest extends WithSharedBroker {

    // ------------------------------------------------------------------ process measurements (Linux /proc)

    private static final String PROC = "counts threads, file descriptors and RSS in Linux's /proc";

    /** OS threads of this process: Java threads and the engine's native threads alike. */
    static long osThreads() {
        return count(Path.of("/proc/self/task"));
    }

    static long fds() {
        return count(Path.of("/proc/self/fd"));
    }

    static long rssBytes() {
        try {
            String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(statm[1]) * 4096L;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void cycle(int i) {
        MqttClient c = MqttClient.connect(broker.url(), "cycle-" + i, null);
        c.disconnect();
        c.close();
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = PROC)
    @Timeout(180)
    @DisplayName("C7: 1000 connect/disconnect/close cycles leak no threads, file descriptors or native memory")
    void c7ThousandCyclesLeakNothing() {
        for (int i = 0; i < 50; i++) {
            cycle(i); // warm-up: pump thread, engine runtime, JIT, heap
        }
        System.gc();
        long threads0 = osThreads();
        long fds0 = fds();
        long rss0 = rssBytes();
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            cycle(i);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.gc();
        // Threads and sockets wind down asynchronously: wait for them (deadline), do not sleep.
        boolean threadsBack = Wait.until(SOON, () -> osThreads() <= threads0 + 2);
        boolean fdsBack = Wait.until(SOON, () -> fds() <= fds0 + 4);
        long rss1 = rssBytes();
        System.out.printf("LifecycleTest: 1000 cycles in %d ms; OS threads %d -> %d; fds %d -> %d; RSS %d -> %d KiB%n",
                millis, threads0, osThreads(), fds0, fds(), rss0 / 1024, rss1 / 1024);
        assertTrue(threadsBack, "C7: OS threads grew " + threads0 + " -> " + osThreads());
        assertTrue(fdsBack, "C7: file descriptors grew " + fds0 + " -> " + fds());
        assertTrue(rss1 - rss0 < 20L * 1024 * 1024, "C7: RSS grew by " + (rss1 - rss0) / 1024 + " KiB");
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = PROC)
    @Timeout(180)
    @DisplayName("C7: 1000 cycles in a child JVM with a fixed pre-touched heap: native memory (RSS) grows less than 20 MiB, no thread or fd growth, no JNI warning")
    void c7ThousandCyclesNativeMemory() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = Files.createTempFile("leak-cycles", ".txt");
        try {
            Process child = new ProcessBuilder(java.toString(), "-Xcheck:jni", "-Xms64m", "-Xmx64m",
                    "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"),
                    LeakCycles.class.getName(), broker.url(), "1000")
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            boolean exited = child.waitFor(150, TimeUnit.SECONDS);
            if (!exited) {
                child.destroyForcibly();
            }
            String output = Files.readString(out);
            assertTrue(exited, "child did not finish:\n" + output);
            assertEquals(0, child.exitValue(), output);
            assertFalse(output.contains("WARNING in native method") || output.contains("FATAL ERROR in native method"),
                    output);
            String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow(
                    () -> new AssertionError("no RESULT line:\n" + output));
            long[] v = Arrays.stream(line.substring(7).split(" ")).mapToLong(Long::parseLong).toArray();
            System.out.printf("LifecycleTest (child JVM, 64 MiB fixed heap): 1000 cycles in %d ms; OS threads %d -> %d;"
                    + " fds %d -> %d; RSS %d -> %d KiB%n", v[6], v[0], v[3], v[1], v[4], v[2] / 1024, v[5] / 1024);
            assertTrue(v[3] <= v[0], "C7: OS threads grew " + v[0] + " -> " + v[3]);
            assertTrue(v[4] <= v[1], "C7: fds grew " + v[1] + " -> " + v[4]);
            assertTrue(v[5] - v[2] < 20L * 1024 * 1024, "C7: native memory grew by " + (v[5] - v[2]) / 1024 + " KiB");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = PROC)
    @DisplayName("C7, L6: 100 listener connect/attach/start/stop cycles leak no dispatch threads")
    void listenerCyclesLeakNothing() throws Exception {
        MqttClient pub = Support.client(broker.url(), "lc-pub");
        try {
            long threads0 = -1;
            for (int i = 0; i < 120; i++) {
                if (i == 20) {
                    threads0 = osThreads();
                }
                MqttListener l = MqttListener.connect(broker.url(), "lc-" + i, List.of(Subscription.of("lc/t")), null);
                java.util.concurrent.CountDownLatch got = new java.util.concurrent.CountDownLatch(1);
                l.attach((m, c) -> got.countDown());
                l.start();
                if (i % 20 == 0) {
                    pub.publish("lc/t", Message.of("x"));
                    assertTrue(got.await(SOON.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
                }
                if (i % 2 == 0) {
                    l.gracefulStop();
                } else {
                    l.immediateStop();
                }
            }
            long base = threads0;
            assertTrue(Wait.until(SOON, () -> osThreads() <= base + 2), "threads " + base + " -> " + osThreads());
        } finally {
            finish(pub);
        }
    }

    @Test
    @DisplayName("C7: every order of disconnect/reconnect/close: close refused while connected (32100), after a lost connection close works, 32111 after close")
    void c7Orders() {
        // disconnect twice, reconnect twice
        MqttClient c = Support.client(broker.url(), "orders");
        MqttException connected = assertThrows(MqttException.class, c::reconnect);
        assertEquals(MqttException.CLIENT_CONNECTED, code(connected), "reconnect while connected: " + connected.getMessage());
        c.disconnect();
        MqttException again = assertThrows(MqttException.class, c::disconnect);
        assertEquals(MqttException.CLIENT_DISCONNECTED, code(again), "disconnect while disconnected: " + again.getMessage());
        c.reconnect();
        assertTrue(c.isConnected());
        c.disconnect();
        c.close();

        // A client whose connection was lost (broker gone, no automatic reconnect) closes without disconnect.
        try (Broker own = Broker.start()) {
            MqttClient lost = Support.client(own.url(), "lost");
            own.stop();
            assertTrue(Wait.until(SOON, () -> !lost.isConnected()), "the loss was noticed");
            MqttException down = assertThrows(MqttException.class, lost::reconnect);
            assertTrue(down.reasonCode().isPresent(), down.getMessage());
            lost.close();
            assertEquals(MqttException.CLIENT_CLOSED, code(assertThrows(MqttException.class, lost::isConnected)));
        }

        // Listener: close before start, stops in any order, all idempotent.
        MqttListener never = MqttListener.connect(broker.url(), id("never"), List.of(Subscription.of("o/t")), null);
        never.close();
        never.gracefulStop();
        never.immediateStop();
        MqttListener attached = MqttListener.connect(broker.url(), id("attached"), List.of(Subscription.of("o/t")), null);
        attached.attach((m, k) -> { });
        attached.gracefulStop();
        attached.close();
        assertEquals(MqttException.CLIENT_CLOSED, code(assertThrows(MqttException.class, attached::start)));
    }

    @Test
    @DisplayName("C7: a client that becomes unreachable without close is released by the Cleaner (its connection goes away)")
    void unreachableClientIsReleased() {
        String clientId = id("forgotten");
        connectAndForget(clientId);
        boolean gone = Wait.until(SOON, () -> {
            System.gc();
            String log = broker.log();
            return log.contains("Client " + clientId + " closed its connection")
                    || log.contains("Client " + clientId + " disconnected");
        });
        assertTrue(gone, "the forgotten client's connection is still open:\n" + broker.log());
    }

    private static void connectAndForget(String clientId) {
        MqttClient c = MqttClient.connect(broker.url(), clientId, null);
        assertTrue(c.isConnected());
        assertFalse(c.isClosed());
    }
}
