package io.ballerina.lib.mqtt.engine;

import static io.ballerina.lib.mqtt.engine.Support.SOON;
import static io.ballerina.lib.mqtt.engine.Support.code;
import static io.ballerina.lib.mqtt.engine.Support.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.ballerina.lib.mqtt.engine.fixture.Broker;
import io.ballerina.lib.mqtt.engine.fixture.Wait;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** C7 (Java host API): close() in try-with-resources on connected clients and listeners. */
class CloseTest extends WithSharedBroker {

    @Test
    @DisplayName("C7: try-with-resources on a connected client publishes, then disconnects (DISCONNECT seen) and closes without throwing")
    void tryWithResourcesOnAConnectedClient() {
        String clientId = id("twr");
        MqttClient escaped;
        try (MqttClient client = MqttClient.connect(broker.url(), clientId, ClientConfig.defaults())) {
            escaped = client;
            assertTrue(client.isConnected());
            assertEquals(1, client.publish("close/twr", Message.of("x").withQos(1)).messageId());
        }
        assertTrue(escaped.isClosed());
        MqttException after = assertThrows(MqttException.class, escaped::isConnected);
        assertEquals(MqttException.CLIENT_CLOSED, code(after));
        // A disconnect, not a dropped socket: mosquitto logs "Client <id> disconnected." only for DISCONNECT.
        assertTrue(Wait.until(SOON, () -> broker.log().contains("Client " + clientId + " disconnected")),
                broker.log());
        escaped.close(); // a no-op once closed
    }

    @Test
    @DisplayName("C7: close never masks the try block's exception (nothing suppressed, the client released)")
    void closeDoesNotMaskTheBlocksException() {
        IllegalStateException thrown = new IllegalStateException("the block failed");
        MqttClient[] client = new MqttClient[1];
        IllegalStateException caught = assertThrows(IllegalStateException.class, () -> {
            try (MqttClient c = Support.client(broker.url(), "twr-throw")) {
                client[0] = c;
                throw thrown;
            }
        });
        assertSame(thrown, caught);
        assertEquals(0, caught.getSuppressed().length, List.of(caught.getSuppressed()).toString());
        assertTrue(client[0].isClosed());
    }

    @Test
    @DisplayName("C7: close of a disconnected client, of a client whose broker is gone, and a second close all return")
    void closeInEveryState() {
        MqttClient disconnected = Support.client(broker.url(), "close-disc");
        disconnected.disconnect();
        disconnected.close();
        assertTrue(disconnected.isClosed());
        disconnected.close();

        try (Broker own = Broker.start()) {
            MqttClient orphan = MqttClient.connect(own.url(), id("close-gone"), ClientConfig.of(Support.config()
                    .automaticReconnect(true).maxReconnectDelay(1000L).build()));
            own.stop();
            assertTrue(Wait.until(SOON, () -> !orphan.isConnected()));
            orphan.close();
            assertTrue(orphan.isClosed());
        }
    }

    @Test
    @DisplayName("C7: try-with-resources on a started listener stops it without throwing")
    void tryWithResourcesOnAListener() {
        String clientId = id("twr-l");
        try (MqttListener listener = MqttListener.connect(broker.url(), clientId,
                List.of(Subscription.of("close/l")), null)) {
            listener.attach((m, caller) -> { });
            listener.start();
            assertTrue(listener.isConnected());
        }
        assertTrue(Wait.until(SOON, () -> broker.log().contains("Client " + clientId + " disconnected")),
                broker.log());
    }
}
