package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static io.ballerina.lib.mqtt.engine.Support.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 16, the API: Duration builders, convenience overloads, forms with a timeout. */
class ConvenienceApiTest extends WithSharedBroker {

    @Test
    @DisplayName("Builders: Duration overloads give the same fields as the unit-suffixed ones, fractions rounded up")
    void durationBuilders() {
        ConnectionConfig byDuration = ConnectionConfig.builder()
                .keepAlive(Duration.ofMillis(1500))
                .connectionTimeout(Duration.ofSeconds(7))
                .maxReconnectDelay(Duration.ofSeconds(2))
                .sessionExpiry(Duration.ofMinutes(5))
                .serverUris("tcp://a:1883", "tcp://b:1883")
                .build();
        ConnectionConfig byNumber = ConnectionConfig.builder()
                .keepAliveInterval(2)
                .connectionTimeout(7)
                .maxReconnectDelay(2000)
                .sessionExpiryInterval(300)
                .serverUris(List.of("tcp://a:1883", "tcp://b:1883"))
                .build();
        assertEquals(byNumber, byDuration);
        assertEquals(0, ConnectionConfig.builder().keepAlive(Duration.ZERO).build().keepAliveInterval());
        assertEquals(1, ConnectionConfig.builder().keepAlive(Duration.ofMillis(1)).build().keepAliveInterval(),
                "a fraction never rounds down to 0 (= disabled)");
        MqttException negative = assertThrows(MqttException.class,
                () -> ConnectionConfig.builder().keepAlive(Duration.ofSeconds(-1)));
        assertEquals(MqttException.INVALID_ARGUMENT, code(negative));
        MqttException nullDuration = assertThrows(MqttException.class,
                () -> ConnectionConfig.builder().sessionExpiry(null));
        assertEquals(MqttException.INVALID_ARGUMENT, code(nullDuration));
        assertEquals(ClientConfig.DEFAULT_REQUEST_TIMEOUT, ClientConfig.defaults().effectiveRequestTimeout());
        assertEquals(Duration.ofSeconds(60), ClientConfig.DEFAULT_REQUEST_TIMEOUT);
        assertEquals(MqttException.INVALID_ARGUMENT, code(assertThrows(MqttException.class,
                () -> ClientConfig.defaults().withRequestTimeout(Duration.ofMillis(-1)))));
    }

    @Test
    @DisplayName("publish(String, byte[]/String[, qos]), subscribe(String...), subscribe(Subscription...), unsubscribe(String...)")
    void convenienceOverloads() {
        try (MqttClient sub = MqttClient.connect(broker.url(), id("conv-sub"));
             MqttClient pub = MqttClient.connect(broker.url(), id("conv-pub"))) {
            sub.subscribe("conv/a", "conv/b");
            sub.subscribe(Subscription.of("conv/c", 2), Subscription.of("conv/d", 0));
            sub.subscribe("conv/e", 2);
            MessageStream stream = sub.receive();
            assertTrue(pub.publish("conv/a", "text").messageId() > 0, "QoS 1 by default");
            assertTrue(pub.publish("conv/b", new byte[] {1, 2}).messageId() > 0);
            assertTrue(pub.publish("conv/c", "two", 2).messageId() > 0);
            assertEquals(0, pub.publish("conv/d", new byte[] {3}, 0).messageId(), "QoS 0 has no packet id");
            assertEquals(0, pub.publish("conv/e", "zero", 0).messageId());
            Message a = next(stream, "conv/a");
            assertEquals("conv/a", a.topic());
            assertEquals("text", a.payloadAsString());
            assertEquals(1, a.qos());
            assertEquals("conv/b", next(stream, "conv/b").topic());
            Message c = next(stream, "conv/c");
            assertEquals(2, c.qos());
            assertEquals("conv/d", next(stream, "conv/d").topic());
            assertEquals("conv/e", next(stream, "conv/e").topic());

            sub.unsubscribe("conv/a", "conv/b", "conv/c", "conv/d", "conv/e");
            pub.publish("conv/a", "after unsubscribe");
            pub.publish("conv/f", "marker");
            sub.subscribe("conv/f");
            pub.publish("conv/f", "marker2");
            assertEquals("marker2", next(stream, "marker after unsubscribe").payloadAsString(),
                    "nothing of conv/a after unsubscribe(String...)");
        }
    }

    @Test
    @DisplayName("publish/publishAsync(String, byte[], qos) copy the caller's array during the call: changing it right after changes nothing sent")
    void payloadArrayIsCopiedDuringTheCall() throws Exception {
        try (MqttClient sub = MqttClient.connect(broker.url(), id("copy-sub"));
             MqttClient pub = MqttClient.connect(broker.url(), id("copy-pub"))) {
            sub.subscribe("conv/copy", 2);
            MessageStream stream = sub.receive();
            for (int qos = 0; qos <= 2; qos++) {
                byte[] payload = {'s', (byte) ('0' + qos)};
                pub.publish("conv/copy", payload, qos);
                payload[0] = 'X';
                assertEquals("s" + qos, next(stream, "sync QoS " + qos).payloadAsString());

                byte[] asyncPayload = {'a', (byte) ('0' + qos)};
                CompletableFuture<DeliveryToken> sent = pub.publishAsync("conv/copy", asyncPayload, qos);
                asyncPayload[0] = 'X'; // before the future completes at QoS 1 and 2
                assertEquals("conv/copy", sent.get(15, TimeUnit.SECONDS).topic());
                Message received = next(stream, "async QoS " + qos);
                assertEquals("a" + qos, received.payloadAsString());
                assertEquals(qos, received.qos());
            }
        }
    }

    @Test
    @DisplayName("Timeout forms: publish/subscribe/unsubscribe/reconnect/disconnect(Duration) work; a stalled broker gives 32000 within the timeout")
    void timeoutForms() throws Exception {
        try (Broker own = Broker.start();
             MqttClient c = MqttClient.connect(own.url(), id("timeouts"))) {
            Duration wait = Duration.ofSeconds(10);
            c.subscribe(List.of(Subscription.of("to/a")), wait);
            assertTrue(c.publish("to/a", Message.of("x"), wait).messageId() > 0);
            c.unsubscribe(List.of("to/a"), wait);
            c.disconnect(Duration.ofSeconds(1));
            assertTrue(!c.isConnected());
            c.reconnect(wait);
            assertTrue(c.isConnected());

            own.pause(); // SIGSTOP: the connection stays open, nothing is answered
            long start = System.nanoTime();
            MqttException timedOut = assertThrows(MqttException.class,
                    () -> c.publish("to/a", Message.of("stalled"), Duration.ofMillis(300)));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(MqttException.TIMEOUT, code(timedOut), timedOut.getMessage());
            assertTrue(tookMillis < 5000, "returned after " + tookMillis + " ms");
            assertEquals(MqttException.TIMEOUT, code(assertThrows(MqttException.class,
                    () -> c.subscribe(List.of(Subscription.of("to/b")), Duration.ofMillis(300)))));
            assertEquals(MqttException.INVALID_ARGUMENT, code(assertThrows(MqttException.class,
                    () -> c.publish("to/a", Message.of("x"), null))));
            own.resume();
        }
    }

    @Test
    @DisplayName("MqttListener.connect(uri, id, String...) and Caller.respond(Message, Duration)")
    void listenerOverloadsAndRespondTimeout() throws Exception {
        BlockingQueue<DeliveryToken> completed = new LinkedBlockingQueue<>();
        try (MqttListener listener = MqttListener.connect(broker.url(), id("conv-l"), "conv/req");
             MqttClient requester = MqttClient.connect(broker.url(), id("conv-req"))) {
            assertEquals(List.of(Subscription.of("conv/req")), listener.subscriptions());
            listener.attach(new MessageHandler() {
                @Override
                public void onMessage(Message m, Caller caller) {
                    caller.respond(Message.of("pong"), Duration.ofSeconds(10));
                }

                @Override
                public void onComplete(DeliveryToken token) {
                    completed.add(token);
                }
            });
            listener.start();
            requester.subscribe("conv/resp");
            MessageStream responses = requester.receive();
            requester.publish("conv/req", Message.of("ping").withProperties(
                    MessageProperties.empty().withResponseTopic("conv/resp")));
            assertEquals("pong", next(responses, "the response").payloadAsString());
            DeliveryToken token = completed.poll(15, TimeUnit.SECONDS);
            assertEquals("conv/resp", token == null ? null : token.topic());
            assertNull(responses.next(Duration.ofMillis(50)));
        }
        try (MqttListener byArray = MqttListener.connect(broker.url(), id("conv-l2"),
                Subscription.of("conv/x", 2), Subscription.of("conv/y"))) {
            assertEquals(List.of(Subscription.of("conv/x", 2), Subscription.of("conv/y")), byArray.subscriptions());
        }
    }
}
