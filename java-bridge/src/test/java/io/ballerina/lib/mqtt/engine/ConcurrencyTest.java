package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P2: many threads publishing on one client at once. */
@Timeout(90)
class ConcurrencyTest extends WithSharedBroker {
    private static final int THREADS = 16;
    private static final int PER_THREAD = 100;

    /** Reads {@code total} messages and groups their payloads by topic, in arrival order. */
    private static Map<String, List<String>> collect(MessageStream stream, int total) {
        Map<String, List<String>> byTopic = new HashMap<>();
        for (int i = 0; i < total; i++) {
            Message m = stream.next(SOON);
            assertNotNull(m, "received " + i + " of " + total);
            byTopic.computeIfAbsent(m.topic(), t -> new ArrayList<>()).add(m.payloadAsString());
        }
        return byTopic;
    }

    private static void assertPerThreadOrder(Map<String, List<String>> byTopic, String prefix) {
        assertEquals(THREADS, byTopic.size(), "topics: " + byTopic.keySet());
        for (int t = 0; t < THREADS; t++) {
            List<String> expected = new ArrayList<>();
            for (int k = 0; k < PER_THREAD; k++) {
                expected.add("t" + t + "-" + k);
            }
            assertEquals(expected, byTopic.get(prefix + t), "P2: thread " + t + "'s messages in order, each once");
        }
    }

    @Test
    @DisplayName("P2: 16 threads publish QoS 1 and 2 on one client: each token is its own call's, each thread's messages arrive in order")
    void p2SixteenThreadsSyncPublish() throws Exception {
        MqttClient sub = Support.subscriber(broker.url(), "conc/sync/#");
        MqttClient pub = Support.client(broker.url(), "conc-pub");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            MessageStream stream = sub.receive();
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<List<DeliveryToken>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    String topic = "conc/sync/" + thread;
                    List<DeliveryToken> tokens = new ArrayList<>();
                    start.await(SOON.toSeconds(), TimeUnit.SECONDS);
                    for (int k = 0; k < PER_THREAD; k++) {
                        tokens.add(pub.publish(topic, Message.of("t" + thread + "-" + k).withQos(1 + (k + thread) % 2)));
                    }
                    return tokens;
                }));
            }
            for (int t = 0; t < THREADS; t++) {
                List<DeliveryToken> tokens = results.get(t).get(60, TimeUnit.SECONDS);
                assertEquals(PER_THREAD, tokens.size());
                for (DeliveryToken token : tokens) {
                    assertEquals("conc/sync/" + t, token.topic(), "P2: a token of another call");
                    assertTrue(token.messageId() > 0 && token.messageId() <= 65535, "packet id " + token.messageId());
                }
            }
            assertPerThreadOrder(collect(stream, THREADS * PER_THREAD), "conc/sync/");
        } finally {
            pool.shutdownNow();
            finish(pub);
            finish(sub);
        }
    }

    @Test
    @DisplayName("P2: 16 threads publishAsync QoS 1/2 on one client: every future completes with its own topic; per-thread order per QoS kept")
    void p2SixteenThreadsAsyncPublish() throws Exception {
        MqttClient sub = Support.subscriber(broker.url(), "conc/async/#");
        MqttClient pub = Support.client(broker.url(), "conc-apub");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            MessageStream stream = sub.receive();
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<List<CompletableFuture<DeliveryToken>>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                // One QoS per thread: MQTT orders messages of one QoS on one topic (§4.6).
                int qos = 1 + thread % 2;
                results.add(pool.submit(() -> {
                    String topic = "conc/async/" + thread;
                    List<CompletableFuture<DeliveryToken>> futures = new ArrayList<>();
                    start.await(SOON.toSeconds(), TimeUnit.SECONDS);
                    for (int k = 0; k < PER_THREAD; k++) {
                        futures.add(pub.publishAsync(topic, Message.of("t" + thread + "-" + k).withQos(qos)));
                    }
                    return futures;
                }));
            }
            for (int t = 0; t < THREADS; t++) {
                for (CompletableFuture<DeliveryToken> f : results.get(t).get(60, TimeUnit.SECONDS)) {
                    DeliveryToken token = f.get(60, TimeUnit.SECONDS);
                    assertEquals("conc/async/" + t, token.topic(), "P2: a token of another call");
                }
            }
            assertPerThreadOrder(collect(stream, THREADS * PER_THREAD), "conc/async/");
        } finally {
            pool.shutdownNow();
            finish(pub);
            finish(sub);
        }
    }
}
