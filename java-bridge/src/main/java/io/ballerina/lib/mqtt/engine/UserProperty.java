package io.ballerina.lib.mqtt.engine;

/** An MQTT 5 user property (key/value pair); order and repeated keys are kept. */
public record UserProperty(String key, String value) {
    /**
     * Checks and copies the components.
     *
     * @param key the property name
     * @param value the property value
     */
    public UserProperty {
        MqttException.nonNull(key, "User property name");
        MqttException.nonNull(value, "User property value");
    }
}
