package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.finish;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static io.ballerina.lib.mqtt.engine.Support.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Proxy;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** E1/E2 reason codes through MqttException.reasonCode(), C6 connect failures, P3 validation. */
@Timeout(60)
class ErrorsTest {

    private static MqttException cause(ExecutionException e) {
        return assertInstanceOf(MqttException.class, e.getCause());
    }

    @Test
    @DisplayName("E2, C6: an unreachable broker fails connect with 32103 within the connection timeout")
    void e2Unreachable32103() throws Exception {
        int port = Broker.freePort();
        long start = System.nanoTime();
        MqttException e = assertThrows(MqttException.class, () -> MqttClient.connect("tcp://127.0.0.1:" + port,
                id("unreachable"), ClientConfig.of(Support.config().connectionTimeout(3).build())));
        assertEquals(MqttException.SERVER_CONNECT_ERROR, code(e), e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "C6: within connectionTimeout");
        MqttException l = assertThrows(MqttException.class, () -> MqttListener.connect("tcp://127.0.0.1:" + port,
                id("unreachable-l"), List.of(Subscription.of("t")), null));
        assertEquals(MqttException.SERVER_CONNECT_ERROR, code(l), l.getMessage());
    }

    @Test
    @DisplayName("E2, C6: a broker that accepts TCP but never answers CONNECT times out with 32000")
    void e2SilentBroker32000() {
        try (Broker broker = Broker.start()) {
            broker.pause();
            try {
                MqttException e = assertThrows(MqttException.class, () -> MqttClient.connect(broker.url(),
                        id("silent"), ClientConfig.of(Support.config().connectionTimeout(1).build())));
                assertEquals(MqttException.TIMEOUT, code(e), e.getMessage());
            } finally {
                broker.resume();
            }
        }
    }

    @Test
    @DisplayName("E2, E3: right credentials work; wrong or missing ones fail with 134/135 and the password is never shown")
    void e2BadCredentials134or135() {
        try (Broker broker = Broker.start("alice", "s3cret-pw")) {
            MqttClient good = MqttClient.connect(broker.url(), id("auth"),
                    ClientConfig.of(Support.config().credentials("alice", "s3cret-pw").build()));
            try {
                good.subscribe(List.of(Subscription.of("auth/t")));
                good.publish("auth/t", Message.of("in"));
                assertEquals("in", next(good.receive(), "own message").payloadAsString());
            } finally {
                finish(good);
            }
            MqttException bad = assertThrows(MqttException.class, () -> MqttClient.connect(broker.url(), id("auth"),
                    ClientConfig.of(Support.config().credentials("alice", "wrong-pw-xyz").build())));
            assertTrue(code(bad) == 134 || code(bad) == 135, code(bad) + ": " + bad.getMessage());
            assertFalse(bad.getMessage().contains("wrong-pw-xyz"), "E3: password in " + bad.getMessage());
            MqttException anonymous = assertThrows(MqttException.class,
                    () -> MqttClient.connect(broker.url(), id("anon"), null));
            assertTrue(code(anonymous) == 134 || code(anonymous) == 135, code(anonymous) + ": " + anonymous.getMessage());
            MqttException listener = assertThrows(MqttException.class, () -> MqttListener.connect(broker.url(),
                    id("auth-l"), List.of(Subscription.of("t")),
                    ListenerConfig.of(Support.config().credentials("alice", "nope").build())));
            assertTrue(code(listener) == 134 || code(listener) == 135, listener.getMessage());
        }
    }

    @Test
    @DisplayName("E2, C7: publish on a disconnected client fails with 32104 (sync and async)")
    void e2PublishWhileDisconnected32104() throws Exception {
        try (Broker broker = Broker.start()) {
            MqttClient c = Support.client(broker.url(), "down");
            try {
                c.disconnect();
                MqttException e = assertThrows(MqttException.class, () -> c.publish("t", Message.of("x")));
                assertEquals(MqttException.CLIENT_NOT_CONNECTED, code(e), e.getMessage());
                ExecutionException async = assertThrows(ExecutionException.class,
                        () -> c.publishAsync("t", Message.of("x").withQos(2)).get(SOON.toSeconds(), TimeUnit.SECONDS));
                assertEquals(MqttException.CLIENT_NOT_CONNECTED, code(cause(async)));
                MqttException sub = assertThrows(MqttException.class, () -> c.subscribe(List.of(Subscription.of("t"))));
                assertTrue(sub.reasonCode().isPresent(), sub.getMessage());
            } finally {
                finish(c);
            }
        }
    }

    @Test
    @DisplayName("E2, C5: without automatic reconnect a lost connection fails in-flight QoS 1/2 publishes with 32109; reconnect() recovers")
    void e2LostConnection32109() throws Exception {
        try (Broker broker = Broker.start(); Proxy proxy = Proxy.start(broker.port())) {
            MqttClient c = MqttClient.connect(proxy.url(), id("noauto"), null);
            try {
                assertTrue(c.isConnected());
                // The broker is frozen (SIGSTOP): the publishes are written through the proxy but never acknowledged.
                broker.pause();
                long before = proxy.bytesUp();
                List<CompletableFuture<DeliveryToken>> inFlight = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    inFlight.add(c.publishAsync("noauto/" + i, Message.of("x").withQos(1 + i % 2)));
                }
                // Each PUBLISH here is exactly 16 bytes (2 fixed header, 10 topic, 2 packet id, 1 property
                // length, 1 payload): wait until all four went through the proxy, so all four are in flight.
                // A lower bound would let the fourth still be on its way to the engine when the link is cut,
                // and that one rightly fails with 32104 (not connected) instead.
                assertTrue(Wait.until(SOON, () -> proxy.bytesUp() >= before + 4 * 16), "the publishes were not written");
                proxy.cutAll();
                broker.resume();
                for (CompletableFuture<DeliveryToken> f : inFlight) {
                    ExecutionException e = assertThrows(ExecutionException.class,
                            () -> f.get(SOON.toSeconds(), TimeUnit.SECONDS), "C5: never silently dropped");
                    assertEquals(MqttException.CONNECTION_LOST, code(cause(e)), cause(e).getMessage());
                }
                assertTrue(Wait.until(SOON, () -> !c.isConnected()), "C7: not connected after the loss");
                c.reconnect();
                assertTrue(c.isConnected());
                assertEquals("noauto/again", c.publish("noauto/again", Message.of("y")).topic());
            } finally {
                finish(c);
            }
        }
    }

    @Test
    @DisplayName("P3: empty topic, wildcards, U+0000, > 65535 bytes, qos -1/3 and a payload over the broker's Maximum Packet Size are errors naming the problem")
    void p3Validation() {
        try (Broker broker = Broker.start(Broker.options().line("max_packet_size 1000"))) {
            MqttClient c = Support.client(broker.url(), "p3");
            try {
                String[][] topics = {{"", "empty"}, {"a/+", "wildcard"}, {"a/#", "wildcard"}, {"+", "wildcard"},
                        {"a\0b", "U+0000"}, {"t".repeat(65_536), "65535"}};
                for (String[] t : topics) {
                    for (int qos = 0; qos <= 2; qos++) {
                        int q = qos;
                        MqttException e = assertThrows(MqttException.class,
                                () -> c.publish(t[0], Message.of("x").withQos(q)));
                        assertTrue(e.getMessage().contains(t[1]), "P3 " + t[1] + ": " + e.getMessage());
                    }
                }
                for (int qos : new int[] {-1, 3, 127}) {
                    MqttException e = assertThrows(MqttException.class,
                            () -> c.publish("ok", Message.of("x").withQos(qos)));
                    assertTrue(e.getMessage().contains("QoS"), "P3 qos " + qos + ": " + e.getMessage());
                }
                MqttException big = assertThrows(MqttException.class,
                        () -> c.publish("ok", Message.of(new byte[5000])));
                assertTrue(big.getMessage().contains("Maximum Packet Size"), "P3 oversize: " + big.getMessage());
                // The same through publishAsync.
                ExecutionException async = assertThrows(ExecutionException.class,
                        () -> c.publishAsync("ok/#", Message.of("x")).get(SOON.toSeconds(), TimeUnit.SECONDS));
                assertTrue(cause(async).getMessage().contains("wildcard"), cause(async).getMessage());
                // Invalid subscriptions of a client.
                MqttException filter = assertThrows(MqttException.class,
                        () -> c.subscribe(List.of(Subscription.of("a/#/b"))));
                assertTrue(filter.getMessage().contains("filter"), filter.getMessage());
                MqttException subQos = assertThrows(MqttException.class,
                        () -> c.subscribe(List.of(Subscription.of("a", 3))));
                assertNotNull(subQos.getMessage());
                // The client is still usable after every refusal: a payload just under the limit passes.
                c.subscribe(List.of(Subscription.of("ok")));
                MessageStream stream = c.receive();
                c.publish("ok", Message.of(new byte[900]));
                assertEquals(900, next(stream, "the 900-byte message").payload().length);
                assertTrue(c.isConnected(), "E1: no refusal disconnected the client");
            } finally {
                finish(c);
            }
        }
    }

    @Test
    @DisplayName("E1: MqttException carries the message and an empty reasonCode() when there is none")
    void e1ExceptionShape() {
        MqttException none = new MqttException("plain");
        assertTrue(none.reasonCode().isEmpty());
        assertEquals(32111, new MqttException("x", 32111).reasonCode().getAsInt());
        assertTrue(new MqttException("x", -5).reasonCode().isEmpty());
        // Nulls are rejected up front, as MqttException naming the argument (E1; BadInputTest has the rest).
        assertTrue(assertThrows(MqttException.class, () -> Message.of((byte[]) null)).getMessage().contains("payload"));
        assertTrue(assertThrows(MqttException.class, () -> MqttClient.connect(null, "x", null)).getMessage()
                .contains("Server URI"));
    }
}
