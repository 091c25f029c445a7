package io.ballerina.lib.mqtt.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ListenerSmokeTest {
    private static Broker broker;

    @BeforeAll
    static void startBroker() {
        broker = Broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static void closeQuietly(MqttClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        } catch (MqttException e) {
            System.err.println("cleanup: " + e);
        }
    }

    @Test
    void handlerReceivesInOrderOnOneThread() throws Exception {
        int count = 50;
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(count);
        MqttListener listener = MqttListener.connect(broker.url(), "smoke-listener",
                List.of(Subscription.of("smoke/listen/#")), ListenerConfig.defaults());
        MqttClient client = MqttClient.connect(broker.url(), "smoke-listener-pub", null);
        try {
            listener.attach((message, caller) -> {
                got.add(message.payloadAsString());
                threads.add(Thread.currentThread().getName());
                all.countDown();
            });
            MqttException twice = assertThrows(MqttException.class, () -> listener.attach((m, c) -> { }));
            assertTrue(twice.getMessage().contains("already attached"), twice.getMessage());
            listener.start();
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sent.add("m" + i);
                client.publish("smoke/listen/a", Message.of("m" + i));
            }
            assertTrue(all.await(10, TimeUnit.SECONDS), "got " + got.size() + " of " + count);
            assertEquals(sent, got);
            assertEquals(1, threads.stream().distinct().count(), "one dispatch thread: " + threads);
        } finally {
            listener.gracefulStop();
            listener.close(); // idempotent
            closeQuietly(client);
        }
        MqttException after = assertThrows(MqttException.class, listener::start);
        assertEquals(MqttException.CLIENT_CLOSED, after.reasonCode().getAsInt());
    }

    @Test
    void respondAndManualAcksAndErrors() throws Exception {
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        MqttListener listener = MqttListener.connect(broker.url(), "smoke-responder",
                List.of(Subscription.of("smoke/req")), ListenerConfig.defaults().withManualAcks(true));
        MqttClient client = MqttClient.connect(broker.url(), "smoke-requester", null);
        try {
            listener.attach(new MessageHandler() {
                @Override
                public void onMessage(Message message, Caller caller) {
                    if (message.payloadAsString().equals("fail")) {
                        caller.complete();
                        throw new IllegalStateException("boom");
                    }
                    if (message.properties() == null) {
                        try {
                            caller.respond(Message.of("x"));
                        } catch (MqttException e) {
                            events.add("respond: " + e.getMessage());
                        }
                        caller.complete();
                        return;
                    }
                    caller.respond(Message.of("echo " + message.payloadAsString()));
                    caller.complete();
                    caller.complete(); // second call: no-op
                }

                @Override
                public void onError(MqttException error) {
                    events.add(error);
                }

                @Override
                public void onComplete(DeliveryToken token) {
                    events.add(token);
                }
            });
            listener.start();
            client.subscribe(List.of(Subscription.of("smoke/resp")));
            MessageStream stream = client.receive();
            client.publish("smoke/req", Message.of("hello").withProperties(
                    MessageProperties.ofResponseTopic("smoke/resp").withCorrelationData(new byte[] {7})));
            Message response = stream.next(Duration.ofSeconds(10));
            assertNotNull(response);
            assertEquals("echo hello", response.payloadAsString());
            assertArrayEquals(new byte[] {7}, response.properties().correlationData());
            DeliveryToken token = (DeliveryToken) events.poll(10, TimeUnit.SECONDS);
            assertNotNull(token);
            assertEquals("smoke/resp", token.topic());

            client.publish("smoke/req", Message.of("no-topic"));
            assertEquals("respond: " + ListenerCaller.RESPONSE_TOPIC_NOT_SET, events.poll(10, TimeUnit.SECONDS));

            client.publish("smoke/req", Message.of("fail"));
            Object error = events.poll(10, TimeUnit.SECONDS);
            MqttException e = (MqttException) error;
            assertNotNull(e);
            assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
        } finally {
            listener.immediateStop();
            closeQuietly(client);
        }
    }

    @Test
    void lostConnectionReachesOnError() throws Exception {
        BlockingQueue<MqttException> errors = new LinkedBlockingQueue<>();
        Broker own = Broker.start();
        MqttListener listener = MqttListener.connect(own.url(), "smoke-lost",
                List.of(Subscription.of("smoke/lost")), ListenerConfig.defaults());
        try {
            listener.attach(new MessageHandler() {
                @Override
                public void onMessage(Message message, Caller caller) {
                }

                @Override
                public void onError(MqttException error) {
                    errors.add(error);
                }
            });
            listener.start();
            own.close();
            MqttException lost = errors.poll(20, TimeUnit.SECONDS);
            assertNotNull(lost, "no onError after the broker went away");
            assertEquals(MqttException.CONNECTION_LOST, lost.reasonCode().orElse(-1), lost.getMessage());
        } finally {
            listener.close();
            own.close();
        }
    }
}
