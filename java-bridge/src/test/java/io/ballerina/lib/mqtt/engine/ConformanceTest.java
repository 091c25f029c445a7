package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.config;
import static io.ballerina.lib.mqtt.engine.Support.finish;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static io.ballerina.lib.mqtt.engine.Support.next;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.PacketProxy;
import io.ballerina.lib.mqtt.engine.fixture.Proxy;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The six failures of issue 11, reproduced through the Java host API against real mosquitto 2.0 and real peers
 * (a Python paho-mqtt 2.x subscriber, the fault-injecting {@link Proxy}, a plain socket that records CONNECT):
 * property injection through over-long fields (P5), poison publishes (P5, C8), an encode failure that must not
 * corrupt the connection (C8, P5), a blocking call inside a completion callback (C8), the Maximum Packet Size that
 * CONNECT announces (C9, P5) and the Assigned Client Identifier on reconnect (C9). Contract rules and MQTT 5.0
 * conformance markers are in each test's display name.
 */
@Timeout(120)
class ConformanceTest extends WithSharedBroker {
    /** The longest UTF-8 string or binary field (MQTT 5 §1.5.4, §1.5.6: a two-byte length, no marker). */
    private static final int MAX_FIELD = 65_535;
    /** The largest packet Remaining Length can frame (§1.5.5, §2.1.4). */
    private static final int MAX_PACKET = 268_435_455;


    // ------------------------------------------------------------------ helpers

    private static String ascii(int bytes) {
        return "x".repeat(bytes);
    }

    /** {@code count} copies of {@code ch}: multi-byte UTF-8 (é is 2 bytes, € is 3). */
    private static String repeat(String ch, int count) {
        return ch.repeat(count);
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static MessageProperties props() {
        return MessageProperties.empty();
    }

    private static MessageProperties user(String key, String value) {
        return props().withUserProperties(List.of(new UserProperty(key, value)));
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** An MqttException with {@code reasonCode} whose message contains every fragment. */
    private static MqttException assertRefused(String what, int reasonCode, org.junit.jupiter.api.function.Executable call,
                                               String... fragments) {
        MqttException e = assertThrows(MqttException.class, call, what + ": refused with an MqttException (E1)");
        String message = String.valueOf(e.getMessage());
        System.out.printf("Conformance | %-50s | %-5s | %s%n", what, code(e),
                message.length() > 220 ? message.substring(0, 220) + "…" : message);
        assertEquals(reasonCode, code(e), what + " (E2): " + message);
        for (String f : fragments) {
            assertTrue(message.contains(f), what + ": the message names '" + f + "': " + message);
        }
        return e;
    }

    /** The future's value within {@code timeout}; its failure's cause when it failed. */
    private static <T> T await(Future<T> future, Duration timeout, String what) throws Exception {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError(what + ": no outcome within " + timeout, e);
        }
    }

    /** The MqttException a future failed with within {@code timeout}. */
    private static MqttException failure(Future<?> future, Duration timeout, String what) throws Exception {
        try {
            Object value = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError(what + ": succeeded (" + value + ") instead of failing");
        } catch (ExecutionException e) {
            return assertInstanceOf(MqttException.class, e.getCause(), what + ": fails with an MqttException");
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": no outcome within " + timeout, e);
        }
    }

    /** Log lines of {@code b} saying a client connected as {@code clientId}. */
    private static long connectsOf(Broker b, String clientId) {
        return b.logCount(" as " + clientId + (clientId.length() < 200 ? " (" : ""));
    }

    // ================================================================== (a) property injection (issue 11 #1)

    static Stream<Arguments> overLongProperties() {
        String euroThenE = repeat("€", MAX_FIELD / 3) + "é"; // 65,535 + 2 bytes, straddling the limit
        return Stream.of(
                Arguments.of("user property value, 65,541 bytes (the injection of issue 11)",
                        (Supplier<MessageProperties>) () -> user("k", ascii(65_541)), 65_541,
                        new String[] {"user property #0", "value"}),
                Arguments.of("user property value, 65,536 bytes",
                        (Supplier<MessageProperties>) () -> user("k", ascii(65_536)), 65_536,
                        new String[] {"user property #0", "value"}),
                Arguments.of("user property value, 32,768 x 'é' = 65,536 UTF-8 bytes",
                        (Supplier<MessageProperties>) () -> user("k", repeat("é", 32_768)), 65_536,
                        new String[] {"user property #0", "value"}),
                Arguments.of("user property value, 21,845 x '€' + 'é' = 65,537 UTF-8 bytes",
                        (Supplier<MessageProperties>) () -> user("k", euroThenE), 65_537,
                        new String[] {"user property #0", "value"}),
                Arguments.of("user property key, 65,536 bytes",
                        (Supplier<MessageProperties>) () -> user(ascii(65_536), "v"), 65_536,
                        new String[] {"user property #0 key"}),
                Arguments.of("second user property value, 65,536 bytes",
                        (Supplier<MessageProperties>) () -> props().withUserProperties(List.of(
                                new UserProperty("a", "fine"), new UserProperty("b", ascii(65_536)))), 65_536,
                        new String[] {"user property #1", "value"}),
                Arguments.of("contentType, 65,536 bytes",
                        (Supplier<MessageProperties>) () -> props().withContentType(ascii(65_536)), 65_536,
                        new String[] {"contentType"}),
                Arguments.of("responseTopic, 65,536 bytes",
                        (Supplier<MessageProperties>) () -> props().withResponseTopic(ascii(65_536)), 65_536,
                        new String[] {"responseTopic"}),
                Arguments.of("correlationData, 65,536 bytes (binary)",
                        (Supplier<MessageProperties>) () -> props().withCorrelationData(random(65_536, 1)), 65_536,
                        new String[] {"correlationData"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overLongProperties")
    @DisplayName("P5, E2 (issue 11 #1): a publish property above 65,535 bytes (MQTT 5 §1.5.4, §1.5.6, MQTT-1.5.7-1,"
            + " MQTT-3.3.2-13) fails with 32120 naming the field, its size and the limit; nothing is sent and the"
            + " connection stays up")
    void p5OverLongPublishPropertyIsRefused(String name, Supplier<MessageProperties> properties, int size,
                                            String[] field) throws Exception {
        String topic = "inj/refused/" + id("t");
        MqttClient pub = null;
        MqttClient sub = null;
        try {
            sub = Support.subscriber(broker.url(), topic);
            MessageStream stream = sub.receive();
            pub = Support.client(broker.url(), "inj-pub");
            MqttClient p = pub;
            MessageProperties bad = properties.get();
            List<String> fragments = new ArrayList<>(Arrays.asList(field));
            fragments.add(Integer.toString(size));
            fragments.add(Integer.toString(MAX_FIELD));
            assertRefused(name + " (sync)", MqttException.INVALID_ARGUMENT,
                    () -> p.publish(topic, Message.of("bad").withProperties(bad)), fragments.toArray(new String[0]));
            // publishAsync: the same refusal, as the future's failure or thrown at once.
            MqttException async;
            try {
                async = failure(p.publishAsync(topic, Message.of("bad").withProperties(bad)), SOON, name + " (async)");
            } catch (MqttException thrown) {
                async = thrown;
            }
            assertEquals(MqttException.INVALID_ARGUMENT, code(async), name + " (async): " + async.getMessage());
            // Nothing of the refused publishes reached the broker: the next message the subscriber gets is the
            // marker published after them on the same connection (QoS 1 order, P2).
            pub.publish(topic, Message.of("marker"));
            assertEquals("marker", next(stream, "the marker after the refused publishes").payloadAsString(),
                    "a refused publish reached the broker");
            assertTrue(pub.isConnected(), "the connection is still up after the refusal (C8)");
        } finally {
            finish(pub);
            finish(sub);
        }
    }

    /** What a connect is given, and the same at the limit (which must connect). */
    record ConnectCase(String name, int size, String field, Supplier<ClientConfig> over, Supplier<ClientConfig> at,
                       boolean overClientId) {
    }

    static Stream<Arguments> overLongConnectFields() {
        ConnectionConfig plain = ConnectionConfig.defaults();
        return Stream.of(
                new ConnectCase("username, 65,536 bytes", 65_536, "Username",
                        () -> ClientConfig.of(config().username(ascii(65_536)).build()),
                        () -> ClientConfig.of(config().username(ascii(MAX_FIELD)).build()), false),
                new ConnectCase("username, 32,768 x 'é' = 65,536 UTF-8 bytes", 65_536, "Username",
                        () -> ClientConfig.of(config().username(repeat("é", 32_768)).build()),
                        () -> ClientConfig.of(config().username(repeat("€", MAX_FIELD / 3)).build()), false),
                new ConnectCase("password, 65,536 bytes", 65_536, "Password",
                        () -> ClientConfig.of(config().credentials("u", ascii(65_536)).build()),
                        () -> ClientConfig.of(config().credentials("u", ascii(MAX_FIELD)).build()), false),
                new ConnectCase("will payload (WillDetails), 65,536 bytes", 65_536, "Will payload",
                        () -> new ClientConfig(plain, new WillDetails(Message.of(random(65_536, 2)), "will/t")),
                        () -> new ClientConfig(plain, new WillDetails(Message.of(random(MAX_FIELD, 2)), "will/t")),
                        false),
                new ConnectCase("will user property value, 65,536 bytes", 65_536, "Will message user property #0",
                        () -> new ClientConfig(plain, new WillDetails(
                                Message.of("w").withProperties(user("k", ascii(65_536))), "will/t")),
                        () -> new ClientConfig(plain, new WillDetails(
                                Message.of("w").withProperties(user("k", ascii(MAX_FIELD))), "will/t")), false),
                new ConnectCase("will contentType, 65,536 bytes", 65_536, "Will message contentType",
                        () -> new ClientConfig(plain, new WillDetails(
                                Message.of("w").withProperties(props().withContentType(ascii(65_536))), "will/t")),
                        () -> new ClientConfig(plain, new WillDetails(
                                Message.of("w").withProperties(props().withContentType(ascii(MAX_FIELD))), "will/t")),
                        false),
                new ConnectCase("client id, 65,536 bytes", 65_536, "Client id", ClientConfig::defaults,
                        ClientConfig::defaults, true))
                .map(c -> Arguments.of(c.name(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overLongConnectFields")
    @DisplayName("P5, C6, E2 (issue 11 #1): a CONNECT field above 65,535 bytes (user name MQTT-3.1.3-12, password"
            + " §1.5.6, will payload and properties MQTT-3.1.3-11, client id §1.5.4) fails connect with"
            + " 32120 naming the field, its size and the limit, without connecting; 65,535 bytes connects")
    void p5OverLongConnectFieldIsRefused(String name, ConnectCase c) throws Exception {
        String clientId = id("inj-conn");
        String overId = c.overClientId() ? ascii(65_536) : clientId;
        assertRefused(name, MqttException.INVALID_ARGUMENT,
                () -> MqttClient.connect(broker.url(), overId, c.over().get()),
                c.field(), Integer.toString(c.size()), Integer.toString(MAX_FIELD));
        // The same field at the limit connects (so the limit is 65,535, not less), and the broker saw exactly one
        // connection of this client id: the refused attempt opened none.
        String atId = c.overClientId() ? ascii(MAX_FIELD) : clientId;
        MqttClient ok = MqttClient.connect(broker.url(), atId, c.at().get());
        try {
            assertTrue(ok.isConnected(), name + " at 65,535 bytes connects");
            // mosquitto cuts long log lines: a 65,535-byte client id is looked for by its first 200 bytes.
            String logged = atId.substring(0, Math.min(atId.length(), 200));
            assertTrue(Wait.until(SOON, () -> connectsOf(broker, logged) >= 1), "the broker logged the connection");
            assertEquals(1, connectsOf(broker, logged), name + ": the refused connect must not reach the broker");
        } finally {
            finish(ok);
        }
    }

    @Test
    @DisplayName("P5, P4 (issue 11 #1): fields of exactly 65,535 bytes (user property key and value, multi-byte UTF-8"
            + " value, contentType, responseTopic, correlationData) reach a Python paho-mqtt 2.x subscriber exactly,"
            + " with no other property (MQTT 5 §1.5.4, §1.5.6, MQTT-1.5.7-1): no injected ResponseTopic or"
            + " user property")
    void p5LimitSizedPropertiesArriveExactlyAtAnIndependentPeer() throws Exception {
        String base = "inj/ok/" + id("t");
        String value = ascii(MAX_FIELD);
        String euro = repeat("€", MAX_FIELD / 3);
        assertEquals(MAX_FIELD, utf8(euro));
        byte[] correlation = random(MAX_FIELD, 3);
        String contentType = "c".repeat(MAX_FIELD);
        String responseTopic = "r".repeat(MAX_FIELD);
        Map<String, MessageProperties> sent = new LinkedHashMap<>();
        sent.put(base + "/value", user("k", value));
        sent.put(base + "/euro", user("k", euro));
        sent.put(base + "/key", user(value, "v"));
        sent.put(base + "/contentType", props().withContentType(contentType));
        sent.put(base + "/responseTopic", props().withResponseTopic(responseTopic));
        sent.put(base + "/correlationData", props().withCorrelationData(correlation));
        MqttClient pub = Support.client(broker.url(), "inj-ok");
        try (PahoSubscriber paho = PahoSubscriber.start(broker.port(), base + "/#", sent.size(), 60)) {
            paho.awaitReady();
            for (Map.Entry<String, MessageProperties> e : sent.entrySet()) {
                pub.publish(e.getKey(), Message.of("p").withProperties(e.getValue()));
            }
            Map<String, Map<String, Object>> got = new LinkedHashMap<>();
            for (int i = 0; i < sent.size(); i++) {
                Map<String, Object> m = paho.next(SOON);
                @SuppressWarnings("unchecked")
                Map<String, Object> properties = (Map<String, Object>) m.get("properties");
                got.put((String) m.get("topic"), properties);
            }
            assertEquals(sent.keySet(), got.keySet(), "every publish arrived at the paho subscriber");
            assertEquals(Map.of("UserProperty", List.of(List.of("k", value))), got.get(base + "/value"),
                    "user property value of 65,535 bytes, alone");
            assertEquals(Map.of("UserProperty", List.of(List.of("k", euro))), got.get(base + "/euro"),
                    "user property value of 21,845 x '€' (65,535 bytes), alone");
            assertEquals(Map.of("UserProperty", List.of(List.of(value, "v"))), got.get(base + "/key"),
                    "user property key of 65,535 bytes, alone");
            assertEquals(Map.of("ContentType", contentType), got.get(base + "/contentType"),
                    "contentType of 65,535 bytes, alone");
            assertEquals(Map.of("ResponseTopic", responseTopic), got.get(base + "/responseTopic"),
                    "responseTopic of 65,535 bytes, alone");
            assertEquals(Map.of("CorrelationData", HexFormat.of().formatHex(correlation)),
                    got.get(base + "/correlationData"), "correlationData of 65,535 bytes, alone");
        } finally {
            finish(pub);
        }
    }

    // ================================================================== (b) poison publish (issue 11 #2)

    @Test
    @DisplayName("P5, C8 (issue 11 #2): U+0000 in a user property key or value or in contentType (MQTT-1.5.4-2) fails"
            + " with 32120 before sending, while 20 unrelated QoS 1 publishes are in flight; all 20 complete, the"
            + " connection stays up")
    void p5NulInPropertiesIsRefusedWhileOthersAreInFlight() throws Exception {
        String topic = "nul/" + id("t");
        try (Proxy proxy = Proxy.start(broker.port())) {
            MqttClient sub = Support.subscriber(broker.url(), topic + "/#");
            MqttClient pub = Support.client(proxy.url(), "nul-pub");
            try {
                MessageStream stream = sub.receive();
                // Hold the 20 in flight: the proxy stops forwarding, so no PUBACK can come back meanwhile.
                proxy.setBlackhole(true);
                List<CompletableFuture<DeliveryToken>> inFlight = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    inFlight.add(pub.publishAsync(topic + "/ok", Message.of("ok-" + i)));
                }
                assertRefused("U+0000 in a user property value", MqttException.INVALID_ARGUMENT,
                        () -> pub.publish(topic + "/bad", Message.of("bad").withProperties(user("k", "a\0b"))),
                        "user property #0", "U+0000");
                assertRefused("U+0000 in a user property key", MqttException.INVALID_ARGUMENT,
                        () -> pub.publish(topic + "/bad", Message.of("bad").withProperties(user("k\0", "v"))),
                        "user property #0 key", "U+0000");
                assertRefused("U+0000 in contentType", MqttException.INVALID_ARGUMENT,
                        () -> pub.publish(topic + "/bad",
                                Message.of("bad").withProperties(props().withContentType("text/\0plain"))),
                        "contentType", "U+0000");
                for (CompletableFuture<DeliveryToken> f : inFlight) {
                    assertTrue(!f.isDone() || !f.isCompletedExceptionally(),
                            "an in-flight publish failed because of another's refusal: " + f);
                }
                proxy.setBlackhole(false);
                Set<String> got = new HashSet<>();
                for (int i = 0; i < 20; i++) {
                    DeliveryToken t = await(inFlight.get(i), SOON, "in-flight publish #" + i);
                    assertEquals(topic + "/ok", t.topic());
                }
                while (got.size() < 20) {
                    Message m = next(stream, "20 in-flight publishes, so far " + got);
                    assertEquals(topic + "/ok", m.topic(), "no refused publish reached the broker");
                    got.add(m.payloadAsString());
                }
                assertTrue(pub.isConnected(), "connection up after the refusals");
                assertEquals(1, proxy.acceptedCount(), "no reconnect was needed");
            } finally {
                finish(pub);
                finish(sub);
            }
        }
    }

    @Test
    @DisplayName("C8, C5, MQTT-4.4.0-1 (issue 11 #2): a poison publish — the broker drops the connection each time it"
            + " reads it — on a persistent session with automatic reconnect fails with 32205 after a few attempts"
            + " (at most 5 connections); 20 QoS 1 publishes from other threads behind it all complete and reach a"
            + " subscriber")
    void c8PoisonPublishIsGivenUpAndTheRestProceed() throws Exception {
        byte[] pattern = "POISON-PILL-7f3a9c".getBytes(StandardCharsets.US_ASCII);
        String topic = "poison/" + id("t");
        ConnectionConfig persistent = config().automaticReconnect(true).maxReconnectDelay(1000L).connectionTimeout(5)
                .cleanStart(false).sessionExpiryInterval(300L).build();
        ExecutorService threads = Executors.newFixedThreadPool(20);
        try (Proxy proxy = Proxy.start(broker.port())) {
            MqttClient sub = Support.subscriber(broker.url(), topic + "/#");
            MqttClient pub = MqttClient.connect(proxy.url(), id("poison-pub"), ClientConfig.of(persistent));
            try {
                MessageStream stream = sub.receive();
                proxy.closeOnPattern(pattern);
                long start = System.nanoTime();
                CompletableFuture<DeliveryToken> poison = pub.publishAsync(topic + "/bad",
                        Message.of("before " + new String(pattern, StandardCharsets.US_ASCII) + " after"));
                List<Future<DeliveryToken>> others = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    String payload = "ok-" + i;
                    others.add(threads.submit(() -> pub.publish(topic + "/ok", Message.of(payload))));
                }
                MqttException e = failure(poison, Duration.ofSeconds(60), "the poison publish");
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                System.out.printf("Conformance | poison given up after %d s, %d connections, %d cut at the poison: %s%n",
                        seconds, proxy.acceptedCount(), proxy.poisonCuts(), e.getMessage());
                assertEquals(MqttException.PUBLISH_ABANDONED, code(e), "the poison fails with 32205: " + e.getMessage());
                assertTrue(e.getMessage().contains(topic + "/bad"), "the error names the topic: " + e.getMessage());
                for (int i = 0; i < 20; i++) {
                    DeliveryToken t = await(others.get(i), Duration.ofSeconds(30), "publish ok-" + i + " behind the poison");
                    assertEquals(topic + "/ok", t.topic());
                }
                assertTrue(proxy.acceptedCount() <= 5, "at most 5 connections, not a resend loop: "
                        + proxy.acceptedCount() + " connections, " + proxy.poisonCuts() + " cut at the poison");
                assertTrue(proxy.poisonCuts() >= 1 && proxy.poisonCuts() <= 3,
                        "the poison was sent 1 to 3 times: " + proxy.poisonCuts());
                Set<String> got = new HashSet<>();
                while (got.size() < 20) {
                    Message m = next(stream, "the 20 publishes behind the poison, so far " + got);
                    assertEquals(topic + "/ok", m.topic(), "only the good publishes reach the subscriber");
                    got.add(m.payloadAsString());
                }
                int connections = proxy.acceptedCount();
                assertTrue(Wait.until(SOON, pub::isConnected), "connected again once the poison is given up");
                // A later publish goes through on the connection that is up: the loop is over.
                pub.publish(topic + "/ok", Message.of("after"));
                assertEquals(connections, proxy.acceptedCount(), "no further reconnect after the poison was given up");
            } finally {
                proxy.closeOnPattern(null);
                finish(pub);
                finish(sub);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    // ================================================================== (c) a failed encode (issue 11 #3)

    @Test
    @DisplayName("C8, P5 (issue 11 #3): a publish of a 268,435,456-byte payload (a packet above 268,435,455 bytes,"
            + " MQTT-2.1.4 Remaining Length) fails with 51002 naming its size and the limit; nothing of it is"
            + " written: the next publish arrives intact and the connection stays up")
    void c8OversizedPublishLeavesTheConnectionIntact() throws Exception {
        String topic = "big/" + id("t");
        String clientId = id("big-pub");
        MqttClient sub = Support.subscriber(broker.url(), topic + "/#");
        MqttClient pub = MqttClient.connect(broker.url(), clientId, ClientConfig.defaults());
        try {
            MessageStream stream = sub.receive();
            MqttException e;
            {
                byte[] huge = new byte[MAX_PACKET + 1];
                e = assertRefused("268,435,456-byte payload", MqttException.PACKET_TOO_LARGE,
                        () -> pub.publish(topic + "/huge", Message.of(huge)), Integer.toString(MAX_PACKET));
            }
            Matcher size = Pattern.compile("(\\d{9,}) bytes").matcher(e.getMessage());
            assertTrue(size.find(), "the message names the packet's size: " + e.getMessage());
            assertTrue(Long.parseLong(size.group(1)) > MAX_PACKET, "the size named is above the limit: " + e.getMessage());
            byte[] next = random(10_000, 4);
            pub.publish(topic + "/next", Message.of(next));
            Message m = next(stream, "the publish after the refused one");
            assertEquals(topic + "/next", m.topic(), "nothing of the refused publish reached the broker");
            assertArrayEquals(next, m.payload(), "the next publish arrives intact");
            // And the stream stays in frame: QoS 2 (four packets) and QoS 0 after it.
            pub.publish(topic + "/next", Message.of("qos2").withQos(2));
            pub.publish(topic + "/next", Message.of("qos0").withQos(0));
            assertEquals("qos2", next(stream, "QoS 2 after").payloadAsString());
            assertEquals("qos0", next(stream, "QoS 0 after").payloadAsString());
            assertTrue(pub.isConnected(), "the connection stays up (C8)");
            assertEquals(1, connectsOf(broker, clientId), "one connection, never dropped:\n" + broker.log());
        } finally {
            finish(pub);
            finish(sub);
        }
    }

    @Test
    @DisplayName("C9, P5, MQTT-3.2.2-15 (issue 11 #3): against mosquitto with max_packet_size 1000, publishes of 999"
            + " and 1,000 bytes as packets are delivered, one of 1,001 fails with 51002 naming both sizes, and the"
            + " connection stays up")
    void c9BrokerMaximumPacketSizeOneUnderAtAndOver() throws Exception {
        // A QoS 1 PUBLISH to "mps/t": 1 type byte + 2 Remaining Length bytes + topic 2+5 + packet id 2 +
        // property length 1 = 13 bytes around the payload.
        int overhead = 13;
        try (Broker small = Broker.start(Broker.options().line("max_packet_size 1000"))) {
            String clientId = id("mps-pub");
            MqttClient sub = Support.subscriber(small.url(), "mps/#");
            MqttClient pub = MqttClient.connect(small.url(), clientId, ClientConfig.defaults());
            try {
                MessageStream stream = sub.receive();
                byte[] under = random(999 - overhead, 5);
                byte[] at = random(1000 - overhead, 6);
                pub.publish("mps/t", Message.of(under));
                pub.publish("mps/t", Message.of(at));
                assertArrayEquals(under, next(stream, "999-byte packet").payload(), "999 bytes: delivered");
                assertArrayEquals(at, next(stream, "1,000-byte packet").payload(), "1,000 bytes: delivered");
                assertRefused("1,001-byte packet", MqttException.PACKET_TOO_LARGE,
                        () -> pub.publish("mps/t", Message.of(random(1001 - overhead, 7))), "1001", "1000");
                pub.publish("mps/t", Message.of("after"));
                assertEquals("after", next(stream, "the publish after the refused one").payloadAsString(),
                        "nothing of the refused publish reached the broker");
                assertTrue(pub.isConnected(), "the connection stays up");
                assertEquals(1, connectsOf(small, clientId), "one connection, never dropped:\n" + small.log());
            } finally {
                finish(pub);
                finish(sub);
            }
        }
    }

    // ================================================================== (d) blocking in a callback (issue 11 #4)

    static Stream<Arguments> callbacks() {
        return Stream.of(Arguments.of("whenComplete", 1), Arguments.of("thenAccept", 2), Arguments.of("whenComplete", 0));
    }

    @ParameterizedTest(name = "{0}, QoS {1}")
    @MethodSource("callbacks")
    @DisplayName("C8 (issue 11 #4): a blocking publish() inside a publishAsync() completion callback either works or"
            + " fails at once with an MqttException saying why; it never freezes this client or another one")
    void c8BlockingPublishInsideACompletionCallback(String how, int qos) throws Exception {
        String topic = "freeze/" + id("t");
        ExecutorService guard = Executors.newCachedThreadPool();
        try (PacketProxy proxy = PacketProxy.start(broker.port())) {
            MqttClient a = Support.client(proxy.url(), "freeze-a");
            MqttClient other = Support.client(broker.url(), "freeze-other");
            MqttClient sub = Support.subscriber(broker.url(), topic + "/#");
            try {
                MessageStream stream = sub.receive();
                CompletableFuture<String> outcome = new CompletableFuture<>();
                CompletableFuture<String> callbackThread = new CompletableFuture<>();
                Runnable inner = () -> {
                    callbackThread.complete(Thread.currentThread().getName());
                    try {
                        DeliveryToken t = a.publish(topic + "/inner", Message.of("inner").withQos(1));
                        outcome.complete("returned " + t);
                    } catch (MqttException e) {
                        outcome.complete("threw " + e.getMessage());
                    } catch (Throwable t) {
                        outcome.completeExceptionally(t);
                    }
                };
                // Hold the acknowledgement back so the dependent is registered before the future completes: it
                // then runs where the engine completes publishes, not on this thread. (The publish itself goes
                // out at once: the engine writes it during publishAsync.)
                proxy.holdAcks(qos > 0);
                CompletableFuture<DeliveryToken> first = a.publishAsync(topic + "/first", Message.of("first").withQos(qos));
                CompletableFuture<?> dependent = how.equals("thenAccept")
                        ? first.thenAccept(t -> inner.run())
                        : first.whenComplete((t, e) -> inner.run());
                proxy.holdAcks(false);
                String result;
                try {
                    result = outcome.get(10, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("froze: the blocking publish inside the " + how + " callback (on thread "
                            + callbackThread.getNow("?") + ") did not return within 10 s", e);
                }
                String thread = callbackThread.getNow("?");
                System.out.printf("Conformance | blocking publish in %s (QoS %d) on %s: %s%n", how, qos, thread, result);
                if (qos > 0) {
                    assertNotEquals(Thread.currentThread().getName(), thread,
                            "the callback ran on the test thread, so this test did not test the engine's thread");
                }
                if (result.startsWith("threw ")) {
                    assertTrue(Pattern.compile("(?i)thread|callback|completion").matcher(result).find(),
                            "the MqttException says why (the thread or callback): " + result);
                } else {
                    Set<String> got = new HashSet<>();
                    got.add(next(stream, "the first publish").payloadAsString());
                    got.add(next(stream, "the publish made inside the callback").payloadAsString());
                    assertEquals(Set.of("first", "inner"), got, "both publishes were delivered");
                }
                await(dependent, SOON, "the dependent future");
                // Neither this client nor another one is frozen afterwards.
                Future<DeliveryToken> mine = guard.submit(() -> a.publish(topic + "/after", Message.of("a-after")));
                Future<DeliveryToken> theirs = guard.submit(() -> other.publish(topic + "/after", Message.of("o-after")));
                CompletableFuture<DeliveryToken> async = other.publishAsync(topic + "/after", Message.of("o-async"));
                await(theirs, SOON, "another client's publish after the callback");
                await(async, SOON, "another client's publishAsync after the callback");
                await(mine, SOON, "the same client's publish after the callback");
            } finally {
                finish(a);
                finish(other);
                finish(sub);
            }
        } finally {
            guard.shutdownNow();
        }
    }

    // ================================================================== (e) CONNECT's Maximum Packet Size (issue 11 #5)

    @Test
    @DisplayName("C9, P5 (issue 11 #5): the CONNECT the client sends announces a Maximum Packet Size (property 0x27,"
            + " once, §3.1.2.11.4) of 1..268,435,455, the largest packet MQTT can frame (§2.1.4): a strict broker"
            + " does not refuse it")
    void c9ConnectAnnouncesALegalMaximumPacketSize() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> connect = new CompletableFuture<>();
            CompletableFuture<Void> release = new CompletableFuture<>();
            Thread recorder = new Thread(() -> {
                try (Socket s = server.accept()) {
                    connect.complete(readPacket(s.getInputStream()));
                    release.get(30, TimeUnit.SECONDS); // answer nothing; keep the socket open until the test is done
                } catch (Exception e) {
                    connect.completeExceptionally(e);
                }
            }, "connect-recorder");
            recorder.setDaemon(true);
            recorder.start();
            long start = System.nanoTime();
            MqttException e = assertThrows(MqttException.class, () -> MqttClient.connect(
                    "tcp://127.0.0.1:" + server.getLocalPort(), id("mps-connect"),
                    ClientConfig.of(config().connectionTimeout(1).build())),
                    "no CONNACK: connect fails after connectionTimeout");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            release.complete(null);
            assertTrue(millis < 10_000, "connect gave up within its timeout (C6): " + millis + " ms, " + e);
            byte[] packet = await(connect, SOON, "the CONNECT bytes");
            Map<Integer, List<byte[]>> properties = connectProperties(packet);
            List<byte[]> mps = properties.getOrDefault(0x27, List.of());
            assertEquals(1, mps.size(), "Maximum Packet Size appears exactly once in CONNECT: " + properties.keySet());
            long value = ((mps.get(0)[0] & 0xFFL) << 24) | ((mps.get(0)[1] & 0xFFL) << 16)
                    | ((mps.get(0)[2] & 0xFFL) << 8) | (mps.get(0)[3] & 0xFFL);
            System.out.printf("Conformance | CONNECT announces Maximum Packet Size %d%n", value);
            assertTrue(value >= 1 && value <= MAX_PACKET,
                    "Maximum Packet Size " + value + " must be 1.." + MAX_PACKET + " (issue 11: was 268,435,456)");
        }
    }

    /** One MQTT packet: fixed header byte, Remaining Length (1-4 bytes), body. */
    private static byte[] readPacket(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int type = d.readUnsignedByte();
        int remaining = 0;
        int shift = 0;
        int b;
        java.io.ByteArrayOutputStream header = new java.io.ByteArrayOutputStream();
        header.write(type);
        do {
            b = d.readUnsignedByte();
            header.write(b);
            remaining |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0 && shift < 28);
        byte[] body = new byte[remaining];
        d.readFully(body);
        header.write(body);
        return header.toByteArray();
    }

    /** The CONNECT's properties by id (each occurrence's value bytes), after checking the fixed and variable header. */
    private static Map<Integer, List<byte[]>> connectProperties(byte[] packet) {
        assertEquals(0x10, packet[0] & 0xFF, "a CONNECT packet");
        int i = 1;
        while ((packet[i] & 0x80) != 0) {
            i++;
        }
        i++;
        int nameLength = ((packet[i] & 0xFF) << 8) | (packet[i + 1] & 0xFF);
        assertEquals("MQTT", new String(packet, i + 2, nameLength, StandardCharsets.UTF_8), "protocol name");
        i += 2 + nameLength;
        assertEquals(5, packet[i], "protocol version 5");
        i += 1 + 1 + 2; // version, connect flags, keep alive
        int[] cursor = {i};
        int length = varInt(packet, cursor);
        int end = cursor[0] + length;
        Map<Integer, List<byte[]>> properties = new LinkedHashMap<>();
        int p = cursor[0];
        while (p < end) {
            int idByte = packet[p++] & 0xFF;
            int size;
            switch (idByte) {
                case 0x11, 0x27 -> size = 4; // Session Expiry Interval, Maximum Packet Size
                case 0x21, 0x22 -> size = 2; // Receive Maximum, Topic Alias Maximum
                case 0x17, 0x19 -> size = 1; // Request Problem / Response Information
                case 0x15, 0x16 -> size = 2 + (((packet[p] & 0xFF) << 8) | (packet[p + 1] & 0xFF)); // method, data
                case 0x26 -> { // User Property: two strings
                    int k = 2 + (((packet[p] & 0xFF) << 8) | (packet[p + 1] & 0xFF));
                    size = k + 2 + (((packet[p + k] & 0xFF) << 8) | (packet[p + k + 1] & 0xFF));
                }
                default -> throw new AssertionError("CONNECT carries property 0x" + Integer.toHexString(idByte)
                        + ", which is not a CONNECT property (§3.1.2.11)");
            }
            properties.computeIfAbsent(idByte, k -> new ArrayList<>()).add(Arrays.copyOfRange(packet, p, p + size));
            p += size;
        }
        assertEquals(end, p, "the properties fill exactly their announced length");
        return properties;
    }

    private static int varInt(byte[] b, int[] cursor) {
        int value = 0;
        int shift = 0;
        int x;
        do {
            x = b[cursor[0]++] & 0xFF;
            value |= (x & 0x7F) << shift;
            shift += 7;
        } while ((x & 0x80) != 0);
        return value;
    }

    // ================================================================== (f) Assigned Client Identifier (issue 11 #6)

    @Test
    @DisplayName("C9, C4, MQTT-3.1.3-2, MQTT-3.2.2-16 (issue 11 #6): with an empty client id, a persistent session"
            + " and automatic reconnect, the Assigned Client Identifier is used on reconnect: 5 QoS 1 messages"
            + " published while the connection was cut reach the client's receive() stream afterwards")
    void c9AssignedClientIdentifierKeepsTheSession() throws Exception {
        ConnectionConfig persistent = config().automaticReconnect(true).maxReconnectDelay(1000L).connectionTimeout(5)
                .cleanStart(false).sessionExpiryInterval(300L).build();
        try (Broker own = Broker.start(); Proxy proxy = Proxy.start(own.port())) {
            MqttClient client = MqttClient.connect(proxy.url(), "", ClientConfig.of(persistent));
            MqttClient pub = Support.client(own.url(), "aid-pub");
            try {
                MessageStream stream = client.receive();
                client.subscribe(List.of(Subscription.of("aid/t", 1)));
                Pattern assigned = Pattern.compile(" as (\\S+) \\(p5, c0");
                assertTrue(Wait.until(SOON, () -> assigned.matcher(own.log()).find()),
                        "mosquitto logged the connection of the empty-id client:\n" + own.log());
                Matcher m = assigned.matcher(own.log());
                assertTrue(m.find());
                String assignedId = m.group(1);
                System.out.printf("Conformance | mosquitto assigned client id %s%n", assignedId);
                // Cut the connection and keep it down until the broker has seen the end of it.
                proxy.setRefuse(true);
                proxy.cutAll();
                assertTrue(Wait.until(SOON, () -> own.log().lines().anyMatch(l -> l.contains(assignedId)
                        && !l.contains("New client connected"))), "the broker saw the connection end:\n" + own.log());
                for (int i = 1; i <= 5; i++) {
                    pub.publish("aid/t", Message.of("m" + i));
                }
                proxy.setRefuse(false);
                Set<String> got = new HashSet<>();
                while (got.size() < 5) {
                    got.add(next(stream, "the 5 messages queued for the session, so far " + got + "\n" + own.log())
                            .payloadAsString());
                }
                assertEquals(Set.of("m1", "m2", "m3", "m4", "m5"), got);
                List<String> connects = own.log().lines().filter(l -> l.contains("New client connected")
                        && l.contains("(p5, c0")).toList();
                assertTrue(connects.size() >= 2, "a reconnect happened: " + connects);
                for (String line : connects) {
                    assertTrue(line.contains(" as " + assignedId + " ("),
                            "every connection of the client uses the Assigned Client Identifier: " + connects);
                }
            } finally {
                finish(client);
                finish(pub);
            }
        }
    }

    // ================================================================== the Python paho-mqtt peer

    /** {@code java-bridge/src/test/resources/paho_subscriber.py} run with python3; one JSON object per line. */
    static final class PahoSubscriber implements AutoCloseable {
        private final Process process;
        private final Path stderr;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private PahoSubscriber(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            Thread reader = new Thread(() -> {
                try (java.io.BufferedReader r = new java.io.BufferedReader(
                        new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("{\"error\": \"reading the subscriber's output failed\"}");
                }
            }, "paho-subscriber-output");
            reader.setDaemon(true);
            reader.start();
        }

        static PahoSubscriber start(int port, String filter, int count, int deadlineSeconds) throws IOException {
            Path script;
            try {
                script = Path.of(ConformanceTest.class.getResource("/paho_subscriber.py").toURI());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("paho_subscriber.py not on the test class path", e);
            }
            Path err = Files.createTempFile("paho-subscriber-", ".stderr");
            Process p = new ProcessBuilder("python3", script.toString(), "127.0.0.1", Integer.toString(port), filter,
                    Integer.toString(count), Integer.toString(deadlineSeconds))
                    .redirectError(err.toFile())
                    .start();
            return new PahoSubscriber(p, err);
        }

        /** The next JSON object within {@code timeout}; fails the test on a timeout or an error line. */
        Map<String, Object> next(Duration timeout) throws InterruptedException {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                fail("the paho subscriber printed nothing within " + timeout + " (alive: " + process.isAlive()
                        + ")\n" + stderr());
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> obj = (Map<String, Object>) Json.parse(line);
            if (obj.containsKey("error")) {
                fail("the paho subscriber: " + obj.get("error") + "\n" + stderr());
            }
            return obj;
        }

        void awaitReady() throws InterruptedException {
            assertEquals(Boolean.TRUE, next(SOON).get("ready"), "the paho subscriber's first line is ready");
        }

        private String stderr() {
            try {
                return Files.readString(stderr);
            } catch (IOException e) {
                return "(stderr unreadable: " + e + ")";
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(stderr);
            } catch (IOException e) {
                // Best effort.
            }
        }
    }

    /** A minimal JSON reader for the subscriber's lines: objects, arrays, strings, numbers, true/false/null. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json j = new Json(text);
            Object v = j.value();
            j.space();
            if (j.i != text.length()) {
                throw new IllegalArgumentException("trailing characters at " + j.i + " in " + abbreviate(text));
            }
            return v;
        }

        private static String abbreviate(String text) {
            return text.length() > 200 ? text.substring(0, 200) + "…" : text;
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private void expect(char c) {
            space();
            if (i >= s.length() || s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i + " in " + abbreviate(s));
            }
            i++;
        }

        private Object value() {
            space();
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    space();
                    if (s.charAt(i) == '}') {
                        i++;
                        return m;
                    }
                    do {
                        space();
                        String key = string();
                        expect(':');
                        m.put(key, value());
                        space();
                    } while (s.charAt(i++) == ',');
                    if (s.charAt(i - 1) != '}') {
                        throw new IllegalArgumentException("expected '}' at " + (i - 1));
                    }
                    return m;
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    space();
                    if (s.charAt(i) == ']') {
                        i++;
                        return l;
                    }
                    do {
                        l.add(value());
                        space();
                    } while (s.charAt(i++) == ',');
                    if (s.charAt(i - 1) != ']') {
                        throw new IllegalArgumentException("expected ']' at " + (i - 1));
                    }
                    return l;
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    for (Map.Entry<String, Object> lit : Map.<String, Object>of("true", true, "false", false)
                            .entrySet()) {
                        if (s.startsWith(lit.getKey(), i)) {
                            i += lit.getKey().length();
                            return lit.getValue();
                        }
                    }
                    if (s.startsWith("null", i)) {
                        i += 4;
                        return null;
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    String number = s.substring(start, i);
                    if (number.isEmpty()) {
                        throw new IllegalArgumentException("unexpected '" + c + "' at " + start);
                    }
                    if (number.matches("-?\\d+")) {
                        return Long.parseLong(number);
                    }
                    return Double.parseDouble(number);
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw new IllegalArgumentException("bad escape \\" + e + " at " + (i - 1));
                }
            }
        }
    }
}
