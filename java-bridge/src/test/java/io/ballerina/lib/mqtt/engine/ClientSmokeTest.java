package io.ballerina.lib.mqtt.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ClientSmokeTest {
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

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void publishSubscribeRoundTrip(int qos) {
        String topic = "smoke/qos" + qos;
        MqttClient client = MqttClient.connect(broker.url(), "smoke-client-" + qos, ClientConfig.defaults());
        try {
            assertTrue(client.isConnected());
            client.subscribe(List.of(Subscription.of(topic, 2)));
            MessageStream stream = client.receive();
            byte[] payload = ("payload at QoS " + qos + " \u00e9\u0000\u00ff").getBytes(StandardCharsets.UTF_8);
            DeliveryToken token = client.publish(topic, Message.of(payload).withQos(qos));
            assertEquals(topic, token.topic());
            if (qos == 0) {
                assertEquals(0, token.messageId());
            } else {
                assertTrue(token.messageId() > 0, "packet id " + token.messageId());
            }
            Message received = stream.next(Duration.ofSeconds(10));
            assertNotNull(received, "no message within 10 s");
            assertArrayEquals(payload, received.payload());
            assertEquals(topic, received.topic());
            assertEquals(qos, received.qos());
            assertFalse(received.retained());
            assertNull(stream.next(Duration.ofMillis(50)));
            stream.close();
            MqttException closed = assertThrows(MqttException.class, stream::next);
            assertEquals(MessageStream.STREAM_CLOSED, closed.getMessage());
            assertThrows(MqttException.class, stream::close);
        } finally {
            closeQuietly(client);
        }
    }

    @Test
    void asyncPublishAndRequestPropertiesTravel() throws Exception {
        MqttClient client = MqttClient.connect(broker.url(), "smoke-async", null);
        try {
            client.subscribe(List.of(Subscription.of("smoke/props")));
            MessageStream stream = client.receive();
            MessageProperties props = MessageProperties.ofResponseTopic("smoke/reply")
                    .withCorrelationData(new byte[] {4, 2})
                    .withUserProperties(List.of(new UserProperty("k", "v")));
            DeliveryToken token = client.publishAsync("smoke/props", Message.of("p").withProperties(props))
                    .get(10, TimeUnit.SECONDS);
            assertEquals("smoke/props", token.topic());
            Message m = stream.next(Duration.ofSeconds(10));
            assertNotNull(m);
            assertEquals("smoke/reply", m.properties().responseTopic());
            assertArrayEquals(new byte[] {4, 2}, m.properties().correlationData());
            assertEquals(List.of(new UserProperty("k", "v")), m.properties().userProperties());
        } finally {
            closeQuietly(client);
        }
    }

    @Test
    void lifecycleCodes() {
        MqttClient client = MqttClient.connect(broker.url(), "smoke-lifecycle", null);
        MqttException connected = assertThrows(MqttException.class, client::close);
        assertEquals(MqttException.CLIENT_CONNECTED, connected.reasonCode().getAsInt());
        MessageStream stream = client.receive();
        client.disconnect();
        assertFalse(client.isConnected());
        client.close();
        client.close(); // idempotent after success
        MqttException closed = assertThrows(MqttException.class, client::isConnected);
        assertEquals(MqttException.CLIENT_CLOSED, closed.reasonCode().getAsInt());
        assertThrows(MqttException.class, () -> client.publish("t", Message.of("x")));
        MqttException ended = assertThrows(MqttException.class, stream::next);
        assertEquals(MqttException.CLIENT_CLOSED, ended.reasonCode().getAsInt());
    }

    @Test
    void unreachableBrokerFailsConnect() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MqttException e = assertThrows(MqttException.class, () -> MqttClient.connect("tcp://127.0.0.1:" + port,
                "smoke-unreachable", ClientConfig.of(ConnectionConfig.builder().connectionTimeout(5).build())));
        assertNotNull(e.getMessage());
    }

    @Test
    void invalidTopicIsAnError() {
        MqttClient client = MqttClient.connect(broker.url(), "smoke-invalid", null);
        try {
            MqttException e = assertThrows(MqttException.class, () -> client.publish("a/+", Message.of("x")));
            assertTrue(e.getMessage().contains("wildcard"), e.getMessage());
            MqttException q = assertThrows(MqttException.class,
                    () -> client.publish("a", Message.of("x").withQos(3)));
            assertTrue(q.getMessage().contains("QoS"), q.getMessage());
        } finally {
            closeQuietly(client);
        }
    }
}
