package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static io.ballerina.lib.mqtt.engine.Support.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.ballerina.lib.mqtt.engine.ConnectionEvent.Kind;
import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 16: connection events of an MqttClient through the ConnectionListener of its ClientConfig. */
@Timeout(90)
class ConnectionEventsTest {

    /** Collects events and the threads they came on. */
    private static final class Recorder implements ConnectionListener {
        final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @Override
        public void onEvent(ConnectionEvent event) {
            threads.add(Thread.currentThread().getName());
            events.add(event);
        }

        List<Kind> kinds() {
            List<Kind> kinds = new ArrayList<>();
            for (ConnectionEvent e : events) {
                kinds.add(e.kind());
            }
            return kinds;
        }

        boolean has(Kind kind) {
            return kinds().contains(kind);
        }

        long count(Kind kind) {
            return kinds().stream().filter(k -> k == kind).count();
        }
    }

    private static ClientConfig reconnecting(ConnectionListener listener) {
        return ClientConfig.of(ConnectionConfig.builder().automaticReconnect(true)
                .maxReconnectDelay(Duration.ofSeconds(1)).connectionTimeout(Duration.ofSeconds(5)).build())
                .withConnectionListener(listener);
    }

    @Test
    @DisplayName("Events: connected, lost (32109), reconnect attempts 1..n with their delays, reconnected, subscriptions restored, disconnected; one thread, in order; across a broker restart")
    void eventsAcrossABrokerRestart() {
        Recorder recorder = new Recorder();
        String clientId = id("events");
        try (Broker broker = Broker.start()) {
            MqttClient client = MqttClient.connect(broker.url(), clientId, reconnecting(recorder));
            try {
                client.subscribe("events/t");
                assertTrue(Wait.until(SOON, () -> recorder.has(Kind.CONNECTED)), recorder.kinds().toString());
                ConnectionEvent connected = recorder.events.get(0);
                assertEquals(Kind.CONNECTED, connected.kind());
                assertEquals(clientId, connected.clientId());
                assertFalse(connected.sessionPresent(), "clean start: no session");
                assertNull(connected.cause());

                broker.stop();
                // At least two attempts while the broker is down, then it comes back.
                assertTrue(Wait.until(SOON, () -> recorder.count(Kind.RECONNECT_ATTEMPT) >= 2),
                        recorder.kinds().toString());
                broker.restart();
                assertTrue(Wait.until(SOON, () -> recorder.has(Kind.SUBSCRIPTIONS_RESTORED)),
                        recorder.kinds().toString());
                MessageStream stream = client.receive();
                client.publish("events/t", "after the restart");
                assertEquals("after the restart", next(stream, "the restored subscription").payloadAsString());

                client.disconnect();
                assertTrue(Wait.until(SOON, () -> recorder.has(Kind.DISCONNECTED)), recorder.kinds().toString());
            } finally {
                client.close();
            }
        }
        List<Kind> kinds = recorder.kinds();
        int attempts = (int) recorder.count(Kind.RECONNECT_ATTEMPT);
        List<Kind> expected = new ArrayList<>(List.of(Kind.CONNECTED, Kind.CONNECTION_LOST));
        for (int i = 0; i < attempts; i++) {
            expected.add(Kind.RECONNECT_ATTEMPT);
        }
        expected.addAll(List.of(Kind.RECONNECTED, Kind.SUBSCRIPTIONS_RESTORED, Kind.DISCONNECTED));
        assertEquals(expected, kinds, "in the order they happened");
        assertEquals(Set.of("mqtt-connection-events"), recorder.threads, "one thread");

        ConnectionEvent lost = recorder.events.get(1);
        assertNotNull(lost.cause());
        assertEquals(MqttException.CONNECTION_LOST, lost.cause().reasonCode().orElse(-1), lost.cause().getMessage());
        for (int i = 0; i < attempts; i++) {
            ConnectionEvent attempt = recorder.events.get(2 + i);
            assertEquals(i + 1, attempt.attempt(), "attempts are numbered from 1");
            long millis = attempt.delay().toMillis();
            assertTrue(millis >= 750 && millis <= 1000, "C4: 1 s capped at maxReconnectDelay 1 s, jitter 0.75-1: "
                    + millis + " ms");
        }
        ConnectionEvent reconnected = recorder.events.get(2 + attempts);
        assertFalse(reconnected.sessionPresent(), "a restarted broker without persistence has no session");
    }

    @Test
    @DisplayName("Events: reconnect() after disconnect() is RECONNECTED; a listener that throws is logged and keeps getting events")
    void manualReconnectAndAThrowingListener() {
        AtomicInteger calls = new AtomicInteger();
        List<Kind> seen = new CopyOnWriteArrayList<>();
        ConnectionListener throwing = event -> {
            calls.incrementAndGet();
            seen.add(event.kind());
            throw new IllegalStateException("listener bug on " + event.kind());
        };
        try (Broker broker = Broker.start();
             MqttClient client = MqttClient.connect(broker.url(), id("events-throw"), reconnecting(throwing))) {
            assertTrue(Wait.until(SOON, () -> seen.contains(Kind.CONNECTED)));
            client.disconnect();
            client.reconnect();
            assertTrue(client.isConnected());
            client.disconnect();
            assertTrue(Wait.until(SOON, () -> seen.size() == 4), seen.toString());
            assertEquals(List.of(Kind.CONNECTED, Kind.DISCONNECTED, Kind.RECONNECTED, Kind.DISCONNECTED), seen);
            assertEquals(4, calls.get());
        }
    }
}
