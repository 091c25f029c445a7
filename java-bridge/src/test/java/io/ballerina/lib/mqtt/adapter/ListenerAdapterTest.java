package io.ballerina.lib.mqtt.adapter;

import io.ballerina.lib.mqtt.engine.ClientConfig;
import io.ballerina.lib.mqtt.engine.Message;
import io.ballerina.lib.mqtt.engine.MessageProperties;
import io.ballerina.lib.mqtt.engine.MessageStream;
import io.ballerina.lib.mqtt.engine.MqttClient;
import io.ballerina.lib.mqtt.engine.Subscription;
import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import io.ballerina.lib.mqtt.engine.logging.CapturingLoggerFinder;
import io.ballerina.runtime.api.values.BError;
import io.ballerina.runtime.api.values.BObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.ballerina.lib.mqtt.adapter.Bal.CALLER;
import static io.ballerina.lib.mqtt.adapter.Bal.DELIVERY_TOKEN;
import static io.ballerina.lib.mqtt.adapter.Bal.ERROR;
import static io.ballerina.lib.mqtt.adapter.Bal.MESSAGE;
import static io.ballerina.lib.mqtt.adapter.Bal.assertError;
import static io.ballerina.lib.mqtt.adapter.Bal.list;
import static io.ballerina.lib.mqtt.adapter.Bal.message;
import static io.ballerina.lib.mqtt.adapter.Bal.payload;
import static io.ballerina.lib.mqtt.adapter.Bal.rec;
import static io.ballerina.lib.mqtt.adapter.Bal.str;
import static io.ballerina.lib.mqtt.adapter.Bal.text;
import static io.ballerina.lib.mqtt.adapter.Services.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives ListenerAdapter and CallerAdapter as the runtime would; services are Java objects behind fake BObjects. */
class ListenerAdapterTest {
    private static Broker broker;
    private static FakeValues.Env env;
    private static int ids;
    private MqttClient peer;

    @BeforeAll
    static void startBroker() {
        env = Bal.setUp();
        broker = Broker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @BeforeEach
    void connectPeer() {
        peer = MqttClient.connect(broker.url(), "adapter-peer-" + ids++, ClientConfig.defaults());
    }

    @AfterEach
    void closePeer() {
        peer.disconnect();
        peer.close();
    }

    /** The Java side of a test service: records what the runtime called. */
    public static class Recorder {
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<Object> errors = new LinkedBlockingQueue<>();
        final BlockingQueue<Object> tokens = new LinkedBlockingQueue<>();
        volatile Object returnValue;
        volatile BObject lastCaller;

        public Object onMessage(Object m) {
            messages.add(m);
            return returnValue;
        }

        public Object onMessage(Object m, Object caller) {
            lastCaller = (BObject) caller;
            messages.add(m);
            return returnValue;
        }

        public Object onError(Object e) {
            errors.add(e);
            return null;
        }

        public Object onComplete(Object token) {
            tokens.add(token);
            return null;
        }
    }

    private static BObject listener(String topic, boolean manualAcks) {
        BObject l = Bal.object("Listener");
        Object r = ListenerAdapter.init(env, l, str(broker.url()), str("adapter-listener-" + ids++),
                list(rec("Subscription", "topic", topic, "qos", 1L)),
                rec("ListenerConfiguration", "manualAcks", manualAcks));
        assertNull(r, () -> "init: " + r);
        return l;
    }

    private static Object take(BlockingQueue<Object> q) throws InterruptedException {
        Object o = q.poll(10, TimeUnit.SECONDS);
        assertNotNull(o, "nothing arrived within 10 s");
        return o;
    }

    @Test
    void dispatchWithoutCallerAndLifecycle() throws Exception {
        BObject l = listener("ls/plain", false);
        Recorder rec = new Recorder();
        BObject svc = service(false).remote("onMessage", MESSAGE).on(rec);
        assertNull(ListenerAdapter.attach(env, l, svc, null));
        assertError(ListenerAdapter.attach(env, l, service(false).remote("onMessage", MESSAGE).on(new Recorder()),
                null), "A service is already attached to this listener; detach it first", null);
        assertNull(ListenerAdapter.start(env, l));
        for (int i = 0; i < 3; i++) {
            peer.publish("ls/plain", Message.of("m" + i));
        }
        for (int i = 0; i < 3; i++) {
            Object m = take(rec.messages);
            assertEquals("m" + i, payload(m), "arrival order (L2)");
            assertEquals("ls/plain", text(m, "topic"));
        }
        FakeValues.Rt.Call call = env.runtime.calls.get(env.runtime.calls.size() - 1);
        assertEquals(1, call.args().size(), "no Caller for a one-parameter onMessage");
        assertFalse(call.metadata().isConcurrentSafe(), "non-isolated service: not concurrent-safe");
        assertNull(ListenerAdapter.gracefulStop(env, l));
        assertNull(ListenerAdapter.gracefulStop(env, l), "a second stop is a no-op");
        peer.publish("ls/plain", Message.of("after stop"));
        assertNull(rec.messages.poll(300, TimeUnit.MILLISECONDS), "no message after a stop (L6)");
        assertError(ListenerAdapter.start(env, l), "Listener is closed", 32111);
    }

    @Test
    void callerRespondAndOnCompleteWithIsolatedDispatch() throws Exception {
        BObject l = listener("ls/request", false);
        Recorder rec = new Recorder();
        BObject svc = service(true).remote("onMessage", true, Bal.NIL, MESSAGE, CALLER)
                .remote("onComplete", true, Bal.NIL, DELIVERY_TOKEN).on(rec);
        assertNull(ListenerAdapter.attach(env, l, svc, str("ignored")));
        assertNull(ListenerAdapter.start(env, l));
        peer.subscribe(List.of(Subscription.of("ls/reply", 1)));
        try (MessageStream replies = peer.receive()) {
            peer.publish("ls/request", Message.of("ping").withProperties(MessageProperties.ofResponseTopic("ls/reply")
                    .withCorrelationData("c-9".getBytes(StandardCharsets.UTF_8))));
            Object m = take(rec.messages);
            assertEquals("ping", payload(m));
            BObject caller = rec.lastCaller;
            assertEquals("Caller", caller.getOriginalType().getName());
            FakeValues.Rt.Call call = env.runtime.calls.stream().filter(c -> c.method().equals("onMessage"))
                    .reduce((a, b) -> b).orElseThrow();
            assertTrue(call.metadata().isConcurrentSafe(), "isolated service and method: concurrent-safe");
            assertNull(CallerAdapter.respond(env, caller, message("pong", "qos", 1L)));
            Message reply = replies.next(Duration.ofSeconds(10));
            assertEquals("pong", reply.payloadAsString());
            assertEquals("c-9", new String(reply.properties().correlationData(), StandardCharsets.UTF_8));
            Object token = take(rec.tokens);
            assertEquals("ls/reply", text(token, "topic"));
            assertEquals("DeliveryToken", ((FakeValues.Typed) token).type().getName());
            assertNull(CallerAdapter.complete(env, caller), "complete in automatic mode is a no-op (L3)");
        }
        assertNull(ListenerAdapter.immediateStop(env, l));
    }

    @Test
    void respondWithoutResponseTopicAndManualAcks() throws Exception {
        BObject l = listener("ls/manual", true);
        Recorder rec = new Recorder();
        assertNull(ListenerAdapter.attach(env, l, service(false).remote("onMessage", MESSAGE, CALLER).on(rec), null));
        assertNull(ListenerAdapter.start(env, l));
        peer.publish("ls/manual", Message.of("no reply topic"));
        take(rec.messages);
        assertError(CallerAdapter.respond(env, rec.lastCaller, message("x")), "Response topic is not set", null);
        assertNull(CallerAdapter.complete(env, rec.lastCaller));
        assertNull(CallerAdapter.complete(env, rec.lastCaller), "a second complete is harmless");
        assertError(CallerAdapter.complete(env, Bal.object("Caller")), "Caller is not bound to a received message",
                null);
        assertNull(ListenerAdapter.gracefulStop(env, l));
    }

    @Test
    void onMessageErrorsAndPanicsReachOnError() throws Exception {
        BObject l = listener("ls/errors", false);
        Recorder rec = new Recorder();
        assertNull(ListenerAdapter.attach(env, l, service(false).remote("onMessage", MESSAGE)
                .remote("onError", ERROR).on(rec), null));
        assertNull(ListenerAdapter.start(env, l));
        // a plain `error` returned by onMessage becomes an mqtt:Error whose cause is the original
        BError plain = Bal.plainError("bad payload");
        rec.returnValue = plain;
        peer.publish("ls/errors", Message.of("1"));
        take(rec.messages);
        BError e = assertError(take(rec.errors), "bad payload", null);
        assertSame(plain, e.getCause());
        // an mqtt:Error is passed as it is
        BError own = Errors.error("own", 7);
        rec.returnValue = own;
        peer.publish("ls/errors", Message.of("2"));
        take(rec.messages);
        assertSame(own, take(rec.errors));
        assertNull(ListenerAdapter.immediateStop(env, l));
    }

    /** A service whose onMessage panics. */
    public static class Panicking extends Recorder {
        @Override
        public Object onMessage(Object m) {
            messages.add(m);
            throw Errors.error("panic in onMessage");
        }
    }

    @Test
    void panicGoesToOnErrorAndWithoutOnErrorIsLogged() throws Exception {
        Panicking rec = new Panicking();
        ServiceDispatcher withOnError = new ServiceDispatcher(env.runtime,
                service(false).remote("onMessage", MESSAGE).remote("onError", ERROR).on(rec));
        BObject l = listener("ls/panic", false);
        assertNull(ListenerAdapter.attach(env, l, service(false).remote("onMessage", MESSAGE)
                .remote("onError", ERROR).on(rec), null));
        assertNull(ListenerAdapter.start(env, l));
        peer.publish("ls/panic", Message.of("boom"));
        take(rec.messages);
        assertError(take(rec.errors), "panic in onMessage", null);
        assertNull(ListenerAdapter.immediateStop(env, l));
        assertNotNull(withOnError.service());

        ServiceDispatcher noOnError = new ServiceDispatcher(env.runtime,
                service(false).remote("onMessage", MESSAGE).on(rec));
        noOnError.onError(new io.ballerina.lib.mqtt.engine.MqttException("Connection lost", 32109));
        assertTrue(CapturingLoggerFinder.installed(), "the test LoggerFinder is the JVM's");
        assertFalse(CapturingLoggerFinder.entries(e -> e.logger().equals("io.ballerina.lib.mqtt.listener")
                && e.level() == System.Logger.Level.ERROR
                && e.message().contains("unhandled error: Connection lost")).isEmpty(),
                "L4: logged at ERROR through System.Logger");
    }

    @Test
    void missingOnMessageAtDispatchGivesMethodOnMessageNotFound() {
        Recorder rec = new Recorder();
        ServiceDispatcher d = new ServiceDispatcher(env.runtime, service(false).remote("onError", ERROR).on(rec));
        RuntimeException thrown = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> d.onMessage(Message.of("x"), null));
        d.onError(new io.ballerina.lib.mqtt.engine.MqttException("onMessage failed: " + thrown, -1, thrown));
        assertError(rec.errors.poll(), "method onMessage not found", null);
    }

    @Test
    void lostConnectionReachesOnError() throws Exception {
        try (Broker own = Broker.start()) {
            BObject l = Bal.object("Listener");
            assertNull(ListenerAdapter.init(env, l, str(own.url()), str("adapter-lost"), str("lost/x"),
                    rec("ListenerConfiguration")));
            Recorder rec = new Recorder();
            assertNull(ListenerAdapter.attach(env, l, service(false).remote("onMessage", MESSAGE)
                    .remote("onError", ERROR).on(rec), null));
            assertNull(ListenerAdapter.start(env, l));
            own.stop();
            Object e = take(rec.errors);
            assertEquals(32109L, Bal.reasonCode((BError) e), Bal.errorMessage(e));
            assertNull(ListenerAdapter.immediateStop(env, l));
        }
    }

    @Test
    void detachThenAttachAnother() throws Exception {
        BObject l = listener("ls/detach", false);
        Recorder first = new Recorder();
        BObject svc1 = service(false).remote("onMessage", MESSAGE).on(first);
        BObject svc2 = service(false).remote("onMessage", MESSAGE).on(new Recorder());
        assertNull(ListenerAdapter.attach(env, l, svc1, null));
        assertNull(ListenerAdapter.start(env, l));
        assertError(ListenerAdapter.detach(env, l, svc2), "The service is not attached to this listener", null);
        assertNull(ListenerAdapter.detach(env, l, svc1));
        peer.publish("ls/detach", Message.of("unseen"));
        assertNull(first.messages.poll(300, TimeUnit.MILLISECONDS), "detached: no dispatch");
        Recorder second = (Recorder) ((FakeValues.Obj) svc2).target;
        assertNull(ListenerAdapter.attach(env, l, svc2, null));
        assertNull(ListenerAdapter.start(env, l));
        assertTrue(Wait.until(Duration.ofSeconds(10), () -> {
            peer.publish("ls/detach", Message.of("seen"));
            return second.messages.poll() != null;
        }));
        assertNull(ListenerAdapter.gracefulStop(env, l));
    }

    @Test
    void attachRefusesInvalidServicesAndInitErrors() {
        BObject l = listener("ls/invalid", false);
        assertError(ListenerAdapter.attach(env, l, service(false).remote("onMessage").on(new Recorder()), null),
                "Invalid mqtt:Service: remote function onMessage: Must have the required parameter mqtt:Message and"
                        + " optional parameter mqtt:Caller. [MQTT_105]", null);
        assertNull(ListenerAdapter.immediateStop(env, l));
        BObject bad = Bal.object("Listener");
        Object r = ListenerAdapter.init(env, bad, str("tcp://127.0.0.1:" + ClientAdapterTest.freePort()),
                str("x"), str("t"), rec("ListenerConfiguration"));
        assertEquals(32103L, Bal.reasonCode((BError) r), Bal.errorMessage(r));
        assertError(ListenerAdapter.start(env, bad), "Listener is not initialized", null);
        assertError(ListenerAdapter.init(env, bad, str(broker.url()), str("x"), Long.valueOf(3),
                rec("ListenerConfiguration")), "subscriptions must be a topic, a mqtt:Subscription or a list of them",
                null);
    }
}
