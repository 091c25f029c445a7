package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.config;
import static io.ballerina.lib.mqtt.engine.Support.finish;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static io.ballerina.lib.mqtt.engine.Support.next;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.TlsBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reliability scenario 7: bad inputs through the Java host API. Each one gives an
 * {@link MqttException} (never a NullPointerException, a crash or a hang) whose message names the
 * problem and, where the contract gives one, the reason code (E1, E2). After every case an
 * unrelated client that was connected all along still does a publish/receive round trip, and the
 * client that took the bad input is still connected (the JVM and the engine keep working).
 * Each case prints one line ({@code BadInput | case | reasonCode | message}).
 */
@Timeout(60)
class BadInputTest {
    /** The broker's Maximum Packet Size (CONNACK): payloads above it are refused locally (P3). */
    private static final int MAX_PACKET = 100_000;

    private static Broker broker;
    /** Connected for the whole class; must keep working after every bad input (E1). */
    private static MqttClient witness;
    private static MessageStream witnessStream;
    /** The client that takes the bad publish/subscribe inputs; must stay connected. */
    private static MqttClient subject;
    private static final AtomicInteger ROUND_TRIPS = new AtomicInteger();

    @BeforeAll
    static void start() {
        broker = Broker.start(Broker.options().line("max_packet_size " + MAX_PACKET));
        witness = Support.subscriber(broker.url(), "bad/witness/#");
        witnessStream = witness.receive();
        subject = Support.client(broker.url(), "bad-subject");
        roundTrip("start");
    }

    @AfterEach
    void stillWorking() {
        roundTrip("after a case");
        assertTrue(subject.isConnected(), "E1: the client that took the bad input is still connected");
    }

    @AfterAll
    static void stop() {
        try {
            if (witness != null) {
                roundTrip("end");
                System.out.println("BadInput: " + ROUND_TRIPS.get() + " witness round trips, all fine");
            }
        } finally {
            finish(witness);
            finish(subject);
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** The witness publishes (QoS 1) and receives its own message; the subject publishes to it too. */
    private static void roundTrip(String when) {
        int n = ROUND_TRIPS.incrementAndGet();
        byte[] body = ("round trip " + n).getBytes(StandardCharsets.UTF_8);
        witness.publish("bad/witness/" + n, Message.of(body));
        Message m = next(witnessStream, "witness round trip " + n + " (" + when + ")");
        assertEquals("bad/witness/" + n, m.topic());
        assertArrayEquals(body, m.payload());
        subject.publish("bad/witness/s" + n, Message.of(body).withQos(2));
        assertEquals("bad/witness/s" + n, next(witnessStream, "subject → witness " + n).topic());
    }

    // ------------------------------------------------------------------ the cases

    /**
     * One bad input: {@code call} must throw an MqttException whose message contains every
     * fragment ({@code PORT} in a fragment is the broker's port) and, when {@code reasonCode} is not
     * null, carries it.
     */
    record Bad(Executable call, Integer reasonCode, String... fragments) {
    }

    private static Arguments bad(String name, Integer reasonCode, Executable call, String... fragments) {
        return Arguments.of(name, new Bad(call, reasonCode, fragments));
    }

    /** Unwraps a failed future: the cause must be an MqttException (publishAsync never hangs either). */
    private static Object await(CompletableFuture<?> future) throws Throwable {
        try {
            return future.get(SOON.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw assertInstanceOf(MqttException.class, e.getCause(), "the future fails with an MqttException");
        }
    }

    private static String port(String s) {
        return s.replace("PORT", Integer.toString(broker.port()));
    }

    private static void check(String name, Bad b) {
        MqttException e = assertThrows(MqttException.class, b.call(), name + ": an MqttException (E1)");
        String message = e.getMessage();
        System.out.printf("BadInput | %-52s | %-5s | %s%n", name,
                e.reasonCode().isPresent() ? Integer.toString(e.reasonCode().getAsInt()) : "-",
                message.length() > 200 ? message.substring(0, 200) + "…" : message);
        assertNotNull(message, name);
        for (String f : b.fragments()) {
            assertTrue(message.contains(port(f)), name + ": the message names the problem ('" + port(f) + "'): "
                    + message);
        }
        if (b.reasonCode() != null) {
            assertEquals(b.reasonCode().intValue(), code(e), name + " (E2): " + message);
        }
    }

    /** A client connect with this URI (connection timeout 5 s); it must fail. */
    private static Executable connectTo(String uri) {
        return () -> {
            MqttClient c = MqttClient.connect(uri == null ? null : port(uri), id("bad-uri"),
                    ClientConfig.of(config().connectionTimeout(5).build()));
            finish(c);
        };
    }

    private static Executable connectWith(ConnectionConfig c) {
        return () -> finish(MqttClient.connect(broker.url(), id("bad-config"), ClientConfig.of(c)));
    }

    private static final String SCHEMES = "ssl://";

    static Stream<Arguments> uris() {
        return Stream.of(
                bad("URI unknown scheme http://", null, connectTo("http://127.0.0.1:PORT"),
                        "'http://127.0.0.1:PORT'", "unsupported scheme 'http'", SCHEMES),
                bad("URI missing host tcp://", null, connectTo("tcp://"), "'tcp://'", "missing host", SCHEMES),
                bad("URI missing host tcp://:PORT", null, connectTo("tcp://:PORT"), "missing host", SCHEMES),
                bad("URI port 0", null, connectTo("tcp://127.0.0.1:0"), "bad port '0'", SCHEMES),
                bad("URI port 70000", null, connectTo("tcp://127.0.0.1:70000"), "bad port '70000'", SCHEMES),
                bad("URI port -1", null, connectTo("tcp://127.0.0.1:-1"), "bad port '-1'", SCHEMES),
                bad("URI non-numeric port", null, connectTo("tcp://127.0.0.1:abc"), "bad port 'abc'", SCHEMES),
                bad("URI path on tcp://", null, connectTo("tcp://127.0.0.1:PORT/a/path"),
                        "'tcp://127.0.0.1:PORT/a/path'", "path is only allowed for ws:// and wss://"),
                bad("URI credentials in the URI", null, connectTo("tcp://user:pw@127.0.0.1:PORT"),
                        "credentials in the URI are not supported", "username/password"),
                bad("URI IPv6 without brackets", null, connectTo("tcp://::1:PORT"), "IPv6", "brackets"),
                bad("URI empty string", null, connectTo(""), "''", "no scheme", SCHEMES),
                bad("URI blank before the scheme", null, connectTo(" tcp://127.0.0.1:PORT"), "unsupported scheme"),
                bad("URI null", null, connectTo(null), "Server URI must not be null"),
                bad("URI null inside serverUris", null, () -> config().serverUris(Arrays.asList("tcp://h:1", null)).build(),
                        "serverUris", "null"),
                bad("URI unknown scheme (listener)", null, () -> MqttListener.connect(port("http://127.0.0.1:PORT"),
                        id("bad-uri-l"), List.of(Subscription.of("t")), null), "unsupported scheme 'http'", SCHEMES),
                bad("URI reachable address, nobody listening (C6)", MqttException.SERVER_CONNECT_ERROR,
                        () -> connectTo("tcp://127.0.0.1:" + Broker.freePort()).execute(), "Unable to connect"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("uris")
    @DisplayName("C1, C6, E1: bad server URIs fail connect naming the URI and the accepted schemes")
    void badUris(String name, Bad b) {
        check(name, b);
    }

    static Stream<Arguments> topics() {
        return Stream.of(
                bad("topic empty", null, () -> subject.publish("", Message.of("x")), "Topic must not be empty"),
                bad("topic +", null, () -> subject.publish("+", Message.of("x")), "'+'", "wildcard"),
                bad("topic #", null, () -> subject.publish("#", Message.of("x")), "'#'", "wildcard"),
                bad("topic a/+/b", null, () -> subject.publish("a/+/b", Message.of("x")), "'a/+/b'", "wildcard"),
                bad("topic a/# (publishAsync)", null, () -> await(subject.publishAsync("a/#", Message.of("x"))),
                        "wildcard"),
                bad("topic with NUL (QoS 0)", null, () -> subject.publish("a\0b", Message.of("x").withQos(0)),
                        "U+0000"),
                bad("topic 65,536 ASCII bytes", null, () -> subject.publish("t".repeat(65_536), Message.of("x")),
                        "65536 UTF-8 bytes", "65535"),
                bad("topic 65,536 bytes of 2-byte UTF-8 (32,768 chars)", null,
                        () -> subject.publish("é".repeat(32_768), Message.of("x")), "65536 UTF-8 bytes", "65535"),
                bad("topic lone high surrogate", null, () -> subject.publish("x\uD800y", Message.of("x")),
                        "Topic", "unpaired UTF-16 surrogate", "U+D800 at index 1"),
                bad("topic lone low surrogate", null, () -> subject.publish("\uDC00", Message.of("x")),
                        "Topic", "unpaired UTF-16 surrogate", "U+DC00 at index 0"),
                bad("topic surrogates in the wrong order", null,
                        () -> subject.publish("a\uDE00\uD83D", Message.of("x")), "unpaired UTF-16 surrogate"),
                bad("topic null", null, () -> subject.publish(null, Message.of("x")), "Topic must not be null"),
                bad("topic null (publishAsync)", null, () -> subject.publishAsync(null, Message.of("x")),
                        "Topic must not be null"),
                bad("responseTopic with a wildcard", null, () -> subject.publish("ok", Message.of("x")
                        .withProperties(MessageProperties.ofResponseTopic("r/+"))), "responseTopic", "wildcard"),
                bad("responseTopic lone surrogate", null, () -> subject.publish("ok", Message.of("x")
                        .withProperties(MessageProperties.ofResponseTopic("r\uD800"))), "responseTopic",
                        "unpaired UTF-16 surrogate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topics")
    @DisplayName("P3, E1: bad topics (empty, wildcards, U+0000, > 65535 UTF-8 bytes, unpaired surrogates, null) are errors naming the problem")
    void badTopics(String name, Bad b) {
        check(name, b);
    }

    static Stream<Arguments> messages() {
        return Stream.of(
                bad("qos -1", null, () -> subject.publish("ok", Message.of("x").withQos(-1)), "Invalid QoS -1"),
                bad("qos 3", null, () -> subject.publish("ok", Message.of("x").withQos(3)), "Invalid QoS 3"),
                bad("qos 127", null, () -> subject.publish("ok", Message.of("x").withQos(127)), "Invalid QoS 127"),
                bad("qos 300 (outside a byte: the engine still names it)", null,
                        () -> subject.publish("ok", Message.of("x").withQos(300)), "Invalid QoS 300"),
                bad("qos Integer.MIN_VALUE", null,
                        () -> subject.publish("ok", Message.of("x").withQos(Integer.MIN_VALUE)),
                        "Invalid QoS " + Integer.MIN_VALUE),
                bad("qos 3 (publish(String, byte[], int))", null,
                        () -> subject.publish("ok", new byte[] {1}, 3), "Invalid QoS 3"),
                bad("qos 3 (publish(String, String, int))", null,
                        () -> subject.publish("ok", "x", 3), "Invalid QoS 3"),
                bad("qos -1 (publishAsync(String, byte[], int): the future fails)", null,
                        () -> await(subject.publishAsync("ok", new byte[] {1}, -1)), "Invalid QoS -1"),
                bad("payload null (publish(String, byte[], int))", null,
                        () -> subject.publish("ok", (byte[]) null, 0), "Message payload must not be null"),
                bad("payload null (publish(String, String))", null,
                        () -> subject.publish("ok", (String) null), "Message payload must not be null"),
                bad("payload null (publishAsync(String, byte[], int))", null,
                        () -> subject.publishAsync("ok", (byte[]) null, 0), "Message payload must not be null"),
                bad("topic null (publishAsync(String, byte[], int))", null,
                        () -> subject.publishAsync(null, new byte[] {1}, 0), "Topic must not be null"),
                bad("payload over Maximum Packet Size (publish(String, byte[], int))", null,
                        () -> subject.publish("ok", new byte[MAX_PACKET + 1], 1), "Maximum Packet Size is " + MAX_PACKET),
                bad("qos 3 (publishAsync: the future fails)", null,
                        () -> await(subject.publishAsync("ok", Message.of("x").withQos(3))),
                        "Invalid QoS 3"),
                bad("payload over Maximum Packet Size (QoS 0)", null,
                        () -> subject.publish("ok", Message.of(new byte[MAX_PACKET + 1]).withQos(0)),
                        "Maximum Packet Size is " + MAX_PACKET),
                bad("payload over Maximum Packet Size (QoS 1)", null,
                        () -> subject.publish("ok", Message.of(new byte[MAX_PACKET + 1])),
                        "'ok'", "Maximum Packet Size is " + MAX_PACKET),
                bad("payload over Maximum Packet Size (QoS 2, publishAsync)", null,
                        () -> await(subject.publishAsync("ok", Message.of(new byte[3 * MAX_PACKET]).withQos(2))),
                        "Maximum Packet Size is " + MAX_PACKET),
                bad("message null", null, () -> subject.publish("ok", (Message) null), "Message must not be null"),
                bad("payload null (byte[])", null, () -> Message.of((byte[]) null), "Message payload must not be null"),
                bad("payload null (String)", null, () -> Message.of((String) null), "Message payload must not be null"),
                bad("messageExpiryInterval -1", null, () -> subject.publish("ok", Message.of("x").withProperties(
                        MessageProperties.empty().withMessageExpiryInterval(-1L))), "messageExpiryInterval -1",
                        "negative"),
                bad("user property null name", null, () -> new UserProperty(null, "v"),
                        "User property name must not be null"),
                bad("user property list with null", null, () -> MessageProperties.empty()
                        .withUserProperties(Arrays.asList(new UserProperty("k", "v"), null)), "user property is null"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    @DisplayName("P3, E1: bad messages (qos outside 0..2, payload over the broker's Maximum Packet Size, nulls) are errors naming the problem")
    void badMessages(String name, Bad b) {
        check(name, b);
    }

    static Stream<Arguments> subscriptions() {
        return Stream.of(
                bad("subscribe null list", null, () -> subject.subscribe((List<Subscription>) null), "Subscription list must not be null"),
                bad("subscribe empty list", null, () -> subject.subscribe(List.of()), "No subscription given"),
                bad("subscribe list with null", null, () -> subject.subscribe(Arrays.asList((Subscription) null)),
                        "A subscription is null"),
                bad("subscription topic null", null, () -> Subscription.of(null),
                        "Subscription topic must not be null"),
                bad("subscribe filter a/#/b", null, () -> subject.subscribe(List.of(Subscription.of("a/#/b"))),
                        "Invalid topic filter 'a/#/b'"),
                bad("subscribe filter a/b+", null, () -> subject.subscribe(List.of(Subscription.of("a/b+"))),
                        "Invalid topic filter 'a/b+'"),
                bad("subscribe filter with NUL", null, () -> subject.subscribe(List.of(Subscription.of("a\0"))),
                        "filter"),
                bad("subscribe filter lone surrogate", null,
                        () -> subject.subscribe(List.of(Subscription.of("f\uD800"))), "Topic filter",
                        "unpaired UTF-16 surrogate"),
                bad("subscribe qos 3", null, () -> subject.subscribe(List.of(Subscription.of("a", 3))),
                        "Invalid QoS 3"),
                bad("subscribe retainHandling 3", null,
                        () -> subject.subscribe(List.of(Subscription.of("a").withRetainHandling(3))),
                        "retainHandling 3"),
                bad("unsubscribe null list", null, () -> subject.unsubscribe((List<String>) null),
                        "Topic filter list must not be null"),
                bad("unsubscribe null filter", null, () -> subject.unsubscribe(Arrays.asList((String) null)),
                        "filter must not be null"),
                bad("stream next(null timeout)", null, () -> {
                    try (MessageStream s = subject.receive()) {
                        s.next(null);
                    }
                }, "Timeout must not be null"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subscriptions")
    @DisplayName("P3, R1, E1: bad subscriptions of a client (filters, qos, options, nulls) are errors naming the problem")
    void badSubscriptions(String name, Bad b) {
        check(name, b);
    }

    static Stream<Arguments> configs() {
        return Stream.of(
                bad("keepAliveInterval -1", null, connectWith(config().keepAliveInterval(-1).build()),
                        "Invalid keepAliveInterval -1", "negative"),
                bad("connectionTimeout -1", null, connectWith(config().connectionTimeout(-1).build()),
                        "Invalid connectionTimeout -1", "negative"),
                bad("maxReconnectDelay -1", null, connectWith(config().maxReconnectDelay(-1L).build()),
                        "Invalid maxReconnectDelay -1", "negative"),
                bad("sessionExpiryInterval -1", null, connectWith(config().sessionExpiryInterval(-1L).build()),
                        "Invalid sessionExpiryInterval -1", "negative"),
                bad("keepAliveInterval 70,000 s", null, connectWith(config().keepAliveInterval(70_000).build()),
                        "keepAliveInterval 70000", "65535"),
                bad("sessionExpiryInterval 2^32", null,
                        connectWith(config().sessionExpiryInterval(1L << 32).build()),
                        "sessionExpiryInterval 4294967296", "4294967295"),
                bad("maxReconnectDelay 0", null,
                        connectWith(config().maxReconnectDelay(0L).automaticReconnect(true).build()),
                        "maxReconnectDelay", "positive"),
                bad("clientId null", null, () -> MqttClient.connect(broker.url(), null, null),
                        "Client id must not be null"),
                bad("clientId with NUL", null, () -> MqttClient.connect(broker.url(), "id\0x", null),
                        "Client id", "U+0000"),
                bad("clientId lone surrogate", null, () -> MqttClient.connect(broker.url(), "id\uD800", null),
                        "Client id", "unpaired UTF-16 surrogate"),
                bad("password lone surrogate (not shown)", null,
                        connectWith(config().credentials("u", "secret\uDBFF").build()), "Password",
                        "unpaired UTF-16 surrogate"),
                bad("will topic with a wildcard", null, () -> MqttClient.connect(broker.url(), id("bad-will"),
                        new ClientConfig(null, new WillDetails(Message.of("w"), "w/#"))), "wildcard"),
                bad("will qos 3", null, () -> MqttClient.connect(broker.url(), id("bad-will"),
                        new ClientConfig(null, new WillDetails(Message.of("w").withQos(3), "w"))), "Invalid QoS 3"),
                bad("will destinationTopic null", null, () -> new WillDetails(Message.of("w"), null),
                        "Will destinationTopic must not be null"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    @DisplayName("C2, E1: negative, out-of-range and null connection settings fail connect naming the field")
    void badConfigs(String name, Bad b) {
        check(name, b);
    }

    static Stream<Arguments> certificates() {
        String missing = "/nonexistent/mqtt-bad-input/";
        return Stream.of(
                bad("TLS CA file missing", null, connectWith(config()
                        .secureSocket(SecureSocket.ofCert(missing + "ca.pem")).build()),
                        missing + "ca.pem", "no such file"),
                bad("TLS client certificate file missing", null, connectWith(config().secureSocket(
                        SecureSocket.ofCert(TlsBroker.file("ca.pem"))
                                .withKey(new CertKey(missing + "client.pem", TlsBroker.file("client.key")))).build()),
                        missing + "client.pem", "no such file"),
                bad("TLS client key file missing", null, connectWith(config().secureSocket(
                        SecureSocket.ofCert(TlsBroker.file("ca.pem"))
                                .withKey(new CertKey(TlsBroker.file("client.pem"), missing + "client.key"))).build()),
                        missing + "client.key", "no such file"),
                bad("TLS KeyStore file missing", null, connectWith(config().secureSocket(
                        SecureSocket.ofCert(TlsBroker.file("ca.pem"))
                                .withKeyStore(new KeyStore(missing + "client.p12", "pw"))).build()),
                        missing + "client.p12", "no such file"),
                bad("TLS CertKey certFile null", null, () -> new CertKey(null, "k.pem"),
                        "CertKey certFile must not be null"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("certificates")
    @DisplayName("T5, E1, E3: missing certificate, key and store files fail connect naming the file")
    void badCertificates(String name, Bad b) {
        check(name, b);
    }

    /** A client that was connected, disconnected and closed. */
    private static MqttClient closedClient() {
        MqttClient c = Support.client(broker.url(), "bad-closed");
        c.disconnect();
        c.close();
        return c;
    }

    static Stream<Arguments> afterClose() {
        int closed = MqttException.CLIENT_CLOSED;
        return Stream.of(
                bad("after close: publish", closed, () -> closedClient().publish("ok", Message.of("x")),
                        "Client is closed"),
                bad("after close: publishAsync", closed, () -> closedClient().publishAsync("ok", Message.of("x")),
                        "Client is closed"),
                bad("after close: subscribe", closed,
                        () -> closedClient().subscribe(List.of(Subscription.of("a"))), "Client is closed"),
                bad("after close: unsubscribe", closed, () -> closedClient().unsubscribe(List.of("a")),
                        "Client is closed"),
                bad("after close: receive", closed, () -> closedClient().receive(), "Client is closed"),
                bad("after close: isConnected", closed, () -> closedClient().isConnected(), "Client is closed"),
                bad("after close: reconnect", closed, () -> closedClient().reconnect(), "Client is closed"),
                bad("after close: disconnect", closed, () -> closedClient().disconnect(), "Client is closed"),
                bad("after close: next() of a stream opened before", closed, () -> {
                    MqttClient c = Support.client(broker.url(), "bad-closed-stream");
                    MessageStream s = c.receive();
                    c.disconnect();
                    c.close();
                    s.next(SOON);
                }, "Client is closed"),
                bad("after listener close: start", closed, () -> {
                    MqttListener l = listener("bad/l");
                    l.attach((m, caller) -> { });
                    l.close();
                    l.start();
                }, "Listener is closed"),
                bad("after listener close: attach", closed, () -> {
                    MqttListener l = listener("bad/l");
                    l.gracefulStop();
                    l.attach((m, caller) -> { });
                }, "Listener is closed"),
                bad("after listener close: detach", closed, () -> {
                    MqttListener l = listener("bad/l");
                    l.attach((m, caller) -> { });
                    l.immediateStop();
                    l.detach();
                }, "Listener is closed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("afterClose")
    @DisplayName("C7, E2: every call after close gives 32111")
    void callsAfterClose(String name, Bad b) {
        check(name, b);
    }

    @Test
    @DisplayName("C7: double close of a client and double stop of a listener are no-ops")
    void doubleClose() {
        MqttClient c = closedClient();
        c.close();
        c.close();
        assertTrue(c.isClosed());
        MqttListener l = listener("bad/double");
        l.close();
        l.close();
        l.gracefulStop();
        l.immediateStop();
        System.out.println("BadInput | double close / double stop                             | -     | no-op");
    }

    private static MqttListener listener(String filter) {
        return MqttListener.connect(broker.url(), id("bad-l"), List.of(Subscription.of(filter)), null);
    }

    static Stream<Arguments> listeners() {
        return Stream.of(
                bad("listener filter a/#/b", null, () -> listener("a/#/b"), "Invalid topic filter 'a/#/b'"),
                bad("listener empty subscription list", null, () -> MqttListener.connect(broker.url(), id("bad-l"),
                        Collections.emptyList(), null), "at least one subscription"),
                bad("listener null subscription list", null, () -> MqttListener.connect(broker.url(), id("bad-l"),
                        (List<Subscription>) null, null), "Subscription list must not be null"),
                bad("listener subscription list with null", null, () -> MqttListener.connect(broker.url(),
                        id("bad-l"), Arrays.asList(Subscription.of("a"), null), null), "A subscription is null"),
                bad("listener second attach", null, () -> {
                    MqttListener l = listener("bad/l");
                    try {
                        l.attach((m, caller) -> { });
                        l.attach((m, caller) -> { });
                    } finally {
                        l.close();
                    }
                }, "already attached"),
                bad("listener start without attach", null, () -> {
                    MqttListener l = listener("bad/l");
                    try {
                        l.start();
                    } finally {
                        l.close();
                    }
                }, "No service is attached"),
                bad("listener attach null", null, () -> {
                    MqttListener l = listener("bad/l");
                    try {
                        l.attach(null);
                    } finally {
                        l.close();
                    }
                }, "Handler must not be null"),
                bad("listener start twice", null, () -> {
                    MqttListener l = listener("bad/l");
                    try {
                        l.attach((m, caller) -> { });
                        l.start();
                        l.start();
                    } finally {
                        l.close();
                    }
                }, "already started"),
                bad("listener detach without attach", null, () -> {
                    MqttListener l = listener("bad/l");
                    try {
                        l.detach();
                    } finally {
                        l.close();
                    }
                }, "No service is attached"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listeners")
    @DisplayName("L1, P3: bad listener subscriptions, a second attach, start without attach and nulls are errors")
    void badListenerUse(String name, Bad b) {
        check(name, b);
    }

    @Test
    @DisplayName("L5, L3, E1: respond without responseTopic and respond(null) are errors to the caller; complete() twice (automatic and manual acks) is a no-op; the listener keeps receiving")
    void callerMisuse() throws Exception {
        for (boolean manual : new boolean[] {false, true}) {
            BlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();
            String topic = "bad/caller/" + manual;
            MqttListener l = MqttListener.connect(broker.url(), id("bad-caller"), List.of(Subscription.of(topic)),
                    ListenerConfig.defaults().withManualAcks(manual));
            try {
                l.attach(new MessageHandler() {
                    @Override
                    public void onMessage(Message message, Caller caller) {
                        for (Runnable r : List.<Runnable>of(() -> caller.respond(Message.of("reply")),
                                () -> caller.respond(null))) {
                            try {
                                r.run();
                                outcomes.add("no error");
                            } catch (RuntimeException e) {
                                outcomes.add(e);
                            }
                        }
                        try {
                            caller.complete();
                            caller.complete();
                            outcomes.add("completed twice");
                        } catch (RuntimeException e) {
                            outcomes.add(e);
                        }
                        outcomes.add(message.payloadAsString());
                    }

                    @Override
                    public void onError(MqttException error) {
                        outcomes.add("onError: " + error.getMessage());
                    }
                });
                l.start();
                for (int i = 0; i < 3; i++) {
                    subject.publish(topic, Message.of("m" + i));
                    MqttException noTopic = assertInstanceOf(MqttException.class, poll(outcomes));
                    assertEquals(ListenerCaller.RESPONSE_TOPIC_NOT_SET, noTopic.getMessage());
                    MqttException nullResponse = assertInstanceOf(MqttException.class, poll(outcomes));
                    assertEquals("Response message must not be null", nullResponse.getMessage());
                    assertEquals("completed twice", poll(outcomes));
                    assertEquals("m" + i, poll(outcomes), "L3: the listener keeps receiving after complete() twice");
                    if (i == 0) {
                        System.out.printf("BadInput | %-52s | -     | %s%n", "respond without responseTopic ("
                                + (manual ? "manual" : "automatic") + " acks)", noTopic.getMessage());
                        System.out.printf("BadInput | %-52s | -     | %s%n", "respond(null)", nullResponse.getMessage());
                        System.out.printf("BadInput | %-52s | -     | %s%n", "complete() twice ("
                                + (manual ? "manual" : "automatic") + " acks)", "no-op");
                    }
                }
                assertTrue(l.isConnected(), "L3: a second complete() sent no duplicate ack the broker rejected");
                assertNull(outcomes.poll(), "nothing else happened (no onError)");
            } finally {
                l.close();
            }
        }
    }

    private static Object poll(BlockingQueue<Object> q) throws InterruptedException {
        Object o = q.poll(SOON.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(o, "no outcome within " + SOON);
        return o;
    }

    @Test
    @Timeout(120)
    @DisplayName("C7, C5, P2, E1: 8 threads publish (sync and async, QoS 0-2) while another disconnects and closes: every publish returns a token or an MqttException (32104/32109/32111), none hangs")
    void concurrentCloseDuringPublish() throws Exception {
        for (int round = 0; round < 3; round++) {
            MqttClient c = Support.client(broker.url(), "bad-race");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            Map<String, Integer> outcomes = new ConcurrentHashMap<>();
            AtomicInteger tokens = new AtomicInteger();
            CountDownLatch someDone = new CountDownLatch(200);
            List<Future<?>> threads = new ArrayList<>();
            try {
                for (int t = 0; t < 8; t++) {
                    final int thread = t;
                    threads.add(pool.submit(() -> {
                        for (int k = 0; ; k++) {
                            String topic = "bad/race/" + thread;
                            Message m = Message.of("x").withQos(k % 3);
                            try {
                                DeliveryToken token = thread % 2 == 0 ? c.publish(topic, m)
                                        : c.publishAsync(topic, m).get(SOON.toSeconds(), TimeUnit.SECONDS);
                                assertEquals(topic, token.topic(), "P2: its own token");
                                tokens.incrementAndGet();
                                someDone.countDown();
                            } catch (MqttException e) {
                                outcomes.merge(code(e) + " " + e.getMessage(), 1, Integer::sum);
                                if (code(e) == MqttException.CLIENT_CLOSED) {
                                    return null;
                                }
                            } catch (ExecutionException e) {
                                MqttException cause = assertInstanceOf(MqttException.class, e.getCause());
                                outcomes.merge(code(cause) + " " + cause.getMessage(), 1, Integer::sum);
                            } catch (TimeoutException e) {
                                throw new AssertionError("publishAsync hung for " + SOON, e);
                            }
                        }
                    }));
                }
                assertTrue(someDone.await(SOON.toSeconds(), TimeUnit.SECONDS), "publishes went through before the close");
                c.disconnect();
                c.close();
                for (Future<?> f : threads) {
                    f.get(SOON.toSeconds(), TimeUnit.SECONDS); // no publish hangs; assertion errors surface here
                }
            } finally {
                pool.shutdownNow();
                finish(c);
            }
            System.out.printf("BadInput | %-52s | -     | %d tokens, errors %s%n",
                    "concurrent disconnect+close during publish #" + round, tokens.get(), outcomes);
            for (String outcome : outcomes.keySet()) {
                assertTrue(outcome.startsWith("32104 ") || outcome.startsWith("32109 ") || outcome.startsWith("32111 ")
                        || outcome.startsWith("32101 "), "E2: " + outcome);
            }
            assertTrue(outcomes.keySet().stream().anyMatch(o -> o.startsWith("32111 ")), "C7: 32111 after close");
            assertTrue(c.isClosed());
        }
    }

    @Test
    @DisplayName("C2: a null config (client and listener) and null fields inside it mean the defaults, not an error")
    void nullConfigMeansDefaults() throws Exception {
        for (ClientConfig cc : Arrays.asList(null, new ClientConfig(null, null), ClientConfig.of(config().build()))) {
            MqttClient c = MqttClient.connect(broker.url(), id("bad-null-config"), cc);
            try {
                assertTrue(c.isConnected(), String.valueOf(cc));
            } finally {
                finish(c);
            }
        }
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        for (ListenerConfig lc : Arrays.asList(null, new ListenerConfig(null, false))) {
            MqttListener l = MqttListener.connect(broker.url(), id("bad-null-config-l"),
                    List.of(Subscription.of("bad/defaults")), lc);
            try {
                l.attach((m, caller) -> got.add(m.payloadAsString()));
                l.start();
                subject.publish("bad/defaults", Message.of("d"));
                assertEquals("d", got.poll(SOON.toMillis(), TimeUnit.MILLISECONDS), String.valueOf(lc));
            } finally {
                l.close();
            }
        }
        System.out.printf("BadInput | %-52s | -     | %s%n", "null config / null fields", "defaults (C2), no error");
    }

    @Test
    @DisplayName("P3: what Java itself does with an unpaired surrogate (String.getBytes gives '?', so the bridge must check before encoding)")
    void javaAndUnpairedSurrogates() {
        assertEquals("x?y", new String("x\uD800y".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        // A valid pair (U+1F600) is fine end to end.
        String topic = "bad/witness/\uD83D\uDE00";
        subject.publish(topic, Message.of("emoji"));
        Message m = next(witnessStream, "the emoji topic");
        assertEquals(topic, m.topic());
        assertFalse(m.topic().contains("\uFFFD"));
    }

    @Test
    @DisplayName("E3: the error for credentials in a URI does not print the password")
    void e3UriCredentialsNotPrinted() {
        MqttException e = assertThrows(MqttException.class,
                () -> connectTo("tcp://alice:Secret-PW-42@127.0.0.1:PORT").execute());
        assertFalse(e.getMessage().contains("Secret-PW-42"), "E3: " + e.getMessage());
    }
}
