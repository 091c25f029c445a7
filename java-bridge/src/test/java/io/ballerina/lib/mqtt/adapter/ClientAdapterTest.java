package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import io.ballerina.runtime.api.values.BArray;
import io.ballerina.runtime.api.values.BMap;
import io.ballerina.runtime.api.values.BObject;
import io.ballerina.runtime.api.values.BStream;
import io.ballerina.runtime.api.values.BString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.ballerina.lib.mqtt.adapter.Bal.assertError;
import static io.ballerina.lib.mqtt.adapter.Bal.bytes;
import static io.ballerina.lib.mqtt.adapter.Bal.field;
import static io.ballerina.lib.mqtt.adapter.Bal.list;
import static io.ballerina.lib.mqtt.adapter.Bal.message;
import static io.ballerina.lib.mqtt.adapter.Bal.payload;
import static io.ballerina.lib.mqtt.adapter.Bal.rec;
import static io.ballerina.lib.mqtt.adapter.Bal.str;
import static io.ballerina.lib.mqtt.adapter.Bal.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives every ClientAdapter and StreamAdapter method as the Ballerina runtime would, against mosquitto. */
class ClientAdapterTest {
    private static Broker broker;
    private static FakeValues.Env env;
    private static int ids;

    @BeforeAll
    static void start() {
        env = Bal.setUp();
        broker = Broker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static BObject connect(BMap<BString, Object> config) {
        BObject client = Bal.object("Client");
        Object r = ClientAdapter.init(env, client, str(broker.url()), str("adapter-client-" + ids++), config);
        assertNull(r, () -> "init: " + r);
        return client;
    }

    private static BObject connect() {
        return connect(rec("ClientConfiguration"));
    }

    private static void closeClient(BObject client) {
        assertNull(ClientAdapter.disconnect(env, client));
        assertNull(ClientAdapter.close(env, client));
    }

    private static BObject streamOf(BObject client) {
        Object s = ClientAdapter.receive(env, client, new FakeValues.Typedesc(new FakeTypes.Stream()));
        assertInstanceOf(BStream.class, s, () -> "receive: " + s);
        BObject iterator = ((FakeValues.Stream) s).iterator();
        assertEquals("MessageStream", iterator.getOriginalType().getName());
        return iterator;
    }

    @Test
    void lifecycleInitIsConnectedDisconnectReconnectClose() {
        int yieldsBefore = env.yields.get();
        BObject client = connect();
        assertTrue(env.yields.get() > yieldsBefore, "init connects inside yieldAndRun");
        assertEquals(Boolean.TRUE, ClientAdapter.isConnected(env, client));
        assertError(ClientAdapter.close(env, client), "Client is connected", 32100);
        assertNull(ClientAdapter.disconnect(env, client));
        assertEquals(Boolean.FALSE, ClientAdapter.isConnected(env, client));
        assertNull(ClientAdapter.reconnect(env, client));
        assertEquals(Boolean.TRUE, ClientAdapter.isConnected(env, client));
        assertNull(ClientAdapter.disconnect(env, client));
        assertNull(ClientAdapter.close(env, client));
        // C7: every call after close is 32111
        assertError(ClientAdapter.close(env, client), "Client is closed", 32111);
        assertError(ClientAdapter.isConnected(env, client), "Client is closed", 32111);
        assertError(ClientAdapter.publish(env, client, str("t"), message("x")), "Client is closed", 32111);
        assertError(ClientAdapter.subscribe(env, client, list(str("t"))), "Client is closed", 32111);
        assertError(ClientAdapter.receive(env, client, new FakeValues.Typedesc(new FakeTypes.Stream())),
                "Client is closed", 32111);
        assertError(ClientAdapter.disconnect(env, client), "Client is closed", 32111);
        assertError(ClientAdapter.reconnect(env, client), "Client is closed", 32111);
    }

    @Test
    void blockingCallsYieldOnTheThreadThatCalledTheAdapter() throws Exception {
        int before = env.yieldThreads.size();
        Object[] outcome = new Object[1];
        Thread strand = new Thread(() -> {
            BObject client = connect();
            outcome[0] = ClientAdapter.publish(env, client, str("adapter/thread"), message("t"));
            closeClient(client);
        }, "adapter-caller");
        strand.start();
        strand.join(30_000);
        assertFalse(strand.isAlive(), "the calls finished");
        assertEquals("DeliveryToken", ((FakeValues.Typed) outcome[0]).type().getName());
        List<Thread> yielded = env.yieldThreads.subList(before, env.yieldThreads.size());
        assertEquals(4, yielded.size(), "init, publish, disconnect and close yield: " + yielded);
        for (Thread t : yielded) {
            assertSame(strand, t, "yieldAndRun ran on the adapter's calling thread");
        }
    }

    @Test
    void publishReturnsDeliveryTokensForEachQos() {
        BObject client = connect();
        for (long qos = 0; qos <= 2; qos++) {
            int yields = env.yields.get();
            Object token = ClientAdapter.publish(env, client, str("adapter/qos"), message("q", "qos", qos));
            assertEquals(yields + 1, env.yields.get(), "publish waits inside yieldAndRun");
            assertEquals("DeliveryToken", ((FakeValues.Typed) token).type().getName());
            assertEquals("adapter/qos", text(token, "topic"));
            long id = (Long) field(token, "messageId");
            assertTrue(qos == 0 ? id == 0 : id > 0, "messageId " + id + " for QoS " + qos);
        }
        closeClient(client);
    }

    /** P1: RETAIN alone (no properties) still makes the adapter publish a retained message. */
    @Test
    void aRetainedRecordWithoutPropertiesIsRetained() {
        BObject client = connect();
        String topic = "adapter/retained/" + System.nanoTime();
        assertInstanceOf(BMap.class, ClientAdapter.publish(env, client, str(topic),
                message("kept", "qos", 1L, "retained", true)));
        assertNull(ClientAdapter.subscribe(env, client, str(topic)));
        BObject stream = streamOf(client);
        // A live message after the subscription: the first one out is the retained one, or the test fails here.
        ClientAdapter.publish(env, client, str(topic), message("live", "qos", 1L));
        Object m = StreamAdapter.next(env, stream);
        assertEquals("kept", payload(m), "the retained message comes first");
        assertEquals(Boolean.TRUE, field(m, "retained"), "the broker kept it and says so to a new subscription");
        assertInstanceOf(BMap.class, ClientAdapter.publish(env, client, str(topic),
                message("", "qos", 1L, "retained", true)));
        assertNull(StreamAdapter.close(env, stream));
        closeClient(client);
    }

    @Test
    void subscribeInAllFourShapesThenReceiveThroughTheStream() {
        BObject client = connect();
        assertNull(ClientAdapter.subscribe(env, client, str("shape/a")));
        assertNull(ClientAdapter.subscribe(env, client, list(str("shape/b"), str("shape/c"))));
        assertNull(ClientAdapter.subscribe(env, client, rec("Subscription", "topic", "shape/d", "qos", 2L)));
        assertNull(ClientAdapter.subscribe(env, client, list(
                rec("Subscription", "topic", "shape/e", "qos", 0L, "noLocal", false,
                        "retainAsPublished", true, "retainHandling", 1L),
                rec("Subscription", "topic", "shape/f", "qos", 1L))));
        BObject stream = streamOf(client);
        List<String> topics = List.of("shape/a", "shape/b", "shape/c", "shape/d", "shape/e", "shape/f");
        for (String t : topics) {
            assertInstanceOf(BMap.class, ClientAdapter.publish(env, client, str(t), message("to " + t, "qos", 1L)));
        }
        List<String> got = new ArrayList<>();
        for (int i = 0; i < topics.size(); i++) {
            Object m = StreamAdapter.next(env, stream);
            assertEquals("Message", ((FakeValues.Typed) m).type().getName(), () -> "next: " + m);
            assertEquals("to " + text(m, "topic"), payload(m));
            got.add(text(m, "topic"));
        }
        assertEquals(topics, got.stream().sorted().toList());
        assertNull(StreamAdapter.close(env, stream));
        assertError(StreamAdapter.close(env, stream),
                "Stream is closed. Therefore, no operations are allowed further on the stream.", null);
        closeClient(client);
    }

    @Test
    void receivedMessageCarriesEveryField() {
        BObject client = connect();
        assertNull(ClientAdapter.subscribe(env, client, list(rec("Subscription", "topic", "fields/x", "qos", 2L))));
        BObject stream = streamOf(client);
        BMap<BString, Object> properties = rec("MessageProperties",
                "responseTopic", "fields/reply",
                "correlationData", bytes("corr-1"),
                "contentType", "text/plain",
                "messageExpiryInterval", 60L,
                "payloadFormatIndicator", true,
                "userProperties", list(rec("UserProperty", "key", "k", "value", "1"),
                        rec("UserProperty", "key", "k", "value", "2"),
                        rec("UserProperty", "key", "a", "value", "3")));
        ClientAdapter.publish(env, client, str("fields/x"),
                message("body", "qos", 2L, "retained", true, "properties", properties));
        Object m = StreamAdapter.next(env, stream);
        assertEquals("body", payload(m));
        assertEquals("fields/x", text(m, "topic"));
        assertEquals(2L, field(m, "qos"));
        assertEquals(Boolean.FALSE, field(m, "duplicate"));
        assertTrue((Long) field(m, "messageId") > 0);
        Object p = field(m, "properties");
        assertEquals("MessageProperties", ((FakeValues.Typed) p).type().getName());
        assertEquals("fields/reply", text(p, "responseTopic"));
        assertEquals("corr-1", new String(((BArray) field(p, "correlationData")).getBytes(), StandardCharsets.UTF_8));
        assertEquals("text/plain", text(p, "contentType"));
        assertTrue((Long) field(p, "messageExpiryInterval") <= 60L);
        assertEquals(Boolean.TRUE, field(p, "payloadFormatIndicator"));
        BArray ups = (BArray) field(p, "userProperties");
        assertEquals(3, ups.getLength());
        assertEquals(List.of("k=1", "k=2", "a=3"), List.of(0L, 1L, 2L).stream()
                .map(i -> text(ups.get(i), "key") + "=" + text(ups.get(i), "value")).toList());
        assertEquals("UserProperty", ((FakeTypes.Arr) ((FakeValues.Typed) ups).type()).element.getName());
        assertNull(StreamAdapter.close(env, stream));
        closeClient(client);
    }

    @Test
    void streamEndsWithNilOnceTheClientIsClosed() throws Exception {
        BObject client = connect();
        assertNull(ClientAdapter.subscribe(env, client, str("end/x")));
        BObject stream = streamOf(client);
        ClientAdapter.publish(env, client, str("end/x"), message("last"));
        assertEquals("last", payload(StreamAdapter.next(env, stream)));
        Object[] result = new Object[1];
        Thread waiter = new Thread(() -> result[0] = StreamAdapter.next(env, stream));
        waiter.start();
        assertTrue(Wait.until(Duration.ofSeconds(10), () -> isBlocked(waiter)), "next() waits for a message");
        closeClient(client);
        waiter.join(10_000);
        assertFalse(waiter.isAlive(), "the waiting next() returns once the client is closed");
        assertNull(result[0], "next() after the client closed: ()");
        assertNull(StreamAdapter.next(env, stream));
    }

    /** One reading of the thread's state: parked, with or without a deadline. */
    private static boolean isBlocked(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    @Test
    void closingOneStreamWhileAnotherWaitsDiscardsNothing() {
        BObject client = connect();
        assertNull(ClientAdapter.subscribe(env, client, str("two/x")));
        BObject first = streamOf(client);
        BObject second = streamOf(client);
        assertNull(StreamAdapter.close(env, first));
        ClientAdapter.publish(env, client, str("two/x"), message("kept"));
        assertEquals("kept", payload(StreamAdapter.next(env, second)));
        closeClient(client);
    }

    @Test
    void receiveNeedsAStreamTypedesc() {
        BObject client = connect();
        Object r = ClientAdapter.receive(env, client, new FakeValues.Typedesc(Bal.MESSAGE));
        assertError(r, "receive needs a stream type, not Message", null);
        closeClient(client);
    }

    @Test
    void initErrors() {
        BObject client = Bal.object("Client");
        Object bad = ClientAdapter.init(env, client, str("http://localhost:1"), str("x"), rec("ClientConfiguration"));
        assertTrue(Bal.errorMessage(bad).contains("http://localhost:1"), Bal.errorMessage(bad));
        Object refused = ClientAdapter.init(env, client, str("tcp://127.0.0.1:" + freePort()), str("x"),
                rec("ClientConfiguration", "connectionConfig", rec("ConnectionConfiguration", "connectionTimeout", 5L)));
        assertEquals(32103L, Bal.reasonCode((io.ballerina.runtime.api.values.BError) refused), Bal.errorMessage(refused));
        assertNull(client.getNativeData(ClientAdapter.CLIENT), "no client kept after a failed init");
        Object badField = ClientAdapter.init(env, client, str(broker.url()), str("x"), rec("ClientConfiguration",
                "connectionConfig", rec("ConnectionConfiguration", "keepAliveInterval", "sixty")));
        assertError(badField, "keepAliveInterval must be an int", null);
        Object badWill = ClientAdapter.init(env, client, str(broker.url()), str("x"), rec("ClientConfiguration",
                "willDetails", rec("WillDetails", "destinationTopic", "w")));
        assertError(badWill, "willDetails needs willMessage and destinationTopic", null);
    }

    @Test
    void credentialsAreCheckedByTheBroker() {
        try (Broker auth = Broker.start("alice", "secret")) {
            BObject client = Bal.object("Client");
            Object denied = ClientAdapter.init(env, client, str(auth.url()), str("auth-1"), rec("ClientConfiguration",
                    "connectionConfig", rec("ConnectionConfiguration", "username", "alice", "password", "wrong")));
            long code = Bal.reasonCode((io.ballerina.runtime.api.values.BError) denied);
            assertTrue(code == 134 || code == 135, Bal.errorMessage(denied) + " / " + code);
            assertTrue(!Bal.errorMessage(denied).contains("wrong"), "no password in messages (E3)");
            assertNull(ClientAdapter.init(env, client, str(auth.url()), str("auth-2"), rec("ClientConfiguration",
                    "connectionConfig", rec("ConnectionConfiguration", "username", "alice", "password", "secret"))));
            closeClient(client);
        }
    }

    @Test
    void publishErrorsNameTheProblem() {
        BObject client = connect();
        assertTrue(Bal.errorMessage(ClientAdapter.publish(env, client, str("a/+"), message("x"))).contains("a/+"));
        assertTrue(Bal.errorMessage(ClientAdapter.publish(env, client, str(""), message("x"))).toLowerCase()
                .contains("topic"));
        // The engine's argument checks carry the client-side code 32120 (P5, E2).
        assertError(ClientAdapter.publish(env, client, str("q"), message("x", "qos", 3L)),
                "Invalid QoS 3: must be 0, 1 or 2", 32120);
        assertError(ClientAdapter.publish(env, client, str("q"), message("x", "qos", 1L << 40)),
                "Invalid QoS 1099511627776: out of range", null);
        assertError(ClientAdapter.publish(env, client, str("q"), rec("Message", "qos", 1L)),
                "the message has no payload", null);
        assertError(ClientAdapter.subscribe(env, client, list(Long.valueOf(1))),
                "subscriptions[0] must be a topic or a mqtt:Subscription", null);
        closeClient(client);
    }

    @Test
    void willDetailsAreConvertedAndAccepted() {
        BObject watcher = connect();
        assertNull(ClientAdapter.subscribe(env, watcher, str("will/adapter")));
        BObject stream = streamOf(watcher);
        BObject client = connect(rec("ClientConfiguration", "willDetails", rec("WillDetails",
                "destinationTopic", "will/adapter", "willMessage", message("gone", "qos", 1L))));
        // The will record converted and the broker accepted the CONNECT carrying it; that the broker sends
        // it when the connection vanishes is the engine tests' business (P4). A clean DISCONNECT does not.
        closeClient(client);
        assertNull(StreamAdapter.close(env, stream));
        closeClient(watcher);
    }

    static int freePort() {
        try {
            return Broker.freePort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
