package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ballerina 2201.11 calls the bridge from strands, which are Java 21 virtual threads: the client and
 * listener API must work there, and must not pin the carrier while it waits for the engine (no
 * {@code synchronized} around a JNI call or a wait). Run with {@code -Djdk.tracePinnedThreads=full},
 * which prints a stack for every virtual thread that blocks while pinned; run-tests.sh fails on one.
 * Skipped below Java 21 (the sources are compiled for 17, so virtual threads are started reflectively).
 */
@Timeout(120)
class VirtualThreadTest extends WithSharedBroker {
    /** More strands than the carriers of a 2-core machine, so that a pinned one would starve the others. */
    private static final int STRANDS = 8;

    private static Method startVirtualThread;
    private static Method isVirtual;

    @BeforeAll
    static void needsVirtualThreads() throws NoSuchMethodException {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21");
        startVirtualThread = Thread.class.getMethod("startVirtualThread", Runnable.class);
        isVirtual = Thread.class.getMethod("isVirtual");
    }

    @Test
    @DisplayName("C6, P1, R1: connect, subscribe, publish, receive, disconnect and close from concurrent virtual threads")
    void clientApiFromVirtualThreads() throws Exception {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        List<Thread> strands = new ArrayList<>();
        for (int i = 0; i < STRANDS; i++) {
            String topic = "vt/client/" + i;
            strands.add(strand(failures, () -> {
                assertTrue((Boolean) isVirtual.invoke(Thread.currentThread()), "runs on a virtual thread");
                MqttClient client = MqttClient.connect(broker.url(), id("vt-client"), ClientConfig.defaults());
                client.subscribe(List.of(Subscription.of(topic)));
                MessageStream stream = client.receive();
                client.publish(topic, Message.of("from " + topic));
                received.add(Support.next(stream, topic).payloadAsString());
                client.disconnect();
                client.close();
            }));
        }
        joinAll(strands);
        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(STRANDS, received.size(), "every strand got its own message back: " + received);
    }

    @Test
    @DisplayName("C7: two virtual threads closing the same client: both return, the client is closed once")
    void concurrentCloseFromVirtualThreads() throws Exception {
        MqttClient client = MqttClient.connect(broker.url(), id("vt-close"), ClientConfig.defaults());
        client.disconnect();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> strands = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            strands.add(strand(failures, client::close));
        }
        joinAll(strands);
        assertEquals(List.of(), List.copyOf(failures));
        assertTrue(client.isClosed());
    }

    @Test
    @DisplayName("L1, L2, L6: a listener connected, attached, started and stopped from a virtual thread dispatches to its handler")
    void listenerLifecycleFromVirtualThread() throws Exception {
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread strand = strand(failures, () -> {
            MqttListener listener = MqttListener.connect(broker.url(), id("vt-listener"),
                    List.of(Subscription.of("vt/listener")), null);
            listener.attach((message, caller) -> messages.add(message.payloadAsString()));
            listener.start();
            MqttClient publisher = MqttClient.connect(broker.url(), id("vt-pub"), ClientConfig.defaults());
            publisher.publish("vt/listener", Message.of("to the listener"));
            assertEquals("to the listener", messages.poll(SOON.toMillis(), TimeUnit.MILLISECONDS));
            listener.detach();
            listener.gracefulStop();
            publisher.disconnect();
            publisher.close();
        });
        joinAll(List.of(strand));
        assertEquals(List.of(), List.copyOf(failures));
    }

    /** A unit of work that may throw, run on a new virtual thread; its failure is collected. */
    private interface Work {
        void run() throws Exception;
    }

    private static Thread strand(ConcurrentLinkedQueue<Throwable> failures, Work work)
            throws IllegalAccessException, InvocationTargetException {
        Runnable body = () -> {
            try {
                work.run();
            } catch (Throwable t) {
                failures.add(t);
            }
        };
        Thread thread = (Thread) startVirtualThread.invoke(null, body);
        assertNotNull(thread);
        return thread;
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + SOON.toNanos() * 2;
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            t.join(Math.max(1, left));
            assertFalse(t.isAlive(), "virtual thread " + t + " finished in time");
        }
    }
}
