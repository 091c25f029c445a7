package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static io.ballerina.lib.mqtt.engine.Support.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 16: per-connection counters kept in the engine, metrics() and the JMX MBean, against mosquitto. */
@Timeout(90)
class MetricsTest {
    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    private static Set<ObjectName> mbeans(String type, String clientId) throws Exception {
        return JMX.queryNames(new ObjectName(MetricsMBeans.DOMAIN + ":type=" + type + ",clientId="
                + ObjectName.quote(clientId) + ",*"), null);
    }

    private static long attribute(ObjectName name, String attribute) throws Exception {
        return ((Number) JMX.getAttribute(name, attribute)).longValue();
    }

    @Test
    @DisplayName("Known traffic: published/acknowledged/received by QoS exact, nothing in flight, a refused publish counted as failed with the last error; the MBean agrees and goes at close")
    void knownTraffic() throws Exception {
        String pubId = id("metrics-pub");
        String subId = id("metrics-sub");
        try (Broker broker = Broker.start();
             MqttClient sub = MqttClient.connect(broker.url(), subId)) {
            MqttClient pub = MqttClient.connect(broker.url(), pubId);
            Metrics fresh = pub.metrics();
            assertEquals(Metrics.State.CONNECTED, fresh.state());
            assertEquals(0, fresh.published());
            assertEquals(0, fresh.received());
            assertTrue(fresh.lastErrorCode().isEmpty());
            assertTrue(fresh.bytesOut() > 0 && fresh.bytesIn() > 0, "CONNECT and CONNACK: " + fresh);

            sub.subscribe(Subscription.of("metrics/#", 2));
            MessageStream stream = sub.receive();
            int[] perQos = {3, 2, 1};
            int payloadBytes = 0;
            for (int qos = 0; qos <= 2; qos++) {
                for (int i = 0; i < perQos[qos]; i++) {
                    byte[] payload = new byte[100 + i];
                    payloadBytes += payload.length;
                    pub.publish("metrics/q" + qos, payload, qos);
                }
            }
            for (int i = 0; i < 6; i++) {
                next(stream, "message " + i);
            }
            Metrics p = pub.metrics();
            for (int qos = 0; qos <= 2; qos++) {
                assertEquals(perQos[qos], p.published(qos), "published QoS " + qos + ": " + p);
                assertEquals(perQos[qos], p.acknowledged(qos), "acknowledged QoS " + qos + ": " + p);
                assertEquals(0, p.failed(qos), "failed QoS " + qos + ": " + p);
                assertEquals(0, p.received(qos));
            }
            assertEquals(0, p.inFlight());
            assertEquals(0, p.queued());
            assertTrue(p.bytesOut() >= fresh.bytesOut() + payloadBytes, p.toString());
            assertTrue(p.timeConnected().compareTo(Duration.ZERO) > 0);

            assertTrue(Wait.until(SOON, () -> sub.metrics().received() == 6), sub.metrics().toString());
            Metrics s = sub.metrics();
            assertEquals(3, s.received(0));
            assertEquals(2, s.received(1));
            assertEquals(1, s.received(2));
            assertEquals(0, s.duplicatesReceived());
            assertTrue(s.bytesIn() >= payloadBytes, s.toString());

            ObjectName name = mbeans("MqttClient", pubId).iterator().next();
            assertEquals(1, mbeans("MqttClient", pubId).size());
            assertEquals(2L, attribute(name, "PublishedQos1"));
            assertEquals(1L, attribute(name, "AcknowledgedQos2"));
            assertEquals(3L, attribute(name, "AcknowledgedQos0"));
            assertEquals("CONNECTED", JMX.getAttribute(name, "State"));
            assertEquals(pubId, JMX.getAttribute(name, "ClientId"));

            // A publish the engine refuses (not connected) is counted as failed, with the last error.
            pub.disconnect();
            MqttException refused = assertThrows(MqttException.class, () -> pub.publish("metrics/q1", "late", 1));
            assertEquals(MqttException.CLIENT_NOT_CONNECTED, code(refused));
            Metrics after = pub.metrics();
            assertEquals(Metrics.State.DISCONNECTED, after.state());
            assertEquals(3, after.published(1));
            assertEquals(2, after.acknowledged(1));
            assertEquals(1, after.failed(1));
            assertEquals(MqttException.CLIENT_NOT_CONNECTED, after.lastErrorCode().orElse(-1), after.toString());
            assertEquals("DISCONNECTED", JMX.getAttribute(name, "State"));
            assertEquals(1L, attribute(name, "FailedQos1"));
            pub.close();
            assertEquals(Set.of(), mbeans("MqttClient", pubId), "the MBean goes at close");
            assertEquals(MqttException.CLIENT_CLOSED, code(assertThrows(MqttException.class, pub::metrics)));
        }
    }

    @Test
    @DisplayName("Broker restart: reconnect attempts equal the RECONNECT_ATTEMPT events, one reconnect, the lost connection as last error, a listener's counters and MBean")
    void reconnectAfterBrokerRestart() throws Exception {
        AtomicInteger attemptEvents = new AtomicInteger();
        List<ConnectionEvent.Kind> kinds = new CopyOnWriteArrayList<>();
        String clientId = id("metrics-rc");
        String listenerId = id("metrics-l");
        ConnectionConfig reconnecting = ConnectionConfig.builder().automaticReconnect(true)
                .maxReconnectDelay(Duration.ofSeconds(1)).connectionTimeout(Duration.ofSeconds(5)).build();
        try (Broker broker = Broker.start();
             MqttClient client = MqttClient.connect(broker.url(), clientId, ClientConfig.of(reconnecting)
                     .withConnectionListener(e -> {
                         kinds.add(e.kind());
                         if (e.kind() == ConnectionEvent.Kind.RECONNECT_ATTEMPT) {
                             attemptEvents.incrementAndGet();
                         }
                     }));
             MqttListener listener = MqttListener.connect(broker.url(), listenerId,
                     ListenerConfig.of(reconnecting), "metrics/l")) {
            AtomicInteger handled = new AtomicInteger();
            listener.attach(new MessageHandler() {
                @Override
                public void onMessage(Message m, Caller c) {
                    handled.incrementAndGet();
                }

                @Override
                public void onError(MqttException error) {
                    // lost / reconnected: expected here
                }
            });
            listener.start();
            assertEquals(1, mbeans("MqttListener", listenerId).size());
            client.publish("metrics/l", "before", 1);
            assertTrue(Wait.until(SOON, () -> handled.get() == 1));

            broker.stop();
            assertTrue(Wait.until(SOON, () -> client.metrics().state() == Metrics.State.RECONNECTING));
            assertTrue(Wait.until(SOON, () -> client.metrics().reconnectAttempts() >= 1));
            broker.restart();
            assertTrue(Wait.until(SOON, () -> kinds.contains(ConnectionEvent.Kind.RECONNECTED)), kinds.toString());
            assertTrue(Wait.until(SOON, () -> listener.isConnected()));
            client.publish("metrics/l", "after", 1);
            assertTrue(Wait.until(SOON, () -> handled.get() == 2));

            Metrics m = client.metrics();
            assertEquals(Metrics.State.CONNECTED, m.state());
            assertEquals(1, m.reconnects(), m.toString());
            assertEquals(attemptEvents.get(), m.reconnectAttempts(), "one count per RECONNECT_ATTEMPT event");
            assertTrue(m.reconnectAttempts() >= 1);
            int last = m.lastErrorCode().orElse(-1);
            assertTrue(last == MqttException.CONNECTION_LOST || last == MqttException.SERVER_CONNECT_ERROR,
                    "the loss, or a reconnect attempt that found the broker still down: " + m);
            assertEquals(2, m.published(1));
            assertEquals(2, m.acknowledged(1));

            Metrics l = listener.metrics();
            assertEquals(2, l.received(1), l.toString());
            assertEquals(1, l.reconnects());
            assertFalse(l.timeConnected().isNegative());
        }
        assertEquals(Set.of(), mbeans("MqttListener", listenerId), "the listener's MBean goes at close");
        assertEquals(Set.of(), mbeans("MqttClient", clientId));
    }
}
