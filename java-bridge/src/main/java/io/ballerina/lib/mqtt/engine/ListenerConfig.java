package io.ballerina.lib.mqtt.engine;

/**
 * Configuration of an {@link MqttListener}: connection settings (null = contract C2 defaults)
 * and {@code manualAcks} (default false: a message is acknowledged after onMessage returns, L3).
 */
public record ListenerConfig(ConnectionConfig connectionConfig, boolean manualAcks) {
    public static ListenerConfig defaults() {
        return new ListenerConfig(null, false);
    }

    public static ListenerConfig of(ConnectionConfig connectionConfig) {
        return new ListenerConfig(connectionConfig, false);
    }

    public ListenerConfig withManualAcks(boolean newManualAcks) {
        return new ListenerConfig(connectionConfig, newManualAcks);
    }
}
