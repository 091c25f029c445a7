package io.ballerina.lib.mqtt.engine;

/** Configuration of an {@link MqttClient}; both fields may be null (absent). */
public record ClientConfig(ConnectionConfig connectionConfig, WillDetails willDetails) {
    /** No connection settings (contract C2 defaults) and no will. */
    public static ClientConfig defaults() {
        return new ClientConfig(null, null);
    }

    public static ClientConfig of(ConnectionConfig connectionConfig) {
        return new ClientConfig(connectionConfig, null);
    }
}
