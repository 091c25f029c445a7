package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.finish;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static io.ballerina.lib.mqtt.engine.Support.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Proxy;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** C4/C5 through Java: automatic reconnect after cuts and broker restarts, without loss. */
@Timeout(90)
class ReconnectTest {

    private static ConnectionConfig.Builder reconnecting() {
        return Support.config().automaticReconnect(true).maxReconnectDelay(1000L).connectionTimeout(5);
    }

    private static ConnectionConfig persistent() {
        return reconnecting().cleanStart(false).sessionExpiryInterval(300L).build();
    }

    @Test
    @DisplayName("C4, C5: a broker restart (SIGTERM, persistence, same port) loses nothing: persistent sessions, automatic reconnect, QoS 1 and 2")
    void c4c5BrokerRestartNoLoss() throws Exception {
        try (Broker broker = Broker.start(Broker.options().persistence())) {
            // The subscribers: a client stream and a listener, both with persistent sessions.
            MqttClient sub = MqttClient.connect(broker.url(), id("rs-sub"), ClientConfig.of(persistent()));
            sub.subscribe(List.of(Subscription.of("restart/t", 2)));
            MessageStream stream = sub.receive();
            Map<String, Integer> listenerSeen = new ConcurrentHashMap<>();
            MqttListener listener = MqttListener.connect(broker.url(), id("rs-l"),
                    List.of(Subscription.of("restart/t", 2)), new ListenerConfig(persistent(), false));
            listener.attach(new MessageHandler() {
                @Override
                public void onMessage(Message m, Caller c) {
                    listenerSeen.merge(m.payloadAsString(), 1, Integer::sum);
                }

                @Override
                public void onError(MqttException error) {
                    // Connection lost / reconnected: expected during the restart.
                }
            });
            listener.start();
            MqttClient pub = MqttClient.connect(broker.url(), id("rs-pub"), ClientConfig.of(persistent()));
            ExecutorService producer = Executors.newSingleThreadExecutor();
            AtomicInteger tokens = new AtomicInteger();
            AtomicBoolean enough = new AtomicBoolean();
            List<String> failures = new ArrayList<>();
            try {
                // Publishes (QoS 1 and 2 alternating, one at a time) until told to stop: before, during and after
                // the restart. Returns how many it published.
                Future<Integer> done = producer.submit(() -> {
                    int i = 0;
                    for (; !enough.get(); i++) {
                        String p = "r" + i;
                        try {
                            DeliveryToken t = pub.publish("restart/t", Message.of(p).withQos(1 + i % 2));
                            assertEquals("restart/t", t.topic());
                            tokens.incrementAndGet();
                        } catch (MqttException e) {
                            synchronized (failures) {
                                failures.add(p + ": " + e.getMessage() + " (" + code(e) + ")");
                            }
                        }
                    }
                    return i;
                });
                assertTrue(Wait.until(SOON, () -> tokens.get() >= 100), "the first publishes were not delivered");
                broker.stop();
                int atStop = tokens.get();
                assertTrue(Wait.until(SOON, () -> !pub.isConnected()), "the publisher saw the broker go");
                broker.restart();
                assertTrue(Wait.until(SOON, () -> tokens.get() >= atStop + 100), "publishing did not resume");
                enough.set(true);
                int total = done.get(60, TimeUnit.SECONDS);
                synchronized (failures) {
                    assertTrue(failures.isEmpty(), "C5: publishes failed across the restart: " + failures);
                }
                assertEquals(total, tokens.get());
                assertTrue(Wait.until(SOON, () -> pub.isConnected() && sub.isConnected() && listener.isConnected()),
                        "all reconnected");

                Map<String, Integer> streamSeen = new ConcurrentHashMap<>();
                while (streamSeen.size() < total) {
                    Message m = stream.next(SOON);
                    assertNotNull(m, "stream: " + streamSeen.size() + " of " + total + "\n" + broker.log());
                    streamSeen.merge(m.payloadAsString(), 1, Integer::sum);
                }
                assertTrue(Wait.until(SOON, () -> listenerSeen.size() == total),
                        "listener: " + listenerSeen.size() + " of " + total);
                for (int i = 1; i < total; i += 2) {
                    assertEquals(1, streamSeen.get("r" + i), "QoS 2 exactly once on the stream: r" + i);
                    assertEquals(1, listenerSeen.get("r" + i), "QoS 2 exactly once on the listener: r" + i);
                }
            } finally {
                producer.shutdownNow();
                finish(pub);
                finish(sub);
                finish(listener);
            }
        }
    }

    @Test
    @DisplayName("C4, C5: a cut connection reconnects by itself; publishes made while down are delivered; the listener's onError sees 32109 and dispatch resumes")
    void c4c5CutReconnectsAndDeliversPublishesMadeWhileDown() throws Exception {
        try (Broker broker = Broker.start(); Proxy proxy = Proxy.start(broker.port())) {
            MqttClient sub = Support.subscriber(broker.url(), "cut/#");
            MessageStream stream = sub.receive();
            MqttClient c = MqttClient.connect(proxy.url(), id("cut"), ClientConfig.of(reconnecting().build()));
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            MqttListener l = MqttListener.connect(proxy.url(), id("cut-l"), List.of(Subscription.of("cutl/t")),
                    ListenerConfig.of(reconnecting().build()));
            try {
                l.attach(new MessageHandler() {
                    @Override
                    public void onMessage(Message m, Caller caller) {
                        events.add(m.payloadAsString());
                    }

                    @Override
                    public void onError(MqttException error) {
                        events.add(error);
                    }
                });
                l.start();
                proxy.setRefuse(true);
                proxy.cutAll();
                assertTrue(Wait.until(SOON, () -> !c.isConnected()), "down after the cut");
                Object lost = events.poll(SOON.toMillis(), TimeUnit.MILLISECONDS);
                assertTrue(lost instanceof MqttException, String.valueOf(lost));
                assertEquals(MqttException.CONNECTION_LOST, code((MqttException) lost));

                List<CompletableFuture<DeliveryToken>> whileDown = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    whileDown.add(c.publishAsync("cut/" + i, Message.of("down-" + i).withQos(1 + i % 2)));
                }
                proxy.setRefuse(false);
                for (int i = 0; i < 5; i++) {
                    DeliveryToken t = whileDown.get(i).get(SOON.toSeconds(), TimeUnit.SECONDS);
                    assertEquals("cut/" + i, t.topic(), "C5: a publish made while down is delivered");
                }
                assertTrue(c.isConnected());
                Set<String> got = new HashSet<>();
                while (got.size() < 5) {
                    got.add(next(stream, "publishes made while down").payloadAsString());
                }
                assertEquals(Set.of("down-0", "down-1", "down-2", "down-3", "down-4"), got);

                // The listener is back with its subscription (restored: clean start, no session).
                assertTrue(Wait.until(SOON, l::isConnected), "listener reconnected");
                String seen = null;
                for (int i = 0; i < 50 && seen == null; i++) {
                    sub.publish("cutl/t", Message.of("probe-" + i));
                    Object e = events.poll(200, TimeUnit.MILLISECONDS);
                    while (e instanceof MqttException) {
                        e = events.poll(200, TimeUnit.MILLISECONDS);
                    }
                    seen = (String) e;
                }
                assertNotNull(seen, "C4: the listener's subscription was not restored");
                assertTrue(seen.startsWith("probe-"), seen);
            } finally {
                finish(c);
                finish(l);
                finish(sub);
            }
        }
    }

    @Test
    @DisplayName("C4: a client's subscriptions are restored when a restarted broker has no session")
    void c4SubscriptionsRestoredAfterRestartWithoutPersistence() throws Exception {
        try (Broker broker = Broker.start()) {
            MqttClient sub = MqttClient.connect(broker.url(), id("restore"), ClientConfig.of(reconnecting().build()));
            try {
                sub.subscribe(List.of(Subscription.of("restore/t")));
                MessageStream stream = sub.receive();
                broker.stop();
                assertTrue(Wait.until(SOON, () -> !sub.isConnected()));
                broker.restart();
                assertTrue(Wait.until(SOON, sub::isConnected), "reconnected");
                MqttClient pub = Support.client(broker.url(), "restore-pub");
                try {
                    Message first = null;
                    for (int i = 0; i < 50 && first == null; i++) {
                        pub.publish("restore/t", Message.of("after restart"));
                        first = stream.next(Duration.ofMillis(200));
                    }
                    assertNotNull(first, "C4: no message through the restored subscription");
                    assertEquals("after restart", first.payloadAsString());
                } finally {
                    finish(pub);
                }
            } finally {
                finish(sub);
            }
        }
    }

    @Test
    @DisplayName("C3, C4: reconnect fails over to the next of serverUris when the first broker is gone")
    void c3FailoverOnReconnect() throws Exception {
        try (Broker first = Broker.start(); Broker second = Broker.start()) {
            String clientId = id("failover");
            MqttClient c = MqttClient.connect("tcp://unused:1", clientId, ClientConfig.of(reconnecting()
                    .serverUris(List.of(first.url(), second.url())).build()));
            try {
                c.subscribe(List.of(Subscription.of("fo/t")));
                MessageStream stream = c.receive();
                first.stop();
                // isConnected may still be true before the client has read the first broker's close.
                assertTrue(Wait.until(SOON, () -> second.log().contains("as " + clientId) && c.isConnected()),
                        "C3: reconnected to the second broker");
                c.publish("fo/t", Message.of("on the second"));
                Message m = next(stream, "own message through the second broker");
                assertEquals("on the second", m.payloadAsString());
                assertTrue(second.log().contains("as " + clientId), "the second broker has the client:\n" + second.log());
                assertTrue(first.log().contains("as " + clientId), "the first broker had the client first");
            } finally {
                finish(c);
            }
        }
    }
}
