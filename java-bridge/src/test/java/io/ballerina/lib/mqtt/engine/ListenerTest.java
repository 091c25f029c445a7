package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.finish;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static io.ballerina.lib.mqtt.engine.Support.next;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** MqttListener, MessageHandler and Caller through Java: L1–L6, §7 shared subscriptions. */
@Timeout(60)
class ListenerTest extends WithSharedBroker {

    /** A received message and its caller, as a handler saw them. */
    record Delivery(Message message, Caller caller, String thread) {
    }

    /** A handler that records everything into queues. */
    static class Recorder implements MessageHandler {
        final BlockingQueue<Delivery> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<MqttException> errors = new LinkedBlockingQueue<>();
        final BlockingQueue<DeliveryToken> completions = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(Message message, Caller caller) {
            messages.add(new Delivery(message, caller, Thread.currentThread().getName()));
        }

        @Override
        public void onError(MqttException error) {
            errors.add(error);
        }

        @Override
        public void onComplete(DeliveryToken token) {
            completions.add(token);
        }

        Delivery next(String what) throws InterruptedException {
            Delivery d = messages.poll(SOON.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(d, "no message within " + SOON + ": " + what);
            return d;
        }

        List<String> payloads(int n) throws InterruptedException {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(next("message " + i).message().payloadAsString());
            }
            return out;
        }
    }

    private static MqttListener listener(String topic, boolean manualAcks) {
        return MqttListener.connect(broker.url(), id("listener"), List.of(Subscription.of(topic)),
                ListenerConfig.defaults().withManualAcks(manualAcks));
    }

    /** Persistent session (clean start false, expiry 300 s) so unacked messages come back. */
    private static MqttListener persistentListener(String clientId, String topic, boolean manualAcks, Recorder r) {
        MqttListener l = MqttListener.connect(broker.url(), clientId, List.of(Subscription.of(topic)),
                new ListenerConfig(Support.config().cleanStart(false).sessionExpiryInterval(300L).build(), manualAcks));
        l.attach(r);
        l.start();
        return l;
    }

    @Test
    @DisplayName("L1, L2: connect/attach/start; 200 messages reach onMessage in arrival order on one thread; a second attach fails")
    void l1l2InOrderOnOneThread() throws Exception {
        Recorder r = new Recorder();
        MqttListener l = listener("listener/order/#", false);
        MqttClient pub = Support.client(broker.url(), "pub");
        try {
            assertTrue(l.isConnected(), "L1: connect connects");
            assertEquals(List.of(Subscription.of("listener/order/#")), l.subscriptions());
            MqttException noHandler = assertThrows(MqttException.class, l::start);
            assertTrue(noHandler.getMessage().contains("No service"), noHandler.getMessage());
            l.attach(r);
            MqttException twice = assertThrows(MqttException.class, () -> l.attach(new Recorder()));
            assertTrue(twice.getMessage().contains("already attached"), twice.getMessage());
            l.start();
            MqttException again = assertThrows(MqttException.class, l::start);
            assertTrue(again.getMessage().contains("already started"), again.getMessage());
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add("m" + i);
                // One topic, one QoS: MQTT 5 §4.6 ordered delivery, so arrival order = publish order.
                pub.publishAsync("listener/order/a", Message.of("m" + i).withQos(1));
            }
            List<Delivery> got = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                got.add(r.next("message " + i));
            }
            assertEquals(sent, got.stream().map(d -> d.message().payloadAsString()).toList(), "L2: arrival order");
            assertEquals(1, got.stream().map(Delivery::thread).distinct().count(), "L2: one dispatch thread");
            assertFalse(got.get(0).thread().equals("mqtt-engine-event-pump"), "user code never on the pump");
            assertTrue(r.errors.isEmpty(), String.valueOf(r.errors));
        } finally {
            l.gracefulStop();
            finish(pub);
        }
    }

    @Test
    @DisplayName("L5: respond publishes to the response topic with the correlation data; onComplete gets its token")
    void l5RespondWithCorrelationData() throws Exception {
        MqttListener l = listener("listener/req", false);
        MqttClient requester = Support.subscriber(broker.url(), "listener/resp/#");
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        try {
            l.attach(new MessageHandler() {
                @Override
                public void onMessage(Message message, Caller caller) {
                    if (message.properties() == null || message.properties().responseTopic() == null) {
                        try {
                            caller.respond(Message.of("x"));
                            events.add("responded without a topic");
                        } catch (MqttException e) {
                            events.add("respond: " + e.getMessage());
                        }
                        return;
                    }
                    caller.respond(Message.of("echo " + message.payloadAsString()).withQos(2)
                            .withProperties(MessageProperties.empty().withContentType("text/plain")));
                }

                @Override
                public void onComplete(DeliveryToken token) {
                    events.add(token);
                }

                @Override
                public void onError(MqttException error) {
                    events.add(error);
                }
            });
            l.start();
            MessageStream responses = requester.receive();
            for (int i = 0; i < 3; i++) {
                byte[] correlation = {(byte) i, 42, 0, (byte) 0xfe};
                requester.publish("listener/req", Message.of("hello " + i).withProperties(
                        MessageProperties.ofResponseTopic("listener/resp/" + i).withCorrelationData(correlation)));
                Message response = next(responses, "response " + i);
                assertEquals("echo hello " + i, response.payloadAsString());
                assertEquals("listener/resp/" + i, response.topic());
                assertArrayEquals(correlation, response.properties().correlationData(), "L5: correlation data copied");
                assertEquals("text/plain", response.properties().contentType());
                Object completed = events.poll(SOON.toMillis(), TimeUnit.MILLISECONDS);
                assertTrue(completed instanceof DeliveryToken, String.valueOf(completed));
                DeliveryToken token = (DeliveryToken) completed;
                assertEquals("listener/resp/" + i, token.topic(), "L5: onComplete token names the response topic");
                assertTrue(token.messageId() > 0, "QoS 2 response has a packet id");
            }
            requester.publish("listener/req", Message.of("no response topic"));
            assertEquals("respond: Response topic is not set", events.poll(SOON.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
            l.gracefulStop();
            finish(requester);
        }
    }

    /**
     * Waits until the broker has handled the {@code n}-th DISCONNECT of {@code clientId}. A session taken over at once by
     * a new connection with the same id can make mosquitto drop bytes still unread on the old socket (acks included).
     */
    private static void awaitDisconnects(String clientId, int n) {
        String line = "Client " + clientId + " disconnected";
        assertTrue(Wait.until(SOON, () -> broker.logCount(line) >= n),
                "the broker did not see DISCONNECT #" + n + " of " + clientId + ":\n" + broker.log());
    }

    @Test
    @DisplayName("L3: manual acks go out in arrival order even when completed out of order (persistent session redelivery)")
    void l3ManualAcksInOrder() throws Exception {
        String clientId = id("manual");
        String topic = "listener/work/" + clientId;
        MqttClient pub = Support.client(broker.url(), "pub");
        try {
            Recorder r1 = new Recorder();
            MqttListener first = persistentListener(clientId, topic, true, r1);
            for (String p : new String[] {"m1", "m2", "m3"}) {
                pub.publish(topic, Message.of(p));
            }
            List<Delivery> got = List.of(r1.next("m1"), r1.next("m2"), r1.next("m3"));
            assertEquals(List.of("m1", "m2", "m3"), got.stream().map(d -> d.message().payloadAsString()).toList());
            // Complete the last two only, from this (non-dispatch) thread: MQTT 5 §4.6 forbids acking them before
            // m1, so the broker must still consider all three unacknowledged.
            got.get(2).caller().complete();
            got.get(1).caller().complete();
            first.immediateStop();
            awaitDisconnects(clientId, 1);

            Recorder r2 = new Recorder();
            MqttListener second = persistentListener(clientId, topic, true, r2);
            got = List.of(r2.next("m1 again"), r2.next("m2 again"), r2.next("m3 again"));
            assertEquals(List.of("m1", "m2", "m3"), got.stream().map(d -> d.message().payloadAsString()).toList(),
                    "all three redelivered");
            assertTrue(got.stream().allMatch(d -> d.message().duplicate()), "redeliveries carry DUP");
            got.get(0).caller().complete();
            got.get(2).caller().complete();
            got.get(1).caller().complete();
            got.get(1).caller().complete(); // a second complete is harmless
            second.gracefulStop();
            awaitDisconnects(clientId, 2);

            Recorder r3 = new Recorder();
            MqttListener third = persistentListener(clientId, topic, true, r3);
            pub.publish(topic, Message.of("m4"));
            Delivery d = r3.next("m4");
            assertEquals("m4", d.message().payloadAsString(), "m1..m3 were acked exactly once and not redelivered");
            d.caller().complete();
            third.gracefulStop();
        } finally {
            finish(pub);
        }
    }

    @Test
    @DisplayName("L3: automatic acks after onMessage; complete() in automatic mode is a harmless no-op")
    void l3AutomaticAcks() throws Exception {
        String clientId = id("auto");
        String topic = "listener/auto/" + clientId;
        MqttClient pub = Support.client(broker.url(), "pub");
        try {
            Recorder r1 = new Recorder() {
                @Override
                public void onMessage(Message message, Caller caller) {
                    caller.complete();
                    caller.complete();
                    super.onMessage(message, caller);
                }
            };
            MqttListener first = persistentListener(clientId, topic, false, r1);
            pub.publish(topic, Message.of("a1"));
            assertEquals("a1", r1.next("a1").message().payloadAsString());
            first.gracefulStop();
            awaitDisconnects(clientId, 1);

            Recorder r2 = new Recorder();
            MqttListener again = persistentListener(clientId, topic, false, r2);
            pub.publish(topic, Message.of("a2"));
            assertEquals("a2", r2.next("a2").message().payloadAsString(), "a1 was acked once, not redelivered");
            again.gracefulStop();
            assertTrue(r1.errors.isEmpty() && r2.errors.isEmpty(), r1.errors + " " + r2.errors);
        } finally {
            finish(pub);
        }
    }

    @Test
    @DisplayName("L6: detach unsubscribes and stops dispatch; another handler can be attached and started")
    void l6DetachAndAttachAgain() throws Exception {
        Recorder r1 = new Recorder();
        MqttListener l = listener("listener/det", false);
        MqttClient pub = Support.client(broker.url(), "pub");
        try {
            MqttException none = assertThrows(MqttException.class, l::detach);
            assertTrue(none.getMessage().contains("No service"), none.getMessage());
            l.attach(r1);
            l.detach(); // before start: only forgets the handler
            l.attach(r1);
            l.start();
            pub.publish("listener/det", Message.of("before"));
            assertEquals("before", r1.next("before").message().payloadAsString());
            l.detach();
            pub.publish("listener/det", Message.of("while detached"));
            Recorder r2 = new Recorder();
            l.attach(r2);
            l.start();
            pub.publish("listener/det", Message.of("after"));
            assertEquals("after", r2.next("after").message().payloadAsString(),
                    "L6: nothing reached the listener while detached");
            assertTrue(r1.messages.isEmpty(), "the detached handler got " + r1.messages);
        } finally {
            l.gracefulStop();
            finish(pub);
        }
    }

    @Test
    @DisplayName("L6: after gracefulStop/immediateStop no message reaches the handler; stops are idempotent; other calls give 32111")
    void l6NothingAfterStop() throws Exception {
        for (boolean graceful : new boolean[] {true, false}) {
            String topic = "listener/stop/" + graceful;
            Recorder r = new Recorder();
            MqttListener l = listener(topic, false);
            MqttClient witness = Support.subscriber(broker.url(), topic);
            try {
                l.attach(r);
                l.start();
                witness.publish(topic, Message.of("one"));
                assertEquals("one", r.next("one").message().payloadAsString());
                if (graceful) {
                    l.gracefulStop();
                } else {
                    l.immediateStop();
                }
                MessageStream seen = witness.receive();
                assertEquals("one", next(seen, "witness: one").payloadAsString());
                witness.publish(topic, Message.of("two"));
                assertEquals("two", next(seen, "witness: two").payloadAsString());
                // The broker routed "two" (the witness has it); the stopped listener must not.
                assertTrue(r.messages.isEmpty(), "L6: after a stop: " + r.messages);
                l.gracefulStop();
                l.immediateStop();
                l.close();
                for (Executable call : List.<Executable>of(l::start, l::detach, () -> l.attach(new Recorder()),
                        l::isConnected)) {
                    MqttException e = assertThrows(MqttException.class, call::execute);
                    assertEquals(MqttException.CLIENT_CLOSED, code(e), e.getMessage());
                }
            } finally {
                finish(l);
                finish(witness);
            }
        }
    }

    @Test
    @DisplayName("§7 shared subscriptions: $share/g/t spreads 200 messages over two listeners, each exactly once")
    void sharedSubscriptionAcrossTwoListeners() throws Exception {
        int total = 200;
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        List<MqttListener> listeners = new ArrayList<>();
        MqttClient pub = Support.client(broker.url(), "pub");
        try {
            for (int n = 0; n < 2; n++) {
                int which = n;
                MqttListener l = MqttListener.connect(broker.url(), id("shared"),
                        List.of(Subscription.of("$share/g/listener/shared")), null);
                l.attach((message, caller) -> seen.computeIfAbsent(message.payloadAsString(),
                        k -> new CopyOnWriteArrayList<>()).add(which));
                l.start();
                listeners.add(l);
            }
            for (int i = 0; i < total; i++) {
                pub.publish("listener/shared", Message.of("s" + i));
            }
            assertTrue(Wait.until(SOON, () -> seen.size() == total), "received " + seen.size() + " of " + total);
            for (MqttListener l : listeners) {
                l.gracefulStop();
            }
            List<String> twice = seen.entrySet().stream().filter(e -> e.getValue().size() != 1)
                    .map(Map.Entry::getKey).toList();
            assertTrue(twice.isEmpty(), "received more than once: " + twice);
            long first = seen.values().stream().filter(v -> v.get(0) == 0).count();
            assertTrue(first > 0 && first < total, "one listener got everything: " + first + " / " + (total - first));
        } finally {
            listeners.forEach(Support::finish);
            finish(pub);
        }
    }

    @Test
    @DisplayName("L4: a lost connection reaches onError with 32109")
    void l4LostConnectionReachesOnError() throws Exception {
        Recorder r = new Recorder();
        try (Broker own = Broker.start()) {
            MqttListener l = MqttListener.connect(own.url(), id("lost"), List.of(Subscription.of("listener/lost")),
                    null);
            try {
                l.attach(r);
                l.start();
                own.stop();
                MqttException lost = r.errors.poll(SOON.toMillis(), TimeUnit.MILLISECONDS);
                assertNotNull(lost, "no onError after the broker went away");
                assertEquals(MqttException.CONNECTION_LOST, code(lost), lost.getMessage());
                assertTrue(Wait.until(SOON, () -> !l.isConnected()));
            } finally {
                finish(l);
            }
        }
    }

    @Test
    @DisplayName("L4: a refused subscription (SUBACK 0x87 from the dynamic-security plugin) fails start with reason code 135")
    void l4RefusedSubscription() throws Exception {
        // Debian's multiarch folder of this machine's architecture (amd64 is x86_64 there).
        String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
        Path plugin = Path.of("/usr/lib/" + arch + "-linux-gnu/mosquitto_dynamic_security.so");
        Assumptions.assumeTrue(Files.exists(plugin), "mosquitto dynamic security plugin not installed");
        Path config = Files.createTempFile("dynsec", ".json");
        Files.writeString(config, "{\"defaultACLAccess\":{\"publishClientSend\":true,\"publishClientReceive\":true,"
                + "\"subscribe\":false,\"unsubscribe\":true},\"clients\":[],"
                + "\"groups\":[{\"groupname\":\"anon\",\"roles\":[{\"rolename\":\"r\"}]}],"
                + "\"roles\":[{\"rolename\":\"r\",\"acls\":[{\"acltype\":\"subscribePattern\",\"topic\":\"allowed/#\","
                + "\"allow\":true}]}],\"anonymousGroup\":\"anon\"}");
        try (Broker acl = Broker.start(Broker.options().line("plugin " + plugin)
                .line("plugin_opt_config_file " + config))) {
            MqttListener l = MqttListener.connect(acl.url(), id("acl"), List.of(Subscription.of("forbidden/x")), null);
            try {
                l.attach(new Recorder());
                MqttException e = assertThrows(MqttException.class, l::start);
                assertEquals(0x87, code(e), e.getMessage());
                assertTrue(e.getMessage().contains("forbidden/x"), e.getMessage());
            } finally {
                finish(l);
            }
        } finally {
            Files.deleteIfExists(config);
        }
    }

    @Test
    @DisplayName("L1, P3: invalid subscriptions fail connect naming the filter")
    void invalidSubscriptionsFailConnect() {
        for (String filter : new String[] {"a/#/b", "", "$share/g"}) {
            MqttException e = assertThrows(MqttException.class, () -> MqttListener.connect(broker.url(), id("bad"),
                    List.of(Subscription.of(filter)), null));
            assertTrue(e.getMessage().contains("filter"), filter + ": " + e.getMessage());
        }
        MqttException e = assertThrows(MqttException.class,
                () -> MqttListener.connect(broker.url(), id("none"), Collections.emptyList(), null));
        assertTrue(e.getMessage().contains("subscription"), e.getMessage());
    }
}
