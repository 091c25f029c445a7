package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.finish;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static io.ballerina.lib.mqtt.engine.Support.next;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.function.Executable;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Proxy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MqttClient through Java: P1, P4, R1, R2, C1, C7 against a real mosquitto. */
@Timeout(60)
class ClientTest extends WithSharedBroker {

    private static byte[] payload(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        for (int i = 0; i < Math.min(size, 256); i++) {
            b[i] = (byte) i; // every byte value, NUL included
        }
        return b;
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    @DisplayName("P1: publish round trip at every QoS with exact payloads and tokens")
    void p1RoundTripAtEveryQos(int qos) {
        String topic = "client/rt/" + qos;
        MqttClient sub = Support.subscriber(broker.url(), topic);
        MqttClient pub = Support.client(broker.url(), "pub");
        try {
            MessageStream stream = sub.receive();
            for (int size : new int[] {0, 1, 300, 200_000}) {
                byte[] p = payload(size, size + qos);
                DeliveryToken token = pub.publish(topic, Message.of(p).withQos(qos));
                assertEquals(topic, token.topic());
                if (qos == 0) {
                    assertEquals(0, token.messageId(), "QoS 0 token id");
                } else {
                    assertTrue(token.messageId() > 0 && token.messageId() <= 65535, "packet id " + token.messageId());
                }
                Message m = next(stream, "QoS " + qos + " message of " + size + " bytes");
                assertArrayEquals(p, m.payload(), "exact payload of " + size + " bytes");
                assertEquals(topic, m.topic());
                assertEquals(qos, m.qos());
                assertFalse(m.retained());
                assertFalse(m.duplicate());
                if (qos > 0) {
                    assertNotNull(m.messageId());
                }
            }
            assertNull(stream.next(Duration.ZERO), "nothing else arrived");
        } finally {
            finish(pub);
            finish(sub);
        }
    }

    @Test
    @DisplayName("P1/§8: publishAsync completes with the token of its own call, off the event pump thread")
    void p1PublishAsync() throws Exception {
        MqttClient sub = Support.subscriber(broker.url(), "client/async/#");
        MqttClient pub = Support.client(broker.url(), "pub");
        try {
            MessageStream stream = sub.receive();
            List<CompletableFuture<DeliveryToken>> futures = new ArrayList<>();
            List<CompletableFuture<String>> threads = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                CompletableFuture<DeliveryToken> f = pub.publishAsync("client/async/" + i,
                        Message.of("a" + i).withQos(i % 3));
                futures.add(f);
                threads.add(f.thenApply(t -> Thread.currentThread().getName()));
            }
            for (int i = 0; i < 30; i++) {
                DeliveryToken t = futures.get(i).get(SOON.toSeconds(), TimeUnit.SECONDS);
                assertEquals("client/async/" + i, t.topic());
                assertEquals(i % 3 == 0, t.messageId() == 0, "QoS " + (i % 3) + " id " + t.messageId());
                assertNotEquals("mqtt-engine-event-pump", threads.get(i).get(SOON.toSeconds(), TimeUnit.SECONDS));
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                got.add(next(stream, "async message").payloadAsString());
            }
            for (int i = 0; i < 30; i++) {
                assertTrue(got.contains("a" + i), "a" + i + " in " + got);
            }
            // A failing async publish completes exceptionally with an MqttException.
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> pub.publishAsync("client/async/+", Message.of("x")).get(SOON.toSeconds(), TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof MqttException, String.valueOf(e.getCause()));
        } finally {
            finish(pub);
            finish(sub);
        }
    }

    @Test
    @DisplayName("P4: a retained message reaches a later subscriber with retained = true")
    void p4Retained() {
        String topic = "client/retained/" + id("t");
        MqttClient pub = Support.client(broker.url(), "pub");
        MqttClient late = null;
        try {
            pub.publish(topic, Message.of("kept").withRetained(true));
            late = Support.subscriber(broker.url(), topic);
            Message m = next(late.receive(), "the retained message");
            assertEquals("kept", m.payloadAsString());
            assertTrue(m.retained(), "P4: RETAIN set");
            // An empty retained payload clears it.
            pub.publish(topic, Message.of(new byte[0]).withRetained(true));
        } finally {
            finish(pub);
            finish(late);
        }
    }

    @Test
    @DisplayName("P4: response topic, correlation data and the §7 properties travel intact")
    void p4Properties() {
        MqttClient sub = Support.subscriber(broker.url(), "client/props");
        MqttClient pub = Support.client(broker.url(), "pub");
        try {
            MessageProperties props = MessageProperties.ofResponseTopic("client/reply")
                    .withCorrelationData(new byte[] {0, 1, 2, (byte) 0xff})
                    .withUserProperties(List.of(new UserProperty("k", "v"), new UserProperty("k", "v2"),
                            new UserProperty("ünï", "ç")))
                    .withContentType("application/json")
                    .withMessageExpiryInterval(300L)
                    .withPayloadFormatIndicator(true);
            pub.publish("client/props", Message.of("{}").withProperties(props));
            Message m = next(sub.receive(), "message with properties");
            MessageProperties got = m.properties();
            assertNotNull(got);
            assertEquals("client/reply", got.responseTopic());
            assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, got.correlationData());
            assertEquals(props.userProperties(), got.userProperties());
            assertEquals("application/json", got.contentType());
            assertNotNull(got.messageExpiryInterval());
            assertTrue(got.messageExpiryInterval() > 0 && got.messageExpiryInterval() <= 300);
            assertEquals(Boolean.TRUE, got.payloadFormatIndicator());
        } finally {
            finish(pub);
            finish(sub);
        }
    }

    @Test
    @DisplayName("P4: the will is published when the client vanishes without DISCONNECT (connection cut by a proxy)")
    void p4WillOnAbruptDrop() {
        String topic = "client/will/" + id("w");
        MqttClient sub = Support.subscriber(broker.url(), topic);
        Proxy proxy = Proxy.start(broker.port());
        MqttClient vanishing = null;
        try {
            MessageStream stream = sub.receive();
            vanishing = MqttClient.connect(proxy.url(), id("will"), new ClientConfig(null,
                    new WillDetails(Message.of("gone").withQos(1), topic)));
            proxy.cutAll();
            Message m = next(stream, "the will");
            assertEquals("gone", m.payloadAsString());
            assertEquals(topic, m.topic());
        } finally {
            try {
                if (vanishing != null) {
                    vanishing.close();
                }
            } catch (MqttException e) {
                // Still connected in the engine's view until it notices the cut: disconnect first.
                finish(vanishing);
            }
            proxy.close();
            finish(sub);
        }
    }

    @Test
    @DisplayName("P4: no will after a clean disconnect")
    void p4NoWillAfterCleanDisconnect() {
        String topic = "client/will2/" + id("w");
        MqttClient sub = Support.subscriber(broker.url(), topic);
        try {
            MessageStream stream = sub.receive();
            String clientId = id("will2");
            MqttClient c = MqttClient.connect(broker.url(), clientId, new ClientConfig(null,
                    new WillDetails(Message.of("must not come"), topic)));
            c.disconnect();
            c.close();
            assertTrue(io.ballerina.lib.mqtt.engine.fixture.Wait.until(SOON,
                    () -> broker.log().contains("Client " + clientId + " disconnected")), broker.log());
            sub.publish(topic, Message.of("marker"));
            assertEquals("marker", next(stream, "the marker").payloadAsString(), "P4: a will after a clean disconnect");
        } finally {
            finish(sub);
        }
    }

    @Test
    @DisplayName("R1: messages are buffered from subscribe on, before receive() is called")
    void r1BufferedFromSubscribe() {
        MqttClient sub = Support.subscriber(broker.url(), "client/early");
        MqttClient pub = Support.client(broker.url(), "pub");
        try {
            for (int i = 0; i < 5; i++) {
                pub.publish("client/early", Message.of("e" + i));
            }
            MessageStream stream = sub.receive();
            for (int i = 0; i < 5; i++) {
                assertEquals("e" + i, next(stream, "buffered message").payloadAsString());
            }
        } finally {
            finish(pub);
            finish(sub);
        }
    }

    @Test
    @DisplayName("R1: a bounded buffer gives back-pressure, not loss (3000 messages > 1024 credits)")
    void r1BackPressureNotLoss() throws Exception {
        MqttClient sub = Support.subscriber(broker.url(), "client/bp");
        MqttClient pub = Support.client(broker.url(), "pub");
        try {
            int count = 3000;
            List<CompletableFuture<DeliveryToken>> fs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                fs.add(pub.publishAsync("client/bp", Message.of("b" + i)));
                if (fs.size() >= 64) {
                    fs.remove(0).get(SOON.toSeconds(), TimeUnit.SECONDS);
                }
            }
            for (CompletableFuture<DeliveryToken> f : fs) {
                f.get(SOON.toSeconds(), TimeUnit.SECONDS);
            }
            MessageStream stream = sub.receive();
            for (int i = 0; i < count; i++) {
                assertEquals("b" + i, next(stream, "message " + i).payloadAsString());
            }
        } finally {
            finish(pub);
            finish(sub);
        }
    }

    @Test
    @DisplayName("R2: stream close semantics (exact text), other streams keep their messages, client close ends streams with 32111")
    void r2StreamClose() throws Exception {
        MqttClient sub = Support.subscriber(broker.url(), "client/streams");
        MqttClient pub = Support.client(broker.url(), "pub");
        String text = "Stream is closed. Therefore, no operations are allowed further on the stream.";
        assertEquals(text, MessageStream.STREAM_CLOSED);
        try {
            MessageStream first = sub.receive();
            MessageStream second = sub.receive();
            assertNull(first.next(Duration.ofMillis(10)), "next(Duration) returns null on timeout");

            // A next() blocked in another thread wakes up when its stream is closed.
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    first.next();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            assertTrue(io.ballerina.lib.mqtt.engine.fixture.Wait.until(SOON,
                    ClientTest::blockedThreadWaiting), "blocked");
            first.close();
            Throwable woke = blocked.get(SOON.toSeconds(), TimeUnit.SECONDS);
            assertTrue(woke instanceof MqttException, String.valueOf(woke));
            assertEquals(text, woke.getMessage());

            for (Executable op : List.<Executable>of(first::next, () -> first.next(Duration.ofSeconds(1)),
                    first::close)) {
                MqttException e = assertThrows(MqttException.class, op::execute);
                assertEquals(text, e.getMessage(), "R2 exact text");
            }
            pub.publish("client/streams", Message.of("for the other"));
            assertEquals("for the other", next(second, "message on the open stream").payloadAsString(),
                    "R2: closing one stream discards nothing");

            // A next() blocked when the client is closed ends with 32111.
            CompletableFuture<Throwable> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    second.next();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            sub.disconnect();
            sub.close();
            Throwable ended = waiting.get(SOON.toSeconds(), TimeUnit.SECONDS);
            assertTrue(ended instanceof MqttException, String.valueOf(ended));
            assertEquals(MqttException.CLIENT_CLOSED, code((MqttException) ended));
        } finally {
            finish(pub);
            finish(sub);
        }
    }

    /** True once some common-pool thread is parked (the blocked next()); a weak but condition-based wait. */
    private static boolean blockedThreadWaiting() {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(e -> {
            Thread.State s = e.getKey().getState();
            if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
                return false;
            }
            for (StackTraceElement f : e.getValue()) {
                if (f.getClassName().startsWith(ClientInbox.class.getName())) {
                    return true;
                }
            }
            return false;
        });
    }

    @Test
    @DisplayName("C7: isConnected/disconnect/reconnect/close: 32104 while disconnected, 32111 after close")
    void c7Lifecycle() {
        MqttClient c = Support.client(broker.url(), "c7");
        assertTrue(c.isConnected());
        c.publish("client/c7", Message.of("x"));

        c.disconnect();
        assertFalse(c.isConnected());
        MqttException notConnected = assertThrows(MqttException.class, () -> c.publish("client/c7", Message.of("x")));
        assertEquals(MqttException.CLIENT_NOT_CONNECTED, code(notConnected), notConnected.getMessage());

        c.reconnect();
        assertTrue(c.isConnected(), "C7: reconnect connects again");
        c.publish("client/c7", Message.of("y"));
        c.subscribe(List.of(Subscription.of("client/c7")));
        MessageStream stream = c.receive();
        c.disconnect();
        c.close();
        assertTrue(c.isClosed());
        c.close(); // no-op once closed

        List<Executable> calls = List.of(
                () -> c.publish("t", Message.of("x")),
                () -> c.publishAsync("t", Message.of("x")),
                () -> c.subscribe(List.of(Subscription.of("t"))),
                c::receive,
                c::isConnected,
                c::disconnect,
                c::reconnect,
                stream::next);
        for (Executable call : calls) {
            MqttException e = assertThrows(MqttException.class, call::execute);
            assertEquals(MqttException.CLIENT_CLOSED, code(e), "C7 after close: " + e.getMessage());
        }
    }

    @Test
    @DisplayName("C1: bad URIs fail connect naming the URI and the accepted schemes")
    void c1BadUris() {
        for (String uri : new String[] {"http://localhost:1883", "tcp://", "tcp://localhost:99999", "localhost"}) {
            MqttException e = assertThrows(MqttException.class,
                    () -> MqttClient.connect(uri, id("uri"), ClientConfig.defaults()));
            assertTrue(e.getMessage().contains(uri), "C1: " + e.getMessage());
            assertTrue(e.getMessage().contains("ssl://"), "C1 lists the schemes: " + e.getMessage());
        }
        // mqtt:// is an alias of tcp://.
        MqttClient alias = MqttClient.connect("mqtt://127.0.0.1:" + broker.port(), id("alias"), null);
        try {
            assertTrue(alias.isConnected());
        } finally {
            finish(alias);
        }
    }

    @Test
    @DisplayName("C3: serverUris replace the URI argument and skip a dead broker")
    void c3ServerUris() throws Exception {
        int dead = Broker.freePort();
        MqttClient c = MqttClient.connect("tcp://127.0.0.1:1", id("c3"), ClientConfig.of(Support.config()
                .serverUris(List.of("tcp://127.0.0.1:" + dead, broker.url())).connectionTimeout(5).build()));
        try {
            assertTrue(c.isConnected());
            c.subscribe(List.of(Subscription.of("client/c3")));
            c.publish("client/c3", Message.of("via the second".getBytes(StandardCharsets.UTF_8)));
            assertEquals("via the second", next(c.receive(), "own message").payloadAsString());
        } finally {
            finish(c);
        }
    }
}
