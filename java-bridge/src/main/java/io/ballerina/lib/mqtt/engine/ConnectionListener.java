package io.ballerina.lib.mqtt.engine;

/**
 * Hears what happens to the connection of an {@link MqttClient}: registered with
 * {@link ClientConfig#withConnectionListener(ConnectionListener)}. Events of a client come one at a time
 * on one daemon thread ({@code mqtt-connection-events}, shared by the clients of the process), in the
 * order they happened; a listener that throws is logged (WARNING) and keeps getting events. Keep it short:
 * a listener that blocks delays the events of every client.
 *
 * <pre>{@code
 * ClientConfig config = ClientConfig.of(ConnectionConfig.builder().automaticReconnect(true).build())
 *         .withConnectionListener(event -> System.out.println(event.kind() + " " + event.clientId()));
 * }</pre>
 */
@FunctionalInterface
public interface ConnectionListener {
    /**
     * One connection event.
     *
     * @param event what happened
     */
    void onEvent(ConnectionEvent event);
}
